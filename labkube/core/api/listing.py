"""List requests: selectors, resourceVersion semantics, pages and continue tokens.

Mirrors k8s.io/apiserver's list path (``SelectionPredicate``, the etcd3 store's ``GetList``
with ``limit``/``continue``, ``storage.ListOptions`` resourceVersion semantics):

* Label selectors parse with :func:`labels.parse_selector`; field selectors with
  :func:`labels.parse_field_selector`, then every field label passes the kind's conversion
  (``field label not supported: foo``, or for kinds without their own list
  ``"foo" is not a known field selector: only "metadata.name", "metadata.namespace"``), both as
  400 BadRequest. Parsed selectors are cached by text.
* ``resourceVersion``: unset = the latest state; ``"0"`` = any state (labkube serves the
  latest); a number N = at least N (the latest state) unless ``resourceVersionMatch=Exact``
  or a ``limit`` is set, in which case the list is read exactly at revision N from the
  store's history (410 Expired if compacted).
* ``limit`` + ``continue``: at most ``limit`` matching items; if more remain the list
  metadata carries a ``continue`` token (base64 of ``{"v":"meta.k8s.io/v1","rv":R,"start":K}``,
  as kube-apiserver encodes it) that continues at the same revision R, and
  ``remainingItemCount`` when no selector filtered the list.
* Items come sorted by key, as etcd returns them, and — as a real kube-apiserver's JSON does —
  without ``apiVersion``/``kind`` (the list's ``kind`` says what they are).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

from labkube.core import errors
from labkube.core.api import labels

CONTINUE_TOO_OLD = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list."
)


@dataclass(frozen=True)
class Predicate:
    """``storage.SelectionPredicate``: label and field selectors plus the kind's field getter."""

    label: Any
    field: Any
    fields_of: Callable[[dict], dict]

    @property
    def empty(self) -> bool:
        return self.label.empty() and self.field.empty()

    def matches(self, obj: dict) -> bool:
        if not self.label.empty():
            meta = obj.get("metadata") or {}
            if not self.label.matches(meta.get("labels") or {}):
                return False
        if not self.field.empty() and not self.field.matches(self.fields_of(obj)):
            return False
        return True

    def matches_fields(self, obj: dict, fields: Callable[[], dict]) -> bool:
        """:meth:`matches` with the object's selectable fields from ``fields()``: the watch
        cache computes them once per object and shares them between its watches."""
        if not self.label.empty():
            meta = obj.get("metadata") or {}
            if not self.label.matches(meta.get("labels") or {}):
                return False
        return self.field.empty() or self.field.matches(fields())


_label_cache: dict[str, Any] = {}
_field_cache: dict[str, Any] = {}


def parse_label_selector(text: Optional[str]) -> Any:
    if not text:
        return labels.EVERYTHING
    selector = _label_cache.get(text)
    if selector is None:
        try:
            selector = labels.parse_selector(text)
        except labels.SelectorError as exc:
            raise errors.bad_request(str(exc)) from None
        if len(_label_cache) > 1024:
            _label_cache.clear()
        _label_cache[text] = selector
    return selector


def parse_field_selector(text: Optional[str], strategy: Any) -> Any:
    """Parse and convert field labels through the kind's strategy (cached per strategy)."""
    if not text:
        return labels.FieldSelector()
    cache_key = (id(strategy), text)
    selector = _field_cache.get(cache_key)
    if selector is None:
        try:
            parsed = labels.parse_field_selector(text)
        except labels.SelectorError as exc:
            raise errors.bad_request(str(exc)) from None
        terms = tuple(
            labels.FieldTerm(strategy.convert_field_label(t.field), t.operator, t.value)
            for t in parsed.terms
        )
        selector = labels.FieldSelector(terms)
        if len(_field_cache) > 1024:
            _field_cache.clear()
        _field_cache[cache_key] = selector
    return selector


def parse_resource_version(text: Optional[str]) -> int:
    """``APIObjectVersioner.ParseResourceVersion``: "" is 0; otherwise a non-negative integer."""
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or not text.isdigit():
        raise errors.StatusError(
            400,
            "BadRequest",
            f'invalid resource version "{text}": strconv.ParseUint: parsing '
            f'{errors.go_quote(text)}: invalid syntax',
        )
    return value


def encode_continue(revision: int, start: str) -> str:
    payload = json.dumps({"v": "meta.k8s.io/v1", "rv": revision, "start": start}, separators=(",", ":"))
    return base64.b64encode(payload.encode()).decode()


def decode_continue(token: str) -> tuple[int, str]:
    """(revision, start key relative to the resource prefix), or 400 BadRequest."""
    try:
        data = json.loads(base64.b64decode(token.encode(), validate=True))
        if data.get("v") != "meta.k8s.io/v1":
            raise ValueError("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        revision, start = int(data["rv"]), str(data["start"])
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError) as exc:
        message = str(exc)
        if not message.startswith("continue key is not valid"):
            message = f"continue key is not valid: {message}"
        raise errors.bad_request(message) from None
    if revision <= 0 or start.startswith("/") or ".." in start:
        raise errors.bad_request("continue key is not valid: incorrect encoded start resourceVersion")
    return revision, start


def validate_list_options(continue_: Optional[str], resource_version: Optional[str], match: Optional[str]) -> None:
    """``ValidateListOptions``: the combinations kube-apiserver refuses."""
    problems = []
    if continue_ and resource_version and resource_version != "0":
        problems.append(errors.FieldError.forbidden(
            "resourceVersion", "specifying resource version is not allowed when using continue"))
    if match and match not in ("Exact", "NotOlderThan"):
        problems.append(errors.FieldError.not_supported(
            "resourceVersionMatch", match, ["Exact", "NotOlderThan"]))
    elif match and not resource_version:
        problems.append(errors.FieldError.forbidden(
            "resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"))
    elif match == "Exact" and resource_version == "0":
        problems.append(errors.FieldError.forbidden(
            "resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
    if problems:
        raise errors.invalid("ListOptions.meta.k8s.io", "", problems)
