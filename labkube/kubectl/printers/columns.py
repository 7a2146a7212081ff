"""The columns kube-apiserver prints for each kind: one column-set function per kind.

Mirrors kubernetes/kubernetes pkg/printers/internalversion/printers.go (the server-side
printing handlers behind ``kubectl get``). Each ``ColumnSet`` lists the column definitions
(name, priority — 1 means ``-o wide`` only — and which column is the object's name) and a
row function that turns one object dict into its cells. As on the server (which always
generates with ``Wide: true``), the row function returns every cell; the table printer drops
priority columns unless ``-o wide`` is asked for.

Objects are plain dicts exactly as the API server returns them. Time comes from ``now``
(seconds since the epoch, from the cluster clock), never from the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from labkube.kubectl.printers.age import age, parse_time
from labkube.kubectl.printers.format import (
    format_labels,
    format_label_selector,
    selector_string,
)

NONE = "<none>"
LOAD_BALANCER_WIDTH = 16
NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_LABEL_ROLE = "kubernetes.io/role"
NODE_UNREACHABLE_POD_REASON = "NodeLost"


@dataclass(frozen=True)
class Column:
    name: str
    priority: int = 0
    is_name: bool = False


@dataclass(frozen=True)
class ColumnSet:
    columns: tuple[Column, ...]
    row: Callable[[dict, float], list[str]]


def _col(name: str, priority: int = 0) -> Column:
    return Column(name, priority, is_name=(name == "Name"))


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _name(obj: dict) -> str:
    return _meta(obj).get("name", "")


def _age(obj: dict, now: float) -> str:
    return age(_meta(obj).get("creationTimestamp"), now)


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


def containers_and_images(containers: list[dict] | None) -> tuple[str, str]:
    """``layoutContainerCells``: names and images joined with commas."""
    containers = containers or []
    return (
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    )


# --- Pod --------------------------------------------------------------------------------


def _is_restartable_init(container: dict | None) -> bool:
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true(conditions: list[dict], ctype: str) -> bool:
    for cond in conditions:
        if cond.get("type") == ctype:
            return cond.get("status") == "True"
    return False


def _has_ready_condition(conditions: list[dict]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _later(current: str | None, candidate: str | None) -> str | None:
    """Keep the later of two RFC 3339 timestamps (``lastRestartDate.Before``)."""
    if not candidate:
        return current
    if current is None or (parse_time(candidate) or 0) > (parse_time(current) or 0):
        return candidate
    return current


def _terminated_finished(status: dict) -> str | None:
    last = (status.get("lastState") or {}).get("terminated")
    return last.get("finishedAt") if last else None


def _init_reason(index: int, container: dict, total_init: int) -> str | None:
    """The STATUS an unfinished init container gives its pod, or None to keep looking."""
    state = container.get("state") or {}
    terminated = state.get("terminated")
    waiting = state.get("waiting")
    if terminated is not None:
        if not terminated.get("reason"):
            if terminated.get("signal"):
                return f"Init:Signal:{terminated['signal']}"
            return f"Init:ExitCode:{terminated.get('exitCode', 0)}"
        return "Init:" + terminated["reason"]
    if waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
        return "Init:" + waiting["reason"]
    return f"Init:{index}/{total_init}"


def pod_status_cells(pod: dict, now: float) -> tuple[int, int, str, str]:
    """printPod's READY, STATUS and RESTARTS: (ready, total, reason, restarts text)."""
    spec, status = _spec(pod), _status(pod)
    conditions = status.get("conditions") or []
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    total = len(spec.get("containers") or []) + sum(
        1 for c in init_specs.values() if _is_restartable_init(c)
    )
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for cond in conditions:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    ready = restarts = restartable_restarts = 0
    last_restart: str | None = None
    last_restartable: str | None = None
    initializing = False
    for index, cstatus in enumerate(status.get("initContainerStatuses") or []):
        restarts += cstatus.get("restartCount", 0)
        last_restart = _later(last_restart, _terminated_finished(cstatus))
        restartable = _is_restartable_init(init_specs.get(cstatus.get("name")))
        if restartable:
            restartable_restarts += cstatus.get("restartCount", 0)
            last_restartable = _later(last_restartable, _terminated_finished(cstatus))
        state = cstatus.get("state") or {}
        terminated = state.get("terminated")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if restartable and cstatus.get("started"):
            if cstatus.get("ready"):
                ready += 1
            continue
        reason = _init_reason(index, cstatus, len(init_specs))
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts, last_restart = restartable_restarts, last_restartable
        has_running = False
        for cstatus in reversed(status.get("containerStatuses") or []):
            restarts += cstatus.get("restartCount", 0)
            last_restart = _later(last_restart, _terminated_finished(cstatus))
            state = cstatus.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                if terminated.get("signal"):
                    reason = f"Signal:{terminated['signal']}"
                else:
                    reason = f"ExitCode:{terminated.get('exitCode', 0)}"
            elif cstatus.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _has_ready_condition(conditions) else "NotReady"

    deleting = _meta(pod).get("deletionTimestamp") is not None
    if deleting and status.get("reason") == NODE_UNREACHABLE_POD_REASON:
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_text = str(restarts)
    if restarts != 0 and last_restart:
        restarts_text = f"{restarts} ({age(last_restart, now)} ago)"
    return ready, total, reason, restarts_text


