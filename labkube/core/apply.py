"""``kubectl apply`` (client-side): create the object, or patch it toward the new configuration.

Mirrors k8s.io/kubectl/pkg/cmd/apply (``applyOneObject``, ``patcher``) and
k8s.io/kubectl/pkg/util (``GetModifiedConfiguration``):

1. The configuration gets its namespace filled in (``default`` unless given), then is
   serialized — keys sorted, compact, a trailing newline, ``metadata.annotations`` present
   (``{}`` when empty) and without the annotation itself — into the annotation
   ``kubectl.kubernetes.io/last-applied-configuration``.
2. If the object does not exist it is created with that annotation → ``"created"``.
3. Otherwise kubectl computes a three-way strategic merge patch: *original* = the live object's
   last-applied annotation, *modified* = the configuration with its new annotation, *current*
   = the live object. Fields removed from the configuration since the last apply are deleted;
   fields that others set (controllers, defaults, ``kubectl scale``) are kept. An empty patch
   ``{}`` is not sent → ``"unchanged"``; otherwise it is sent as
   ``application/strategic-merge-patch+json`` → ``"configured"``. Kinds without strategic
   information fall back to a three-way JSON merge patch, as kubectl does for custom resources.
   A 409 Conflict is retried (up to 5 times) after re-reading the live object.

The ``client`` is labkube's Client (``get``, ``create``, ``patch``); errors are its
StatusErrors, unchanged.

    >>> last_applied_configuration({"apiVersion": "v1", "kind": "ConfigMap",
    ...                             "metadata": {"name": "c", "namespace": "default"}})
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"annotations":{},"name":"c","namespace":"default"}}\\n'
"""

from __future__ import annotations

import json
from typing import Any

from labkube.core import errors
from labkube.core.api import patch as patches
from labkube.core.api.resources import default_registry

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
MAX_PATCH_RETRY = 5

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
               "\u2029": "\\u2029"}


def go_json(value: Any) -> str:
    """Go's ``json.Encoder.Encode`` of a map: sorted keys, compact, HTML-escaped, newline."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if any(char in text for char in _GO_ESCAPES):
        text = "".join(_GO_ESCAPES.get(char, char) for char in text)
    return text + "\n"


def last_applied_configuration(obj: dict) -> str:
    """The annotation's value for ``obj``: the object without the annotation, serialized."""
    config = patches.deep_copy(obj)
    metadata = config.setdefault("metadata", {})
    annotations = metadata.get("annotations") or {}
    annotations.pop(LAST_APPLIED_ANNOTATION, None)
    metadata["annotations"] = annotations
    return go_json(config)


def with_last_applied(obj: dict) -> dict:
    """``GetModifiedConfiguration(obj, annotate=true)``: ``obj`` carrying its own annotation."""
    annotated = patches.deep_copy(obj)
    metadata = annotated.setdefault("metadata", {})
    annotations = dict(metadata.get("annotations") or {})
    annotations[LAST_APPLIED_ANNOTATION] = last_applied_configuration(obj)
    metadata["annotations"] = annotations
    return annotated


#: ``apply_object``'s ``live`` when the caller has not read the object yet.
UNREAD: Any = object()


def apply_object(client: Any, obj: dict, *, namespace: str = "default",
                 dry_run: bool = False, live: Any = UNREAD) -> tuple[dict, str]:
    """Apply one configuration object; returns (live object, "created"|"configured"|"unchanged").

    ``dry_run`` is ``kubectl apply --dry-run=server``: the create or patch is sent with
    ``dry_run=True`` and the server answers with what it would have stored. ``live`` is the
    object as the caller just read it (None: it does not exist), so it is not read twice
    (kubectl reads it once, with ``info.Get()``).
    """
    rtype = _resource_type(client, obj)
    config = patches.deep_copy(obj)
    metadata = config.setdefault("metadata", {})
    if rtype.namespaced and not metadata.get("namespace"):
        metadata["namespace"] = namespace
    ns = metadata.get("namespace") if rtype.namespaced else None
    if ns is not None and not isinstance(ns, str):
        ns = namespace  # one of another type addresses nothing; the server refuses the object
    name = metadata.get("name") or ""
    modified = with_last_applied(config)
    if live is UNREAD:
        live = _get_or_none(client, rtype, name, ns)
    if live is None:
        return client.create(modified, namespace=ns, dry_run=dry_run), "created"
    patch_type = "strategic" if _strategic(config) else "merge"
    attempt = 1
    while True:
        patch = apply_patch_for(live, modified)
        if not patch:
            return live, "unchanged"
        try:
            return (client.patch(rtype, name, patch, namespace=ns, patch_type=patch_type, dry_run=dry_run),
                    "configured")
        except errors.StatusError as err:
            if err.code != 409 or attempt >= MAX_PATCH_RETRY:
                raise
        attempt += 1
        live = client.get(rtype, name, ns)


def apply_patch_for(live: dict, modified: dict) -> dict:
    """The patch kubectl apply sends to turn ``live`` toward ``modified`` (may be ``{}``)."""
    original = _last_applied_of(live)
    api_version, kind = modified.get("apiVersion", ""), modified.get("kind", "")
    if patches.has_strategic_info(api_version, kind):
        return patches.create_three_way_merge_patch(original, modified, live, api_version, kind)
    return patches.create_three_way_json_merge_patch(original, modified, live)


def _last_applied_of(live: dict) -> dict | None:
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED_ANNOTATION)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _strategic(config: dict) -> bool:
    return patches.has_strategic_info(config.get("apiVersion", ""), config.get("kind", ""))


def _resource_type(client: Any, obj: dict):
    registry = getattr(getattr(client, "server", None), "registry", None) or default_registry()
    return registry.for_kind(obj.get("apiVersion", ""), obj.get("kind", ""))


def _get_or_none(client: Any, rtype: Any, name: str, namespace: str | None) -> dict | None:
    try:
        return client.get(rtype, name, namespace)
    except errors.StatusError as err:
        if err.code == 404:
            return None
        raise
