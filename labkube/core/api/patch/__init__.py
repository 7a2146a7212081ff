"""Patch semantics: JSON merge patch, JSON patch and strategic merge patch.

Mirrors the three patch types kube-apiserver accepts on ``PATCH`` (the request's Content-Type
chooses one) and the patch builders kubectl uses:

=================  =====================================  ========================================
patch_type         Content-Type                           module
=================  =====================================  ========================================
``"merge"``        application/merge-patch+json           :mod:`.merge` (RFC 7386)
``"json"``         application/json-patch+json            :mod:`.jsonpatch` (RFC 6902)
``"strategic"``    application/strategic-merge-patch+json :mod:`.strategic` (Kubernetes' own)
=================  =====================================  ========================================

``create_two_way_merge_patch`` and ``create_three_way_merge_patch`` compute strategic patches
the way kubectl does for ``apply``, ``label``, ``annotate``, ``edit`` and ``set image``.

Every function returns new objects and never mutates its inputs. Failures are
:class:`~labkube.core.errors.StatusError` with kube-apiserver's code and text.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core import errors
from labkube.core.api.patch.gojson import decode_json, GO_MAP
from labkube.core.api.patch.jsonpatch import JSONPatchError, json_patch
from labkube.core.api.patch.merge import (
    create_merge_patch,
    create_three_way_json_merge_patch,
    deep_copy,
    json_merge_patch,
)
from labkube.core.api.patch.strategic import (
    PatchError,
    create_three_way_merge_patch,
    create_two_way_merge_patch,
    has_strategic_info,
    strategic_merge_patch,
)

__all__ = [
    "PATCH_TYPES", "CONTENT_TYPES", "JSONPatchError", "PatchError", "apply_patch",
    "create_merge_patch", "create_three_way_json_merge_patch", "create_three_way_merge_patch",
    "create_two_way_merge_patch", "deep_copy", "has_strategic_info", "json_merge_patch",
    "json_patch", "normalize_patch_type", "strategic_merge_patch", "touched_fields",
]

#: patch_type -> the Content-Type kubectl sends for it.
CONTENT_TYPES = {
    "json": "application/json-patch+json",
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
}

#: Every accepted spelling -> the short name.
PATCH_TYPES = {**{name: name for name in CONTENT_TYPES}, **{v: k for k, v in CONTENT_TYPES.items()}}


def normalize_patch_type(patch_type: str) -> str:
    """``"application/merge-patch+json"`` -> ``"merge"``; 415 for an unknown type."""
    name = PATCH_TYPES.get(patch_type.split(";", 1)[0].strip().lower())
    if name is None:
        accepted = ", ".join(CONTENT_TYPES[n] for n in ("json", "merge", "strategic"))
        raise errors.unsupported_media_type(
            f"the body of the request was in an unknown format - accepted media types include: "
            f"{accepted}, application/apply-patch+yaml")
    return name


def apply_patch(target: dict, patch: Any, patch_type: str, api_version: str, kind: str, *,
                owned: bool = False, patch_owned: bool = False) -> dict:
    """Apply ``patch`` (a parsed value or JSON text) of ``patch_type`` to a copy of ``target``
    (``owned``: to ``target`` itself, which the caller gives away -- the API server's patch
    handler owns the object it just decoded, so copying it again would be waste;
    ``patch_owned``: the patch is given away too, so a JSON patch's values go in uncopied)."""
    name = normalize_patch_type(patch_type)
    if name == "json":
        return json_patch(target, patch, owned=owned, values_owned=patch_owned)
    if isinstance(patch, (str, bytes)):
        patch = _decode_object_patch(patch, name)
    if name == "merge":
        if not isinstance(patch, dict):
            raise errors.bad_request("Invalid JSON Patch")
        return json_merge_patch(target, patch, owned=owned)
    return strategic_merge_patch(target, patch, api_version, kind, owned=owned)


def touched_fields(patch: Any, patch_type: str) -> Optional[frozenset]:
    """The top-level fields a parsed ``patch`` can change (``{"status"}`` for the kubelet's
    ``replace /status``), or None when that is not known without applying it: a patch still in
    JSON text, a JSON patch on the whole document, a strategic patch with a top-level
    ``$patch`` or ``$setElementOrder`` directive."""
    name = PATCH_TYPES.get(patch_type.split(";", 1)[0].strip().lower())
    if name == "json":
        return _json_patch_fields(patch)
    if not isinstance(patch, dict) or any(key.startswith("$") for key in patch):
        return None
    return frozenset(patch)


def _json_patch_fields(ops: Any) -> Optional[frozenset]:
    if not isinstance(ops, list):
        return None
    fields = set()
    for op in ops:
        if not isinstance(op, dict):
            return None
        for pointer in (op.get("path"), op.get("from")):
            if pointer is None:
                continue
            if not isinstance(pointer, str) or not pointer.startswith("/"):
                return None  # the whole document, or an invalid pointer the patch will refuse
            first = pointer[1:].split("/", 1)[0]
            fields.add(first.replace("~1", "/").replace("~0", "~"))
    return frozenset(fields)


def _decode_object_patch(body: str | bytes, name: str) -> Any:
    try:
        return decode_json(body, GO_MAP, dict)
    except ValueError as err:
        raise errors.bad_request("Invalid JSON Patch" if name == "merge" else str(err)) from None
