"""Defaulting: the fields kube-apiserver fills in when an object arrives.

Mirrors the registered defaulters of kube-apiserver: pkg/apis/core/v1/defaults.go
(``SetDefaults_Pod``, ``SetDefaults_PodSpec``, ``SetDefaults_Container``, ``SetDefaults_Probe``,
``SetDefaults_Volume``, ``SetDefaults_Service`` ...), pkg/apis/apps/v1/defaults.go,
pkg/apis/networking/v1, pkg/apis/rbac/v1 and pkg/apis/discovery/v1, plus what the v1 conversion
adds on the way out (``serviceAccount`` mirrors ``serviceAccountName``).

:func:`apply_defaults` is pure defaulting: it needs no cluster state and is idempotent. What the
API server does with cluster state or on behalf of admission plugins is offered separately, for
the server to call at the right moment:

* :func:`service_account_defaults` — the ServiceAccount admission plugin (``default`` account,
  the ``kube-api-access-xxxxx`` projected volume and its mounts);
* :func:`default_toleration_seconds` — the DefaultTolerationSeconds admission plugin;
* :func:`priority_defaults` — the Priority admission plugin (``priority: 0``,
  ``preemptionPolicy: PreemptLowerPriority``);
* :func:`namespace_create_defaults` — the namespace strategy (``spec.finalizers: [kubernetes]``);
* :func:`service_ip_family_defaults` — the Service REST storage after IP allocation;
* :func:`pod_qos_class` — the QoS class the pod strategy writes into ``status.qosClass``.

Left to the server (cluster state): clusterIP/clusterIPs and nodePort allocation, uid,
creationTimestamp, resourceVersion, generation, pod ``status.phase: Pending``.
"""

from __future__ import annotations

import base64

from labkube.core.api import autoscaling
from labkube.core.api import quantity as qty

DEFAULT_MODE = 420  # 0644
TOKEN_EXPIRATION_SECONDS = 3607  # serviceaccount.WarnOnlyBoundTokenExpirationSeconds
SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
RBAC_GROUP = "rbac.authorization.k8s.io"

# ---------------------------------------------------------------------------
# Containers and pod specs (core/v1)
# ---------------------------------------------------------------------------


def image_tag(image: str) -> str:
    """The tag ``parsers.ParseImageName`` finds: ``latest`` when neither tag nor digest is given."""
    name, at, _digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        return last.rsplit(":", 1)[1]
    return "" if at else "latest"


def _container(container: dict, *, in_pod: bool) -> None:
    """``SetDefaults_Container`` + ports, probes, env, resources."""
    if not container.get("imagePullPolicy"):
        image = container.get("image") or ""
        tag = image_tag(image) if image else ""
        container["imagePullPolicy"] = "Always" if tag == "latest" else "IfNotPresent"
    if not container.get("terminationMessagePath"):
        container["terminationMessagePath"] = "/dev/termination-log"
    if not container.get("terminationMessagePolicy"):
        container["terminationMessagePolicy"] = "File"
    for port in container.get("ports") or ():
        if not port.get("protocol"):
            port["protocol"] = "TCP"
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        if container.get(key):
            _probe(container[key])
    lifecycle = container.get("lifecycle") or {}
    for hook in ("postStart", "preStop"):
        if lifecycle.get(hook):
            _handler(lifecycle[hook])
    for env in container.get("env") or ():
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if field_ref is not None and not field_ref.get("apiVersion"):
            field_ref["apiVersion"] = "v1"
    _resources(container, in_pod=in_pod)


def _resources(container: dict, *, in_pod: bool) -> None:
    resources = container.get("resources")
    if resources is None:
        container["resources"] = {}
        return
    for key in ("limits", "requests"):
        if resources.get(key):
            _round_resource_list(resources[key])
    if in_pod and resources.get("limits"):
        requests = resources.setdefault("requests", {})
        for name, value in resources["limits"].items():
            requests.setdefault(name, value)


def _round_resource_list(resources: dict) -> None:
    """``SetDefaults_ResourceList``: round every quantity up to milli precision."""
    for name, value in resources.items():
        if not isinstance(value, str):
            continue
        try:
            parsed = qty.parse_quantity(value)
        except ValueError:
            continue
        if not parsed.is_whole_milli():
            rounded = qty.Quantity(qty.Fraction(parsed.milli, 1000), parsed.format)
            resources[name] = str(rounded)


