"""``kubectl describe pod`` and the pieces other describers reuse (containers, volumes, templates).

Mirrors describePod, describeContainers, describeVolumes and DescribePodTemplate in
k8s.io/kubectl/pkg/describe/describe.go as kubectl 1.32 prints them (verified against the real
binary; e.g. projected volumes still print ``ConfigMapOptional:  <nil>`` in 1.32).
"""

from __future__ import annotations

from labkube.kubectl.describe.quantity import Quantity, qos_class
from labkube.kubectl.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    go_bool,
    labels_multiline,
    string_or_none,
    tolerations_multiline,
)
from labkube.kubectl.printers.age import age, rfc1123z
from labkube.kubectl.printers.format import format_label_selector


def go_bool_ptr(value) -> str:
    """Go's ``%v`` of a ``*bool``: ``<nil>``, ``true`` or ``false``."""
    return "<nil>" if value is None else go_bool(bool(value))


def controller_of(obj: dict) -> dict | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def printed_controller(obj: dict) -> str:
    ref = controller_of(obj)
    return f"{ref.get('kind', '')}/{ref.get('name', '')}" if ref else ""


def describe_pod(pod: dict, events: list[dict] | None, now: float) -> str:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if not spec.get("nodeName"):
        w.write(0, "Node:\t<none>\n")
    else:
        w.write(0, f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    phase = status.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {age(meta['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    seccomp = (spec.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    pod_ips = status.get("podIPs") or []
    if not pod_ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for entry in pod_ips:
            w.write(1, f"IP:\t{entry.get('ip', '')}\n")
    controlled_by = printed_controller(pod)
    if controlled_by:
        w.write(0, f"Controlled By:\t{controlled_by}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources"):
        w.write(0, "Resources:\n")
        describe_resources(w, spec["resources"], 1)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"],
                            status.get("initContainerStatuses"), pod, "")
    describe_containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses"), pod, "")
    if spec.get("ephemeralContainers"):
        describe_containers(w, "Ephemeral Containers", spec["ephemeralContainers"],
                            status.get("ephemeralContainerStatuses"), pod, "")
    conditions = status.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in spec["readinessGates"]:
            found = next((c.get("status", "") for c in conditions if c.get("type") == gate.get("conditionType")),
                         "<none>")
            w.write(1, f"{gate.get('conditionType', '')} \t{found} \n")
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for cond in conditions:
            w.write(1, f"{cond.get('type', '')} \t{cond.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes") or [], "")
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    describe_topology_spread(w, spec.get("topologySpreadConstraints"), "")
    describe_events(w, events, now)
    return w.text()


# --- containers -------------------------------------------------------------------------------


def describe_containers(w: PrefixWriter, label: str, containers: list[dict], statuses: list[dict] | None,
                        pod: dict | None, space: str) -> None:
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{' <none>' if not containers else ''}\n")
    for container in containers:
        status = by_name.get(container.get("name"))
        ok = statuses is not None and status is not None
        _basic_info(w, container, status if ok else None, space)
        _command(w, container)
        if ok:
            _state(w, status)
        describe_resources(w, container.get("resources") or {}, 2)
        _probes(w, container)
        if container.get("envFrom"):
            _env_from(w, container)
        _env(w, container, pod)
        _mounts(w, container)


def _ports(container: dict, field: str) -> str:
    return ", ".join(f"{p.get(field, 0)}/{p.get('protocol', '')}" for p in container.get("ports") or [])


def _basic_info(w: PrefixWriter, container: dict, status: dict | None, space: str) -> None:
    name_indent = " " if space else ""
    w.write(1, f"{name_indent}{container.get('name', '')}:\n")
    if status is not None:
        w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
    w.write(2, f"Image:\t{container.get('image', '')}\n")
    if status is not None:
        w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
    ports = _ports(container, "containerPort")
    if "," in ports:
        w.write(2, f"Ports:\t{ports}\n")
    else:
        w.write(2, f"Port:\t{string_or_none(ports)}\n")
    host_ports = _ports(container, "hostPort")
    if "," in host_ports:
        w.write(2, f"Host Ports:\t{host_ports}\n")
    else:
        w.write(2, f"Host Port:\t{string_or_none(host_ports)}\n")
    seccomp = (container.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(2, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(3, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")


def _command(w: PrefixWriter, container: dict) -> None:
    for field, title in (("command", "Command"), ("args", "Args")):
        if container.get(field):
            w.write(2, f"{title}:\n")
            for item in container[field]:
                for part in str(item).split("\n"):
                    w.write(3, f"{part}\n")


def describe_resources(w: PrefixWriter, resources: dict, level: int) -> None:
    for field, title in (("limits", "Limits"), ("requests", "Requests")):
        amounts = resources.get(field) or {}
        if amounts:
            w.write(level, f"{title}:\n")
        for name in sorted(amounts):
            w.write(level + 1, f"{name}:\t{Quantity.parse(amounts[name])}\n")


def _describe_state(w: PrefixWriter, title: str, state: dict) -> None:
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        term = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if term.get("reason"):
            w.write(3, f"Reason:\t{term['reason']}\n")
        if term.get("message"):
            w.write(3, f"Message:\t{term['message']}\n")
        w.write(3, f"Exit Code:\t{term.get('exitCode', 0)}\n")
        if term.get("signal", 0) > 0:
            w.write(3, f"Signal:\t{term['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(term.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(term.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def _state(w: PrefixWriter, status: dict) -> None:
    _describe_state(w, "State", status.get("state") or {})
    last = status.get("lastState") or {}
    if last.get("terminated") is not None:
        _describe_state(w, "Last State", last)
    w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
    w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")


def describe_probe(probe: dict) -> str:
    attrs = (f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 0)}s "
             f"period={probe.get('periodSeconds', 0)}s #success={probe.get('successThreshold', 0)} "
             f"#failure={probe.get('failureThreshold', 0)}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if probe.get("httpGet") is not None:
        get = probe["httpGet"]
        host, port = get.get("host", ""), str(get.get("port", ""))
        hostport = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") if port else host
        return f"http-get {str(get.get('scheme', '')).lower()}://{hostport}{get.get('path', '')} {attrs}"
    if probe.get("tcpSocket") is not None:
        sock = probe["tcpSocket"]
        return f"tcp-socket {sock.get('host', '')}:{sock.get('port', '')} {attrs}"
    if probe.get("grpc") is not None:
        return f"grpc <pod>:{probe['grpc'].get('port', 0)} {probe['grpc'].get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _probes(w: PrefixWriter, container: dict) -> None:
    for field, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                         ("startupProbe", "Startup")):
        if container.get(field) is not None:
            w.write(2, f"{title}:\t{describe_probe(container[field])}\n")


def _env_from(w: PrefixWriter, container: dict) -> None:
    w.write(2, "Environment Variables from:\n")
    for source in container.get("envFrom") or []:
        if source.get("configMapRef") is not None:
            kind, ref = "ConfigMap", source["configMapRef"]
        elif source.get("secretRef") is not None:
            kind, ref = "Secret", source["secretRef"]
        else:
            kind, ref = "", {}
        optional = "true" if ref.get("optional") else "false"
        if source.get("prefix"):
            w.write(3, f"{ref.get('name', '')}\t{kind} with prefix '{source['prefix']}'\tOptional: {optional}\n")
        else:
            w.write(3, f"{ref.get('name', '')}\t{kind}\tOptional: {optional}\n")


def _field_ref_value(pod: dict | None, path: str) -> str:
    """What kubectl's ``EnvValueRetriever`` shows for a ``fieldRef``.

    kubectl first converts the path with its client scheme's ``ConvertFieldLabel``, which
    knows no Pod-specific field labels and so falls back to
    ``DefaultMetaV1FieldSelectorConversion``: only ``metadata.name`` and ``metadata.namespace``
    pass; every other path (``spec.nodeName``, ``status.podIP``, labels, ...) fails there and
    prints as an empty value, although the container does get it.
    """
    if pod is None or path not in ("metadata.name", "metadata.namespace"):
        return ""
    return str((pod.get("metadata") or {}).get(path.partition(".")[2], ""))


def _resource_field_value(container: dict, ref: dict) -> str:
    resource = ref.get("resource", "")
    field, _, name = resource.partition(".")
    amount = ((container.get("resources") or {}).get(field) or {}).get(name)
    divisor = Quantity.parse(ref.get("divisor") or "1")
    if divisor.value == 0:
        divisor = Quantity.parse("1")
    value = Quantity.parse(amount or "0").value / divisor.value
    return str(-((-value) // 1))


def _env(w: PrefixWriter, container: dict, pod: dict | None) -> None:
    env = container.get("env") or []
    w.write(2, f"Environment:{chr(9) + '<none>' if not env else ''}\n")
    for var in env:
        name, value_from = var.get("name", ""), var.get("valueFrom")
        if value_from is None:
            for index, part in enumerate(str(var.get("value", "")).split("\n")):
                w.write(3, f"{name}:\t{part}\n" if index == 0 else f"\t{part}\n")
            continue
        if value_from.get("fieldRef") is not None:
            ref = value_from["fieldRef"]
            value = _field_ref_value(pod, ref.get("fieldPath", "")) if pod is not None else ""
            w.write(3, f"{name}:\t{value} ({ref.get('apiVersion', '')}:{ref.get('fieldPath', '')})\n")
        elif value_from.get("resourceFieldRef") is not None:
            ref = value_from["resourceFieldRef"]
            value = _resource_field_value(container, ref)
            if value == "0" and ref.get("resource") in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(3, f"{name}:\t{value} ({ref.get('resource', '')})\n")
        elif value_from.get("secretKeyRef") is not None:
            ref = value_from["secretKeyRef"]
            optional = "true" if ref.get("optional") else "false"
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' in secret '{ref.get('name', '')}'>"
                       f"\tOptional: {optional}\n")
        elif value_from.get("configMapKeyRef") is not None:
            ref = value_from["configMapKeyRef"]
            optional = "true" if ref.get("optional") else "false"
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' of config map '{ref.get('name', '')}'>"
                       f"\tOptional: {optional}\n")


def _mounts(w: PrefixWriter, container: dict) -> None:
    mounts = container.get("volumeMounts") or []
    w.write(2, f"Mounts:{chr(9) + '<none>' if not mounts else ''}\n")
    for mount in sorted(mounts, key=lambda m: m.get("mountPath", "")):
        flags = ["ro" if mount.get("readOnly") else "rw"]
        if mount.get("subPath"):
            flags.append(f'path="{mount["subPath"]}"')
        w.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({','.join(flags)})\n")
    devices = container.get("volumeDevices") or []
    if devices:
        w.write(2, "Devices:\n")
        for device in sorted(devices, key=lambda d: d.get("devicePath", "")):
            w.write(3, f"{device.get('devicePath', '')} from {device.get('name', '')}\n")


# --- volumes ----------------------------------------------------------------------------------


def _volume_lines(volume: dict) -> str:
    """The Type block of one volume, already indented for LEVEL_2 continuation lines."""
    if volume.get("hostPath") is not None:
        src = volume["hostPath"]
        host_type = src["type"] if src.get("type") is not None else "<none>"  # "" prints as ""
        return ("Type:\tHostPath (bare host directory volume)\n"
                f"    Path:\t{src.get('path', '')}\n    HostPathType:\t{host_type}\n")
    if volume.get("emptyDir") is not None:
        src = volume["emptyDir"]
        limit = src.get("sizeLimit")
        size = str(Quantity.parse(limit)) if limit and Quantity.parse(limit).value > 0 else "<unset>"
        return ("Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                f"    Medium:\t{src.get('medium', '')}\n    SizeLimit:\t{size}\n")
    if volume.get("secret") is not None:
        src = volume["secret"]
        return ("Type:\tSecret (a volume populated by a Secret)\n"
                f"    SecretName:\t{src.get('secretName', '')}\n"
                f"    Optional:\t{go_bool(bool(src.get('optional')))}\n")
    if volume.get("configMap") is not None:
        src = volume["configMap"]
        return ("Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                f"    Name:\t{src.get('name', '')}\n    Optional:\t{go_bool(bool(src.get('optional')))}\n")
    if volume.get("persistentVolumeClaim") is not None:
        src = volume["persistentVolumeClaim"]
        return ("Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
                f"    ClaimName:\t{src.get('claimName', '')}\n"
                f"    ReadOnly:\t{go_bool(bool(src.get('readOnly')))}\n")
    if volume.get("downwardAPI") is not None:
        text = "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n"
        for item in volume["downwardAPI"].get("items") or []:
            if item.get("fieldRef"):
                text += f"      {item['fieldRef'].get('fieldPath', '')} -> {item.get('path', '')}\n"
            if item.get("resourceFieldRef"):
                text += f"      {item['resourceFieldRef'].get('resource', '')} -> {item.get('path', '')}\n"
        return text
    if volume.get("projected") is not None:
        return _projected_lines(volume["projected"])
    if volume.get("nfs") is not None:
        src = volume["nfs"]
        return ("Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n"
                f"    Server:\t{src.get('server', '')}\n    Path:\t{src.get('path', '')}\n"
                f"    ReadOnly:\t{go_bool(bool(src.get('readOnly')))}\n")
    if volume.get("image") is not None:
        src = volume["image"]
        return ("Type:\tImage (a container image or OCI artifact)\n"
                f"    Reference:\t{src.get('reference', '')}\n    PullPolicy:\t{src.get('pullPolicy', '')}\n")
    return None


def _projected_lines(projected: dict) -> str:
    text = "Type:\tProjected (a volume that contains injected data from multiple sources)\n"
    for source in projected.get("sources") or []:
        if source.get("secret") is not None:
            text += (f"    SecretName:\t{source['secret'].get('name', '')}\n"
                     f"    SecretOptionalName:\t{go_bool_ptr(source['secret'].get('optional'))}\n")
        elif source.get("downwardAPI") is not None:
            text += "    DownwardAPI:\ttrue\n"
        elif source.get("configMap") is not None:
            text += (f"    ConfigMapName:\t{source['configMap'].get('name', '')}\n"
                     f"    ConfigMapOptional:\t{go_bool_ptr(source['configMap'].get('optional'))}\n")
        elif source.get("serviceAccountToken") is not None:
            text += f"    TokenExpirationSeconds:\t{source['serviceAccountToken'].get('expirationSeconds', 0)}\n"
    return text


def describe_volumes(w: PrefixWriter, volumes: list[dict], space: str) -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        lines = _volume_lines(volume)
        if lines is None:
            w.write(1, "<unknown>\n")
        else:
            w.write(2, lines)


def describe_topology_spread(w: PrefixWriter, constraints: list[dict] | None, space: str) -> None:
    if not constraints:
        return
    ordered = sorted(constraints, key=lambda c: c.get("topologyKey", ""))
    w.write(0, f"{space}Topology Spread Constraints:\t")
    for index, tsc in enumerate(ordered):
        if index:
            w.write(0, space)
            w.write(0, "\t")
        text = (f"{tsc.get('topologyKey', '')}:{tsc.get('whenUnsatisfiable', '')} "
                f"when max skew {tsc.get('maxSkew', 0)} is exceeded")
        if tsc.get("labelSelector") is not None:
            text += f" for selector {format_label_selector(tsc['labelSelector'])}"
        w.write(0, text + "\n")


def describe_pod_template(w: PrefixWriter, template: dict | None) -> None:
    """``DescribePodTemplate``: the Pod Template block of Deployments and ReplicaSets."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    describe_topology_spread(w, spec.get("topologySpreadConstraints"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))