def _pod_row(pod: dict, now: float) -> list[str]:
    ready, total, reason, restarts = pod_status_cells(pod, now)
    spec, status = _spec(pod), _status(pod)
    pod_ips = status.get("podIPs") or []
    pod_ip = (pod_ips[0].get("ip") if pod_ips else "") or NONE
    gates = spec.get("readinessGates") or []
    gate_text = NONE
    if gates:
        conditions = status.get("conditions") or []
        true_count = 0
        for gate in gates:
            for cond in conditions:
                if cond.get("type") == gate.get("conditionType"):
                    true_count += cond.get("status") == "True"
                    break
        gate_text = f"{true_count}/{len(gates)}"
    return [
        _name(pod), f"{ready}/{total}", reason, restarts, _age(pod, now),
        pod_ip, spec.get("nodeName") or NONE, status.get("nominatedNodeName") or NONE, gate_text,
    ]


# --- Service, Endpoints, EndpointSlice -----------------------------------------------------


def load_balancer_ingress(ingress: list[dict] | None, wide: bool) -> str:
    result = set()
    for entry in ingress or []:
        if entry.get("ip"):
            result.add(entry["ip"])
        elif entry.get("hostname"):
            result.add(entry["hostname"])
    text = ",".join(sorted(result))
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[: LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def service_external_ip(svc: dict, wide: bool = True) -> str:
    spec = _spec(svc)
    svc_type = spec.get("type", "")
    external = spec.get("externalIPs") or []
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else NONE
    if svc_type == "LoadBalancer":
        lb = load_balancer_ingress((_status(svc).get("loadBalancer") or {}).get("ingress"), wide)
        if external:
            return ",".join((lb.split(",") if lb else []) + external)
        return lb or "<pending>"
    if svc_type == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_ports(ports: list[dict] | None) -> str:
    pieces = []
    for port in ports or []:
        protocol = port.get("protocol", "")
        if port.get("nodePort", 0) > 0:
            pieces.append(f"{port.get('port', 0)}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port', 0)}/{protocol}")
    return ",".join(pieces)


def _service_row(svc: dict, now: float) -> list[str]:
    spec = _spec(svc)
    cluster_ips = spec.get("clusterIPs") or []
    return [
        _name(svc), spec.get("type", ""), cluster_ips[0] if cluster_ips else NONE,
        service_external_ip(svc, True), service_ports(spec.get("ports")) or NONE, _age(svc, now),
        format_labels(spec.get("selector")),
    ]


def _join_host_port(host: str, port) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def format_endpoints(endpoints: dict, ports: set[str] | None = None) -> str:
    """``formatEndpoints``: up to three ready ``ip:port`` pairs, then ``+ N more...``."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return NONE
    shown: list[str] = []
    limit, more, count = 3, False, 0
    for subset in subsets:
        addresses = subset.get("addresses") or []
        subset_ports = subset.get("ports") or []
        if not subset_ports:
            count += len(addresses)
            for addr in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(addr.get("ip", ""))
            continue
        for port in subset_ports:
            if ports is None or port.get("name", "") in ports:
                count += len(addresses)
                for addr in addresses:
                    if len(shown) == limit:
                        more = True
                        break
                    shown.append(_join_host_port(addr.get("ip", ""), port.get("port", 0)))
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def _list_with_more(items: list[str], limit: int = 3) -> str:
    text = ",".join(items[:limit])
    if len(items) > limit:
        return f"{text} + {len(items) - limit} more..."
    return text or "<unset>"


def _endpoints_row(ep: dict, now: float) -> list[str]:
    return [_name(ep), format_endpoints(ep), _age(ep, now)]


def _endpoint_slice_row(eps: dict, now: float) -> list[str]:
    ports = []
    for port in eps.get("ports") or []:
        if port.get("port") is not None:
            ports.append(str(port["port"]))
        elif port.get("name") is not None:
            ports.append(port["name"])
        else:
            ports.append("*")
    addresses = [a for ep in eps.get("endpoints") or [] for a in ep.get("addresses") or []]
    return [
        _name(eps), eps.get("addressType", ""), _list_with_more(ports),
        _list_with_more(addresses), _age(eps, now),
    ]


# --- Node, Namespace ------------------------------------------------------------------------


def node_roles(node: dict) -> list[str]:
    roles = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith(NODE_ROLE_PREFIX) and len(key) > len(NODE_ROLE_PREFIX):
            roles.add(key[len(NODE_ROLE_PREFIX):])
        elif key == NODE_LABEL_ROLE and value:
            roles.add(value)
    return sorted(roles)


def node_status(node: dict) -> str:
    states = []
    for cond in _status(node).get("conditions") or []:
        if cond.get("type") == "Ready":
            states = ["Ready" if cond.get("status") == "True" else "NotReady"]
    states = states or ["Unknown"]
    if _spec(node).get("unschedulable"):
        states.append("SchedulingDisabled")
    return ",".join(states)


def _node_address(node: dict, kind: str) -> str:
    for address in _status(node).get("addresses") or []:
        if address.get("type") == kind:
            return address.get("address", "")
    return NONE


def _node_row(node: dict, now: float) -> list[str]:
    info = _status(node).get("nodeInfo") or {}
    return [
        _name(node), node_status(node), ",".join(node_roles(node)) or NONE, _age(node, now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def _namespace_row(ns: dict, now: float) -> list[str]:
    return [_name(ns), _status(ns).get("phase", ""), _age(ns, now)]


# --- Config and identity ----------------------------------------------------------------------


def _configmap_row(cm: dict, now: float) -> list[str]:
    count = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [_name(cm), str(count), _age(cm, now)]


def _secret_row(secret: dict, now: float) -> list[str]:
    return [_name(secret), secret.get("type", ""), str(len(secret.get("data") or {})), _age(secret, now)]


def _service_account_row(sa: dict, now: float) -> list[str]:
    return [_name(sa), str(len(sa.get("secrets") or [])), _age(sa, now)]


def _lease_row(lease: dict, now: float) -> list[str]:
    return [_name(lease), _spec(lease).get("holderIdentity") or "", _age(lease, now)]


# --- Events ---------------------------------------------------------------------------------


def as_core_event(event: dict) -> dict:
    """An events.k8s.io/v1 Event in core/v1 field names (what the server's printer sees)."""
    if "involvedObject" in event or "regarding" not in event and "note" not in event:
        return event
    return {
        "metadata": event.get("metadata") or {},
        "involvedObject": event.get("regarding") or {},
        "reason": event.get("reason", ""),
        "message": event.get("note", ""),
        "source": event.get("deprecatedSource") or {},
        "firstTimestamp": event.get("deprecatedFirstTimestamp"),
        "lastTimestamp": event.get("deprecatedLastTimestamp"),
        "count": event.get("deprecatedCount", 0),
        "type": event.get("type", ""),
        "eventTime": event.get("eventTime"),
        "series": event.get("series"),
        "action": event.get("action", ""),
        "related": event.get("related"),
        "reportingComponent": event.get("reportingController", ""),
        "reportingInstance": event.get("reportingInstance", ""),
    }


def event_source(event: dict) -> str:
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    return component if not instance else f"{component}, {instance}"


def _event_row(raw: dict, now: float) -> list[str]:
    event = as_core_event(raw)
    first = age(event.get("firstTimestamp"), now)
    if not event.get("firstTimestamp"):
        first = age(event.get("eventTime"), now)
    last = age(event.get("lastTimestamp"), now) if event.get("lastTimestamp") else first
    count = event.get("count") or 0
    series = event.get("series")
    if series:
        last = age(series.get("lastObservedTime"), now)
        count = series.get("count", 0)
    elif count == 0:
        count = 1
    involved = event.get("involvedObject") or {}
    kind = (involved.get("kind") or "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    return [
        last, event.get("type", ""), event.get("reason", ""), target,
        involved.get("fieldPath", ""), event_source(event), (event.get("message") or "").strip(),
        first, str(count), _name(event),
    ]


# --- Workloads ------------------------------------------------------------------------------


def _deployment_row(deploy: dict, now: float) -> list[str]:
    spec, status = _spec(deploy), _status(deploy)
    names, images = containers_and_images(((spec.get("template") or {}).get("spec") or {}).get("containers"))
    return [
        _name(deploy), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
        str(status.get("updatedReplicas", 0)), str(status.get("availableReplicas", 0)),
        _age(deploy, now), names, images, selector_string(spec.get("selector")),
    ]


def _replicaset_row(rs: dict, now: float) -> list[str]:
    spec, status = _spec(rs), _status(rs)
    names, images = containers_and_images(((spec.get("template") or {}).get("spec") or {}).get("containers"))
    return [
        _name(rs), str(spec.get("replicas", 0)), str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)), _age(rs, now), names, images,
        format_label_selector(spec.get("selector")),
    ]


