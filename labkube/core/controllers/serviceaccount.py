"""The service account controller: every active namespace has a ServiceAccount ``default``.

Mirrors pkg/controller/serviceaccount/serviceaccounts_controller.go: when a namespace appears
(or becomes Active again), and whenever a ServiceAccount ``default`` is deleted, the
namespace is synced; if it is Active and has no ``default`` ServiceAccount, one is created.
Terminating namespaces are left alone. Pods without ``spec.serviceAccountName`` run as
``default``, which is why every namespace needs one. It acts as ``service-account-controller``
(which may only create ServiceAccounts).
"""

from __future__ import annotations

from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError

#: ``--service-account-names`` isn't a flag any more; kube-controller-manager ensures these.
SERVICE_ACCOUNTS = ("default",)


@register
class ServiceAccountsController(KubeController):
    """Creates the ``default`` ServiceAccount in every active namespace."""

    name = "service-account-controller"

    def setup(self) -> None:
        informers = self.ctx.informers
        self.namespaces = informers.informer("namespaces")
        self.service_accounts = informers.informer("serviceaccounts")
        self.namespaces.add_event_handler(
            lambda ns: self.enqueue(ns["metadata"]["name"]),
            lambda old, new: self.enqueue(new["metadata"]["name"]),
            None,
        )
        self.service_accounts.add_event_handler(None, None, self._service_account_deleted)

    def _service_account_deleted(self, sa: dict) -> None:
        if sa["metadata"]["name"] in SERVICE_ACCOUNTS:
            self.enqueue(sa["metadata"]["namespace"])

    def sync(self, namespace: str) -> None:
        ns = self.namespaces.get(namespace)
        if ns is None or (ns.get("status") or {}).get("phase") != "Active":
            return
        for name in SERVICE_ACCOUNTS:
            if self.service_accounts.get_by_name(namespace, name) is not None:
                continue
            try:
                self.client.create({"apiVersion": "v1", "kind": "ServiceAccount",
                                    "metadata": {"name": name, "namespace": namespace}})
            except StatusError as err:
                # AlreadyExists: the cache is behind. Forbidden: the namespace began terminating.
                if err.code not in (403, 409):
                    raise
