"""Pods and pod specs: containers, ports, env, resources, probes, volumes, update rules.

Mirrors pkg/apis/core/validation/validation.go: ``ValidatePodCreate``/``ValidatePodSpec``,
``validateContainers``/``validateContainerCommon``, ``validateContainerPorts``, ``ValidateEnv``,
``ValidateVolumes``/``ValidateVolumeMounts``, ``validateProbe``, ``ValidateResourceRequirements``,
``validateRestartPolicy``/``validateDNSPolicy``/``validatePullPolicy``, ``ValidateTolerations``
and ``ValidatePodUpdate``. Field paths and messages are kube-apiserver's; errors come in the
order the Go code appends them (map keys sorted, where Go's order is random).
"""

from __future__ import annotations

import json

from labkube.core.api import quantity as qty
from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError

PROTOCOLS = ("SCTP", "TCP", "UDP")
RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
HTTP_SCHEMES = ("HTTP", "HTTPS")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
TOLERATION_OPERATORS = ("Equal", "Exists")
FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive"
STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
FIELD_PATHS = ("metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
               "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP",
               "status.hostIPs", "status.podIP", "status.podIPs")
UPDATABLE_POD_SPEC_FIELDS = ",".join((
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
))

_HANDLER_KINDS = ("exec", "httpGet", "tcpSocket", "grpc")
_VOLUME_KINDS = ("hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo",
                 "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd",
                 "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile",
                 "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
                 "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image")
_VOLUME_KIND_ORDER = {kind: i for i, kind in enumerate(_VOLUME_KINDS)}


def _enum(value, path: str, valid) -> list[FieldError]:
    """Required when empty, NotSupported when not one of ``valid``."""
    if not value:
        return [FieldError.required(path)]
    if value not in valid:
        return [FieldError.not_supported(path, value, valid)]
    return []


# -- Pod -----------------------------------------------------------------------


