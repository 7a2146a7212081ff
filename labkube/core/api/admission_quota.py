"""The ResourceQuota admission plugin: refuse what would exceed a namespace's quota, charge the rest.

Mirrors k8s.io/apiserver/pkg/admission/plugin/resourcequota (``admission.go``,
``controller.go``: ``quotaEvaluator.checkQuotas`` and ``CheckRequest``), the last plugin of
kube-apiserver's default chain, a validating one: it sees the final object, after LimitRanger
filled in defaults and every mutating plugin ran.

For a write of a namespaced object (no subresource) the plugin takes the namespace's
ResourceQuotas and, for each one that *matches* the object (its ``status.hard`` names a resource
the object's evaluator charges, and the object matches every scope), it:

1. asks the evaluator for constraints -- a quota on cpu or memory refuses a pod whose containers
   do not all say what they want: ``failed quota: <quota>: must specify limits.cpu for: nginx``;
2. refuses when the quota has no usage yet for those resources (the resource-quota controller
   has not counted the namespace): ``status unknown for quota: <quota>, resources: ...``;
3. adds the object's usage (on update: only what it adds) to ``status.used`` and refuses when a
   resource goes over ``status.hard``: ``exceeded quota: <quota>, requested: ..., used: ...,
   limited: ...``.

When every quota allows it, the plugin writes the new ``status.used`` of each changed quota
through the API server (``resourcequotas/status``, as kube-apiserver's loopback client
``system:apiserver``), retrying up to three times on a conflict with a fresh read, *before* the
object is stored: the quota is charged first, and the resource-quota controller corrects any
over-charge (a create that then fails) at its next sync. Dry-run requests are checked, never
charged. While no ResourceQuota exists at all the plugin costs one attribute test per write: it
sees every quota's create and every status update that makes a quota count, and looks again.

Which resources cost what is :mod:`labkube.core.api.quota`.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core import errors
from labkube.core.api import auth, quota
from labkube.core.api.admission import CREATE, UPDATE, AdmissionAttributes, forbidden

#: kube-apiserver's loopback identity (``system:apiserver`` in ``system:masters``).
LOOPBACK_USER = auth.UserInfo("system:apiserver", (auth.SYSTEM_PRIVILEGED_GROUP, auth.ALL_AUTHENTICATED))
#: ``checkQuotas(quotas, admissionAttributes, 3)``.
UPDATE_RETRIES = 3


class QuotaExceeded(Exception):
    """One quota refuses the request; ``why`` is the message after "is forbidden: "."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class ResourceQuotaAdmission:
    """The plugin. ``connect(client)`` gives it the API client it charges quotas through."""

    name = "ResourceQuota"

    def __init__(self) -> None:
        self._client: Any = None
        #: False only while no ResourceQuota exists: then a write costs one attribute test.
        #: Every quota is created, and charged, through this plugin, which sets it again.
        self._quotas_may_exist = True

    def connect(self, client: Any) -> None:
        """Write quota status through ``client`` (acting as :data:`LOOPBACK_USER`)."""
        self._client = client.as_user(LOOPBACK_USER)
        self._quotas_may_exist = bool(client.server.read_all("resourcequotas"))

    # -- the plugin -----------------------------------------------------------------------
    def validate(self, attrs: AdmissionAttributes) -> None:
        if attrs.rtype.plural == "resourcequotas" and not attrs.rtype.group:
            self._quotas_may_exist = True  # a quota is created or counted: look from now on
        if not self._quotas_may_exist:
            return
        if attrs.subresource or not attrs.namespace or attrs.operation not in (CREATE, UPDATE):
            return
        if attrs.lister is None or attrs.obj is None:
            return
        if (attrs.rtype.group, attrs.rtype.plural) in quota.IGNORED_RESOURCES:
            return
        evaluator = quota.evaluator_for(attrs.rtype.group, attrs.rtype.plural)
        if not evaluator.handles(attrs.operation):
            return
        quotas = self._namespace_quotas(attrs)
        if not quotas:
            return
        for attempt in range(UPDATE_RETRIES + 1):
            charged = self._check(quotas, attrs, evaluator)
            if attrs.dry_run or not charged or self._client is None:
                return
            conflicted = self._charge(charged)
            if not conflicted:
                return
            if attempt == UPDATE_RETRIES:
                raise conflicted[-1][1]
            # Only the quotas whose write conflicted are checked again, at their newest version.
            names = {name for name, _err in conflicted}
            quotas = [q for q in self._namespace_quotas(attrs) if q["metadata"]["name"] in names]

    def _namespace_quotas(self, attrs: AdmissionAttributes) -> list[dict]:
        """The namespace's quotas, read-only, by name (none anywhere: stop looking)."""
        every = attrs.lister("resourcequotas")
        if not every and attrs.rtype.plural != "resourcequotas":
            self._quotas_may_exist = False
        found = [q for q in every if q["metadata"].get("namespace") == attrs.namespace]
        return sorted(found, key=lambda q: q["metadata"]["name"])

    def _check(self, quotas: list, attrs: AdmissionAttributes, evaluator: quota.Evaluator) -> list[dict]:
        """``CheckRequest``: the quotas with their new ``status.used`` (only those that change)."""
        try:
            return check_request(quotas, attrs.obj, attrs.old if attrs.operation == UPDATE else None,
                                 evaluator, attrs.clock.now())
        except QuotaExceeded as refusal:
            raise forbidden(attrs, refusal.why) from None

    def _charge(self, charged: list[dict]) -> list[tuple[str, errors.StatusError]]:
        """``UpdateQuotaStatus`` for each charged quota; the (name, error) of each conflict."""
        conflicts = []
        for resource_quota in charged:
            try:
                self._client.update(resource_quota, subresource="status")
            except errors.StatusError as err:
                if err.code != 409:
                    raise
                conflicts.append((resource_quota["metadata"]["name"], err))
        return conflicts




