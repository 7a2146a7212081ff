"""The API server's own CRD controllers: naming, establishing, serving, cleanup.

In a real cluster these run inside kube-apiserver (its apiextensions-apiserver half), not in
kube-controller-manager. Mirrors k8s.io/apiextensions-apiserver (Kubernetes 1.32):

* pkg/controller/status/naming_controller.go -- ``NamingConditionController``: accepts the
  names a CRD asks for unless another CRD of the same group already holds them, and writes
  ``status.acceptedNames`` with the condition ``NamesAccepted`` (``NoConflicts``, "no
  conflicts found"; or ``PluralConflict``/``SingularConflict``/``ShortNamesConflict``/
  ``KindConflict``/``ListKindConflict``, ``"crontabs" is already in use``) and, until the
  establishing controller has run, ``Established=False`` (``Installing``, "the initial names
  have been accepted"; ``NotAccepted``, "not all names are accepted");
* pkg/controller/establish/establishing_controller.go -- ``EstablishingController``: once the
  names are accepted, ``Established=True`` (``InitialNamesAccepted``, "the initial names have
  been accepted"), at once with one API server (5 s later with several);
* pkg/apiserver/customresource_handler.go -- the ``crdHandler``'s view of CRDs: an
  established CRD's served versions are served (added to this cluster's
  :class:`~labkube.core.api.resources.Registry` as
  :class:`~labkube.core.api.customresource.CustomResourceType`), a deleted one stops being
  served;
* pkg/controller/finalizer/crd_finalizer.go -- ``CRDFinalizer``: a CRD being deleted (the
  server added the ``customresourcecleanup.apiextensions.k8s.io`` finalizer and
  ``Terminating`` with InstanceDeletionPending) goes ``Terminating`` with
  InstanceDeletionInProgress, every custom resource is deleted (one delete-collection per
  namespace), the controller polls every 5 s (at most a minute) until none is left, writes
  InstanceDeletionCompleted "removed all instances" (or NeverEstablished), and removes the
  finalizer -- the API server then deletes the CRD.

All four share one CRD informer and act through the API as ``system:apiserver``; nothing runs
while no CRD exists. Discovery (``kubectl api-resources``) follows the registry. This module sits
beside the cluster wiring rather than in ``labkube.core.api`` because it is a component (informers
and work queues), like kube-scheduler: the API server proper never imports the machinery.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from labkube.core import serialization
from labkube.core.api import customresource
from labkube.core.api.registry.apiextensions import (
    CLEANUP_FINALIZER,
    CustomResourceStrategy,
    find_condition,
    set_condition,
)
from labkube.core.errors import StatusError
from labkube.core.machinery import Component, Controller
from labkube.core.machinery.informer import object_key

CRDS = "customresourcedefinitions.apiextensions.k8s.io"
#: ``wait.PollImmediate(5*time.Second, 1*time.Minute, ...)`` in deleteInstances.
DELETION_POLL_INTERVAL = 5.0
DELETION_POLL_TIMEOUT = 60.0
NAME_FIELDS = ("plural", "singular", "shortNames", "kind", "listKind", "categories")


def condition_true(crd: dict, kind: str) -> bool:
    cond = find_condition(crd, kind)
    return cond is not None and cond.get("status") == "True"


# -- naming ------------------------------------------------------------------------------


def accepted_names_in_group(crds: list[dict], group: str) -> tuple[set, set]:
    """``getAcceptedNamesForGroup``: the resource names and kinds already accepted in a group."""
    resources: set[str] = set()
    kinds: set[str] = set()
    for crd in crds:
        if (crd.get("spec") or {}).get("group") != group:
            continue
        accepted = (crd.get("status") or {}).get("acceptedNames") or {}
        resources.update([accepted.get("plural", ""), accepted.get("singular", "")])
        resources.update(accepted.get("shortNames") or ())
        kinds.update([accepted.get("kind", ""), accepted.get("listKind", "")])
    return resources, kinds


def _fresh_or_accepted(requested: str, accepted: str, used: set) -> Optional[str]:
    """``equalToAcceptedOrFresh``: None, or why the name cannot be had."""
    if requested == accepted or requested not in used:
        return None
    return f'"{requested}" is already in use'


def calculate_names(crd: dict, crds: list[dict]) -> tuple[dict, tuple, tuple]:
    """``calculateNamesAndConditions``: (accepted names, NamesAccepted, Established) where a
    condition is (status, reason, message)."""
    spec = crd.get("spec") or {}
    requested = spec.get("names") or {}
    accepted = (crd.get("status") or {}).get("acceptedNames") or {}
    resources, kinds = accepted_names_in_group(crds, spec.get("group", ""))
    new = dict(accepted)
    conflict: Optional[tuple] = None
    for key, used, reason in (("plural", resources, "PluralConflict"), ("singular", resources, "SingularConflict")):
        why = _fresh_or_accepted(requested.get(key, ""), accepted.get(key, ""), used)
        if why:
            conflict = ("False", reason, why)
        else:
            new[key] = requested.get(key, "")
    if (requested.get("shortNames") or []) != (accepted.get("shortNames") or []):
        mine = set(accepted.get("shortNames") or ())
        problems = [why for short in requested.get("shortNames") or () if short not in mine
                    for why in [_fresh_or_accepted(short, "", resources)] if why]
        if problems:
            conflict = ("False", "ShortNamesConflict", _aggregate(problems))
        else:
            new["shortNames"] = list(requested.get("shortNames") or [])
    for key, reason in (("kind", "KindConflict"), ("listKind", "ListKindConflict")):
        why = _fresh_or_accepted(requested.get(key, ""), accepted.get(key, ""), kinds)
        if why:
            conflict = ("False", reason, why)
        else:
            new[key] = requested.get(key, "")
    new["categories"] = list(requested.get("categories") or [])
    names_accepted = conflict or ("True", "NoConflicts", "no conflicts found")
    old = find_condition(crd, "Established")
    established = (old["status"], old.get("reason", ""), old.get("message", "")) if old else (
        "False", "NotAccepted", "not all names are accepted")
    if established[0] != "True" and names_accepted[0] == "True":
        established = ("False", "Installing", "the initial names have been accepted")
    return _names_in_go_order(new), names_accepted, established


def _aggregate(messages: list[str]) -> str:
    """``utilerrors.NewAggregate(...).Error()``."""
    return messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"


def _names_in_go_order(names: dict) -> dict:
    """CustomResourceDefinitionNames as Go serializes it (empty optional fields omitted)."""
    out = {}
    for key in NAME_FIELDS:
        value = names.get(key)
        if key in ("plural", "kind"):
            out[key] = value or ""
        elif value:
            out[key] = value
    return out


class NamingController(Controller):
    name = "crd-autoregister-naming"  # NamingConditionController

    def __init__(self, owner: "APIExtensions") -> None:
        super().__init__(owner.clock, owner.report)
        self.owner = owner

    def sync(self, key: str) -> None:
        crd = self.owner.crd_informer.get(key)
        if crd is None:
            return
        spec_names = _names_in_go_order((crd.get("spec") or {}).get("names") or {})
        accepted_now = (crd.get("status") or {}).get("acceptedNames") or {}
        if spec_names == _names_in_go_order(accepted_now):
            return
        accepted, naming, established = calculate_names(crd, self.owner.crd_informer.list())
        current = find_condition(crd, "NamesAccepted")
        if accepted == accepted_now and current is not None and (
                current.get("status"), current.get("reason"), current.get("message")) == naming:
            return
        updated = serialization.copy(crd)
        updated.setdefault("status", {})["acceptedNames"] = accepted
        now = self.clock.timestamp()
        set_condition(updated, "NamesAccepted", *naming, now)
        set_condition(updated, "Established", *established, now)
        self.owner.update_status(updated)
        for other in self.owner.crd_informer.list():  # a released name may unblock another CRD
            if other["metadata"]["name"] != crd["metadata"]["name"] and \
                    (other.get("spec") or {}).get("group") == (crd.get("spec") or {}).get("group"):
                self.enqueue(object_key(other))


class EstablishingController(Controller):
    name = "crd-establishing"

    def __init__(self, owner: "APIExtensions") -> None:
        super().__init__(owner.clock, owner.report)
        self.owner = owner

    def sync(self, key: str) -> None:
        crd = self.owner.crd_informer.get(key)
        if crd is None or not condition_true(crd, "NamesAccepted") or condition_true(crd, "Established"):
            return
        updated = serialization.copy(crd)
        set_condition(updated, "Established", "True", "InitialNamesAccepted",
                      "the initial names have been accepted", self.clock.timestamp())
        self.owner.update_status(updated)


class ServingController(Controller):
    """The crdHandler's view of CRDs: which custom resources this API server serves."""

    name = "crd-handler"

    def __init__(self, owner: "APIExtensions") -> None:
        super().__init__(owner.clock, owner.report)
        self.owner = owner

    def sync(self, key: str) -> None:
        crd = self.owner.crd_informer.get(key)
        served = crd is not None and (condition_true(crd, "Established") or (
            crd["metadata"].get("deletionTimestamp") and self.owner.serving(key)))
        self.owner.serve(key, customresource.resource_types(crd) if served else [])


