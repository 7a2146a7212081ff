"""``/openapi/v3``: the part of kube-apiserver's OpenAPI v3 documents that kubectl reads to decide
who validates a manifest.

Mirrors k8s.io/kube-openapi pkg/handler3 (the index ``{"paths": {"apis/apps/v1":
{"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=<ETag>"}}}``, the ETag being the
upper-case hex SHA-512 of the document) and, in each group/version's document, the operations
k8s.io/apiserver's endpoint installer writes: per resource path, each verb's operation with its
``x-kubernetes-action`` and ``x-kubernetes-group-version-kind``, and the ``fieldValidation``
query parameter of the writes (POST, PUT, PATCH).

Why it matters: kubectl 1.32 (``apply``, ``create``, ``replace`` with the default
``--validate=strict``) asks ``/openapi/v3`` whether the server supports ``fieldValidation``
for the kind (kubectl's ``queryParamVerifierV3`` looks for a PATCH operation of that GVK with the
parameter); when it does, kubectl sends ``?fieldValidation=Strict`` and leaves the checking to
the server, as against any 1.32 API server. Without the documents kubectl falls back to its own
validation, which needs ``/openapi/v2``, and fails with ``failed to download openapi``.

Not modelled: ``components.schemas`` (the kinds' schemas, which ``kubectl explain`` reads), the
``/api``, ``/apis`` and ``/apis/<group>`` documents, and the operations' other parameters.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Optional

WRITE_PARAMETERS = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}}]


def group_version_path(api_version: str) -> str:
    """``v1`` -> ``api/v1``; ``apps/v1`` -> ``apis/apps/v1``."""
    return "api/v1" if api_version == "v1" else f"apis/{api_version}"


def document(rtypes: Iterable[Any], api_version: str) -> dict:
    """The OpenAPI v3 document of one group/version: its resources' operations."""
    prefix = "/" + group_version_path(api_version)
    paths: dict = {}
    for rtype in sorted(rtypes, key=lambda r: r.plural):
        gvk = {"group": rtype.group, "version": rtype.version, "kind": rtype.kind}
        scope = f"{prefix}/namespaces/{{namespace}}/" if rtype.namespaced else f"{prefix}/"
        paths[scope + rtype.plural] = {
            "get": _operation("list", gvk),
            "post": _operation("post", gvk, WRITE_PARAMETERS),
        }
        paths[scope + rtype.plural + "/{name}"] = {
            "get": _operation("get", gvk),
            "put": _operation("put", gvk, WRITE_PARAMETERS),
            "delete": _operation("delete", gvk),
            "patch": _operation("patch", gvk, WRITE_PARAMETERS),
        }
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
            "components": {"schemas": {}}}


def _operation(action: str, gvk: dict, parameters: Optional[list] = None) -> dict:
    operation: dict = {"x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk}
    if parameters:
        operation["parameters"] = parameters
    return operation


def etag(value: dict) -> str:
    """handler3's ETag of a document: the SHA-512 of its JSON, in upper-case hex."""
    return hashlib.sha512(json.dumps(value, separators=(",", ":")).encode()).hexdigest().upper()


def index(documents: dict[str, dict]) -> dict:
    """``/openapi/v3``: each group/version's path with the URL of its current document."""
    return {"paths": {path: {"serverRelativeURL": f"/openapi/v3/{path}?hash={etag(doc)}"}
                      for path, doc in sorted(documents.items())}}


def serve(rtypes: Iterable[Any], segments: list) -> Optional[dict]:
    """The document for ``/openapi/v3[/<group/version path>]``; None when there is none."""
    by_version: dict[str, list] = {}
    for rtype in rtypes:
        by_version.setdefault(rtype.api_version, []).append(rtype)
    documents = {group_version_path(gv): document(types, gv) for gv, types in by_version.items()}
    rest = "/".join(segments[2:])
    if not rest:
        return index(documents)
    return documents.get(rest)
