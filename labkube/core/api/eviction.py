"""``POST pods/<name>/eviction``: a pod delete that PodDisruptionBudgets may refuse.

Mirrors pkg/registry/core/pod/storage/eviction.go (``EvictionREST.Create``, Kubernetes 1.32):

1. The Eviction must name the pod of the URL; its ``deleteOptions`` (grace period,
   preconditions, dryRun) are those of the delete that follows.
2. A pod that is ``Pending``, ``Succeeded``, ``Failed`` or already being deleted is deleted
   straight away: it is not disrupting anything (``canIgnorePDB``). A Pending pod is deleted
   with a resourceVersion precondition, so it cannot become Ready in between.
3. Otherwise the budgets of the pod's namespace whose selector matches it are found. None:
   delete. More than one: 500, ``This pod has more than one PodDisruptionBudget, which the
   eviction subresource does not support.``
4. With one budget, an **unready** pod may go without spending the budget when the budget's
   ``unhealthyPodEvictionPolicy`` is ``AlwaysAllow``, or (``IfHealthyBudget``, the default)
   when the application is healthy anyway (``currentHealthy >= desiredHealthy > 0``); it is
   then deleted with a resourceVersion precondition (a conflict answers 429).
5. Otherwise **check and decrement**: a budget whose status trails its spec
   (``observedGeneration < generation``) answers 429 ``... is still being processed by the
   server.``; ``disruptionsAllowed == 0`` answers 429 TooManyRequests ``Cannot evict pod as it
   would violate the pod's disruption budget.`` with the cause ``The disruption budget web
   needs 2 healthy pods and has 2 currently``. Else ``disruptionsAllowed`` drops by one (the
   ``DisruptionAllowed`` condition turns ``InsufficientPods`` at zero) and the pod is written
   into ``status.disruptedPods`` with the time, so the disruption controller does not count it
   healthy while it terminates; the status write retries on conflicts against a fresh read.
6. The delete: the pod first gets the condition ``DisruptionTarget`` (reason
   ``EvictionByEvictionAPI``, message ``Eviction API: evicting``; PodDisruptionConditions is
   GA in 1.31), then the ordinary graceful delete runs.

A dry run (``?dryRun=All`` or ``deleteOptions.dryRun``) makes every check and writes nothing.
Every refusal happens before any write, and the budget is written before the pod is touched,
as in kube-apiserver: never half-applied in a way the real server would not be.
"""

from __future__ import annotations

from typing import Any

from labkube.core import errors
from labkube.core.api import pdbhelper
from labkube.core.api.registry.pods import update_pod_condition
from labkube.core.api.request import Options, Request
from labkube.core.errors import StatusError

#: ``MaxDisruptedPodSize``: more approved-but-unconfirmed evictions than this are refused.
MAX_DISRUPTED_POD_SIZE = 2000
#: ``EvictionsRetry.Steps``: attempts at the budget's status write before giving up.
EVICTION_RETRIES = 20
VIOLATION_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget."
MULTIPLE_BUDGETS = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
DISRUPTION_TARGET = {"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI",
                     "message": "Eviction API: evicting"}


def too_many_requests(message: str, retry_after: int, cause: str) -> StatusError:
    """``NewTooManyRequests`` with a ``DisruptionBudget`` cause."""
    details: dict[str, Any] = {"causes": [{"reason": pdbhelper.DISRUPTION_BUDGET_CAUSE, "message": cause}]}
    if retry_after:
        details["retryAfterSeconds"] = retry_after
    return StatusError(429, "TooManyRequests", message, details)


def still_processing(pdb_name: str) -> StatusError:
    """``createTooManyRequestsError``: the budget's status does not describe its spec yet."""
    return too_many_requests(VIOLATION_MESSAGE, 10,
                             f"The disruption budget {pdb_name} is still being processed by the server.")


def can_ignore_pdb(pod: dict) -> bool:
    """``canIgnorePDB``: terminal, Pending or already terminating pods disrupt nothing."""
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Succeeded", "Failed", "Pending") or bool(pod["metadata"].get("deletionTimestamp"))