# --- Networking -----------------------------------------------------------------------------


def _ingress_hosts(rules: list[dict] | None) -> str:
    rules = rules or []
    hosts: list[str] = []
    more = False
    for rule in rules:
        if len(hosts) == 3:
            more = True
        if not more and rule.get("host"):
            hosts.append(rule["host"])
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - 3} more..." if more else text


def _ingress_row(ing: dict, now: float) -> list[str]:
    spec = _spec(ing)
    lb = (_status(ing).get("loadBalancer") or {}).get("ingress")
    return [
        _name(ing), spec.get("ingressClassName") or NONE, _ingress_hosts(spec.get("rules")),
        load_balancer_ingress(lb, True), "80, 443" if spec.get("tls") else "80", _age(ing, now),
    ]


def _ingress_class_row(ic: dict, now: float) -> list[str]:
    spec = _spec(ic)
    params = spec.get("parameters")
    text = NONE
    if params:
        text = params.get("kind", "")
        if params.get("apiGroup") is not None:
            text += "." + params["apiGroup"]
        text += "/" + params.get("name", "")
    return [_name(ic), spec.get("controller", ""), text, _age(ic, now)]


# --- RBAC -----------------------------------------------------------------------------------


def subjects_strings(subjects: list[dict] | None) -> tuple[list[str], list[str], list[str]]:
    users, groups, sas = [], [], []
    for subject in subjects or []:
        kind = subject.get("kind")
        if kind == "ServiceAccount":
            sas.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
        elif kind == "User":
            users.append(subject.get("name", ""))
        elif kind == "Group":
            groups.append(subject.get("name", ""))
    return users, groups, sas


