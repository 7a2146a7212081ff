"""``kubectl describe``: one text page per object, exactly as kubectl 1.32 prints it.

Mirrors k8s.io/kubectl/pkg/describe/describe.go. Each describer is a pure function of the
object, the events about it, ``now`` (seconds since the epoch, from the cluster clock) and the
few other objects kubectl fetches besides it, carried in :class:`Related`:

=================  ==========================================================================
kind               what ``related`` must carry (COMMANDS fetches these)
=================  ==========================================================================
Deployment         ``replica_sets``: the ReplicaSets of its namespace (filtered by controller)
ReplicaSet         ``pods``: the pods of its namespace (counted if it is their controller)
RC                 ``pods``: the same (a ReplicationController is described as a ReplicaSet)
DaemonSet          ``pods``: the same
Service            ``endpoint_slices``: the EndpointSlices of its namespace
Ingress            ``services`` and ``endpoint_slices`` of its namespace (for backends)
Node               ``pods``: pods on the node (any; terminated ones are skipped),
                   ``lease``: its Lease in kube-node-lease (None prints "Failed to get lease"),
                   ``can_view_pods`` False prints ``Pods:  not authorized``
ServiceAccount     ``secrets``: the Secrets of its namespace (None if they cannot be listed)
Namespace          ``resource_quotas`` / ``limit_ranges``: lists, or None when the server does
                   not serve those kinds (then the sections are omitted, as kubectl does)
PersistentVolume-  ``pods``: the pods of its namespace (those with a volume of the claim are
Claim              its ``Used By``)
=================  ==========================================================================

``events`` are the Events whose involvedObject is the object (core/v1 or events.k8s.io/v1
shape); ``None`` means ``--show-events=false`` (no Events section). Secret, Role, ClusterRole,
RoleBinding, ClusterRoleBinding and Namespace never print events, like kubectl. Kinds without
their own describer (Lease, Event, ...) use the generic describer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from labkube.kubectl.describe.autoscaling import describe_hpa
from labkube.kubectl.describe.batch import describe_cron_job, describe_job
from labkube.kubectl.describe.limitrange import describe_limit_range
from labkube.kubectl.describe.daemonset import describe_daemon_set
from labkube.kubectl.describe.statefulset import describe_stateful_set
from labkube.kubectl.describe.network_policy import describe_network_policy
from labkube.kubectl.describe.quota import describe_quota
from labkube.kubectl.describe.scheduling import describe_priority_class
from labkube.kubectl.describe.policy import describe_pod_disruption_budget
from labkube.kubectl.describe.core import (
    describe_configmap,
    describe_endpoint_slice,
    describe_endpoints,
    describe_namespace,
    describe_node,
    describe_secret,
    describe_service,
    describe_service_account,
)
from labkube.kubectl.describe.generic import describe_generic
from labkube.kubectl.describe.networking import describe_ingress, describe_ingress_class
from labkube.kubectl.describe.pod import describe_pod
from labkube.kubectl.describe.rbac import describe_binding, describe_role
from labkube.kubectl.describe.storage import (
    describe_persistent_volume, describe_persistent_volume_claim, describe_storage_class,
)
from labkube.kubectl.describe.replication import describe_replication_controller
from labkube.kubectl.describe.workloads import describe_deployment, describe_replicaset

__all__ = ["Related", "describe", "describe_many"]


@dataclass(frozen=True)
class Related:
    """What describe needs besides the object itself (see the module docstring)."""

    pods: Sequence[dict] | None = None
    replica_sets: Sequence[dict] = ()
    endpoint_slices: Sequence[dict] = ()
    services: Sequence[dict] = ()
    lease: dict | None = None
    secrets: Sequence[dict] | None = None
    resource_quotas: Sequence[dict] | None = None
    limit_ranges: Sequence[dict] | None = None
    can_view_pods: bool = True


def describe(obj: dict, rtype, events: Sequence[dict] | None, now: float, related: Related | None = None) -> str:
    """The ``kubectl describe`` text for one object. ``rtype`` is its ResourceType."""
    rel = related or Related()
    events = list(events) if events is not None else None
    group, kind = rtype.group, rtype.kind
    if group == "":
        if kind == "Pod":
            return describe_pod(obj, events, now)
        if kind == "Service":
            return describe_service(obj, events, now, list(rel.endpoint_slices))
        if kind == "Endpoints":
            return describe_endpoints(obj, events, now)
        if kind == "Node":
            return describe_node(obj, events, now, list(rel.pods) if rel.pods is not None else None,
                                 rel.lease, rel.can_view_pods)
        if kind == "Namespace":
            return describe_namespace(obj, now, _opt(rel.resource_quotas), _opt(rel.limit_ranges))
        if kind == "ConfigMap":
            return describe_configmap(obj, events, now)
        if kind == "LimitRange":
            return describe_limit_range(obj)
        if kind == "ResourceQuota":
            return describe_quota(obj)
        if kind == "Secret":
            return describe_secret(obj)
        if kind == "ServiceAccount":
            return describe_service_account(obj, events, now, _opt(rel.secrets))
        if kind == "PersistentVolume":
            return describe_persistent_volume(obj, events, now)
        if kind == "PersistentVolumeClaim":
            return describe_persistent_volume_claim(obj, events, now, list(rel.pods or ()))
        if kind == "ReplicationController":
            return describe_replication_controller(obj, events, now, list(rel.pods or ()))
    if group == "apps" and kind == "Deployment":
        return describe_deployment(obj, events, now, list(rel.replica_sets))
    if group == "apps" and kind == "ReplicaSet":
        return describe_replicaset(obj, events, now, list(rel.pods or ()))
    if group == "apps" and kind == "StatefulSet":
        return describe_stateful_set(obj, events, now, list(rel.pods or ()))
    if group == "apps" and kind == "DaemonSet":
        return describe_daemon_set(obj, events, now, list(rel.pods or ()))
    if group == "batch" and kind == "Job":
        return describe_job(obj, events, now)
    if group == "batch" and kind == "CronJob":
        return describe_cron_job(obj, events, now)
    if group == "autoscaling" and kind == "HorizontalPodAutoscaler":
        return describe_hpa(obj, events, now)
    if group == "policy" and kind == "PodDisruptionBudget":
        return describe_pod_disruption_budget(obj, events, now)
    if group == "discovery.k8s.io" and kind == "EndpointSlice":
        return describe_endpoint_slice(obj, events, now)
    if group == "networking.k8s.io" and kind == "Ingress":
        return describe_ingress(obj, events, now, list(rel.services), list(rel.endpoint_slices))
    if group == "networking.k8s.io" and kind == "IngressClass":
        return describe_ingress_class(obj, events, now)
    if group == "networking.k8s.io" and kind == "NetworkPolicy":
        return describe_network_policy(obj)
    if group == "storage.k8s.io" and kind == "StorageClass":
        return describe_storage_class(obj, events, now)
    if group == "scheduling.k8s.io" and kind == "PriorityClass":
        return describe_priority_class(obj, events, now)
    if group == "rbac.authorization.k8s.io" and kind in ("Role", "ClusterRole"):
        return describe_role(obj)
    if group == "rbac.authorization.k8s.io" and kind in ("RoleBinding", "ClusterRoleBinding"):
        return describe_binding(obj)
    return describe_generic(obj, events, now)


def describe_many(pages: Sequence[str]) -> str:
    """Several pages as ``kubectl describe pods`` prints them: ``"\\n\\n"`` before each later page."""
    return "".join(page if i == 0 else "\n\n" + page for i, page in enumerate(pages))


def _opt(value):
    return list(value) if value is not None else None
