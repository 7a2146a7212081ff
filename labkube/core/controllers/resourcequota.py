"""The resource-quota controller: count what each namespace uses, write it to its quotas' status.

Mirrors pkg/controller/resourcequota (Kubernetes 1.32: ``resource_quota_controller.go`` and the
replenishment of ``resource_quota_monitor.go``). For each ResourceQuota, ``syncResourceQuota``:

* ``status.hard`` becomes ``spec.hard``;
* ``status.used`` becomes, for every resource in ``hard``, the sum of what the namespace's
  objects cost (``quota.CalculateUsage`` with the evaluators of :mod:`labkube.core.api.quota`:
  pods that are not terminal, services, claims, config maps, secrets, quotas), ``0`` where
  nothing is used; objects outside the quota's scopes do not count;
* the status is written (``resourcequotas/status``) only when it changed.

A quota is synced when it is created, when its ``spec.hard`` changes (not when only its status
does: that is the admission plugin charging it), when something it counts goes away (a pod
deleted or turning Succeeded/Failed, a service changing type, an object deleted: the monitor's
"replenishment"), and every ``--resource-quota-sync-period`` (5 minutes), which also catches
pods stuck terminating past their grace period. The ResourceQuota admission plugin charges
creates as they happen; this controller is what gives the quota back. It records no events.

Without any ResourceQuota the controller does nothing: its handlers return at once.
"""

from __future__ import annotations

from labkube.core.api import quota
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.machinery import object_key

#: ``--resource-quota-sync-period``.
SYNC_PERIOD = 300.0


def calculate_usage(resource_quota: dict, objects_of, now: float,
                    resources=quota.COUNTED_RESOURCES) -> quota.ResourceList:
    """``quota.CalculateUsage``: what the namespace's objects cost, for the quota's hard names.

    ``objects_of(group, resource)`` lists the namespace's objects of each of ``resources``."""
    hard = (resource_quota.get("spec") or {}).get("hard") or {}
    selectors = quota.scope_selectors(resource_quota)
    used: quota.ResourceList = {}
    for group, resource in resources:
        evaluator = quota.evaluator_for(group, resource)
        names = evaluator.matching_resources(hard)
        if not names:
            continue
        for name in names:  # ``CalculateUsageStats`` starts every tracked name at zero
            used.setdefault(name, quota.zero())
        for obj in objects_of(group, resource):
            if all(evaluator.matches_scope(selector, obj) for selector in selectors):
                used = quota.add(used, quota.mask(evaluator.usage(obj, now), names))
    return used


def quota_status(resource_quota: dict, usage: quota.ResourceList) -> dict:
    """The status ``syncResourceQuota`` writes: hard from spec, used for exactly those names."""
    hard = quota.parse_list((resource_quota.get("spec") or {}).get("hard"))
    used = quota.parse_list((resource_quota.get("status") or {}).get("used"))
    used.update(usage)
    return {"hard": quota.as_text(hard), "used": quota.as_text(quota.mask(used, hard))}


def status_changed(resource_quota: dict, status: dict) -> bool:
    """Dirty: hard differs from spec, a list is missing, or the usage moved."""
    current = resource_quota.get("status") or {}
    if "hard" not in current or "used" not in current:
        return True
    return not (quota.equal(quota.parse_list(current["hard"]), quota.parse_list(status["hard"]))
                and quota.equal(quota.parse_list(current["used"]), quota.parse_list(status["used"])))