def _binding_row(binding: dict, now: float) -> list[str]:
    ref = binding.get("roleRef") or {}
    users, groups, sas = subjects_strings(binding.get("subjects"))
    return [
        _name(binding), f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(binding, now),
        ", ".join(users), ", ".join(groups), ", ".join(sas),
    ]


def _created_at_row(obj: dict, now: float) -> list[str]:
    """The API server's default table (``NAME  CREATED AT``) for kinds without a printer."""
    return [_name(obj), _meta(obj).get("creationTimestamp") or ""]


# --- Registry -------------------------------------------------------------------------------


COLUMN_SETS: dict[str, ColumnSet] = {
    "Pod": ColumnSet(
        (_col("Name"), _col("Ready"), _col("Status"), _col("Restarts"), _col("Age"),
         _col("IP", 1), _col("Node", 1), _col("Nominated Node", 1), _col("Readiness Gates", 1)),
        _pod_row,
    ),
    "Service": ColumnSet(
        (_col("Name"), _col("Type"), _col("Cluster-IP"), _col("External-IP"), _col("Port(s)"),
         _col("Age"), _col("Selector", 1)),
        _service_row,
    ),
    "Endpoints": ColumnSet((_col("Name"), _col("Endpoints"), _col("Age")), _endpoints_row),
    "EndpointSlice": ColumnSet(
        (_col("Name"), _col("AddressType"), _col("Ports"), _col("Endpoints"), _col("Age")),
        _endpoint_slice_row,
    ),
    "Node": ColumnSet(
        (_col("Name"), _col("Status"), _col("Roles"), _col("Age"), _col("Version"),
         _col("Internal-IP", 1), _col("External-IP", 1), _col("OS-Image", 1),
         _col("Kernel-Version", 1), _col("Container-Runtime", 1)),
        _node_row,
    ),
    "Namespace": ColumnSet((_col("Name"), _col("Status"), _col("Age")), _namespace_row),
    "ConfigMap": ColumnSet((_col("Name"), _col("Data"), _col("Age")), _configmap_row),
    "Secret": ColumnSet((_col("Name"), _col("Type"), _col("Data"), _col("Age")), _secret_row),
    "ServiceAccount": ColumnSet((_col("Name"), _col("Secrets"), _col("Age")), _service_account_row),
    "Event": ColumnSet(
        (_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"), _col("Subobject", 1),
         _col("Source", 1), _col("Message"), _col("First Seen", 1), _col("Count", 1),
         Column("Name", 1, is_name=True)),
        _event_row,
    ),
    "Lease": ColumnSet((_col("Name"), _col("Holder"), _col("Age")), _lease_row),
    "Deployment": ColumnSet(
        (_col("Name"), _col("Ready"), _col("Up-to-date"), _col("Available"), _col("Age"),
         _col("Containers", 1), _col("Images", 1), _col("Selector", 1)),
        _deployment_row,
    ),
    "ReplicaSet": ColumnSet(
        (_col("Name"), _col("Desired"), _col("Current"), _col("Ready"), _col("Age"),
         _col("Containers", 1), _col("Images", 1), _col("Selector", 1)),
        _replicaset_row,
    ),
    "Ingress": ColumnSet(
        (_col("Name"), _col("Class"), _col("Hosts"), _col("Address"), _col("Ports"), _col("Age")),
        _ingress_row,
    ),
    "IngressClass": ColumnSet(
        (_col("Name"), _col("Controller"), _col("Parameters"), _col("Age")), _ingress_class_row
    ),
    "RoleBinding": ColumnSet(
        (_col("Name"), _col("Role"), _col("Age"), _col("Users", 1), _col("Groups", 1),
         _col("ServiceAccounts", 1)),
        _binding_row,
    ),
    "ClusterRoleBinding": ColumnSet(
        (_col("Name"), _col("Role"), _col("Age"), _col("Users", 1), _col("Groups", 1),
         _col("ServiceAccounts", 1)),
        _binding_row,
    ),
}

