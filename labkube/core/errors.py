"""API errors, shaped like Kubernetes' ``Status`` objects.

Mirrors k8s.io/apimachinery/pkg/api/errors and pkg/util/validation/field.

Every failure the API server reports is one exception type, :class:`StatusError`, which
carries the same ``Status`` object a real kube-apiserver returns (``code``, ``reason``,
``message``, ``details.causes``) in its words. The constructors below (``not_found``,
``conflict``, ``invalid`` ...) produce kube-apiserver's exact messages, for example::

    >>> invalid("Deployment.apps", "web",
    ...         [FieldError.invalid("spec.replicas", -1, "must be greater than or equal to 0")]).message
    'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'

Field errors (:class:`FieldError`) render like Go's ``field.Error``: the field path, the error
type, the offending value formatted as Go would print it, then a detail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

# ---------------------------------------------------------------------------
# Field errors (pkg/util/validation/field)
# ---------------------------------------------------------------------------

# field.ErrorType -> (String(), StatusCause reason)
_FIELD_ERROR_TYPES = {
    "NotFound": ("Not found", "FieldValueNotFound"),
    "Required": ("Required value", "FieldValueRequired"),
    "Duplicate": ("Duplicate value", "FieldValueDuplicate"),
    "Invalid": ("Invalid value", "FieldValueInvalid"),
    "NotSupported": ("Unsupported value", "FieldValueNotSupported"),
    "Forbidden": ("Forbidden", "FieldValueForbidden"),
    "TooLong": ("Too long", "FieldValueTooLong"),
    "TooMany": ("Too many", "FieldValueTooMany"),
    "Internal": ("Internal error", "InternalError"),
    "TypeInvalid": ("Invalid value", "FieldValueTypeInvalid"),
}

# Types whose message never shows the bad value (field.Error.ErrorBody).
_VALUELESS_TYPES = {"Required", "Forbidden", "TooLong", "Internal"}

_OMIT = object()


class GoText(str):
    """A bad value already rendered as Go would print it (e.g. ``map[string]string{"a":"b"}``),
    shown as-is instead of quoted."""


def go_value(value: Any) -> str:
    """Format a bad value the way Go prints it inside a field error (``%v`` or ``%q``)."""
    if isinstance(value, GoText):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return go_quote(value)
    # Go prints structs and maps with %#v, which has no useful Python analogue; Kubernetes
    # validators almost always pass a scalar. Fall back to a compact, sorted JSON rendering.
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def go_quote(text: str) -> str:
    """Go's ``%q``: a double-quoted string with Go escapes."""
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class FieldError:
    """One validation error at a field path, like Go's ``field.Error``."""

    type: str  # a key of _FIELD_ERROR_TYPES, e.g. "Invalid"
    field: str  # e.g. "spec.template.spec.containers[0].image"
    bad_value: Any = _OMIT
    detail: str = ""

    # -- constructors named as in pkg/util/validation/field ------------------
    @classmethod
    def required(cls, field: str, detail: str = "") -> "FieldError":
        return cls("Required", field, _OMIT, detail)

    @classmethod
    def invalid(cls, field: str, value: Any, detail: str = "") -> "FieldError":
        return cls("Invalid", field, value, detail)

    @classmethod
    def not_supported(cls, field: str, value: Any, valid: Sequence[str]) -> "FieldError":
        detail = ""
        if valid:
            detail = "supported values: " + ", ".join(go_quote(v) for v in valid)
        return cls("NotSupported", field, value, detail)

    @classmethod
    def duplicate(cls, field: str, value: Any) -> "FieldError":
        return cls("Duplicate", field, value, "")

    @classmethod
    def forbidden(cls, field: str, detail: str) -> "FieldError":
        return cls("Forbidden", field, _OMIT, detail)

    @classmethod
    def not_found(cls, field: str, value: Any) -> "FieldError":
        return cls("NotFound", field, value, "")

    @classmethod
    def too_long(cls, field: str, value: Any, max_length: int) -> "FieldError":
        return cls("TooLong", field, value, f"may not be more than {max_length} bytes")

    @classmethod
    def too_many(cls, field: str, actual: int, max_items: int) -> "FieldError":
        return cls("TooMany", field, actual, f"must have at most {max_items} items")

    # -- rendering ------------------------------------------------------------
    @property
    def type_string(self) -> str:
        return _FIELD_ERROR_TYPES[self.type][0]

    @property
    def cause_reason(self) -> str:
        return _FIELD_ERROR_TYPES[self.type][1]

    def body(self) -> str:
        """``ErrorBody()``: everything after the field path."""
        if self.type in _VALUELESS_TYPES or self.bad_value is _OMIT:
            text = self.type_string
        else:
            text = f"{self.type_string}: {go_value(self.bad_value)}"
        if self.detail:
            text += f": {self.detail}"
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"  # Go prints ": ..." even for an empty path


