"""Generate labkube's field schema from the official Kubernetes Python client's models.

Mirrors the OpenAPI document kube-apiserver publishes (``/openapi/v2``), as the official
``kubernetes`` client (a TEST dependency only) carries it in its generated models: each model
class has ``openapi_types`` (attribute -> type string), ``attribute_map`` (attribute -> JSON
name), a property docstring with the field's description, and a setter that refuses ``None`` for
required fields.

Starting from the model of every core kind (V1Pod, V1Deployment, CoreV1Event, EventsV1Event ...)
this walks every reachable model and writes ``labkube/core/api/schema_data/core.json.gz``::

    {"client": "32.0.1",
     "kinds": {"v1/Pod": "V1Pod", "apps/v1/Deployment": "V1Deployment", ...},
     "types": {"V1Pod": {"go": "v1.Pod",
                         "fields": {"spec": ["V1PodSpec", "Specification of ...", false], ...}}}}

Each field is ``[type, description, required]``. Type strings: ``str``, ``int`` (Go int32),
``int64``, ``bool``, ``float``, ``datetime``, ``object`` (any JSON), ``IntOrString``,
``Quantity``, ``bytes`` (base64 in JSON), ``list[T]``, ``dict(str, T)`` and model names.

The client's generator dropped three facts the OpenAPI document has (``format: int-or-string``,
``format: int64``, the quantity and byte formats); the small OVERLAY tables below put them back,
and the generator fails if an overlay names a field the client does not have, so the tables
cannot silently rot. The client has no type-level descriptions (only field descriptions), so
``kubectl explain`` of a kind shows the field list without the kind's own paragraph.

Run: ``.venv/bin/python tools/gen_schema.py`` (``--check`` compares with the shipped file).
"""

from __future__ import annotations

import gzip
import inspect
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "labkube" / "core" / "api" / "schema_data" / "core.json.gz"

# Fields the OpenAPI document marks ``format: int-or-string`` (client type: ``object``).
INT_OR_STRING = {
    ("V1TCPSocketAction", "port"),
    ("V1HTTPGetAction", "port"),
    ("V1RollingUpdateDeployment", "maxSurge"),
    ("V1RollingUpdateDeployment", "maxUnavailable"),
    ("V1ServicePort", "targetPort"),
}

# resource.Quantity fields (client type: ``str`` or ``dict(str, str)``).
QUANTITY = {
    ("V1ResourceRequirements", "limits"),
    ("V1ResourceRequirements", "requests"),
    ("V1VolumeResourceRequirements", "limits"),
    ("V1VolumeResourceRequirements", "requests"),
    ("V1PodSpec", "overhead"),
    ("V1NodeStatus", "capacity"),
    ("V1NodeStatus", "allocatable"),
    ("V1ContainerStatus", "allocatedResources"),
    ("V1EmptyDirVolumeSource", "sizeLimit"),
    ("V1ResourceFieldSelector", "divisor"),
}

# []byte fields, base64 in JSON (client type: ``dict(str, str)``).
BYTES = {
    ("V1Secret", "data"),
    ("V1ConfigMap", "binaryData"),
}

# Go int64 fields (client type: ``int``, which otherwise means int32).
INT64 = {
    ("V1ObjectMeta", "generation"),
    ("V1ObjectMeta", "deletionGracePeriodSeconds"),
    ("V1PodSpec", "terminationGracePeriodSeconds"),
    ("V1PodSpec", "activeDeadlineSeconds"),
    ("V1Probe", "terminationGracePeriodSeconds"),
    ("V1SecurityContext", "runAsUser"),
    ("V1SecurityContext", "runAsGroup"),
    ("V1PodSecurityContext", "runAsUser"),
    ("V1PodSecurityContext", "runAsGroup"),
    ("V1PodSecurityContext", "fsGroup"),
    ("V1PodSecurityContext", "supplementalGroups"),
    ("V1LinuxContainerUser", "uid"),
    ("V1LinuxContainerUser", "gid"),
    ("V1LinuxContainerUser", "supplementalGroups"),
    ("V1ServiceAccountTokenProjection", "expirationSeconds"),
    ("V1SleepAction", "seconds"),
    ("V1DeploymentStatus", "observedGeneration"),
    ("V1ReplicaSetStatus", "observedGeneration"),
    ("V1Condition", "observedGeneration"),
    ("V1ContainerImage", "sizeBytes"),
}