DEFAULT_COLUMN_SET = ColumnSet((_col("Name"), _col("Created At")), _created_at_row)


def column_set(kind: str) -> ColumnSet:
    """The columns for ``kind``; Role, ClusterRole and unknown kinds get ``NAME  CREATED AT``."""
    return COLUMN_SETS.get(kind, DEFAULT_COLUMN_SET)


# Job's columns live with the batch printers, which build on the helpers above.
from labkube.kubectl.printers.columns_batch import CRON_JOB_COLUMNS, JOB_COLUMNS  # noqa: E402

COLUMN_SETS["Job"] = JOB_COLUMNS
COLUMN_SETS["CronJob"] = CRON_JOB_COLUMNS

# NetworkPolicy's columns live in their own module, built on the helpers above.
from labkube.kubectl.printers.columns_networkpolicy import NETWORK_POLICY_COLUMNS  # noqa: E402

COLUMN_SETS["NetworkPolicy"] = NETWORK_POLICY_COLUMNS

# PersistentVolume, PersistentVolumeClaim and StorageClass columns live with the storage printers.
from labkube.kubectl.printers.columns_storage import (  # noqa: E402
    PERSISTENT_VOLUME_CLAIM_COLUMNS, PERSISTENT_VOLUME_COLUMNS, STORAGE_CLASS_COLUMNS,
)

