"""Namespaces, Nodes, ConfigMaps, Secrets, ServiceAccounts, Leases and Events.

Mirrors pkg/apis/core/validation/validation.go (``ValidateNamespace``, ``ValidateNode``,
``ValidateConfigMap``/``ValidateConfigMapUpdate``, ``ValidateSecret``/``ValidateSecretUpdate``,
``ValidateServiceAccount``), pkg/apis/coordination/validation (``ValidateLease``) and
pkg/apis/core/validation/events.go (``ValidateEventCreate``/``ValidateEventUpdate``: v1 Events
get only the legacy checks, events.k8s.io/v1 Events the strict ones -- series, the deprecated
fields unset, and on update every field but the series and metadata immutable -- reported with
the internal field names ``involvedObject``, ``message``, ``reportingController`` as
kube-apiserver reports them; lengths are counted in bytes, as Go's ``len``).
"""

from __future__ import annotations

import base64
import binascii

from datetime import datetime, timezone

from labkube.core.api.validation import meta, names, pods
from labkube.core.clock import parse_timestamp
from labkube.core.errors import FieldError, GoText, go_quote

MAX_SECRET_SIZE = 1 * 1024 * 1024
IMMUTABLE_WHEN_SET = "field is immutable when `immutable` is set"


def _meta(obj: dict, old: dict | None, namespaced: bool, name_fn=names.name_is_dns_subdomain):
    if old is None:
        return meta.validate_object_meta(obj.get("metadata"), namespaced, name_fn)
    return meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))


# -- Namespace and Node -----------------------------------------------------------


def validate_namespace(obj: dict, old: dict | None = None) -> list[FieldError]:
    errs = _meta(obj, old, False, names.name_is_dns_label)
    for finalizer in (obj.get("spec") or {}).get("finalizers") or ():
        errs.extend(meta.qualified_name(finalizer, "spec.finalizers"))
        if "/" not in finalizer and finalizer != "kubernetes":
            errs.append(FieldError.invalid("spec.finalizers", finalizer,
                                           "name is neither a standard finalizer name nor is it fully qualified"))
    return errs


def validate_node(obj: dict, old: dict | None = None) -> list[FieldError]:
    errs = _meta(obj, old, False)
    spec = obj.get("spec") or {}
    for i, taint in enumerate(spec.get("taints") or ()):
        tpath = f"spec.taints[{i}]"
        errs.extend(meta.qualified_name(taint.get("key", ""), tpath + ".key"))
        value = taint.get("value", "")
        if value:
            errs.extend(FieldError.invalid(tpath + ".value", value, m)
                        for m in names.is_valid_label_value(value))
        effect = taint.get("effect", "")
        if not effect:
            errs.append(FieldError.required(tpath + ".effect"))
        elif effect not in pods.TAINT_EFFECTS:
            errs.append(FieldError.not_supported(tpath + ".effect", effect, pods.TAINT_EFFECTS))
    return errs


def validate_service_account(obj: dict, old: dict | None = None) -> list[FieldError]:
    return _meta(obj, old, True)


# -- ConfigMap and Secret ---------------------------------------------------------