class FinalizerController(Controller):
    name = "crd-finalizer"

    def __init__(self, owner: "APIExtensions") -> None:
        super().__init__(owner.clock, owner.report)
        self.owner = owner
        self._waiting_since: dict[str, float] = {}

    def sync(self, key: str) -> None:
        crd = self.owner.crd_informer.get(key)
        if crd is None or not crd["metadata"].get("deletionTimestamp") or \
                CLEANUP_FINALIZER not in (crd["metadata"].get("finalizers") or ()):
            self._waiting_since.pop(key, None)
            return
        updated = serialization.copy(crd)
        now = self.clock.timestamp()
        set_condition(updated, "Terminating", "True", "InstanceDeletionInProgress",
                      "CustomResource deletion is in progress", now)
        updated = self.owner.update_status(updated)
        if condition_true(updated, "Established"):
            done = self._delete_instances(key, updated, now)
            if not done:
                return
        else:
            set_condition(updated, "Terminating", "False", "NeverEstablished", "resource was never established", now)
        self._waiting_since.pop(key, None)
        kept = [f for f in updated["metadata"]["finalizers"] if f != CLEANUP_FINALIZER]
        if kept:
            updated["metadata"]["finalizers"] = kept
        else:
            updated["metadata"].pop("finalizers", None)
        self.owner.update_status(updated)

    def _delete_instances(self, key: str, crd: dict, now: str) -> bool:
        """``deleteInstances``: one delete-collection per namespace, then wait for none left."""
        rtypes = self.owner.served_types(key)
        if not rtypes:  # not served (yet): nothing can be listed, so nothing may be given up
            set_condition(crd, "Terminating", "True", "InstanceDeletionFailed",
                          "could not list instances: the server could not find the requested resource", now)
            self.owner.update_status(crd)
            raise StatusError(404, "NotFound", "the server could not find the requested resource")
        rtype = rtypes[0]
        client = self.owner.client
        items = client.list(rtype)["items"]
        for namespace in sorted({item["metadata"].get("namespace") or "" for item in items}):
            client.delete_collection(rtype, namespace or None)
        if not client.list(rtype)["items"]:
            set_condition(crd, "Terminating", "False", "InstanceDeletionCompleted", "removed all instances", now)
            return True
        started = self._waiting_since.setdefault(key, self.clock.now())
        if self.clock.now() - started >= DELETION_POLL_TIMEOUT:
            set_condition(crd, "Terminating", "True", "InstanceDeletionCheck",
                          "could not confirm zero CustomResources remaining: timed out waiting for the condition",
                          now)
            self.owner.update_status(crd)
            self._waiting_since.pop(key, None)
            raise StatusError(500, "InternalError", "could not confirm zero CustomResources remaining")
        self.queue.add_after(key, DELETION_POLL_INTERVAL)
        return False


