"""Generate labkube's field schema from Kubernetes 1.32's OpenAPI definitions.

Mirrors the OpenAPI document kube-apiserver 1.32 publishes (what ``kubectl explain`` reads), as
the PyPI package ``kubernetes-validate==1.32.0`` (a TEST/build dependency only) packages it:
``kubernetes_validate/kubernetes-json-schema/v1.32.0-local/_definitions.json``, a JSON Schema
whose ``$defs`` are the OpenAPI definitions (``io.k8s.api.apps.v1.DeploymentStrategy`` ...),
each with its description, ``required`` list and properties (``$ref`` + description, ``type``,
``format``, ``items``, ``additionalProperties``).

Starting from the definition of every kind of the default registry (found by its
``x-kubernetes-group-version-kind``) this walks every reachable definition and writes
``labkube/core/api/schema_data/core.json.gz``::

    {"source": "kubernetes-validate 1.32.0 (Kubernetes v1.32.0 OpenAPI)",
     "kinds": {"v1/Pod": "core.v1.Pod", "apps/v1/Deployment": "apps.v1.Deployment", ...},
     "types": {"core.v1.Pod": {"go": "v1.Pod", "description": "Pod is a collection of ...",
                               "fields": {"spec": ["core.v1.PodSpec", "Specification ...", 0]}}},
     "refs": {"meta.v1.Time": {"go": "v1.Time", "kubectl": "string", "description": "..."}}}

Type names are definition names without their ``io.k8s.api.`` / ``io.k8s.apimachinery.pkg.apis.``
/ ``io.k8s.apimachinery.pkg.`` prefix (``core.v1.PodSpec``, ``meta.v1.ObjectMeta``), the names
``labkube/core/api/patch/merge_keys.py`` uses too. Each field is ``[type, description,
required]`` plus, when the field refers to a definition that is not a struct with properties
(Time, MicroTime, Quantity, IntOrString, FieldsV1), a fourth element naming it in ``refs``.
Type strings: ``str``, ``int`` (int32), ``int64``, ``bool``, ``float``, ``datetime``
(date-time), ``object`` (any JSON), ``IntOrString``, ``Quantity``, ``bytes`` (format byte,
base64 in JSON), ``list[T]``, ``dict(str, T)`` (additionalProperties) and type names.

kubernetes-validate rewrote two definitions for JSON Schema validation: IntOrString and Quantity
became ``oneOf`` string/integer and string/number, losing their ``format`` and description; they
are recognised by definition name. ``enum`` lists are only kept for apiVersion/kind (ignored).

Run: ``.venv/bin/python tools/gen_schema.py`` (``--check`` compares with the shipped file).
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "labkube" / "core" / "api" / "schema_data" / "core.json.gz"
PACKAGE = "kubernetes_validate"
VERSION = "1.32.0"
DEFINITIONS = f"kubernetes-json-schema/v{VERSION}-local/_definitions.json"
PREFIXES = ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.apimachinery.pkg.")

#: Definitions kubernetes-validate turned into ``oneOf``: name -> labkube's scalar type.
ONE_OF = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
}


def definitions_file():
    """The installed ``_definitions.json`` (a Traversable)."""
    return importlib.resources.files(PACKAGE).joinpath(DEFINITIONS)


def load_definitions() -> dict:
    return json.loads(definitions_file().read_text(encoding="utf-8"))["$defs"]


def short(name: str) -> str:
    """``io.k8s.api.core.v1.PodSpec`` -> ``core.v1.PodSpec``."""
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def go_name(name: str) -> str:
    """Go's reflect name: ``io.k8s.api.core.v1.NodeSelector`` -> ``v1.NodeSelector``,
    ``io.k8s.apimachinery.pkg.api.resource.Quantity`` -> ``resource.Quantity``."""
    return ".".join(name.split(".")[-2:])


def _types(schema: dict) -> set[str]:
    declared = schema.get("type", [])
    return {declared} if isinstance(declared, str) else set(declared)


def _ref(schema: dict) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def is_struct(definition: dict) -> bool:
    return bool(definition.get("properties"))


def scalar_of_definition(name: str, definition: dict) -> str:
    """labkube's type string for a definition without properties (Time, FieldsV1 ...)."""
    if name in ONE_OF:
        return ONE_OF[name]
    return _scalar(definition)