_PREFIX = re.compile(r"^(?:[A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])")
_NOQA = re.compile(r"\s*# noqa: E501\s*$")
_BUILTIN = {"list", "dict", "str", "int", "int64", "bool", "float", "datetime", "date", "object",
            "IntOrString", "Quantity", "bytes"}


def go_name(model: str) -> str:
    """``V1NodeSelector`` -> ``v1.NodeSelector``; ``CoreV1EventSeries`` -> ``v1.EventSeries``."""
    match = _PREFIX.match(model)
    if not match:
        return model
    version = re.search(r"V\d+(?:(?:alpha|beta)\d+)?$", match.group(0)).group(0).lower()
    return f"{version}.{model[match.end():]}"


def kind_models(client) -> dict[str, str]:
    """``"apps/v1/Deployment" -> "V1Deployment"`` for every kind of the default registry."""
    sys.path.insert(0, str(ROOT))
    from labkube.core.api.resources import default_registry

    out = {}
    for rtype in default_registry().all():
        version = rtype.version.capitalize()
        group_word = (rtype.group.split(".")[0] or "core").capitalize()
        for name in (f"{group_word}{version}{rtype.kind}", f"{version}{rtype.kind}"):
            if hasattr(client, name):
                out[f"{rtype.api_version}/{rtype.kind}"] = name
                break
        else:
            raise SystemExit(f"no client model for {rtype.api_version} {rtype.kind}")
    return out


def _description(model_cls, attr: str) -> str:
    prop = getattr(model_cls, attr)
    lines = inspect.getdoc(prop.fget).splitlines()
    body = []
    for line in lines[1:]:
        if line.startswith(":return:") or line.startswith(":rtype:"):
            break
        body.append(_NOQA.sub("", line))
    return "\n".join(body).strip()


def _required(model_cls, attr: str) -> bool:
    setter = getattr(model_cls, attr).fset
    return "must not be `None`" in inspect.getsource(setter)


def _overlay(model: str, field: str, type_string: str) -> str:
    key = (model, field)
    if key in INT_OR_STRING:
        return "IntOrString"
    if key in QUANTITY:
        return "dict(str, Quantity)" if type_string.startswith("dict") else "Quantity"
    if key in BYTES:
        return "dict(str, bytes)"
    if key in INT64:
        return type_string.replace("int", "int64")
    return type_string


def _model_refs(type_string: str) -> list[str]:
    return [t for t in re.findall(r"[A-Za-z_]\w*", type_string)
            if t not in _BUILTIN]


def describe_model(client, model: str) -> dict:
    cls = getattr(client, model)
    fields = {}
    for attr, type_string in cls.openapi_types.items():
        json_name = cls.attribute_map[attr]
        fields[json_name] = [
            _overlay(model, json_name, type_string),
            _description(cls, attr),
            _required(cls, attr),
        ]
    return {"go": go_name(model), "fields": fields}


def build(client=None) -> dict:
    """The whole schema as a JSON-ready dict (deterministic key order)."""
    if client is None:
        import kubernetes.client as client  # noqa: PLC0415 - test/build-time dependency only
    import kubernetes

    kinds = kind_models(client)
    types: dict[str, dict] = {}
    pending = sorted(set(kinds.values()))
    while pending:
        model = pending.pop()
        if model in types:
            continue
        types[model] = describe_model(client, model)
        for field_type, _, _ in types[model]["fields"].values():
            pending.extend(r for r in _model_refs(field_type) if r not in types)
    _check_overlays(types)
    return {
        "client": kubernetes.__version__,
        "kinds": dict(sorted(kinds.items())),
        "types": dict(sorted(types.items())),
    }


def _check_overlays(types: dict) -> None:
    for table in (INT_OR_STRING, QUANTITY, BYTES, INT64):
        for model, field in sorted(table):
            if field not in types.get(model, {}).get("fields", {}):
                raise SystemExit(f"overlay names a missing field: {model}.{field}")


def encode(schema: dict) -> bytes:
    text = json.dumps(schema, sort_keys=False, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def main(argv: list[str]) -> int:
    data = encode(build())
    if "--check" in argv:
        same = OUTPUT.exists() and gzip.decompress(OUTPUT.read_bytes()) == gzip.decompress(data)
        print("schema is up to date" if same else "schema is STALE: run tools/gen_schema.py")
        return 0 if same else 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(data)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