def should_enforce_resource_version(pod: dict) -> bool:
    """``shouldEnforceResourceVersion``: every pod but terminal or terminating ones."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


class Eviction:
    """One eviction request against ``server`` (an :class:`~labkube.core.api.server.APIServer`)."""

    def __init__(self, server: Any, request: Request, pods: Any) -> None:
        self.server = server
        self.request = request
        self.pods = pods
        self.pdbs = server.resolve("poddisruptionbudgets")
        body = request.body or {}
        self.options = dict(body.get("deleteOptions") or {})
        self.dry_run = request.options.dry_run or "All" in (self.options.get("dryRun") or ())
        self.name = request.name or ""
        self.namespace = request.namespace or "default"
        if (body.get("metadata") or {}).get("name", self.name) != self.name:
            raise errors.bad_request("name in URL does not match name in Eviction object")

    # -- the request ----------------------------------------------------------------------------
    def run(self) -> dict:
        pod = self._pod()
        preconditions = dict(self.options.get("preconditions") or {})
        if can_ignore_pdb(pod):
            if should_enforce_resource_version(pod) and not preconditions.get("resourceVersion"):
                preconditions["resourceVersion"] = pod["metadata"]["resourceVersion"]
            self._add_condition_and_delete(preconditions)
            return success()
        budgets = pdbhelper.budgets_for_pod(self._budgets(), pod)
        if len(budgets) > 1:
            raise errors.unknown_error(500, MULTIPLE_BUDGETS)
        if not budgets:
            self._add_condition_and_delete(preconditions)
            return success()
        pdb = budgets[0]
        if self._unhealthy_may_go(pod, pdb):
            return self._delete_unhealthy(pod, pdb, preconditions)
        self._check_and_decrement_with_retries(pod, pdb)
        self._add_condition_and_delete(preconditions)
        return success()

    def _pod(self) -> dict:
        kv = self.server.store.get(self.pods.key(self.namespace, self.name))
        if kv is None:
            raise errors.not_found("pods", self.name)
        return self.server._decode(kv)

    def _budgets(self) -> list[dict]:
        prefix = self.pdbs.prefix(self.namespace)
        return [self.server._readonly(kv) for kv in self.server.store.range_prefix(prefix).kvs]

    # -- unhealthy pods -----------------------------------------------------------------------
    @staticmethod
    def _unhealthy_may_go(pod: dict, pdb: dict) -> bool:
        """An unready pod does not count as healthy: may it go without spending the budget?"""
        if pdbhelper.is_pod_ready(pod):
            return False
        if (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy") == "AlwaysAllow":
            return True
        status = pdb.get("status") or {}
        desired = status.get("desiredHealthy", 0)
        return status.get("currentHealthy", 0) >= desired > 0

    def _delete_unhealthy(self, pod: dict, pdb: dict, preconditions: dict) -> dict:
        caller_set_rv = bool(preconditions.get("resourceVersion"))
        preconditions["resourceVersion"] = preconditions.get("resourceVersion") or pod["metadata"]["resourceVersion"]
        try:
            self._add_condition_and_delete(preconditions)
        except StatusError as err:
            if err.code == 409 and not caller_set_rv:
                raise still_processing(pdb["metadata"]["name"]) from None
            raise
        return success()

    # -- the budget ---------------------------------------------------------------------------
    def _check_and_decrement_with_retries(self, pod: dict, pdb: dict) -> None:
        name = pdb["metadata"]["name"]
        for _ in range(EVICTION_RETRIES):
            try:
                self._check_and_decrement(pod, pdb)
                return
            except StatusError as err:
                if err.code != 409:
                    raise
            kv = self.server.store.get(self.pdbs.key(self.namespace, name))
            if kv is None:
                raise errors.not_found(self.pdbs.qualified_resource, name)
            pdb = self.server._decode(kv)
        raise StatusError(504, "Timeout", f'couldn\'t update PodDisruptionBudget "{name}" due to conflicts',
                          {"retryAfterSeconds": 10})

    def _check_and_decrement(self, pod: dict, pdb: dict) -> None:
        """``checkAndDecrement``: refuse, or spend one disruption and remember the pod."""
        name, status = pdb["metadata"]["name"], dict(pdb.get("status") or {})
        if status.get("observedGeneration", 0) < pdb["metadata"].get("generation", 0):
            raise still_processing(name)
        allowed = status.get("disruptionsAllowed", 0)
        if allowed < 0:
            raise errors.forbidden("poddisruptionbudget.policy", name, "pdb disruptions allowed is negative")
        if len(status.get("disruptedPods") or {}) > MAX_DISRUPTED_POD_SIZE:
            raise errors.forbidden("poddisruptionbudget.policy", name,
                                   "DisruptedPods map too big - too many evictions not confirmed by PDB controller")
        if allowed == 0:
            raise too_many_requests(VIOLATION_MESSAGE, 0, f"The disruption budget {name} needs "
                                    f"{status.get('desiredHealthy', 0)} healthy pods and has "
                                    f"{status.get('currentHealthy', 0)} currently")
        if self.dry_run:
            return
        self._write_budget(pdb, status, pod["metadata"]["name"])

    def _write_budget(self, pdb: dict, status: dict, pod_name: str) -> None:
        now = self.server._timestamps()[0]
        status["disruptionsAllowed"] -= 1
        if status["disruptionsAllowed"] == 0:
            status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
            pdbhelper.update_disruption_allowed_condition(status, now)
        status["disruptedPods"] = {**(status.get("disruptedPods") or {}), pod_name: now}
        new_status = pdbhelper.ordered_status(status)
        meta = pdb["metadata"]

        def mutate(current: dict) -> dict:
            new = dict(current)
            new["status"] = new_status
            return new

        internal = self.request._replace(verb="update", resource=self.pdbs, name=meta["name"],
                                         subresource="status", body=None, options=Options())
        self.server._guaranteed_update(self.pdbs, self.namespace, meta["name"], mutate,
                                       meta["resourceVersion"], internal, "status")

    # -- the delete ---------------------------------------------------------------------------
    def _add_condition_and_delete(self, preconditions: dict) -> None:
        """``addConditionAndDeletePod``: DisruptionTarget on the latest pod, then the delete."""
        if not self.dry_run:
            preconditions = self._add_disruption_target(preconditions)
        grace = self.options.get("gracePeriodSeconds")
        delete = self.request._replace(
            verb="delete", subresource=None, body=None,
            options=Options(grace_period_seconds=grace, preconditions=preconditions or None,
                            dry_run=self.dry_run, propagation_policy=self.options.get("propagationPolicy")))
        self.server._delete(delete, self.pods)

    def _add_disruption_target(self, preconditions: dict) -> dict:
        now = self.server._timestamps()[0]

        def mutate(latest: dict) -> dict:
            _check_latest(latest, preconditions)
            new = dict(latest)
            new["status"] = status = dict(latest.get("status") or {})
            status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
            update_pod_condition(status, DISRUPTION_TARGET, now)
            return new

        internal = self.request._replace(verb="update", subresource="status", body=None, options=Options())
        updated = self.server._guaranteed_update(self.pods, self.namespace, self.name, mutate, None, internal,
                                                 "status")
        if preconditions.get("resourceVersion"):
            preconditions = {**preconditions, "resourceVersion": updated["metadata"]["resourceVersion"]}
        return preconditions


def _check_latest(pod: dict, preconditions: dict) -> None:
    """``getLatestPod``: the caller's preconditions, checked before the condition is added."""
    name, meta = pod["metadata"]["name"], pod["metadata"]
    uid = preconditions.get("uid")
    if uid and uid != meta.get("uid"):
        raise errors.conflict("Pod", name, f"the UID in the precondition ({uid}) does not match the UID in "
                                           f"record ({meta.get('uid')}). The object might have been deleted "
                                           "and then recreated")
    rv = preconditions.get("resourceVersion")
    if rv and rv != meta.get("resourceVersion"):
        raise errors.conflict("Pod", name, f"the ResourceVersion in the precondition ({rv}) does not match the "
                                           f"ResourceVersion in record ({meta.get('resourceVersion')}). The "
                                           "object might have been modified")


def success() -> dict:
    """What EvictionREST returns when the eviction was accepted."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def evict(server: Any, request: Request, pods: Any) -> dict:
    """Serve one ``create pods/eviction``."""
    return Eviction(server, request, pods).run()


__all__ = ["evict", "Eviction", "VIOLATION_MESSAGE", "MULTIPLE_BUDGETS"]