def check_request(quotas: list, obj: dict, old: Optional[dict], evaluator: quota.Evaluator,
                  now: float) -> list[dict]:
    """The quotas ``obj`` (replacing ``old`` on an update) is charged to, as copies with their
    new ``status.used``; raise :class:`QuotaExceeded` if one of them refuses it."""
    interesting = []
    for resource_quota in quotas:
        if not evaluator.matches(resource_quota, obj):
            continue
        hard = quota.parse_list((resource_quota.get("status") or {}).get("hard"))
        restricted = evaluator.matching_resources(hard)
        _check_constraints(resource_quota, restricted, obj, evaluator)
        _check_usage_known(resource_quota, restricted)
        interesting.append(resource_quota)
    if not interesting:
        return []
    usage = evaluator.usage(obj, now)
    negative = sorted(name for name, q in usage.items() if q.is_negative())
    if negative:
        raise QuotaExceeded(f"quota usage is negative for resource(s): {','.join(negative)}")
    charged = []
    for resource_quota in interesting:
        delta = usage
        if old is not None and old.get("metadata", {}).get("resourceVersion") and evaluator.matches(resource_quota, old):
            delta = quota.subtract_non_negative(usage, evaluator.usage(old, now))
        delta = quota.remove_zeros(delta)
        if not delta:
            continue
        charged.append(_charge_one(resource_quota, delta))
    return charged


def _check_constraints(resource_quota: dict, restricted: list, obj: dict, evaluator: quota.Evaluator) -> None:
    if evaluator.resource != "pods" or evaluator.group:
        return
    problem = quota.pod_constraints(restricted, obj)
    if problem:
        raise QuotaExceeded(f"failed quota: {resource_quota['metadata']['name']}: {problem}")


def _check_usage_known(resource_quota: dict, restricted: list) -> None:
    """``hasUsageStats``: every restricted hard resource has a used value."""
    status = resource_quota.get("status") or {}
    used = status.get("used") or {}
    if any(name in restricted and name not in used for name in status.get("hard") or {}):
        raise QuotaExceeded(f"status unknown for quota: {resource_quota['metadata']['name']}, "
                            f"resources: {','.join(sorted(restricted))}")


def _charge_one(resource_quota: dict, delta: quota.ResourceList) -> dict:
    """The quota with ``delta`` added to ``status.used``, or QuotaExceeded naming what is over."""
    status = resource_quota.get("status") or {}
    hard = quota.parse_list(status.get("hard"))
    used = quota.parse_list(status.get("used"))
    requested = quota.mask(delta, hard)
    new_used = quota.add(used, requested)
    over = quota.exceeded(quota.mask(new_used, requested), hard)
    if over:
        name = resource_quota["metadata"]["name"]
        raise QuotaExceeded(
            f"exceeded quota: {name}, requested: {quota.pretty(quota.mask(requested, over))}, "
            f"used: {quota.pretty(quota.mask(used, over))}, limited: {quota.pretty(quota.mask(hard, over))}")
    charged = {key: value for key, value in resource_quota.items() if key != "status"}
    charged["metadata"] = dict(resource_quota["metadata"])
    charged["status"] = {**status, "used": quota.as_text(new_used)}
    return charged
