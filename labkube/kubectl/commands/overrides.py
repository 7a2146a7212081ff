"""``--overrides`` and ``--override-type`` of ``kubectl run`` and ``kubectl expose``.

Mirrors k8s.io/kubectl/pkg/cmd/util/override_options.go: after the generator has built its
object, and before ``--save-config`` annotates it, kubectl patches it with the inline JSON of
``--overrides`` -- an RFC 7396 merge patch by default (``merge``), an RFC 6902 JSON patch
(``json``) or a strategic merge patch (``strategic``) -- and decodes the result into its Go type
again. That round trip is what a student sees in ``--dry-run=client -o yaml``: fields Go does not
know are gone, quantities are canonical (``cpu: 0.5`` becomes ``500m``), always-encoded structs
come back (a container's ``resources: {}``), and a value of the wrong type fails with Go's
``json: cannot unmarshal ...``. All of this happens in kubectl, before anything is sent, so the
errors are kubectl's own (``error: invalid override type: foo``), not the API server's.
"""

from __future__ import annotations

import json
from typing import Any

from labkube.core.api import decode
from labkube.core.api.customresource import CustomResourceType
from labkube.core.api.registry.strategy import order_metadata
from labkube.core.api.patch import apply_patch
from labkube.core.api.patch.jsonpatch import JSONPatchError
from labkube.core.errors import StatusError
from labkube.kubectl.commands._set_helpers import POD_SPEC_PATHS, as_typed
from labkube.kubectl.errors import KubectlError

OVERRIDE_TYPES = ("json", "merge", "strategic")

#: The struct kubectl first decodes a patched document into, to find its kind (Go's %v of it).
_TYPE_META_STRUCT = ('struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
                     'Kind string "json:\\"kind,omitempty\\"" }')

#: The scheme kubectl decodes with, as its "no kind registered" error names it.
_SCHEME = "pkg/scheme/scheme.go:28"


def apply_overrides(ctx: Any, obj: dict) -> dict:
    """``obj`` patched by ``--overrides`` and decoded into its Go type again (``obj`` itself
    when the flag is empty); :class:`KubectlError` with kubectl's text when that fails."""
    text = ctx.flags.get("overrides") or ""
    if not text:
        return obj
    override_type = ctx.flags.get("override-type") or "merge"
    if override_type not in OVERRIDE_TYPES:
        raise KubectlError(f"error: invalid override type: {override_type}")
    patched = _patch(obj, text, override_type)
    return _as_go_type(ctx, patched)


def _patch(obj: dict, text: str, override_type: str) -> Any:
    """The patched document, as evanphx/json-patch or strategicpatch leave it."""
    if override_type == "json":
        return _server_patch(obj, text, override_type)
    try:
        fragment = json.loads(text)
    except ValueError:
        fragment = _BAD
    if override_type == "strategic":
        if not isinstance(fragment, dict):
            raise KubectlError("error: invalid JSON document")  # mergepatch.ErrBadJSONDoc
        return _server_patch(obj, fragment, override_type)
    if isinstance(fragment, list):
        return fragment  # a merge patch that is an array replaces the whole document
    if not isinstance(fragment, dict):
        raise KubectlError("error: Invalid JSON Patch")  # neither an object nor an array
    return _server_patch(obj, fragment, override_type)


_BAD = object()


def _server_patch(obj: dict, patch: Any, override_type: str) -> Any:
    try:
        return apply_patch(obj, patch, override_type, obj.get("apiVersion", ""), obj.get("kind", ""))
    except StatusError as err:
        cause = err.__cause__
        message = str(cause) if isinstance(cause, JSONPatchError) else err.message
        raise KubectlError(f"error: {message}") from None