@register
class ResourceQuotaController(KubeController):
    """Keeps every ResourceQuota's ``status.hard`` and ``status.used`` true."""

    name = "resourcequota-controller"

    def setup(self) -> None:
        self.sync_period = float(getattr(self.ctx.config, "resource_quota_sync_period", SYNC_PERIOD))
        self.quotas = self.ctx.informers.informer("resourcequotas")
        self.quotas.add_event_handler(self._quota_added, self._quota_updated)
        #: The quota monitor's informers by (group, resource): the evaluated resources from the
        #: start, any other one when a quota first counts it (``count/deployments.apps``).
        self.counted = {}
        for group, resource in quota.COUNTED_RESOURCES:
            informer = self.counted[(group, resource)] = self.ctx.informers.informer(resource)
            informer.add_event_handler(None, self._replenish_on_update(resource),
                                       self._replenish_on_delete(group, resource))
        self.clock.call_later(self.sync_period, self._resync, name="resourcequota resync")

    # -- what enqueues a quota -------------------------------------------------------------
    def _quota_added(self, resource_quota: dict) -> None:
        self.enqueue(object_key(resource_quota))

    def _quota_updated(self, old: dict, cur: dict) -> None:
        """``updateQuota``: only a change of ``spec.hard`` needs a recount."""
        old_hard = quota.parse_list((old.get("spec") or {}).get("hard"))
        if not quota.equal(old_hard, quota.parse_list((cur.get("spec") or {}).get("hard"))):
            self.enqueue(object_key(cur))

    def _resync(self) -> None:
        """``enqueueAll`` every sync period."""
        if not self.enabled:
            return
        for key in self.quotas.keys():
            self.enqueue(key)
        self.clock.call_later(self.sync_period, self._resync, name="resourcequota resync")

    def _replenish_on_update(self, resource: str):
        def updated(old: dict, cur: dict) -> None:
            if len(self.quotas) and _frees_quota(resource, old, cur, self.clock.now()):
                self._replenish(resource, cur)
        return updated

    def _replenish_on_delete(self, group: str, resource: str):
        def deleted(obj: dict) -> None:
            if len(self.quotas):
                self._replenish(resource, obj, group)
        return deleted

    def _replenish(self, resource: str, obj: dict, group: str = "") -> None:
        """``replenishQuota``: sync the namespace's quotas that count this resource."""
        namespace = (obj.get("metadata") or {}).get("namespace")
        evaluator = quota.evaluator_for(group, resource)
        for resource_quota in self.quotas.list(namespace):
            hard = (resource_quota.get("status") or {}).get("hard") or {}
            if evaluator.matching_resources(hard):
                self.enqueue(object_key(resource_quota))

    # -- the reconcile ---------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """``syncResourceQuota``."""
        resource_quota = self.quotas.get(key)
        if resource_quota is None:
            return
        namespace = resource_quota["metadata"]["namespace"]
        resources = self._resources_counted_by(resource_quota)
        usage = calculate_usage(resource_quota, lambda group, resource: self.counted[(group, resource)].list(namespace),
                                self.clock.now(), resources)
        status = quota_status(resource_quota, usage)
        if not status_changed(resource_quota, status):
            return
        updated = {**resource_quota, "status": status}
        try:
            self.client.update(updated, subresource="status")
        except StatusError as err:
            if err.code != 404:
                raise


    def _resources_counted_by(self, resource_quota: dict) -> list[tuple[str, str]]:
        """The evaluated resources, and each served resource a ``count/<resource>`` names."""
        resources = list(quota.COUNTED_RESOURCES)
        for name in sorted((resource_quota.get("spec") or {}).get("hard") or {}):
            group_resource = quota.parse_object_count_name(name)
            if (group_resource and group_resource not in resources
                    and group_resource not in quota.IGNORED_RESOURCES and self._monitor(*group_resource)):
                resources.append(group_resource)
        return resources

    def _monitor(self, group: str, resource: str) -> bool:
        """Start counting a resource (an informer with a replenishing delete handler); False
        when the API server does not serve it."""
        if (group, resource) in self.counted:
            return True
        try:
            informer = self.ctx.informers.informer(f"{resource}.{group}" if group else resource)
        except StatusError:
            return False
        informer.add_event_handler(None, None, self._replenish_on_delete(group, resource))
        informer.start()
        self.counted[(group, resource)] = informer
        return True


def _frees_quota(resource: str, old: dict, cur: dict, now: float) -> bool:
    """The monitor's ``UpdateFunc`` filters: a pod stops being charged (terminal), a service
    changes type, a claim's storage changes."""
    if resource == "pods":
        return quota.pod_charged(old, now) and not quota.pod_charged(cur, now)
    if resource == "services":
        return (old.get("spec") or {}).get("type") != (cur.get("spec") or {}).get("type")
    if resource == "persistentvolumeclaims":
        return not quota.equal(quota.claim_usage(old, now), quota.claim_usage(cur, now))
    return False