def _probe(probe: dict) -> None:
    """``SetDefaults_Probe``."""
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                       ("failureThreshold", 3)):
        if not probe.get(key):
            probe[key] = value
    _handler(probe)


def _handler(handler: dict) -> None:
    """``SetDefaults_HTTPGetAction`` and ``SetDefaults_GRPCAction`` inside probes and hooks."""
    http_get = handler.get("httpGet")
    if http_get is not None:
        if not http_get.get("path"):
            http_get["path"] = "/"
        if not http_get.get("scheme"):
            http_get["scheme"] = "HTTP"
    grpc = handler.get("grpc")
    if grpc is not None and grpc.get("service") is None:
        grpc["service"] = ""


_VOLUME_SOURCES = ("hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore",
                   "gitRepo", "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim",
                   "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc",
                   "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk",
                   "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos",
                   "csi", "ephemeral", "image")
_VOLUME_SOURCE_SET = frozenset(_VOLUME_SOURCES)


def _volume(volume: dict) -> None:
    """``SetDefaults_Volume`` and the per-source defaulters."""
    if not any(value is not None and key in _VOLUME_SOURCE_SET for key, value in volume.items()):
        volume["emptyDir"] = {}
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        source = volume.get(key)
        if source is not None and source.get("defaultMode") is None:
            source["defaultMode"] = DEFAULT_MODE
    for item in (volume.get("downwardAPI") or {}).get("items") or ():
        _field_ref(item.get("fieldRef"))
    for projection in (volume.get("projected") or {}).get("sources") or ():
        _projection(projection)
    host_path = volume.get("hostPath")
    if host_path is not None and host_path.get("type") is None:
        host_path["type"] = ""
    _legacy_volume_defaults(volume)


def _projection(projection: dict) -> None:
    token = projection.get("serviceAccountToken")
    if token is not None and token.get("expirationSeconds") is None:
        token["expirationSeconds"] = 3600
    for item in (projection.get("downwardAPI") or {}).get("items") or ():
        _field_ref(item.get("fieldRef"))


def _field_ref(field_ref: dict | None) -> None:
    if field_ref is not None and not field_ref.get("apiVersion"):
        field_ref["apiVersion"] = "v1"


def _legacy_volume_defaults(volume: dict) -> None:
    iscsi = volume.get("iscsi")
    if iscsi is not None and not iscsi.get("iscsiInterface"):
        iscsi["iscsiInterface"] = "default"
    rbd = volume.get("rbd")
    if rbd is not None:
        for key, value in (("pool", "rbd"), ("user", "admin"), ("keyring", "/etc/ceph/keyring")):
            if not rbd.get(key):
                rbd[key] = value
    azure_disk = volume.get("azureDisk")
    if azure_disk is not None:
        for key, value in (("cachingMode", "ReadWrite"), ("fsType", "ext4"),
                           ("readOnly", False), ("kind", "Shared")):
            if azure_disk.get(key) is None:
                azure_disk[key] = value
    scale_io = volume.get("scaleIO")
    if scale_io is not None:
        if not scale_io.get("storageMode"):
            scale_io["storageMode"] = "ThinProvisioned"
        if not scale_io.get("fsType"):
            scale_io["fsType"] = "xfs"
    claim = ((volume.get("ephemeral") or {}).get("volumeClaimTemplate") or {}).get("spec")
    if claim is not None and not claim.get("volumeMode"):
        claim["volumeMode"] = "Filesystem"


def _host_network_ports(containers) -> None:
    for container in containers or ():
        for port in container.get("ports") or ():
            if not port.get("hostPort"):
                port["hostPort"] = port.get("containerPort")


def pod_spec_defaults(spec: dict, *, in_pod: bool = False) -> None:
    """``SetDefaults_PodSpec`` and everything below it (containers, volumes, probes)."""
    if not spec.get("dnsPolicy"):
        spec["dnsPolicy"] = "ClusterFirst"
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Always"
    if spec.get("hostNetwork"):
        _host_network_ports(spec.get("containers"))
        _host_network_ports(spec.get("initContainers"))
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    if not spec.get("schedulerName"):
        spec["schedulerName"] = "default-scheduler"
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or ():
            _container(container, in_pod=in_pod and key != "ephemeralContainers")
    for volume in spec.get("volumes") or ():
        _volume(volume)
    if spec.get("overhead"):
        _round_resource_list(spec["overhead"])
    _service_account_conversion(spec)