class APIExtensions(Component):
    """The CRD half of kube-apiserver: its controllers, and the custom resources it serves."""

    name = "apiextensions-apiserver"

    def __init__(self, server: Any, client: Any, clock: Any, errors: Any) -> None:
        super().__init__(client, clock, errors)
        self.server = server
        #: CRD name -> the types served for it now.
        self._served: dict[str, list] = {}

    def setup(self) -> None:
        self.crd_informer = self.informers.informer(CRDS)
        self.naming = self.add(NamingController(self))
        self.establishing = self.add(EstablishingController(self))
        self.serving_controller = self.add(ServingController(self))
        self.finalizer = self.add(FinalizerController(self))
        self.crd_informer.add_event_handler(self._added, self._updated, self._deleted)

    # -- event handlers: enqueue keys only ----------------------------------------------
    def _added(self, crd: dict) -> None:
        key = object_key(crd)
        for controller in self.controllers:
            controller.enqueue(key)

    def _updated(self, old: dict, crd: dict) -> None:
        self._added(crd)

    def _deleted(self, crd: dict) -> None:
        key = object_key(crd)
        self.serving_controller.enqueue(key)
        for other in self.crd_informer.list():  # its names are free again
            if (other.get("spec") or {}).get("group") == (crd.get("spec") or {}).get("group"):
                self.naming.enqueue(object_key(other))

    # -- what the controllers share -------------------------------------------------------
    def update_status(self, crd: dict) -> dict:
        return self.client.update(crd, subresource="status")

    def serving(self, key: str) -> bool:
        return bool(self._served.get(key))

    def served_types(self, key: str) -> list:
        return list(self._served.get(key) or [])

    def serve(self, key: str, rtypes: list) -> None:
        """Make ``rtypes`` the resources served for the CRD ``key`` (none: stop serving it)."""
        if [_served_form(t) for t in self._served.get(key, [])] == [_served_form(t) for t in rtypes]:
            return
        registry = self.server.registry
        old = self._served.pop(key, [])
        with registry._lock:  # Registry has no unregister: the CRD's types are swapped in place
            registry._types[:] = [t for t in registry._types if not any(t is o for o in old)]
        for rtype in old:
            self.server.strategies._by_kind.pop((rtype.group, rtype.kind), None)
        kept = []
        for rtype in rtypes:
            try:
                registry.register(rtype)
            except ValueError as err:  # a built-in kind of the same group/version/kind
                self.report(f"serving {key}", err)
                continue
            kept.append(rtype)
            self.server.strategies.register(rtype.group, rtype.kind, CustomResourceStrategy(
                rtype.namespaced, "status" in rtype.subresources, rtype.terminating))
        if kept:
            self._served[key] = kept
        with registry._lock:  # discovery order: built-in groups, then custom groups by name
            registry._types.sort(key=_discovery_rank)
        self.server.resources_changed()


def _served_form(rtype: Any) -> tuple:
    """Everything a served type carries (its schema and columns are not part of its equality)."""
    return (rtype, rtype.schema, rtype.scale, rtype.printer_columns)


def _discovery_rank(rtype: Any) -> tuple:
    """Where a resource comes in discovery: a CRD's group has APIService priority 1000, below
    every built-in group, and groups of equal priority are ordered by name (sorts are stable,
    so built-in kinds keep their registration order)."""
    if isinstance(rtype, customresource.CustomResourceType):
        return (1, rtype.group, version_priority(rtype.version))
    return (0, "", ())


def version_priority(version: str) -> tuple:
    """``version.CompareKubeAwareVersionStrings`` as a sort key: GA before beta before alpha,
    higher numbers first (v2, v1, v1beta2, v1beta1, v1alpha1), then other names by name."""
    match = _KUBE_VERSION.fullmatch(version)
    if match is None:
        return (3, 0, 0, version)
    major, stage, minor = int(match.group(1)), match.group(2), int(match.group(3) or 0)
    return ({None: 0, "beta": 1, "alpha": 2}[stage], -major, -minor, "")


_KUBE_VERSION = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?")
