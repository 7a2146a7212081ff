"""A container's environment, as the kubelet builds it before creating the container.

Mirrors ``makeEnvironmentVariables`` (pkg/kubelet/kubelet_pods.go), pkg/kubelet/envvars and
third_party/forked/golang/expansion of Kubernetes 1.32:

* ``envFrom`` (ConfigMaps and Secrets, with ``prefix``), then ``env`` in order: literal values
  with ``$(VAR)`` expanded against the variables defined before them and the service variables
  (``$$`` escapes, an unknown ``$(X)`` stays as written); ``valueFrom`` with
  ``configMapKeyRef``, ``secretKeyRef``, ``fieldRef`` (``metadata.name``, ``.namespace``,
  ``.uid``, ``metadata.labels['k']``, ``metadata.annotations['k']``, ``spec.nodeName``,
  ``spec.serviceAccountName``, ``status.hostIP(s)``, ``status.podIP(s)``) and
  ``resourceFieldRef`` (``limits.cpu`` … with ``divisor``; unset limits mean the node's
  allocatable);
* service links: ``<SVC>_SERVICE_HOST``, ``<SVC>_SERVICE_PORT[_<NAME>]`` and Docker link
  variables (``<SVC>_PORT``, ``<SVC>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]``) for every
  Service of the pod's namespace with a cluster IP when ``enableServiceLinks`` is true, and for
  the ``kubernetes`` Service of ``default`` always;
* ``command`` and ``args`` get ``$(VAR)`` expanded against the final environment.

A missing ConfigMap/Secret or key that is not ``optional`` raises :class:`ContainerConfigError`
carrying the kubelet's message (``configmap "x" not found``); the pod worker turns it into the
waiting reason ``CreateContainerConfigError``.

Order (Kubernetes hands the runtime an unordered map): envFrom and env in definition order,
then service variables sorted by name — deterministic, and what ``printenv`` shows.

The service variables are built once per set of Services (:class:`ServiceEnvCache`): every
container of a namespace gets the very same strings and ``(name, value)`` pairs.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Callable, Iterable, Optional

from labkube.core.api.quantity import parse_quantity

CREATE_CONTAINER_CONFIG_ERROR = "CreateContainerConfigError"
MASTER_SERVICE_NAMESPACE = "default"
MASTER_SERVICE_NAMES = ("kubernetes",)


class ContainerConfigError(Exception):
    """The container cannot be configured (``CreateContainerConfigError``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ObjectSource:
    """Reads the ConfigMaps and Secrets one pod refers to, from the kubelet's configmap and
    secret managers (:mod:`.objects`: a cache each object's watch keeps, not the API server).

    ``not found`` errors carry the kubelet's wording (``configmap "x" not found``: the resource
    named in the singular).
    """

    __slots__ = ("objects", "namespace")

    def __init__(self, objects, namespace: str) -> None:
        #: Anything with ``get(kind, namespace, name)`` (:class:`.objects.PodObjects`).
        self.objects = objects
        self.namespace = namespace

    def get(self, kind: str, name: str) -> Optional[dict]:
        """``kind`` is "configmap" or "secret"; None when it does not exist."""
        return self.objects.get(kind, self.namespace, name)

    def data(self, kind: str, name: str, optional: bool) -> Optional[dict[str, str]]:
        """The object's data as text; raises ContainerConfigError if missing and required."""
        obj = self.get(kind, name)
        if obj is None:
            if optional:
                return None
            raise ContainerConfigError(f'{kind} "{name}" not found')
        return object_data(kind, obj)


def object_data(kind: str, obj: dict) -> dict[str, str]:
    if kind == "secret":
        return {k: _b64(v) for k, v in (obj.get("data") or {}).items()} | dict(obj.get("stringData") or {})
    data = dict(obj.get("data") or {})
    for k, v in (obj.get("binaryData") or {}).items():
        data.setdefault(k, _b64(v))
    return data


def _b64(value: str) -> str:
    try:
        return base64.b64decode(value).decode("utf-8", errors="replace")
    except (ValueError, TypeError):
        return value


# -- $(VAR) expansion ----------------------------------------------------------------------------
def expand(text: str, mapping: Callable[[str], Optional[str]]) -> str:
    """``expansion.Expand``: ``$(VAR)`` -> value, ``$$`` -> ``$``, unknown stays ``$(VAR)``."""
    if "$" not in text:
        return text
    out: list[str] = []
    checkpoint = cursor = 0
    n = len(text)
    while cursor < n:
        if text[cursor] == "$" and cursor + 1 < n:
            out.append(text[checkpoint:cursor])
            read, is_var, advance = _read_variable(text[cursor + 1:])
            if is_var:
                value = mapping(read)
                out.append(f"$({read})" if value is None else value)
            else:
                out.append(read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    out.append(text[checkpoint:])
    return "".join(out)


def _read_variable(rest: str) -> tuple[str, bool, int]:
    if rest[0] == "$":
        return "$", False, 1
    if rest[0] == "(":
        close = rest.find(")", 1)
        if close != -1:
            return rest[1:close], True, close + 1
        return "$(", False, 1
    return "$" + rest[0], False, 1


# -- service links --------------------------------------------------------------------------------
def _env_name(name: str) -> str:
    return name.upper().replace("-", "_")


class ServiceEnv(dict):
    """Service variables by name, with :attr:`pairs`: the same sorted by name, built once."""

    __slots__ = ("pairs",)

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        self.pairs: tuple[tuple[str, str], ...] = tuple(sorted(env.items()))


def service_env(services: Iterable[dict]) -> ServiceEnv:
    """``envvars.FromServices``: the variables for each Service with a cluster IP."""
    env: dict[str, str] = {}
    for svc in sorted(services, key=lambda s: s["metadata"]["name"]):
        spec = svc.get("spec") or {}
        ip = spec.get("clusterIP") or ""
        ports = spec.get("ports") or []
        if ip in ("", "None") or not ports:
            continue
        prefix = _env_name(svc["metadata"]["name"])
        env[prefix + "_SERVICE_HOST"] = ip
        env[prefix + "_SERVICE_PORT"] = str(ports[0].get("port"))
        for port in ports:
            if port.get("name"):
                env[f"{prefix}_SERVICE_PORT_{_env_name(port['name'])}"] = str(port.get("port"))
        for i, port in enumerate(ports):
            proto = (port.get("protocol") or "TCP")
            url = f"{proto.lower()}://{ip}:{port.get('port')}"
            if i == 0:
                env[prefix + "_PORT"] = url
            base = f"{prefix}_PORT_{port.get('port')}_{proto.upper()}"
            env[base] = url
            env[base + "_PROTO"] = proto.lower()
            env[base + "_PORT"] = str(port.get("port"))
            env[base + "_ADDR"] = ip
    return ServiceEnv(env)


def services_for_pod(services_in: Callable[[str], list[dict]], pod: dict) -> list[dict]:
    """The Services whose variables the pod's containers get (``getServiceEnvVarMap``);
    ``services_in(namespace)`` lists one namespace's Services (the kubelet's service lister)."""
    namespace = pod["metadata"].get("namespace", "default")
    links = (pod.get("spec") or {}).get("enableServiceLinks", True) is not False
    chosen: dict[str, dict] = {}
    if namespace != MASTER_SERVICE_NAMESPACE or not links:
        for svc in services_in(MASTER_SERVICE_NAMESPACE):
            if svc["metadata"]["name"] in MASTER_SERVICE_NAMES:
                chosen[svc["metadata"]["name"]] = svc
    if links:
        for svc in services_in(namespace):
            chosen[svc["metadata"]["name"]] = svc
    return list(chosen.values())


class ServiceEnvCache:
    """One kubelet's service variables, rebuilt only when the Services a pod sees change.

    Kept per (namespace, ``enableServiceLinks``) for the Services' latest resourceVersions,
    so the cache never holds more than one set of variables per namespace. Once it
    follows the kubelet's service informer (:meth:`follow`), it is told of every change to
    the Services: between two changes it hands out a scope's variables without listing the
    Services again (what makes a container's start cheap on a node whose pods come and go).
    """

    def __init__(self) -> None:
        self._by_scope: dict[tuple[str, bool], tuple[tuple, ServiceEnv]] = {}
        #: Counts the changes to the Services seen (None: not following an informer).
        self._generation: Optional[int] = None
        #: scope -> the generation at which its cached variables were last known right
        self._checked: dict[tuple[str, bool], int] = {}

    def follow(self, informer) -> None:
        """Be told of every change ``informer`` (the kubelet's service lister) makes to its
        cache; whatever was checked before is checked again at its next use."""
        self._generation = (self._generation or 0) + 1
        informer.add_event_handler(self._services_changed, self._services_changed,
                                   self._services_changed)

    def _services_changed(self, *objs: dict) -> None:
        self._generation = (self._generation or 0) + 1

    def for_pod(self, services_in: Callable[[str], list[dict]], pod: dict) -> ServiceEnv:
        scope = (pod["metadata"].get("namespace", "default"),
                 (pod.get("spec") or {}).get("enableServiceLinks", True) is not False)
        generation = self._generation
        if generation is not None and self._checked.get(scope) == generation:
            return self._by_scope[scope][1]  # no Service changed since it was checked
        services = services_for_pod(services_in, pod)
        versions = tuple((s["metadata"].get("uid"), s["metadata"].get("resourceVersion"))
                         for s in services)
        if any(version is None for _, version in versions):
            return service_env(services)  # objects not from the API: nothing to key them by
        cached = self._by_scope.get(scope)
        if cached is None or cached[0] != versions:
            cached = self._by_scope[scope] = (versions, service_env(services))
        if generation is not None:
            self._checked[scope] = generation
        return cached[1]


# -- downward API ------------------------------------------------------------------------------------
_SUBSCRIPT = re.compile(r"^metadata\.(labels|annotations)\['(.*)'\]$")


def field_value(pod: dict, path: str) -> str:
    """``podFieldSelectorRuntimeValue`` / ``ExtractFieldPathAsString``."""
    simple = _SIMPLE_FIELDS.get(path)
    if simple is not None:
        part, key = simple
        return (pod.get(part) or {}).get(key, "")
    joined = _LIST_FIELDS.get(path)
    if joined is not None:
        return ",".join(i.get("ip", "") for i in (pod.get("status") or {}).get(joined) or [])
    meta = pod.get("metadata") or {}
    match = _SUBSCRIPT.match(path)
    if match:
        return (meta.get(match.group(1)) or {}).get(match.group(2), "")
    if path in ("metadata.labels", "metadata.annotations"):
        items = meta.get(path.split(".")[1]) or {}
        return "\n".join(f'{k}="{_escape(v)}"' for k, v in sorted(items.items()))
    raise ContainerConfigError(f'unsupported fieldPath: {path}')


#: Field paths that name one string of the pod: (part of the pod, key in it).
_SIMPLE_FIELDS = {
    "metadata.name": ("metadata", "name"),
    "metadata.namespace": ("metadata", "namespace"),
    "metadata.uid": ("metadata", "uid"),
    "spec.nodeName": ("spec", "nodeName"),
    "spec.serviceAccountName": ("spec", "serviceAccountName"),
    "status.hostIP": ("status", "hostIP"),
    "status.podIP": ("status", "podIP"),
}
#: Field paths that name a list of IPs, joined with commas.
_LIST_FIELDS = {"status.hostIPs": "hostIPs", "status.podIPs": "podIPs"}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def resource_value(pod: dict, container: dict, ref: dict, allocatable: dict) -> str:
    """``ExtractContainerResourceValue`` with limits defaulted to the node's allocatable."""
    resource = ref.get("resource", "")
    kind, _, name = resource.partition(".")
    resources = container.get("resources") or {}
    values = dict(resources.get(kind) or {})
    if kind == "limits" and name not in values and name in allocatable:
        values[name] = allocatable[name]
    if kind == "requests" and name not in values:
        limits = resources.get("limits") or {}
        values[name] = limits.get(name, "0")
    quantity = parse_quantity(str(values.get(name, "0")))
    divisor = parse_quantity(str(ref.get("divisor") or "1"))
    if name == "cpu":
        return str(max(0, math.ceil(quantity.milli / max(divisor.milli, 1))))
    return str(max(0, math.ceil(quantity.value() / max(divisor.value(), 1))))


# -- the whole environment --------------------------------------------------------------------------
def make_environment(pod: dict, container: dict, source: ObjectSource, svc_env: dict[str, str],
                     allocatable: dict) -> list[tuple[str, str]]:
    """The container's variables in order; raises ContainerConfigError."""
    env: dict[str, str] = {}
    for env_from in container.get("envFrom") or []:
        _env_from(env_from, source, env)
    for var in container.get("env") or []:
        name = var.get("name", "")
        if "valueFrom" in var and var["valueFrom"] is not None:
            value = _value_from(pod, container, var["valueFrom"], source, allocatable)
            if value is None:
                continue
        else:
            value = expand(var.get("value") or "", lambda n: env.get(n, svc_env.get(n)))
        env[name] = value
    result = list(env.items())
    pairs = svc_env.pairs if isinstance(svc_env, ServiceEnv) else sorted(svc_env.items())
    result.extend(pair for pair in pairs if pair[0] not in env)
    return result


def _env_from(env_from: dict, source: ObjectSource, env: dict[str, str]) -> None:
    prefix = env_from.get("prefix") or ""
    for kind, key in (("configmap", "configMapRef"), ("secret", "secretRef")):
        ref = env_from.get(key)
        if not ref:
            continue
        data = source.data(kind, ref.get("name", ""), bool(ref.get("optional")))
        for k in sorted(data or {}):
            env[prefix + k] = data[k]


def _value_from(pod: dict, container: dict, value_from: dict, source: ObjectSource,
                allocatable: dict) -> Optional[str]:
    for kind, key, title in (("configmap", "configMapKeyRef", "ConfigMap"),
                             ("secret", "secretKeyRef", "Secret")):
        ref = value_from.get(key)
        if not ref:
            continue
        optional = bool(ref.get("optional"))
        data = source.data(kind, ref.get("name", ""), optional)
        if data is None:
            return None
        if ref.get("key") not in data:
            if optional:
                return None
            namespace = pod["metadata"].get("namespace", "")
            raise ContainerConfigError(
                f"couldn't find key {ref.get('key')} in {title} {namespace}/{ref.get('name', '')}")
        return data[ref["key"]]
    if value_from.get("fieldRef"):
        return field_value(pod, value_from["fieldRef"].get("fieldPath", ""))
    if value_from.get("resourceFieldRef"):
        ref = value_from["resourceFieldRef"]
        target = container
        if ref.get("containerName"):
            for c in (pod.get("spec") or {}).get("containers") or []:
                if c.get("name") == ref["containerName"]:
                    target = c
        return resource_value(pod, target, ref, allocatable)
    return ""


def expand_command(container: dict, env: list[tuple[str, str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``ExpandContainerCommandAndArgs``."""
    values = dict(env)
    mapping = values.get
    command = tuple(expand(c, mapping) for c in container.get("command") or [])
    args = tuple(expand(a, mapping) for a in container.get("args") or [])
    return command, args