def validate_pod(pod: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidatePodCreate`` (or ``ValidatePodUpdate`` when ``old`` is given)."""
    if old is not None:
        return validate_pod_update(pod, old)
    errs = meta.validate_object_meta(pod.get("metadata"), True, names.name_is_dns_subdomain)
    errs.extend(validate_pod_spec(pod.get("spec") or {}, "spec"))
    if (pod.get("spec") or {}).get("ephemeralContainers"):  # only through pods/ephemeralcontainers
        errs.append(FieldError.forbidden("spec.ephemeralContainers", "cannot be set on create"))
    return errs


def validate_pod_spec(spec: dict, path: str) -> list[FieldError]:
    """``ValidatePodSpec``."""
    errs: list[FieldError] = []
    volumes, volume_errs = _volumes(spec.get("volumes"), path + ".volumes")
    errs.extend(volume_errs)
    grace = spec.get("terminationGracePeriodSeconds")
    errs.extend(_containers(spec.get("containers"), volumes, path + ".containers", grace))
    errs.extend(_init_containers(spec.get("initContainers"), spec.get("containers"), volumes,
                                 path + ".initContainers", grace))
    errs.extend(_enum(spec.get("restartPolicy"), path + ".restartPolicy", RESTART_POLICIES))
    errs.extend(_enum(spec.get("dnsPolicy"), path + ".dnsPolicy", DNS_POLICIES))
    errs.extend(meta.validate_labels(spec.get("nodeSelector"), path + ".nodeSelector"))
    errs.extend(_affinity(spec.get("affinity"), path + ".affinity"))
    errs.extend(_topology_spread(spec.get("topologySpreadConstraints"), path + ".topologySpreadConstraints"))
    account = spec.get("serviceAccountName")
    if account:
        errs.extend(FieldError.invalid(path + ".serviceAccountName", account, m)
                    for m in names.name_is_dns_subdomain(account))
    node = spec.get("nodeName")
    if node:
        errs.extend(FieldError.invalid(path + ".nodeName", node, m)
                    for m in names.name_is_dns_subdomain(node))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= 2**31 - 1:
        errs.append(FieldError.invalid(path + ".activeDeadlineSeconds", deadline,
                                       names.inclusive_range_error(1, 2**31 - 1)))
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs.extend(meta.dns1123_label(spec[key], f"{path}.{key}"))
    if spec.get("tolerations"):
        errs.extend(validate_tolerations(spec["tolerations"], path + ".tolerations"))
    if spec.get("preemptionPolicy") is not None:
        errs.extend(_enum(spec["preemptionPolicy"], path + ".preemptionPolicy",
                          ("PreemptLowerPriority", "Never")))
    if grace is not None and grace < 0:
        errs.extend(meta.nonnegative(grace, path + ".terminationGracePeriodSeconds"))
    return errs


# -- containers ----------------------------------------------------------------


def _containers(containers, volumes: dict, path: str, grace) -> list[FieldError]:
    if not containers:
        return [FieldError.required(path)]
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, container in enumerate(containers):
        cpath = f"{path}[{i}]"
        errs.extend(_container_common(container, volumes, cpath))
        name = container.get("name", "")
        if name in seen:
            errs.append(FieldError.duplicate(cpath + ".name", name))
        else:
            seen.add(name)
        if container.get("lifecycle"):
            errs.extend(_lifecycle(container["lifecycle"], cpath + ".lifecycle"))
        errs.extend(_probe(container.get("livenessProbe"), cpath + ".livenessProbe", single_success=True))
        errs.extend(_probe(container.get("readinessProbe"), cpath + ".readinessProbe"))
        errs.extend(_probe(container.get("startupProbe"), cpath + ".startupProbe", single_success=True))
        if container.get("restartPolicy") is not None:
            errs.append(FieldError.forbidden(cpath + ".restartPolicy",
                                             "may not be set for non-init containers"))
    errs.extend(_host_port_conflicts(containers, path))
    return errs


def _init_containers(init_containers, containers, volumes, path: str, grace) -> list[FieldError]:
    errs: list[FieldError] = []
    seen = {c.get("name", "") for c in containers or ()}
    for i, container in enumerate(init_containers or ()):
        cpath = f"{path}[{i}]"
        errs.extend(_container_common(container, volumes, cpath))
        name = container.get("name", "")
        if name in seen:
            errs.append(FieldError.duplicate(cpath + ".name", name))
        else:
            seen.add(name)
        policy = container.get("restartPolicy")
        if policy is not None and policy != "Always":
            errs.append(FieldError.not_supported(cpath + ".restartPolicy", policy, ("Always",)))
        if policy != "Always":
            for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(key) is not None:
                    errs.append(FieldError.forbidden(
                        f"{cpath}.{key}", "may not be set for init containers without restartPolicy=Always"))
    return errs


def _container_common(container: dict, volumes: dict, path: str) -> list[FieldError]:
    """``validateContainerCommon``."""
    errs: list[FieldError] = []
    name = container.get("name")
    if not name:
        errs.append(FieldError.required(path + ".name"))
    else:
        errs.extend(meta.dns1123_label(name, path + ".name"))
    if not container.get("image"):
        errs.append(FieldError.required(path + ".image"))
    errs.extend(_enum(container.get("terminationMessagePolicy"),
                      path + ".terminationMessagePolicy", TERMINATION_MESSAGE_POLICIES))
    if container.get("ports"):
        errs.extend(_container_ports(container["ports"], path + ".ports"))
    if container.get("env"):
        errs.extend(validate_env(container["env"], path + ".env"))
    if container.get("envFrom"):
        errs.extend(_env_from(container["envFrom"], path + ".envFrom"))
    if container.get("volumeMounts"):
        errs.extend(_volume_mounts(container["volumeMounts"], volumes, path + ".volumeMounts"))
    errs.extend(_enum(container.get("imagePullPolicy"), path + ".imagePullPolicy", PULL_POLICIES))
    resources = container.get("resources")
    if resources:
        errs.extend(validate_resources(resources, path + ".resources"))
    return errs


def _container_ports(ports, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, port in enumerate(ports):
        ppath = f"{path}[{i}]"
        name = port.get("name")
        if name:
            msgs = names.is_valid_port_name(name)
            if msgs:
                errs.extend(FieldError.invalid(ppath + ".name", name, m) for m in msgs)
            elif name in seen:
                errs.append(FieldError.duplicate(ppath + ".name", name))
            else:
                seen.add(name)
        number = port.get("containerPort", 0)
        if not number:
            errs.append(FieldError.required(ppath + ".containerPort"))
        else:
            errs.extend(FieldError.invalid(ppath + ".containerPort", number, m)
                        for m in names.is_valid_port_num(number))
        host = port.get("hostPort", 0)
        if host:
            errs.extend(FieldError.invalid(ppath + ".hostPort", host, m)
                        for m in names.is_valid_port_num(host))
        protocol = port.get("protocol")
        if not protocol:
            errs.append(FieldError.required(ppath + ".protocol"))
        elif protocol not in PROTOCOLS:
            errs.append(FieldError.not_supported(ppath + ".protocol", protocol, PROTOCOLS))
    return errs


def _host_port_conflicts(containers, path: str) -> list[FieldError]:
    """``AccumulateUniqueHostPorts``: a hostIP/protocol/hostPort may be used once."""
    errs: list[FieldError] = []
    seen: set[str] = set()
    for ci, container in enumerate(containers):
        for pi, port in enumerate(container.get("ports") or ()):
            host = port.get("hostPort", 0)
            if not host:
                continue
            key = f"{port.get('hostIP', '')}/{port.get('protocol', '')}/{host}"
            if key in seen:
                errs.append(FieldError.duplicate(f"{path}[{ci}].ports[{pi}].hostPort", key))
            seen.add(key)
    return errs


def validate_env(env, path: str) -> list[FieldError]:
    """``ValidateEnv`` (RelaxedEnvironmentVariableValidation is on in 1.32)."""
    errs: list[FieldError] = []
    for i, var in enumerate(env):
        vpath = f"{path}[{i}]"
        name = var.get("name", "")
        if not name:
            errs.append(FieldError.required(vpath + ".name"))
        errs.extend(FieldError.invalid(vpath + ".name", name, m)
                    for m in names.is_relaxed_env_var_name(name))
        if var.get("valueFrom") is not None:
            errs.extend(_env_value_from(var, vpath + ".valueFrom"))
    return errs


def _env_value_from(var: dict, path: str) -> list[FieldError]:
    source = var["valueFrom"]
    errs: list[FieldError] = []
    kinds = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
             if source.get(k) is not None]
    field_ref = source.get("fieldRef")
    if field_ref is not None:
        errs.extend(_object_field_selector(field_ref, path + ".fieldRef"))
    for key in ("configMapKeyRef", "secretKeyRef"):
        ref = source.get(key)
        if ref is not None:
            if not ref.get("key"):
                errs.append(FieldError.required(f"{path}.{key}.key"))
            else:
                errs.extend(FieldError.invalid(f"{path}.{key}.key", ref["key"], m)
                            for m in names.is_config_map_key(ref["key"]))
            if not ref.get("name"):
                errs.append(FieldError.required(f"{path}.{key}.name"))
    if not kinds:
        errs.append(FieldError.invalid(
            path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
    elif len(kinds) > 1:
        errs.append(FieldError.invalid(
            path, "", "may not have more than one field specified at a time"))
    if var.get("value") and source:
        errs.append(FieldError.invalid(path, "", "may not be specified when `value` is not empty"))
    return errs


def _object_field_selector(ref: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not ref.get("apiVersion"):
        errs.append(FieldError.required(path + ".apiVersion"))
    field_path = ref.get("fieldPath", "")
    if not field_path:
        errs.append(FieldError.required(path + ".fieldPath"))
        return errs
    base = field_path.split("[", 1)[0]
    if base not in FIELD_PATHS or ("[" in field_path and base not in ("metadata.annotations",
                                                                      "metadata.labels")):
        errs.append(FieldError.not_supported(path + ".fieldPath", field_path, FIELD_PATHS))
    return errs


def _env_from(sources, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, source in enumerate(sources):
        spath = f"{path}[{i}]"
        prefix = source.get("prefix")
        if prefix:
            errs.extend(FieldError.invalid(spath + ".prefix", prefix, m)
                        for m in names.is_relaxed_env_var_name(prefix))
        refs = [k for k in ("configMapRef", "secretRef") if source.get(k) is not None]
        if not refs:
            errs.append(FieldError.invalid(spath, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif len(refs) > 1:
            errs.append(FieldError.invalid(spath, "", "may not have more than one field specified at a time"))
        for key in refs:
            if not source[key].get("name"):
                errs.append(FieldError.required(f"{spath}.{key}.name"))
    return errs


def _volume_mounts(mounts, volumes: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, mount in enumerate(mounts):
        mpath = f"{path}[{i}]"
        name = mount.get("name", "")
        if not name:
            errs.append(FieldError.required(mpath + ".name"))
        if name not in volumes:
            errs.append(FieldError.not_found(mpath + ".name", name))
        mount_path = mount.get("mountPath", "")
        if not mount_path:
            errs.append(FieldError.required(mpath + ".mountPath"))
        if mount_path in seen:
            errs.append(FieldError.invalid(mpath + ".mountPath", mount_path, "must be unique"))
        seen.add(mount_path)
        sub_path = mount.get("subPath")
        if sub_path:
            errs.extend(_local_descending_path(sub_path, path + ".subPath"))
    return errs


def _local_descending_path(target: str, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if target.startswith("/"):
        errs.append(FieldError.invalid(path, target, "must be a relative path"))
    if ".." in target.replace("\\", "/").split("/"):
        errs.append(FieldError.invalid(path, target, "must not contain '..'"))
    return errs


# -- resources -----------------------------------------------------------------


def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _resource_name(name: str, path: str) -> list[FieldError]:
    errs = meta.qualified_name(name, path)
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not _is_hugepages(name):
            errs.append(FieldError.invalid(path, name, "must be a standard resource for containers"))
    elif not name.startswith("kubernetes.io/") and (
            name.startswith("requests.") or "kubernetes.io/" in name.split("/", 1)[0]):
        errs.append(FieldError.invalid(path, name, "doesn't follow extended resource name standard"))
    return errs


def _parsed(resources: dict | None, path: str, errs: list) -> dict:
    out = {}
    for name in sorted(resources or {}):
        rpath = f"{path}[{name}]"
        errs.extend(_resource_name(name, rpath))
        try:
            value = qty.parse_quantity(str(resources[name]))
        except ValueError as err:
            errs.append(FieldError.invalid(rpath, resources[name], str(err)))
            continue
        if value.is_negative():
            errs.append(FieldError.invalid(rpath, str(value), meta.IS_NEGATIVE))
        if (_is_hugepages(name) or "/" in name) and value.milli % 1000:
            errs.append(FieldError.invalid(rpath, str(value), "must be an integer"))
        out[name] = value
    return out


def validate_resources(resources: dict, path: str) -> list[FieldError]:
    """``ValidateResourceRequirements`` for a container."""
    errs: list[FieldError] = []
    limits = _parsed(resources.get("limits"), path + ".limits", errs)
    requests_path = path + ".requests"
    for name in sorted(resources.get("requests") or {}):
        rpath = f"{requests_path}[{name}]"
        errs.extend(_resource_name(name, rpath))
        try:
            request = qty.parse_quantity(str(resources["requests"][name]))
        except ValueError as err:
            errs.append(FieldError.invalid(rpath, resources["requests"][name], str(err)))
            continue
        if request.is_negative():
            errs.append(FieldError.invalid(rpath, str(request), meta.IS_NEGATIVE))
        limit = limits.get(name)
        overcommit = "/" not in name and not _is_hugepages(name)
        if limit is not None:
            if request != limit and not overcommit:
                errs.append(FieldError.invalid(
                    requests_path, str(request), f"must be equal to {name} limit of {limit}"))
            elif request > limit:
                errs.append(FieldError.invalid(
                    requests_path, str(request),
                    f"must be less than or equal to {name} limit of {limit}"))
        elif not overcommit:
            errs.append(FieldError.required(path + ".limits",
                                            "Limit must be set for non overcommitable resources"))
    return errs


# -- probes and handlers ---------------------------------------------------------


def _probe(probe, path: str, single_success: bool = False) -> list[FieldError]:
    if probe is None:
        return []
    errs = _handler(probe, path)
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                "failureThreshold"):
        errs.extend(meta.nonnegative(probe.get(key, 0), f"{path}.{key}"))
    grace = probe.get("terminationGracePeriodSeconds")
    if grace is not None and grace <= 0:
        errs.append(FieldError.invalid(path + ".terminationGracePeriodSeconds", grace,
                                       "must be greater than 0"))
    if single_success and probe.get("successThreshold", 1) != 1:
        errs.append(FieldError.invalid(path + ".successThreshold", probe["successThreshold"],
                                       "must be 1"))
    return errs


def _lifecycle(lifecycle: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for hook in ("postStart", "preStop"):
        if lifecycle.get(hook) is not None:
            errs.extend(_handler(lifecycle[hook], f"{path}.{hook}", allow_sleep=True))
    return errs


def _handler(handler: dict, path: str, allow_sleep: bool = False) -> list[FieldError]:
    kinds = [k for k in _HANDLER_KINDS + (("sleep",) if allow_sleep else ())
             if handler.get(k) is not None]
    if not kinds:
        return [FieldError.required(path, "must specify a handler type")]
    errs: list[FieldError] = []
    if len(kinds) > 1:
        errs.append(FieldError.forbidden(f"{path}.{kinds[1]}", "may not specify more than 1 handler type"))
    http_get = handler.get("httpGet")
    if http_get is not None:
        errs.extend(_http_get(http_get, path + ".httpGet"))
    tcp = handler.get("tcpSocket")
    if tcp is not None:
        errs.extend(port_num_or_name(tcp.get("port", 0), path + ".tcpSocket.port"))
    exec_action = handler.get("exec")
    if exec_action is not None and not exec_action.get("command"):
        errs.append(FieldError.required(path + ".exec.command"))
    grpc = handler.get("grpc")
    if grpc is not None:
        errs.extend(FieldError.invalid(path + ".grpc.port", grpc.get("port", 0), m)
                    for m in names.is_valid_port_num(grpc.get("port", 0)))
    return errs


def _http_get(action: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not action.get("path"):
        errs.append(FieldError.required(path + ".path"))
    errs.extend(port_num_or_name(action.get("port", 0), path + ".port"))
    scheme = action.get("scheme")
    if scheme not in HTTP_SCHEMES:
        errs.append(FieldError.not_supported(path + ".scheme", scheme or "", HTTP_SCHEMES))
    return errs


def port_num_or_name(port, path: str) -> list[FieldError]:
    """``ValidatePortNumOrName`` for an IntOrString port."""
    if isinstance(port, str):
        return [FieldError.invalid(path, port, m) for m in names.is_valid_port_name(port)]
    return [FieldError.invalid(path, port, m) for m in names.is_valid_port_num(port)]


# -- volumes ------------------------------------------------------------------


def _volumes(volumes, path: str) -> tuple[dict, list[FieldError]]:
    """``ValidateVolumes``: the valid volumes by name, and the errors."""
    found: dict[str, dict] = {}
    errs: list[FieldError] = []
    for i, volume in enumerate(volumes or ()):
        vpath = f"{path}[{i}]"
        volume_errs = _volume_source(volume, vpath)
        name = volume.get("name", "")
        if not name:
            volume_errs.append(FieldError.required(vpath + ".name"))
        else:
            volume_errs.extend(meta.dns1123_label(name, vpath + ".name"))
        if name in found:
            volume_errs.append(FieldError.duplicate(vpath + ".name", name))
        if volume_errs:
            errs.extend(volume_errs)
        else:
            found[name] = volume
    return found, errs


def _volume_source(volume: dict, path: str) -> list[FieldError]:
    # The volume's own few keys, in _VOLUME_KINDS order (cheaper than probing all 30 kinds).
    kinds = sorted((k for k, v in volume.items() if k in _VOLUME_KIND_ORDER and v is not None),
                   key=_VOLUME_KIND_ORDER.__getitem__)
    if not kinds:
        return [FieldError.required(path, "must specify a volume type")]
    errs: list[FieldError] = [FieldError.forbidden(f"{path}.{k}", "may not specify more than 1 volume type")
                              for k in kinds[1:]]
    kind = kinds[0]
    source = volume[kind]
    spath = f"{path}.{kind}"
    if kind == "configMap":
        if not source.get("name"):
            errs.append(FieldError.required(spath + ".name"))
        errs.extend(_mode(source.get("defaultMode"), spath + ".defaultMode"))
        errs.extend(_key_to_paths(source.get("items"), spath + ".items"))
    elif kind == "secret":
        if not source.get("secretName"):
            errs.append(FieldError.required(spath + ".secretName"))
        errs.extend(_mode(source.get("defaultMode"), spath + ".defaultMode"))
        errs.extend(_key_to_paths(source.get("items"), spath + ".items"))
    elif kind == "persistentVolumeClaim":
        if not source.get("claimName"):
            errs.append(FieldError.required(spath + ".claimName"))
    elif kind == "hostPath":
        if not source.get("path"):
            errs.append(FieldError.required(spath + ".path"))
        host_type = source.get("type")
        valid = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                 "FileOrCreate", "Socket")
        if host_type is not None and host_type not in valid:
            errs.append(FieldError.not_supported(spath + ".type", host_type, valid))
    elif kind in ("downwardAPI", "projected"):
        errs.extend(_mode(source.get("defaultMode"), spath + ".defaultMode"))
    elif kind == "emptyDir":
        errs.extend(_empty_dir(source, spath))
    elif kind == "nfs":
        for key in ("server", "path"):
            if not source.get(key):
                errs.append(FieldError.required(f"{spath}.{key}"))
    return errs


def _empty_dir(source: dict, path: str) -> list[FieldError]:
    medium = source.get("medium", "")
    valid = ("", "Memory", "HugePages")
    if medium not in valid and not medium.startswith("HugePages-"):
        return [FieldError.not_supported(path + ".medium", medium, valid)]
    return []


def _mode(mode, path: str) -> list[FieldError]:
    if mode is not None and not 0 <= mode <= 0o777:
        return [FieldError.invalid(path, mode, FILE_MODE_ERROR)]
    return []


def _key_to_paths(items, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, item in enumerate(items or ()):
        ipath = f"{path}[{i}]"
        if not item.get("key"):
            errs.append(FieldError.required(ipath + ".key"))
        if not item.get("path"):
            errs.append(FieldError.required(ipath + ".path"))
        else:
            errs.extend(_local_descending_path(item["path"], ipath + ".path"))
        errs.extend(_mode(item.get("mode"), ipath + ".mode"))
    return errs


# -- scheduling --------------------------------------------------------------------


def validate_tolerations(tolerations, path: str) -> list[FieldError]:
    """``ValidateTolerations``."""
    errs: list[FieldError] = []
    for i, toleration in enumerate(tolerations):
        tpath = f"{path}[{i}]"
        key = toleration.get("key", "")
        if key:
            errs.extend(meta.qualified_name(key, tpath + ".key"))
        operator = toleration.get("operator", "")
        if not key and operator != "Exists":
            errs.append(FieldError.invalid(tpath + ".operator", operator,
                                           "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
        if toleration.get("tolerationSeconds") is not None and toleration.get("effect") != "NoExecute":
            errs.append(FieldError.invalid(tpath + ".effect", toleration.get("effect", ""),
                                           "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        value = toleration.get("value", "")
        if operator in ("", "Equal"):
            errs.extend(FieldError.invalid(tpath + ".operator", value, m)
                        for m in names.is_valid_label_value(value))
        elif operator == "Exists":
            if value:
                errs.append(FieldError.invalid(tpath + ".operator", toleration,
                                               "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(FieldError.not_supported(tpath + ".operator", operator, TOLERATION_OPERATORS))
        effect = toleration.get("effect")
        if effect and effect not in TAINT_EFFECTS:
            errs.append(FieldError.not_supported(tpath + ".effect", effect, TAINT_EFFECTS))
    return errs


def _affinity(affinity, path: str) -> list[FieldError]:
    if not affinity:
        return []
    errs: list[FieldError] = []
    node = affinity.get("nodeAffinity") or {}
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    rpath = path + ".nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    if required is not None:
        terms = required.get("nodeSelectorTerms") or []
        if not terms:
            errs.append(FieldError.required(rpath + ".nodeSelectorTerms",
                                            "must have at least one node selector term"))
        for i, term in enumerate(terms):
            errs.extend(_node_selector_term(term, f"{rpath}.nodeSelectorTerms[{i}]"))
    ppath = path + ".nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"
    for i, pref in enumerate(node.get("preferredDuringSchedulingIgnoredDuringExecution") or ()):
        weight = pref.get("weight", 0)
        if not 1 <= weight <= 100:
            errs.append(FieldError.invalid(f"{ppath}[{i}].weight", weight,
                                           "must be in the range 1-100"))
        errs.extend(_node_selector_term(pref.get("preference") or {}, f"{ppath}[{i}].preference"))
    for kind in ("podAffinity", "podAntiAffinity"):
        errs.extend(_pod_affinity(affinity.get(kind) or {}, f"{path}.{kind}"))
    return errs


def _pod_affinity(affinity: dict, path: str) -> list[FieldError]:
    """``validatePodAffinity``: every term's selectors and topology key; preferred weights."""
    errs: list[FieldError] = []
    rpath = path + ".requiredDuringSchedulingIgnoredDuringExecution"
    for i, term in enumerate(affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or ()):
        errs.extend(_pod_affinity_term(term, f"{rpath}[{i}]"))
    ppath = path + ".preferredDuringSchedulingIgnoredDuringExecution"
    for i, weighted in enumerate(affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or ()):
        weight = weighted.get("weight", 0)
        if not 1 <= weight <= 100:
            errs.append(FieldError.invalid(f"{ppath}[{i}].weight", weight, "must be in the range 1-100"))
        errs.extend(_pod_affinity_term(weighted.get("podAffinityTerm") or {}, f"{ppath}[{i}].podAffinityTerm"))
    return errs


def _pod_affinity_term(term: dict, path: str) -> list[FieldError]:
    """``validatePodAffinityTerm``: the label and namespace selectors parse, namespaces are
    names, and the topology key is a label name."""
    errs = meta.validate_label_selector(term.get("labelSelector"), path + ".labelSelector")
    errs.extend(meta.validate_label_selector(term.get("namespaceSelector"), path + ".namespaceSelector"))
    for namespace in term.get("namespaces") or ():
        errs.extend(FieldError.invalid(path + ".namespace", namespace, m)
                    for m in names.name_is_dns_label(namespace))
    key = term.get("topologyKey", "")
    if not key:
        errs.append(FieldError.required(path + ".topologyKey", "can not be empty"))
    errs.extend(meta.qualified_name(key, path + ".topologyKey"))
    return errs


WHEN_UNSATISFIABLE = ("DoNotSchedule", "ScheduleAnyway")


def _topology_spread(constraints, path: str) -> list[FieldError]:
    """``validateTopologySpreadConstraints``: a positive maxSkew, a topology key, a known
    whenUnsatisfiable, each {topologyKey, whenUnsatisfiable} once, and a valid selector."""
    errs: list[FieldError] = []
    seen: set = set()
    for i, constraint in enumerate(constraints or ()):
        cpath = f"{path}[{i}]"
        skew = constraint.get("maxSkew", 0)
        if skew <= 0:
            errs.append(FieldError.invalid(cpath + ".maxSkew", skew, "must be greater than zero"))
        key = constraint.get("topologyKey", "")
        if not key:
            errs.append(FieldError.required(cpath + ".topologyKey", "can not be empty"))
        action = constraint.get("whenUnsatisfiable", "")
        if action not in WHEN_UNSATISFIABLE:
            errs.append(FieldError.not_supported(cpath + ".whenUnsatisfiable", action, WHEN_UNSATISFIABLE))
        pair = (key, action)
        if pair in seen:
            errs.append(FieldError.duplicate(cpath + ".{topologyKey, whenUnsatisfiable}", f"{{{key}, {action}}}"))
        seen.add(pair)
        errs.extend(meta.validate_label_selector(constraint.get("labelSelector"), cpath + ".labelSelector"))
    return errs


def _node_selector_term(term: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, req in enumerate(term.get("matchExpressions") or ()):
        rpath = f"{path}.matchExpressions[{i}]"
        operator = req.get("operator", "")
        values = req.get("values") or []
        if operator in ("In", "NotIn"):
            if not values:
                errs.append(FieldError.required(
                    rpath + ".values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.append(FieldError.forbidden(
                    rpath + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        elif operator in ("Gt", "Lt"):
            if len(values) != 1:
                errs.append(FieldError.required(
                    rpath + ".values", "must be specified single value when `operator` is 'Lt' or 'Gt'"))
        else:
            errs.append(FieldError.invalid(rpath + ".operator", operator, "not a valid selector operator"))
        errs.extend(meta.qualified_name(req.get("key", ""), rpath + ".key"))
    return errs


# -- update ------------------------------------------------------------------------


def validate_pod_update(pod: dict, old: dict) -> list[FieldError]:
    """``ValidatePodUpdate``: metadata rules, then only images, activeDeadlineSeconds,
    added tolerations and terminationGracePeriodSeconds may change in the spec."""
    errs = meta.validate_object_meta_update(pod.get("metadata"), old.get("metadata"))
    spec = pod.get("spec") or {}
    old_spec = old.get("spec") or {}
    errs.extend(_images_required(spec))
    munged = _munged_spec(spec, old_spec)
    if munged != old_spec:
        diff = _spec_diff(old_spec, munged)
        errs.append(FieldError.forbidden(
            "spec", f"pod updates may not change fields other than {UPDATABLE_POD_SPEC_FIELDS}\n{diff}"))
    return errs


def _images_required(spec: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    for key in ("containers", "initContainers"):
        for i, container in enumerate(spec.get(key) or ()):
            if not container.get("image"):
                errs.append(FieldError.required(f"spec.{key}[{i}].image"))
    return errs


def _munged_spec(spec: dict, old_spec: dict) -> dict:
    """The new spec with every updatable field reset to the old value."""
    munged = dict(spec)
    for key in ("containers", "initContainers"):
        new_list, old_list = spec.get(key), old_spec.get(key) or []
        if new_list is None or len(new_list) != len(old_list):
            continue
        munged[key] = [_with_image(c, o.get("image")) for c, o in zip(new_list, old_list)]
    for key in ("activeDeadlineSeconds", "tolerations"):
        if key in old_spec:
            munged[key] = old_spec[key]
        else:
            munged.pop(key, None)
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if old_grace is not None and old_grace < 0 and spec.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    return munged


def _with_image(container: dict, image) -> dict:
    copy = dict(container)
    if image is None:
        copy.pop("image", None)
    else:
        copy["image"] = image
    return copy


def _go_text(value) -> str:
    return "nil" if value is None else json.dumps(value, sort_keys=True, separators=(", ", ": "))


def _spec_diff(old: dict, new: dict, type_name: str = "core.PodSpec") -> str:
    """A short cmp.Diff-style rendering of the fields that differ."""
    lines = [f"  {type_name}{{"]
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            field = key[:1].upper() + key[1:]
            lines.append(f"- \t{field}: {_go_text(old.get(key))},")
            lines.append(f"+ \t{field}: {_go_text(new.get(key))},")
    lines.append("  }")
    return "\n".join(lines) + "\n"