def _service_account_conversion(spec: dict) -> None:
    """v1 conversion: ``serviceAccount`` (deprecated) and ``serviceAccountName`` agree."""
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]


def _pod(obj: dict) -> None:
    """``SetDefaults_Pod`` + ``SetDefaults_PodSpec``."""
    spec = obj.setdefault("spec", {})
    pod_spec_defaults(spec, in_pod=True)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True


def _template(obj: dict) -> None:
    template = obj.setdefault("spec", {}).get("template")
    if template is not None:
        # Go always writes the template's metav1.Time creationTimestamp, as null.
        template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
        pod_spec_defaults(template.setdefault("spec", {}))


# ---------------------------------------------------------------------------
# Other kinds
# ---------------------------------------------------------------------------


#: ``DefaultClientIPServiceAffinitySeconds``: ClientIP session affinity lasts 3 hours.
DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800


def _service(obj: dict) -> None:
    """``SetDefaults_Service``."""
    spec = obj.setdefault("spec", {})
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    if spec["sessionAffinity"] == "ClientIP":
        client_ip = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
        if client_ip.get("timeoutSeconds") is None:  # no config, no clientIP or no timeout
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_AFFINITY_SECONDS}}
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    for port in spec.get("ports") or ():
        if not port.get("protocol"):
            port["protocol"] = "TCP"
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port", 0)  # Go: a missing port is 0
    kind = spec["type"]
    externally = kind in ("NodePort", "LoadBalancer") or (
        kind == "ClusterIP" and spec.get("externalIPs"))
    if externally and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and kind in ("NodePort", "LoadBalancer",
                                                               "ClusterIP"):
        spec["internalTrafficPolicy"] = "Cluster"
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    obj.setdefault("status", {}).setdefault("loadBalancer", {})  # non-omitempty Go structs
    if kind == "LoadBalancer":
        for ingress in ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ():
            if ingress.get("ip") and ingress.get("ipMode") is None:
                ingress["ipMode"] = "VIP"


def _deployment(obj: dict) -> None:
    """``SetDefaults_Deployment`` (apps/v1) + the template's pod spec."""
    spec = obj.setdefault("spec", {})
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = spec.setdefault("strategy", {})
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if rolling is None:
            rolling = strategy["rollingUpdate"] = {}
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = "25%"
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = "25%"
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    obj.setdefault("status", {})
    _template(obj)


