"""Capture CustomResourceDefinition goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_crd.py``).

The scenario and commands are in ``crd_cases.py``. The shared oracle server knows only the
built-in kinds, so this script serves the scenario cluster's own discovery (its registry, with
the CRDs' custom resources) and answers Table requests for custom resources with their CRD's
printer columns (``columns_for``), typed as the crdHandler types them; everything else is
``oracle/scenario_capture.py``'s capture.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from tests.kubectl import crd_cases  # noqa: E402
from tests.kubectl.oracle import fake_apiserver, scenario_capture  # noqa: E402


class CustomResourceAPIServer(fake_apiserver.FakeAPIServer):
    """The oracle server with a cluster's registry: built-in kinds and its custom resources."""

    registry_source = None

    def __init__(self, objects):
        super().__init__(objects)
        if self.registry_source is not None:
            self.registry = self.registry_source
            self.groups = fake_apiserver._discovery(self.registry)

    def route(self, path, query, accept=""):
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["openapi", "v3"]:
            return self._openapi_v3(parts[2:])
        return super().route(path, query, accept)

    def _openapi_v3(self, rest):
        """The OpenAPI v3 discovery kubectl explain reads: an index, then one document per
        custom group/version with its kinds' published schemas."""
        from labkube.core.api.customresource import CustomResourceType, published_schema

        custom = {gv: [r for r in types if isinstance(r, CustomResourceType)] for gv, types in self.groups.items()}
        if not rest:
            return 200, {"paths": {f"apis/{gv}": {"serverRelativeURL": f"/openapi/v3/apis/{gv}?hash=0"}
                                   for gv, types in custom.items() if types}}
        gv = "/".join(rest[1:3])
        schemas = {f"{r.group}.{r.version}.{r.kind}": published_schema(r) for r in custom.get(gv, [])}
        paths = {}
        for r in custom.get(gv, []):
            gvk = {"group": r.group, "version": r.version, "kind": r.kind}
            scoped = f"/apis/{gv}/namespaces/{{namespace}}/{r.plural}" if r.namespaced else f"/apis/{gv}/{r.plural}"
            for path in (scoped, scoped + "/{name}"):
                paths[path] = {"get": {"x-kubernetes-group-version-kind": gvk}}
        schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] = {
            "type": "object", "description": "ObjectMeta is metadata that all persisted resources must have, "
            "which includes all objects users must create."}
        return 200, {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
                     "components": {"schemas": schemas}}

    def _table(self, body, parts):
        from labkube.kubectl.printers.columns import columns_for

        gv = "v1" if parts[0] == "api" else f"{parts[1]}/{parts[2]}"
        kind = body["kind"][:-4] if "items" in body else body["kind"]
        rtype = next(r for r in self.groups[gv] if r.kind == kind)
        items = body["items"] if "items" in body else [body]
        cset = columns_for(rtype)
        rows = [{"cells": cset.row({"apiVersion": gv, "kind": kind, **item}, self.now),
                 "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                            "metadata": item["metadata"]}} for item in items]
        declared = [dict(c) for c in getattr(rtype, "printer_columns", ())]
        types = ["string"] + [c.get("type", "string") for c in declared] if declared else None
        columns = [{"name": c.name, "type": types[i] if types else "string",
                    "format": "name" if c.is_name else "", "description": "", "priority": c.priority}
                   for i, c in enumerate(cset.columns)]
        return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "100"},
                "columnDefinitions": columns, "rows": rows}


if __name__ == "__main__":
    cluster = crd_cases.build()
    CustomResourceAPIServer.registry_source = cluster.registry
    crd_cases.build = lambda: cluster
    scenario_capture.FakeAPIServer = CustomResourceAPIServer
    scenario_capture.capture_scenario(crd_cases)