def _keys(data: dict | None, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for key in sorted(data or {}):
        errs.extend(FieldError.invalid(f"{path}[{key}]", key, m) for m in names.is_config_map_key(key))
    return errs


def _immutable_data(obj: dict, old: dict, keys: tuple[str, ...]) -> list[FieldError]:
    if not old.get("immutable"):
        return []
    errs: list[FieldError] = []
    if not obj.get("immutable"):
        errs.append(FieldError.forbidden("immutable", IMMUTABLE_WHEN_SET))
    for key in keys:
        if (obj.get(key) or {}) != (old.get(key) or {}):
            errs.append(FieldError.forbidden(key, IMMUTABLE_WHEN_SET))
    return errs


def validate_config_map(obj: dict, old: dict | None = None) -> list[FieldError]:
    errs = _meta(obj, old, True)
    if old is not None:
        errs.extend(_immutable_data(obj, old, ("data", "binaryData")))
    data, binary = obj.get("data") or {}, obj.get("binaryData") or {}
    for key in sorted(data):
        errs.extend(FieldError.invalid(f"data[{key}]", key, m) for m in names.is_config_map_key(key))
        if key in binary:
            errs.append(FieldError.invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
    errs.extend(_keys(binary, "binaryData"))
    size = sum(len(v or "") for v in data.values()) + sum(_decoded_len(v) for v in binary.values())
    if size > MAX_SECRET_SIZE:
        errs.append(FieldError("TooLong", "", "", f"may not be more than {MAX_SECRET_SIZE} bytes"))
    return errs


def _decoded_len(value: str) -> int:
    try:
        return len(base64.b64decode(value or ""))
    except (binascii.Error, ValueError):
        return 0


_SECRET_REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def validate_secret(obj: dict, old: dict | None = None) -> list[FieldError]:
    errs = _meta(obj, old, True)
    data = obj.get("data") or {}
    errs.extend(_keys(data, "data"))
    if sum(_decoded_len(v) for v in data.values()) > MAX_SECRET_SIZE:
        errs.append(FieldError("TooLong", "data", "", f"may not be more than {MAX_SECRET_SIZE} bytes"))
    kind = obj.get("type", "")
    if kind == "kubernetes.io/service-account-token":
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if not annotations.get("kubernetes.io/service-account.name"):
            errs.append(FieldError.required("metadata.annotations[kubernetes.io/service-account.name]"))
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs.append(FieldError.required("data[username]"))
            errs.append(FieldError.required("data[password]"))
    elif kind in _SECRET_REQUIRED_KEYS:
        for key in _SECRET_REQUIRED_KEYS[kind]:
            if key not in data:
                errs.append(FieldError.required(f"data[{key}]"))
                if kind != "kubernetes.io/tls":
                    break
    if old is not None:
        errs.extend(meta.immutable(kind, old.get("type", ""), "type"))
        errs.extend(_immutable_data(obj, old, ("data",)))
    return errs


# -- Lease ---------------------------------------------------------------------------


def validate_lease(obj: dict, old: dict | None = None) -> list[FieldError]:
    errs = _meta(obj, old, True)
    spec = obj.get("spec") or {}
    duration = spec.get("leaseDurationSeconds")
    if duration is not None and duration <= 0:
        errs.append(FieldError.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    transitions = spec.get("leaseTransitions")
    if transitions is not None and transitions < 0:
        errs.append(FieldError.invalid("spec.leaseTransitions", transitions, meta.IS_NEGATIVE))
    strategy = spec.get("strategy")
    if strategy is not None and strategy not in ("OldestEmulationVersion",):
        errs.append(FieldError.not_supported("spec.strategy", strategy, ("OldestEmulationVersion",)))
    return errs


# -- Events --------------------------------------------------------------------------

_EVENTS_V1_FIELDS = {"regarding": "involvedObject", "note": "message",
                     "deprecatedCount": "count", "deprecatedFirstTimestamp": "firstTimestamp",
                     "deprecatedLastTimestamp": "lastTimestamp", "deprecatedSource": "source"}


def _internal_event(obj: dict) -> dict:
    """An events.k8s.io/v1 Event with core field names (as the internal type has them)."""
    return {_EVENTS_V1_FIELDS.get(k, k): v for k, v in obj.items()}


def validate_core_event(obj: dict, old: dict | None = None) -> list[FieldError]:
    return _legacy_event(obj, "reportingComponent")


def validate_events_event(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateEventCreate``/``ValidateEventUpdate`` for a request through events.k8s.io/v1."""
    event = _internal_event(obj)
    errs = _legacy_event(event, "reportingController")
    if old is None:
        errs.extend(_meta(obj, None, True))
        errs.extend(_event_series(event))
        errs.extend(_new_api_fields(event))
        return errs
    old_event = _internal_event(old)
    errs.extend(_meta(obj, old, True))
    if event.get("series") != old_event.get("series"):
        errs.extend(_event_series(event))
    errs.extend(_immutable_event_fields(event, old_event))
    return errs


def _new_api_fields(event: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    if not event.get("eventTime"):
        errs.append(FieldError.required("eventTime"))
    if event.get("type") not in ("Normal", "Warning"):
        errs.append(FieldError.invalid("type", "", f"has invalid value: {event.get('type') or ''}"))
    for key in ("firstTimestamp", "lastTimestamp"):
        if event.get(key):
            errs.append(FieldError.invalid(key, "", "needs to be unset"))
    if event.get("count"):
        errs.append(FieldError.invalid("count", "", "needs to be unset"))
    source = event.get("source") or {}
    if source.get("component") or source.get("host"):
        errs.append(FieldError.invalid("source", "", "needs to be unset"))
    return errs


def _event_series(event: dict) -> list[FieldError]:
    """``validateV1EventSeries``: a series counts at least 2 and has a lastObservedTime."""
    series = event.get("series")
    if not series:
        return []
    errs: list[FieldError] = []
    if (series.get("count") or 0) < 2:
        errs.append(FieldError.invalid("series.count", "", "should be at least 2"))
    if not series.get("lastObservedTime"):
        errs.append(FieldError.required("series.lastObservedTime"))
    return errs


#: ``ValidateEventUpdate``'s immutable fields, in its order (``reason`` is checked twice there)
#: with how Go prints each value in the error (``%#v`` for structs, ``String()`` for times).
_IMMUTABLE_EVENT_FIELDS = (
    ("involvedObject", "reference"), ("reason", "string"), ("message", "string"), ("source", "source"),
    ("firstTimestamp", "time"), ("lastTimestamp", "time"), ("count", "int"), ("reason", "string"),
    ("type", "string"), ("eventTime", "time"), ("action", "string"), ("related", "pointer"),
    ("reportingController", "string"), ("reportingInstance", "string"),
)


def _immutable_event_fields(event: dict, old: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    for key, shape in _IMMUTABLE_EVENT_FIELDS:
        new_value, old_value = event.get(key), old.get(key)
        if _event_field_value(new_value, shape) != _event_field_value(old_value, shape):
            errs.append(FieldError.invalid(key, _go_event_value(new_value, shape), meta.FIELD_IMMUTABLE))
    return errs


def _event_field_value(value, shape: str):
    """A field's value with Go's zero values filled in, so absent and empty compare equal."""
    if shape in ("reference", "source"):
        return {k: v for k, v in (value or {}).items() if v}
    if shape == "pointer":
        return {k: v for k, v in value.items() if v} if value else None
    if shape == "time":
        return parse_timestamp(value) if value else None
    return value or ("" if shape == "string" else 0)


_REFERENCE_FIELDS = (("Kind", "kind"), ("Namespace", "namespace"), ("Name", "name"), ("UID", "uid"),
                     ("APIVersion", "apiVersion"), ("ResourceVersion", "resourceVersion"),
                     ("FieldPath", "fieldPath"))


def _go_event_value(value, shape: str):
    """The bad value as ``field.Error`` prints it for each kind of Event field."""
    if shape == "pointer" and not value:
        return None
    if shape in ("reference", "pointer"):
        fields = ", ".join(f"{go}:{go_quote((value or {}).get(js) or '')}" for go, js in _REFERENCE_FIELDS)
        return GoText(f"core.ObjectReference{{{fields}}}")
    if shape == "source":
        source = value or {}
        return GoText(f"core.EventSource{{Component:{go_quote(source.get('component') or '')}, "
                      f"Host:{go_quote(source.get('host') or '')}}}")
    if shape == "time":
        return GoText(_go_time_string(value))
    return value or ("" if shape == "string" else 0)


def _go_time_string(value: str | None) -> str:
    """``time.Time.String()``: ``2025-01-01 00:00:00.5 +0000 UTC`` (zero: year 1)."""
    if not value:
        return "0001-01-01 00:00:00 +0000 UTC"
    seconds = parse_timestamp(value)
    whole = datetime.fromtimestamp(int(seconds // 1), tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    micros = round((seconds % 1) * 1_000_000)
    fraction = f".{micros:06d}".rstrip("0") if micros else ""
    return f"{whole}{fraction} +0000 UTC"


def _legacy_event(event: dict, controller_field: str) -> list[FieldError]:
    errs: list[FieldError] = []
    namespace = (event.get("metadata") or {}).get("namespace", "")
    involved_ns = (event.get("involvedObject") or {}).get("namespace", "")
    controller = event.get("reportingController", event.get("reportingComponent", ""))
    if not event.get("eventTime"):
        if involved_ns:
            if namespace != involved_ns:
                errs.append(FieldError.invalid("involvedObject.namespace", involved_ns,
                                               "does not match event.namespace"))
        elif namespace not in ("", "default"):
            errs.append(FieldError.invalid("involvedObject.namespace", involved_ns,
                                           "does not match event.namespace"))
    else:
        if not involved_ns and namespace not in ("default", "kube-system"):
            errs.append(FieldError.invalid("involvedObject.namespace", involved_ns,
                                           "does not match event.namespace"))
        if not controller:
            errs.append(FieldError.required(controller_field))
        errs.extend(meta.qualified_name(controller, controller_field))
        errs.extend(_event_lengths(event))
    errs.extend(FieldError.invalid("namespace", namespace, m)
                for m in names.is_dns1123_subdomain(namespace))
    return errs


def _event_lengths(event: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    for key, limit, required in (("reportingInstance", 128, True), ("action", 128, True),
                                 ("reason", 128, True), ("message", 1024, False)):
        value = event.get(key) or ""
        if required and not value:
            errs.append(FieldError.required(key))
        if len(value.encode()) > limit:  # Go's len: bytes
            errs.append(FieldError.invalid(key, "", f"can have at most {limit} characters"))
    return errs