def _replica_set(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    obj.setdefault("status", {}).setdefault("replicas", 0)  # ReplicaSetStatus.replicas has no omitempty
    _template(obj)


def _replication_controller(obj: dict) -> None:
    """``SetDefaults_ReplicationController`` + the template's pod spec.

    Unlike a ReplicaSet's, an RC's selector may be left out: an empty one becomes the
    template's labels, and so do the RC's own labels when it has none."""
    spec = obj.setdefault("spec", {})
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if template_labels is not None:
        if not spec.get("selector"):
            spec["selector"] = dict(template_labels)
        meta = obj.setdefault("metadata", {})
        if not meta.get("labels"):
            meta["labels"] = dict(template_labels)
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    obj.setdefault("status", {}).setdefault("replicas", 0)  # ReplicationControllerStatus.replicas: no omitempty
    _template(obj)


def _pod_template(obj: dict) -> None:
    """``SetObjectDefaults_PodTemplate``: the pod spec defaults of ``template`` (a struct, never absent)."""
    template = obj.setdefault("template", {})
    template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    pod_spec_defaults(template.setdefault("spec", {}))


#: ``math.MaxInt32``: a Job with ``backoffLimitPerIndex`` gets this ``backoffLimit``.
MAX_INT32 = 2**31 - 1


def _job(obj: dict) -> None:
    """``SetDefaults_Job`` (batch/v1, 1.32) + the template's pod spec.

    ``completions`` and ``parallelism`` both left out mean one pod, run once; the template's
    labels become the Job's when it has none. The generated selector is not a default: the
    Job strategy adds it on create (:mod:`labkube.core.api.registry.batch`)."""
    spec = obj.setdefault("spec", {})
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    meta = obj.setdefault("metadata", {})
    if template_labels is not None and not meta.get("labels"):
        meta["labels"] = dict(template_labels)
    if spec.get("completionMode") is None:
        spec["completionMode"] = "NonIndexed"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("podReplacementPolicy") is None:  # JobPodReplacementPolicy: beta, on in 1.32
        spec["podReplacementPolicy"] = "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed"
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False
    for rule in (spec.get("podFailurePolicy") or {}).get("rules") or ():
        for pattern in rule.get("onPodConditions") or ():
            if not pattern.get("status"):  # SetDefaults_PodFailurePolicyOnPodConditionsPattern
                pattern["status"] = "True"
    _template(obj)


def _cron_job(obj: dict) -> None:
    """``SetDefaults_CronJob`` (batch/v1, 1.32) + the defaults generated for its jobTemplate.

    Only the pod template inside is defaulted (and podFailurePolicy patterns' ``status``):
    ``SetDefaults_Job`` is for Jobs, so ``completions``, ``backoffLimit`` ... stay unset in the
    template and each Job the controller creates is defaulted when it is created."""
    spec = obj.setdefault("spec", {})
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("successfulJobsHistoryLimit") is None:
        spec["successfulJobsHistoryLimit"] = 3
    if spec.get("failedJobsHistoryLimit") is None:
        spec["failedJobsHistoryLimit"] = 1
    job_template = spec.get("jobTemplate")
    if job_template is None:
        return
    job_template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    job_spec = job_template.get("spec")
    if job_spec is None:
        return
    for rule in (job_spec.get("podFailurePolicy") or {}).get("rules") or ():
        for pattern in rule.get("onPodConditions") or ():
            if not pattern.get("status"):
                pattern["status"] = "True"
    _template(job_template)


def _stateful_set(obj: dict) -> None:
    """``SetDefaults_StatefulSet`` (apps/v1, 1.32) + the template's pod spec + each claim template.

    An omitted ``updateStrategy`` becomes ``RollingUpdate`` with ``partition: 0``; a
    ``RollingUpdate`` given without ``rollingUpdate`` keeps none (Kubernetes only fills an
    existing one). ``maxUnavailable`` is not defaulted: MaxUnavailableStatefulSet is alpha.
    The claim templates get the PersistentVolumeClaim defaults and, from the apps/v1
    conversion (issue 87583), ``apiVersion: v1`` and ``kind: PersistentVolumeClaim``."""
    spec = obj.setdefault("spec", {})
    if not spec.get("podManagementPolicy"):
        spec["podManagementPolicy"] = "OrderedReady"
    strategy = spec.get("updateStrategy")
    if strategy is None:
        strategy = spec["updateStrategy"] = {}
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        if strategy.get("rollingUpdate") is None:
            strategy["rollingUpdate"] = {}
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and rolling is not None and rolling.get("partition") is None:
        rolling["partition"] = 0
    policy = spec.get("persistentVolumeClaimRetentionPolicy")
    if policy is None:
        policy = spec["persistentVolumeClaimRetentionPolicy"] = {}
    for when in ("whenDeleted", "whenScaled"):
        if not policy.get(when):
            policy[when] = "Retain"
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    for claim in spec.get("volumeClaimTemplates") or ():
        claim_template_defaults(claim)
    _template(obj)


def claim_template_defaults(claim: dict) -> None:
    """A ``volumeClaimTemplates`` entry: the PersistentVolumeClaim defaults and the TypeMeta
    the apps/v1 conversion writes (its template metadata, like a pod template's, shows
    ``creationTimestamp: null``)."""
    claim["apiVersion"] = "v1"
    claim["kind"] = "PersistentVolumeClaim"
    claim.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    _persistent_volume_claim(claim)


def _persistent_volume(obj: dict) -> None:
    """``SetDefaults_PersistentVolume`` + the defaulters of its volume source and capacity.

    Reclaim policy ``Retain`` (a volume made by hand keeps its data when its claim goes),
    ``volumeMode: Filesystem``, ``status.phase: Pending``; a ``hostPath`` gets ``type: ""``."""
    spec = obj.setdefault("spec", {})
    if not spec.get("persistentVolumeReclaimPolicy"):
        spec["persistentVolumeReclaimPolicy"] = "Retain"
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    if spec.get("capacity"):
        _round_resource_list(spec["capacity"])
    host_path = spec.get("hostPath")
    if host_path is not None and host_path.get("type") is None:
        host_path["type"] = ""
    _legacy_volume_defaults(spec)
    _pending_phase(obj)


def _persistent_volume_claim(obj: dict) -> None:
    """``SetDefaults_PersistentVolumeClaim`` + ``SetDefaults_PersistentVolumeClaimSpec``:
    ``volumeMode: Filesystem``, ``status.phase: Pending``, quantities rounded."""
    spec = obj.setdefault("spec", {})
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    for key in ("limits", "requests"):
        if (spec.get("resources") or {}).get(key):
            _round_resource_list(spec["resources"][key])
    _pending_phase(obj)


def _pending_phase(obj: dict) -> None:
    status = obj.get("status")
    if status is None:
        status = obj["status"] = {}
    if not status.get("phase"):
        status["phase"] = "Pending"


def _storage_class(obj: dict) -> None:
    """``SetDefaults_StorageClass`` (storage/v1): ``reclaimPolicy: Delete``,
    ``volumeBindingMode: Immediate``."""
    if obj.get("reclaimPolicy") is None:
        obj["reclaimPolicy"] = "Delete"
    if obj.get("volumeBindingMode") is None:
        obj["volumeBindingMode"] = "Immediate"


def _priority_class(obj: dict) -> None:
    """``SetDefaults_PriorityClass`` (scheduling/v1): ``preemptionPolicy: PreemptLowerPriority``."""
    if obj.get("preemptionPolicy") is None:
        obj["preemptionPolicy"] = "PreemptLowerPriority"


def _daemon_set(obj: dict) -> None:
    """``SetDefaults_DaemonSet`` (apps/v1) + the template's pod spec.

    A RollingUpdate DaemonSet replaces one node's pod at a time (maxUnavailable 1, maxSurge 0);
    ten old ControllerRevisions are kept for ``kubectl rollout undo``."""
    spec = obj.setdefault("spec", {})
    strategy = spec.get("updateStrategy")
    if strategy is None:
        strategy = spec["updateStrategy"] = {}
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if rolling is None:
            rolling = strategy["rollingUpdate"] = {}
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = 1
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = 0
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    _template(obj)


def _namespace(obj: dict) -> None:
    """``SetDefaults_Namespace`` + ``SetDefaults_NamespaceStatus``."""
    name = (obj.get("metadata") or {}).get("name")
    if name:
        labels = obj["metadata"].get("labels")
        if labels is None:
            labels = obj["metadata"]["labels"] = {}
        labels["kubernetes.io/metadata.name"] = name
    status = obj.setdefault("status", {})
    if not status.get("phase"):
        status["phase"] = "Active"


def _secret(obj: dict) -> None:
    """``SetDefaults_Secret`` + the v1 conversion folding ``stringData`` into ``data``."""
    if not obj.get("type"):
        obj["type"] = "Opaque"
    string_data = obj.pop("stringData", None)
    if string_data:
        data = obj.get("data") or {}
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = data


def _node(obj: dict) -> None:
    """``SetDefaults_NodeStatus``: allocatable defaults to capacity."""
    status = obj.get("status")
    if status and status.get("capacity") is not None and status.get("allocatable") is None:
        status["allocatable"] = dict(status["capacity"])


def _endpoints(obj: dict) -> None:
    for subset in obj.get("subsets") or ():
        for port in subset.get("ports") or ():
            if not port.get("protocol"):
                port["protocol"] = "TCP"


def _endpoint_slice(obj: dict) -> None:
    """discovery/v1 ``SetDefaults_EndpointPort``: name "" and protocol TCP."""
    for port in obj.get("ports") or ():
        if port.get("name") is None:
            port["name"] = ""
        if port.get("protocol") is None:
            port["protocol"] = "TCP"


def _subjects(obj: dict) -> None:
    """rbac/v1 ``SetDefaults_Subject`` and roleRef.apiGroup."""
    role_ref = obj.get("roleRef")
    if role_ref is not None and not role_ref.get("apiGroup"):
        role_ref["apiGroup"] = RBAC_GROUP
    for subject in obj.get("subjects") or ():
        if not subject.get("apiGroup"):
            kind = subject.get("kind")
            if kind in ("User", "Group"):
                subject["apiGroup"] = RBAC_GROUP
            elif kind == "ServiceAccount":
                subject.pop("apiGroup", None)


def _ingress_class(obj: dict) -> None:
    params = (obj.get("spec") or {}).get("parameters")
    if params is not None and params.get("scope") is None:
        params["scope"] = "Cluster"


def _network_policy(obj: dict) -> None:
    """``SetDefaults_NetworkPolicy`` + ``SetDefaults_NetworkPolicyPort`` (networking/v1).

    A policy without ``policyTypes`` is an Ingress policy, and an Egress one too when it has
    egress rules (an empty ``egress: []`` has none); every port's protocol defaults to TCP."""
    spec = obj.setdefault("spec", {})
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or ():
            for port in rule.get("ports") or ():
                if port.get("protocol") is None:
                    port["protocol"] = "TCP"


def _limit_range(obj: dict) -> None:
    """``SetDefaults_LimitRangeItem`` for ``Container`` items: a missing default limit is the
    max, a missing default request is the default limit, else the min. (Go then drops maps
    left empty, as ``omitempty`` encodes them.)"""
    for item in (obj.get("spec") or {}).get("limits") or ():
        if item.get("type") != "Container":
            continue
        default = dict(item.get("default") or {})
        request = dict(item.get("defaultRequest") or {})
        for name, value in (item.get("max") or {}).items():
            default.setdefault(name, value)
        for name, value in default.items():
            request.setdefault(name, value)
        for name, value in (item.get("min") or {}).items():
            request.setdefault(name, value)
        for key, values in (("default", default), ("defaultRequest", request)):
            if values:
                item[key] = values


def _resource_quota(obj: dict) -> None:
    """``SetObjectDefaults_ResourceQuota``: ``SetDefaults_ResourceList`` on ``spec.hard``,
    ``status.hard`` and ``status.used`` (quantities rounded up to milli precision)."""
    for parent, key in ((obj.get("spec"), "hard"), (obj.get("status"), "hard"), (obj.get("status"), "used")):
        if isinstance(parent, dict) and isinstance(parent.get(key), dict):
            _round_resource_list(parent[key])


def _custom_resource_definition(obj: dict) -> None:
    """apiextensions/v1 ``SetDefaults_CustomResourceDefinition``: ``names.singular`` (the
    lower-cased kind), ``names.listKind`` (kind + "List"), ``conversion.strategy: None``, a
    conversion webhook service's port 443, and ``status.storedVersions``
    (the storage version) when empty."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names")
    if isinstance(names, dict):
        if not names.get("singular"):
            names["singular"] = str(names.get("kind") or "").lower()
        if not names.get("listKind") and names.get("kind"):
            names["listKind"] = names["kind"] + "List"
    conversion = spec.setdefault("conversion", {"strategy": "None"})
    if conversion.get("strategy") == "Webhook":
        webhook = conversion.get("webhook") or {}
        service = (webhook.get("clientConfig") or {}).get("service")
        if isinstance(service, dict):
            service.setdefault("port", 443)
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    if not status.get("storedVersions"):
        for version in spec.get("versions") or ():
            if isinstance(version, dict) and version.get("storage"):
                obj["status"] = {**status, "storedVersions": [version.get("name", "")]}
                break


def _nothing(obj: dict) -> None:
    return None


DEFAULTERS = {
    ("v1", "Pod"): _pod,
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): _custom_resource_definition,
    ("v1", "Service"): _service,
    ("v1", "Namespace"): _namespace,
    ("v1", "Secret"): _secret,
    ("v1", "Node"): _node,
    ("v1", "Endpoints"): _endpoints,
    ("v1", "ConfigMap"): _nothing,
    ("v1", "ServiceAccount"): _nothing,
    ("v1", "LimitRange"): _limit_range,
    ("v1", "ResourceQuota"): _resource_quota,
    ("v1", "PersistentVolume"): _persistent_volume,
    ("v1", "PersistentVolumeClaim"): _persistent_volume_claim,
    ("storage.k8s.io/v1", "StorageClass"): _storage_class,
    ("v1", "Event"): _nothing,
    ("events.k8s.io/v1", "Event"): _nothing,
    ("coordination.k8s.io/v1", "Lease"): _nothing,
    ("discovery.k8s.io/v1", "EndpointSlice"): _endpoint_slice,
    ("apps/v1", "Deployment"): _deployment,
    ("apps/v1", "ReplicaSet"): _replica_set,
    ("v1", "ReplicationController"): _replication_controller,
    ("v1", "PodTemplate"): _pod_template,
    ("batch/v1", "Job"): _job,
    ("autoscaling/v2", "HorizontalPodAutoscaler"): autoscaling.defaults_v2,
    ("autoscaling/v1", "HorizontalPodAutoscaler"): autoscaling.defaults_v1,
    ("scheduling.k8s.io/v1", "PriorityClass"): _priority_class,
    ("batch/v1", "CronJob"): _cron_job,
    ("apps/v1", "DaemonSet"): _daemon_set,
    ("apps/v1", "ControllerRevision"): _nothing,
    ("policy/v1", "PodDisruptionBudget"): _nothing,  # policy/v1 defaults nothing
    ("apps/v1", "StatefulSet"): _stateful_set,
    ("networking.k8s.io/v1", "Ingress"): _nothing,  # pathType is required, never defaulted
    ("networking.k8s.io/v1", "IngressClass"): _ingress_class,
    ("networking.k8s.io/v1", "NetworkPolicy"): _network_policy,
    ("rbac.authorization.k8s.io/v1", "Role"): _nothing,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): _nothing,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): _subjects,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): _subjects,
}


def register(api_version: str, kind: str, defaulter) -> None:
    """Add the defaulter of a kind a later issue registers (Job, StatefulSet ...)."""
    DEFAULTERS[(api_version, kind)] = defaulter


#: The top-level fields a kind's defaulter reads and writes, where known: a change that
#: touches none of them (a pod status patch) leaves nothing to default.
DEFAULTED_FIELDS = {
    ("v1", "Pod"): frozenset({"spec"}),
}


def apply_defaults(obj: dict, changed: frozenset | None = None) -> None:
    """Default ``obj`` in place, dispatching on apiVersion/kind (unknown kinds are left alone).

    ``changed``: only these top-level fields can differ from a version defaulted before (a
    patch result); when the kind's defaulter works on none of them, it would change nothing,
    and is skipped."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    defaulter = DEFAULTERS.get(key)
    if defaulter is None:
        return
    if changed is not None:
        fields = DEFAULTED_FIELDS.get(key)
        if fields is not None and not (fields & changed):
            return
    defaulter(obj)


# ---------------------------------------------------------------------------
# What admission plugins and strategies add (called by the server)
# ---------------------------------------------------------------------------


def service_account_defaults(pod: dict, suffix: str, *, automount: bool | None = None) -> None:
    """The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount).

    Sets ``serviceAccountName`` (and the deprecated ``serviceAccount``) to ``default`` when
    empty and, unless automounting is off (on the pod, or ``automount=False`` from the
    ServiceAccount), adds the projected ``kube-api-access-<suffix>`` volume (token, the cluster CA
    from ``kube-root-ca.crt``, the namespace) mounted read-only at
    ``/var/run/secrets/kubernetes.io/serviceaccount`` in every container and init container that
    does not already mount something there. ``suffix`` is five random characters from the
    cluster's seeded RNG.
    """
    spec = pod.setdefault("spec", {})
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = spec.get("serviceAccount") or "default"
    spec["serviceAccount"] = spec["serviceAccountName"]
    wanted = spec.get("automountServiceAccountToken")
    if wanted is False or (wanted is None and automount is False):
        return
    volumes = spec.setdefault("volumes", [])
    if any(v.get("name", "").startswith("kube-api-access-") for v in volumes):
        return
    name = f"kube-api-access-{suffix}"
    volumes.append({"name": name, "projected": _token_volume_source()})
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or ():
            mounts = container.setdefault("volumeMounts", [])
            if any(m.get("mountPath") == SERVICE_ACCOUNT_MOUNT_PATH for m in mounts):
                continue
            mounts.append({"name": name, "readOnly": True,
                           "mountPath": SERVICE_ACCOUNT_MOUNT_PATH})


def _token_volume_source() -> dict:
    return {
        "defaultMode": DEFAULT_MODE,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_SECONDS,
                                     "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt",
                           "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace",
                                        "fieldRef": {"apiVersion": "v1",
                                                     "fieldPath": "metadata.namespace"}}]}},
        ],
    }


