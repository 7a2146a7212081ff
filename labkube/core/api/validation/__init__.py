"""Validation of the core kinds, with kube-apiserver's field paths and messages.

Mirrors the ``Validate<Kind>`` / ``Validate<Kind>Update`` functions kube-apiserver's strategies
call (pkg/apis/*/validation). :func:`validate` dispatches on ``apiVersion``/``kind``; it
expects an object that was strictly decoded and defaulted (as the server does: decode ->
default -> admission -> validate) and with ``metadata.namespace`` filled in for namespaced kinds.

    >>> [str(e) for e in validate({"apiVersion": "v1", "kind": "ConfigMap",
    ...                            "metadata": {"name": "c", "namespace": "default"},
    ...                            "data": {"a b": "x"}})][0][:44]
    'data[a b]: Invalid value: "a b": a valid con'

Modules: ``names`` (DNS/label syntax rules), ``meta`` (ObjectMeta, labels, selectors),
``pods``, ``apps``, ``apps_daemonset`` (+ ControllerRevision), ``apps_statefulset``, ``batch``
(Job), ``services`` (+ Endpoints, EndpointSlice), ``rbac``, ``networking``, ``network_policy``,
``storage`` (PersistentVolume, PersistentVolumeClaim, StorageClass), ``limitrange``,
``resourcequota``, ``misc`` (Namespace, Node, ConfigMap, Secret, ServiceAccount, Lease, Event).
"""

from __future__ import annotations

from labkube.core.api.validation import apps, batch, misc, names, networking, pods, rbac, services
from labkube.core.api.validation import limitrange
from labkube.core.api.validation import meta  # noqa: F401  (re-exported helpers)
from labkube.core.api.validation import apps_daemonset
from labkube.core.api.validation import apps_statefulset
from labkube.core.api.validation import network_policy
from labkube.core.api.validation import resourcequota
from labkube.core.api.validation import storage
from labkube.core.api.validation import autoscaling
from labkube.core.api.validation import scheduling
from labkube.core.api.validation import policy
from labkube.core.api.validation import apiextensions
from labkube.core.api.validation import replication
from labkube.core.errors import FieldError

VALIDATORS = {
    ("v1", "Pod"): pods.validate_pod,
    ("v1", "Service"): services.validate_service,
    ("v1", "Endpoints"): services.validate_endpoints,
    ("v1", "Namespace"): misc.validate_namespace,
    ("v1", "Node"): misc.validate_node,
    ("v1", "ConfigMap"): misc.validate_config_map,
    ("v1", "LimitRange"): limitrange.validate_limit_range,
    ("v1", "ResourceQuota"): resourcequota.validate_resource_quota,
    ("v1", "Secret"): misc.validate_secret,
    ("v1", "ServiceAccount"): misc.validate_service_account,
    ("v1", "Event"): misc.validate_core_event,
    ("v1", "PersistentVolume"): storage.validate_persistent_volume,
    ("v1", "PersistentVolumeClaim"): storage.validate_persistent_volume_claim,
    ("storage.k8s.io/v1", "StorageClass"): storage.validate_storage_class,
    ("events.k8s.io/v1", "Event"): misc.validate_events_event,
    ("coordination.k8s.io/v1", "Lease"): misc.validate_lease,
    ("discovery.k8s.io/v1", "EndpointSlice"): services.validate_endpoint_slice,
    ("apps/v1", "Deployment"): apps.validate_deployment,
    ("apps/v1", "ReplicaSet"): apps.validate_replica_set,
    ("v1", "ReplicationController"): replication.validate_replication_controller,
    ("v1", "PodTemplate"): replication.validate_pod_template,
    ("batch/v1", "Job"): batch.validate_job,
    ("autoscaling/v2", "HorizontalPodAutoscaler"): autoscaling.validate_hpa,
    ("batch/v1", "CronJob"): batch.validate_cron_job,
    ("scheduling.k8s.io/v1", "PriorityClass"): scheduling.validate_priority_class,
    ("policy/v1", "PodDisruptionBudget"): policy.validate_pod_disruption_budget,
    ("apps/v1", "DaemonSet"): apps_daemonset.validate_daemon_set,
    ("apps/v1", "ControllerRevision"): apps_daemonset.validate_controller_revision,
    ("apps/v1", "StatefulSet"): apps_statefulset.validate_stateful_set,
    ("networking.k8s.io/v1", "Ingress"): networking.validate_ingress,
    ("networking.k8s.io/v1", "IngressClass"): networking.validate_ingress_class,
    ("networking.k8s.io/v1", "NetworkPolicy"): network_policy.validate_network_policy,
    ("rbac.authorization.k8s.io/v1", "Role"): rbac.validate_role,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): rbac.validate_cluster_role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): rbac.validate_role_binding,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): rbac.validate_cluster_role_binding,
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): apiextensions.validate_custom_resource_definition,
}


def register(api_version: str, kind: str, validator) -> None:
    """Add ``validator(obj, old=None) -> [FieldError]`` for a kind a later issue registers."""
    VALIDATORS[(api_version, kind)] = validator


def validate(obj: dict, old: dict | None = None) -> list[FieldError]:
    """All field errors of ``obj`` (on create), or of the update ``old`` -> ``obj``."""
    validator = VALIDATORS.get((obj.get("apiVersion"), obj.get("kind")))
    if validator is None:
        return []
    return validator(obj, old)


__all__ = ["validate", "register", "VALIDATORS", "names", "FieldError"]