def aggregate_message(errors: Sequence[Any]) -> str:
    """Like ``utilerrors.NewAggregate(errs).Error()``: one message, or ``[a, b]`` deduplicated."""
    messages: list[str] = []
    for err in errors:
        text = str(err)
        if text not in messages:
            messages.append(text)
    if len(messages) == 1:
        return messages[0]
    return "[" + ", ".join(messages) + "]"


# ---------------------------------------------------------------------------
# StatusError (apimachinery/pkg/api/errors)
# ---------------------------------------------------------------------------


class StatusError(Exception):
    """An API failure carrying a Kubernetes ``Status`` (``kind: Status``)."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details or {}

    @property
    def causes(self) -> list[dict]:
        return list(self.details.get("causes", []))

    @property
    def status(self) -> dict:
        """The ``Status`` object as kube-apiserver returns it."""
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:  # Go omits an empty reason (StatusReasonUnknown)
            status["reason"] = self.reason
        if self.details:
            status["details"] = json.loads(json.dumps(self.details))
        status["code"] = self.code
        return status

    def __repr__(self) -> str:
        return f"StatusError({self.code}, {self.reason!r}, {self.message!r})"


def _details(name: str | None, group: str, kind: str, causes: Iterable[dict] = ()) -> dict:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    causes = list(causes)
    if causes:
        details["causes"] = causes
    return details


def _split_qualified(qualified: str) -> tuple[str, str]:
    """``"deployments.apps"`` -> ``("deployments", "apps")``; ``"pods"`` -> ``("pods", "")``."""
    head, _, group = qualified.partition(".")
    return head, group


def not_found(qualified_resource: str, name: str) -> StatusError:
    resource, group = _split_qualified(qualified_resource)
    return StatusError(
        404, "NotFound", f'{qualified_resource} "{name}" not found', _details(name, group, resource)
    )


def already_exists(qualified_resource: str, name: str) -> StatusError:
    resource, group = _split_qualified(qualified_resource)
    return StatusError(
        409,
        "AlreadyExists",
        f'{qualified_resource} "{name}" already exists',
        _details(name, group, resource),
    )


def conflict(qualified_resource: str, name: str, why: str) -> StatusError:
    resource, group = _split_qualified(qualified_resource)
    return StatusError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified_resource} "{name}": {why}',
        _details(name, group, resource),
    )


OPTIMISTIC_LOCK_MESSAGE = (
    "the object has been modified; please apply your changes to the latest version and try again"
)


def invalid(qualified_kind: str, name: str, errors: Sequence[FieldError]) -> StatusError:
    """``NewInvalid``: 422 with one cause per field error."""
    kind, group = _split_qualified(qualified_kind)
    causes = [
        {"reason": e.cause_reason, "message": e.body(), "field": e.field} for e in errors
    ]
    message = f'{qualified_kind} "{name}" is invalid: {aggregate_message(errors)}'
    return StatusError(422, "Invalid", message, _details(name, group, kind, causes))


def forbidden(qualified_resource: str, name: str, why: str) -> StatusError:
    resource, group = _split_qualified(qualified_resource)
    if not qualified_resource:  # e.g. a non-resource URL such as /healthz
        message = f"forbidden: {why}"
    elif name:
        message = f'{qualified_resource} "{name}" is forbidden: {why}'
    else:
        message = f"{qualified_resource} is forbidden: {why}"
    return StatusError(403, "Forbidden", message, _details(name, group, resource))


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def method_not_supported(qualified_resource: str, action: str) -> StatusError:
    resource, group = _split_qualified(qualified_resource)
    return StatusError(
        405,
        "MethodNotAllowed",
        f"{action} is not supported on resources of kind {go_quote(qualified_resource)}",
        _details(None, group, resource),
    )


def resource_expired(message: str) -> StatusError:
    """410 Gone, e.g. a watch from a compacted resourceVersion."""
    return StatusError(410, "Expired", message)


def no_kind_match(kind: str, api_version: str) -> StatusError:
    """What kubectl's REST mapper says for a kind the server does not serve."""
    return StatusError(
        404, "NotFound", f'no matches for kind "{kind}" in version "{api_version}"'
    )


def unsupported_media_type(message: str) -> StatusError:
    return StatusError(415, "UnsupportedMediaType", message)


def unknown_error(code: int, message: str) -> StatusError:
    """A failure kube-apiserver reports with no reason (``StatusReasonUnknown``), e.g. a 500 from
    strategic merge patch with Go's raw error text."""
    return StatusError(code, "", message)


def service_unavailable(message: str) -> StatusError:
    """503 ServiceUnavailable: a proxied service or pod cannot be reached."""
    return StatusError(503, "ServiceUnavailable", message)


def internal_error(message: str) -> StatusError:
    return StatusError(500, "InternalError", f"Internal error occurred: {message}")