COLUMN_SETS["PersistentVolume"] = PERSISTENT_VOLUME_COLUMNS
COLUMN_SETS["PersistentVolumeClaim"] = PERSISTENT_VOLUME_CLAIM_COLUMNS
COLUMN_SETS["StorageClass"] = STORAGE_CLASS_COLUMNS

# StatefulSet's columns live in their own module, built on the helpers above.
from labkube.kubectl.printers.columns_statefulset import STATEFUL_SET_COLUMNS  # noqa: E402

COLUMN_SETS["StatefulSet"] = STATEFUL_SET_COLUMNS

# DaemonSet and ControllerRevision columns live in their own module, built on the helpers above.
from labkube.kubectl.printers.columns_daemonset import (  # noqa: E402
    CONTROLLER_REVISION_COLUMNS, DAEMON_SET_COLUMNS,
)

COLUMN_SETS["DaemonSet"] = DAEMON_SET_COLUMNS
COLUMN_SETS["ControllerRevision"] = CONTROLLER_REVISION_COLUMNS

# ResourceQuota's columns live in their own module, built on the helpers above.
from labkube.kubectl.printers.columns_quota import RESOURCE_QUOTA_COLUMNS  # noqa: E402

COLUMN_SETS["ResourceQuota"] = RESOURCE_QUOTA_COLUMNS

# PriorityClass's columns live in their own module, built on the helpers above.
from labkube.kubectl.printers.columns_scheduling import PRIORITY_CLASS_COLUMNS  # noqa: E402

COLUMN_SETS["PriorityClass"] = PRIORITY_CLASS_COLUMNS

# PodDisruptionBudget's columns live in their own module, built on the helpers above.
from labkube.kubectl.printers.columns_policy import POD_DISRUPTION_BUDGET_COLUMNS  # noqa: E402

COLUMN_SETS["PodDisruptionBudget"] = POD_DISRUPTION_BUDGET_COLUMNS

# HorizontalPodAutoscaler's columns live in their own module, built on the helpers above.
from labkube.kubectl.printers.columns_autoscaling import HPA_COLUMNS  # noqa: E402

COLUMN_SETS["HorizontalPodAutoscaler"] = HPA_COLUMNS

# ReplicationController and PodTemplate columns live in their own module, built on the helpers above.
from labkube.kubectl.printers.columns_replication import (  # noqa: E402
    POD_TEMPLATE_COLUMNS, REPLICATION_CONTROLLER_COLUMNS,
)

COLUMN_SETS["ReplicationController"] = REPLICATION_CONTROLLER_COLUMNS
COLUMN_SETS["PodTemplate"] = POD_TEMPLATE_COLUMNS

# Custom resources' columns come from their CRD version (see columns_apiextensions).
from labkube.kubectl.printers.columns_apiextensions import custom_resource_columns  # noqa: E402


def columns_for(rtype) -> ColumnSet:
    """The columns of ``rtype``: a custom resource's from its CRD, other kinds' by kind."""
    from labkube.core.api.customresource import CustomResourceType

    if isinstance(rtype, CustomResourceType):
        return custom_resource_columns(rtype)
    return column_set(rtype.kind)