def default_toleration_seconds(pod: dict, seconds: int = 300) -> None:
    """The DefaultTolerationSeconds admission plugin: tolerate not-ready/unreachable for 300s."""
    spec = pod.setdefault("spec", {})
    tolerations = spec.get("tolerations") or []
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(_tolerates(t, key) for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": seconds})
    spec["tolerations"] = tolerations


def _tolerates(toleration: dict, key: str) -> bool:
    return (toleration.get("key", "") in (key, "")) and toleration.get("effect", "") in (
        "NoExecute", "")


def priority_defaults(pod: dict) -> None:
    """The Priority admission plugin for a pod without a priorityClassName (no default class)."""
    spec = pod.setdefault("spec", {})
    if spec.get("priority") is None:
        spec["priority"] = 0
    if spec.get("preemptionPolicy") is None:
        spec["preemptionPolicy"] = "PreemptLowerPriority"


def namespace_create_defaults(namespace: dict) -> None:
    """The namespace strategy on create: the ``kubernetes`` finalizer and phase Active."""
    spec = namespace.setdefault("spec", {})
    finalizers = spec.get("finalizers") or []
    if "kubernetes" not in finalizers:
        finalizers.append("kubernetes")
    spec["finalizers"] = finalizers
    namespace["status"] = {"phase": "Active"}


def service_ip_family_defaults(service: dict, families: tuple[str, ...] = ("IPv4",)) -> None:
    """What the Service storage sets once the cluster IP is allocated (single-stack cluster).

    ``clusterIPs`` mirrors ``clusterIP``; ``ipFamilyPolicy`` is SingleStack (RequireDualStack
    for a headless Service without a selector); ``ipFamilies`` lists the cluster's family.
    ExternalName Services get none of these.
    """
    spec = service.setdefault("spec", {})
    if spec.get("type") == "ExternalName":
        return
    cluster_ip = spec.get("clusterIP")
    if cluster_ip and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [cluster_ip]
    if not spec.get("ipFamilyPolicy"):
        headless_without_selector = cluster_ip == "None" and not spec.get("selector")
        spec["ipFamilyPolicy"] = "RequireDualStack" if headless_without_selector else "SingleStack"
    if not spec.get("ipFamilies"):
        spec["ipFamilies"] = list(families)


def pod_qos_class(pod: dict) -> str:
    """``qos.GetPodQOS``: Guaranteed, Burstable or BestEffort (for ``status.qosClass``)."""
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or ()) + list(spec.get("initContainers") or ())
    requests: dict[str, qty.Quantity] = {}
    limits: dict[str, qty.Quantity] = {}
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        c_requests = _supported(resources.get("requests"))
        c_limits = _supported(resources.get("limits"))
        _add_nonzero(requests, c_requests)
        _add_nonzero(limits, c_limits)
        if set(c_limits) != {"cpu", "memory"} or any(v.is_zero() for v in c_limits.values()):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and set(limits) == {"cpu", "memory"}:
        if set(requests) == set(limits) and all(requests[k] == limits[k] for k in requests):
            return "Guaranteed"
    return "Burstable"


def _add_nonzero(totals: dict[str, qty.Quantity], quantities: dict[str, qty.Quantity]) -> None:
    """Add each non-zero quantity into ``totals`` (the first one is stored as is: most pods
    have one container, and Fraction sums are the slow part of a create)."""
    for name, value in quantities.items():
        if not value.is_zero():
            total = totals.get(name)
            totals[name] = value if total is None else total + value


def _supported(resources: dict | None) -> dict[str, qty.Quantity]:
    out = {}
    for name, value in (resources or {}).items():
        if name in ("cpu", "memory"):
            try:
                out[name] = qty.parse_quantity(str(value))
            except ValueError:
                continue
    return out
