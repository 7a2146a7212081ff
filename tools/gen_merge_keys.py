"""Generate labkube/core/api/patch/merge_keys.py: the strategic-merge-patch metadata table.

Kubernetes declares how each list is patched with Go struct tags in the API types, e.g. in
staging/src/k8s.io/api/core/v1/types.go::

    Containers []Container `json:"containers" patchStrategy:"merge" patchMergeKey:"name"`

kube-openapi copies those tags into the OpenAPI document as ``x-kubernetes-patch-strategy`` and
``x-kubernetes-patch-merge-key``. This script reads that OpenAPI data (as packaged, one JSON
schema per definition, by the PyPI package kubernetes-validate for Kubernetes 1.32.0) and writes,
for every object type reachable from a served kind, the fields that matter to a strategic merge
patch: the Go type a field leads to, its patch strategy and merge key.

Usage (offline, once; the output is committed)::

    pip download --no-deps kubernetes-validate==1.32.0 -d /tmp/kv && cd /tmp/kv && unzip *.whl
    python tools/gen_merge_keys.py \
        /tmp/kv/kubernetes_validate/kubernetes-json-schema/v1.32.0-local/_definitions.json \
        > labkube/core/api/patch/merge_keys.py
"""

from __future__ import annotations

import json
import sys

PREFIXES = ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.kube-aggregator.pkg.apis.",
            "io.k8s.apiextensions-apiserver.pkg.apis.")
#: Only stable API versions are served (and later added) by labkube.
STABLE = {"v1", "v2"}


def short(name: str) -> str:
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def ref_of(schema: dict) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def field_entry(prop: dict) -> tuple[str, str, str] | None:
    """(target type or "", patch strategy, merge key) for one property, or None if it is plain."""
    target = ref_of(prop)
    if target is None and "items" in prop:
        target = ref_of(prop["items"])
    if target is None and isinstance(prop.get("additionalProperties"), dict):
        inner = ref_of(prop["additionalProperties"])
        if inner:
            target = "map:" + inner
    strategy = prop.get("x-kubernetes-patch-strategy", "")
    key = prop.get("x-kubernetes-patch-merge-key", "")
    if target is None and not strategy:
        return None
    return (target or "", strategy, key)


def main(path: str) -> None:
    defs = json.load(open(path))["$defs"]
    roots: dict[tuple[str, str], str] = {}
    for name, schema in defs.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            if gvk["version"] in STABLE and not gvk["kind"].endswith("List") and \
                    "metadata" in schema.get("properties", {}):
                api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                roots.setdefault((api_version, gvk["kind"]), name)
    table: dict[str, dict[str, tuple[str, str, str]]] = {}
    todo = sorted(set(roots.values()))
    while todo:
        name = todo.pop()
        if name in table or name not in defs:
            continue
        fields = {}
        for field, prop in sorted(defs[name].get("properties", {}).items()):
            entry = field_entry(prop)
            if entry is None:
                continue
            target = entry[0].removeprefix("map:")
            if target and target not in table:
                todo.append(target)
            fields[field] = entry
        table[name] = fields
    useful = prune(table)
    emit(roots, table, useful)


def prune(table: dict) -> set[str]:
    """Types that carry a patch strategy somewhere below them (others need no entry)."""
    useful: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, fields in table.items():
            if name in useful:
                continue
            for target, strategy, _ in fields.values():
                if strategy or target.removeprefix("map:") in useful:
                    useful.add(name)
                    changed = True
                    break
    return useful


def emit(roots: dict, table: dict, useful: set[str]) -> None:
    out = sys.stdout
    out.write(HEADER)
    out.write("#: (apiVersion, kind) -> the type of the object's root.\n")
    out.write("KINDS: dict[tuple[str, str], str] = {\n")
    for (api_version, kind), name in sorted(roots.items()):
        if name in useful:
            out.write(f"    ({api_version!r}, {kind!r}): {short(name)!r},\n")
    out.write("}\n\n")
    out.write("#: type -> {json field: (type the field leads to, patchStrategy, patchMergeKey)}.\n")
    out.write("#: A type of \"map:T\" is a map whose values are of type T.\n")
    out.write("TYPES: dict[str, dict[str, tuple[str, str, str]]] = {\n")
    for name in sorted(useful, key=short):
        out.write(f"    {short(name)!r}: {{\n")
        for field, (target, strategy, key) in table[name].items():
            bare = target.removeprefix("map:")
            if not strategy and bare not in useful:
                continue
            shown = ("map:" if target.startswith("map:") else "") + short(bare) if bare in useful else ""
            out.write(f"        {field!r}: ({shown!r}, {strategy!r}, {key!r}),\n")
        out.write("    },\n")
    out.write("}\n")


HEADER = '''"""Strategic merge patch metadata for the built-in kinds (GENERATED — do not edit).

Generated by ``tools/gen_merge_keys.py`` from the Kubernetes 1.32.0 OpenAPI definitions (the
``x-kubernetes-patch-strategy`` / ``x-kubernetes-patch-merge-key`` extensions, which kube-openapi
copies from the ``patchStrategy``/``patchMergeKey`` struct tags in the Go API types, e.g.
staging/src/k8s.io/api/core/v1/types.go; spot-checked against those files). Only types that
have a patch strategy somewhere below them are listed; any field not listed is patched with the
defaults: maps merge recursively, lists are replaced.

Type names are the OpenAPI definition names without their ``io.k8s.api.`` /
``io.k8s.apimachinery.pkg.apis.`` prefix, e.g. ``core.v1.PodSpec``, ``meta.v1.ObjectMeta``.
"""

'''

if __name__ == "__main__":
    main(sys.argv[1])