def _scalar(schema: dict) -> str:
    types = _types(schema) - {"null"}
    fmt = schema.get("format", "")
    if "string" in types:
        return {"byte": "bytes", "date-time": "datetime", "int-or-string": "IntOrString"}.get(
            fmt, "str")
    if "integer" in types:
        return "int64" if fmt == "int64" else "int"
    if "number" in types:
        return "float"
    if "boolean" in types:
        return "bool"
    return "object"


class Walker:
    """Turns property schemas into type strings, collecting the definitions they reach."""

    def __init__(self, defs: dict):
        self.defs = defs
        self.pending: list[str] = []
        self.refs: dict[str, dict] = {}

    def type_of(self, schema: dict) -> tuple[str, str]:
        """(type string, opaque ref name or "") for one property schema."""
        target = _ref(schema)
        if target is not None:
            definition = self.defs[target]
            if is_struct(definition):
                self.pending.append(target)
                return short(target), ""
            self._opaque(target, definition)
            return scalar_of_definition(target, definition), short(target)
        if "items" in schema:
            inner, ref = self.type_of(schema["items"])
            return f"list[{inner}]", ref
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            inner, ref = self.type_of(extra)
            return f"dict(str, {inner})", ref
        return _scalar(schema), ""

    def _opaque(self, name: str, definition: dict) -> None:
        if short(name) in self.refs:
            return
        types = _types(definition) - {"null"}
        # kubectl's typeGuess prints a referenced definition's own type unless it is an object
        # (or has none, as Quantity and IntOrString), when it prints the definition's name.
        shown = next(iter(types)) if len(types) == 1 and types != {"object"} else \
            name.rsplit(".", 1)[-1]
        self.refs[short(name)] = {"go": go_name(name), "kubectl": shown,
                                  "description": definition.get("description", "")}

    def describe(self, name: str) -> dict:
        definition = self.defs[name]
        required = set(definition.get("required", ()))
        fields = {}
        for field, prop in sorted(definition.get("properties", {}).items()):
            type_string, ref = self.type_of(prop)
            entry = [type_string, prop.get("description", ""), int(field in required)]
            if ref:
                entry.append(ref)
            fields[field] = entry
        return {"go": go_name(name), "description": definition.get("description", ""),
                "fields": fields}


def kind_roots(defs: dict) -> dict[str, str]:
    """``"apps/v1/Deployment" -> "io.k8s.api.apps.v1.Deployment"`` for the default registry."""
    sys.path.insert(0, str(ROOT))
    from labkube.core.api.resources import default_registry

    by_gvk = {}
    for name, definition in defs.items():
        for gvk in definition.get("x-kubernetes-group-version-kind", ()):
            by_gvk.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
    out = {}
    for rtype in default_registry().all():
        name = by_gvk.get((rtype.group, rtype.version, rtype.kind))
        if name is None:
            raise SystemExit(f"no OpenAPI definition for {rtype.api_version} {rtype.kind}")
        out[f"{rtype.api_version}/{rtype.kind}"] = name
    return out


def build(defs: dict | None = None) -> dict:
    """The whole schema as a JSON-ready dict (deterministic key order)."""
    if defs is None:
        defs = load_definitions()
    roots = kind_roots(defs)
    walker = Walker(defs)
    types: dict[str, dict] = {}
    walker.pending = sorted(set(roots.values()))
    while walker.pending:
        name = walker.pending.pop()
        if short(name) not in types:
            types[short(name)] = walker.describe(name)
    return {
        "source": f"kubernetes-validate {VERSION} (Kubernetes v{VERSION} OpenAPI)",
        "kinds": {key: short(name) for key, name in sorted(roots.items())},
        "types": dict(sorted(types.items())),
        "refs": dict(sorted(walker.refs.items())),
    }


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