def _as_go_type(ctx: Any, doc: Any) -> dict:
    """The patched document decoded into the Go type its apiVersion/kind name: first its
    TypeMeta (to find the type), then the whole object."""
    if not isinstance(doc, dict):
        _type_meta_error(f"Go value of type {_TYPE_META_STRUCT}", doc)
    for field in ("apiVersion", "kind"):
        if doc.get(field) is not None and not isinstance(doc[field], str):
            _type_meta_error(f"Go struct field .{field} of type string", doc[field])
    api_version, kind = doc.get("apiVersion") or "", doc.get("kind") or ""
    if not kind:
        shown = {"apiVersion": api_version, "kind": kind, **doc}
        raise KubectlError(f"error: Object 'Kind' is missing in '{json.dumps(shown, separators=(',', ':'))}'")
    rtype = _builtin_type(ctx, api_version, kind)
    if rtype is None:
        raise KubectlError(f'error: no kind "{kind}" is registered for version "{api_version}" '
                           f'in scheme "{_SCHEME}"')
    try:
        decode.strict_decode(doc, rtype, decode.IGNORE)
    except StatusError as err:
        raise KubectlError(f"error: {_go_decode_error(err.message)}") from None
    return _with_go_zero_values(doc)


def _with_go_zero_values(doc: dict) -> dict:
    """What encoding the Go struct adds back: fields without ``omitempty`` and struct
    fields (``omitempty`` never drops a struct) -- ``creationTimestamp: null``, a container's
    ``resources: {}``, a pod spec's ``containers: null``, a Service's ``status.loadBalancer``."""
    doc.setdefault("metadata", {})
    if isinstance(doc["metadata"], dict):
        doc["metadata"].setdefault("creationTimestamp", None)
    if doc["kind"] == "Service" and doc["apiVersion"] == "v1":
        return _service_in_go_order(doc)
    path = POD_SPEC_PATHS.get(doc["kind"])
    if path is None:
        return doc
    typed_doc = as_typed(doc)
    pod_spec = typed_doc
    for key in path:
        pod_spec = pod_spec.get(key) if isinstance(pod_spec, dict) else None
    if isinstance(pod_spec, dict):
        pod_spec.setdefault("containers", None)
    return typed_doc


def _type_meta_error(target: str, value: Any) -> None:
    raise KubectlError("error: couldn't get version/kind; json parse error: json: cannot unmarshal "
                       f"{_json_kind(value)} into {target}")


def _builtin_type(ctx: Any, api_version: str, kind: str):
    """The resource type kubectl's own scheme knows (built-in kinds; never a CRD's)."""
    try:
        rtype = ctx.registry.for_kind(api_version, kind)
    except StatusError:
        return None
    return None if isinstance(rtype, CustomResourceType) else rtype


#: Go struct field order of a v1 Service's parts (``-o json`` prints in it).
_SERVICE_SPEC = ("ports", "selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity",
                 "loadBalancerIP", "loadBalancerSourceRanges", "externalName", "externalTrafficPolicy",
                 "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinityConfig", "ipFamilies",
                 "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass",
                 "internalTrafficPolicy", "trafficDistribution")
_SERVICE_PORT = ("name", "protocol", "appProtocol", "port", "targetPort", "nodePort")
_SERVICE_STATUS = ("loadBalancer", "conditions")
_CONDITION = ("type", "status", "observedGeneration", "lastTransitionTime", "reason", "message")


def _service_in_go_order(doc: dict) -> dict:
    spec = _ordered(doc.get("spec") or {}, _SERVICE_SPEC)
    if isinstance(spec.get("ports"), list):
        spec["ports"] = [_ordered(port, _SERVICE_PORT) for port in spec["ports"]]
    status = _ordered(doc.get("status") or {}, _SERVICE_STATUS)
    status.setdefault("loadBalancer", {})
    status = _ordered(status, _SERVICE_STATUS)
    if isinstance(status.get("conditions"), list):
        status["conditions"] = [_ordered({**c, "lastTransitionTime": c.get("lastTransitionTime")}, _CONDITION)
                                for c in status["conditions"]]
    out = {"kind": doc["kind"], "apiVersion": doc["apiVersion"], "metadata": order_metadata(doc["metadata"])}
    out.update({key: value for key, value in doc.items() if key not in ("spec", "status") and key not in out})
    out["spec"] = spec
    out["status"] = status
    return out


def _ordered(value: Any, order: tuple) -> Any:
    """``value``'s keys in ``order`` (a field Go does not know would have been dropped)."""
    if not isinstance(value, dict):
        return value
    return {key: value[key] for key in order if key in value}


def _go_decode_error(message: str) -> str:
    """The Go error inside the API server's ``<Kind> in version ... cannot be handled`` text."""
    head, sep, tail = message.partition(": ")
    return tail if sep and "cannot be handled as" in head else message


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"
