"""JSON merge patch (RFC 7386): apply one, and compute one from two documents.

Mirrors what kube-apiserver does for ``Content-Type: application/merge-patch+json``
(github.com/evanphx/json-patch ``MergePatch``) and what kubectl computes for kinds without
strategic-merge information (``jsonpatch.CreateMergePatch`` and
k8s.io/apimachinery/pkg/util/jsonmergepatch ``CreateThreeWayJSONMergePatch``).

The rules, in one breath: a patch that is an object is merged key by key into the target;
``null`` deletes a key; any other value (a string, a number, a *list*) replaces what was there.
Lists are never merged — that is what a strategic merge patch adds.

    >>> json_merge_patch({"a": "b", "c": {"d": "e", "f": "g"}}, {"a": "z", "c": {"f": None}})
    {'a': 'z', 'c': {'d': 'e'}}

Guarantees: inputs are never mutated (unless the caller gives the target away with
``owned=True``); the result shares no mutable state with them.
"""

from __future__ import annotations

from typing import Any


def deep_copy(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, scalars), much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: deep_copy(v) if isinstance(v, (dict, list)) else v for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


def json_merge_patch(target: Any, patch: Any, *, owned: bool = False) -> Any:
    """Apply a JSON merge patch (RFC 7386 section 2) and return the new document.

    ``owned``: the caller gives ``target`` away, so it is merged into in place, not copied."""
    if not isinstance(patch, dict):
        return _without_nulls(patch)
    if not isinstance(target, dict):
        result = {}
    else:
        result = target if owned else deep_copy(target)
    _merge_into(result, patch)
    return result


def _merge_into(target: dict, patch: dict) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = {}
            _merge_into(current, value)
            target[key] = current
        else:
            target[key] = deep_copy(value)


def _without_nulls(value: Any) -> Any:
    """A patch that is not an object replaces the target; nulls inside objects are dropped."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def create_merge_patch(original: dict, modified: dict) -> dict:
    """The JSON merge patch that turns ``original`` into ``modified`` (jsonpatch.CreateMergePatch).

    Changed and added keys carry the new value, nested objects are diffed recursively, removed
    keys become ``null``, and a list that differs at all is sent whole.
    """
    patch: dict = {}
    for key, new in modified.items():
        if key not in original:
            patch[key] = deep_copy(new)
            continue
        old = original[key]
        if isinstance(old, dict) and isinstance(new, dict):
            sub = create_merge_patch(old, new)
            if sub:
                patch[key] = sub
        elif not json_equal(old, new):
            patch[key] = deep_copy(new)
    for key in original:
        if key not in modified:
            patch[key] = None
    return patch


def create_three_way_json_merge_patch(original: dict | None, modified: dict, current: dict) -> dict:
    """kubectl apply's patch for kinds without strategic info (jsonmergepatch, three-way).

    Additions and changes come from current → modified; deletions only from original →
    modified, so fields that someone else set on the live object are kept.
    """
    add_and_change = _keep_or_drop_nulls(create_merge_patch(current, modified), keep_null=False)
    deletions = _keep_or_drop_nulls(create_merge_patch(original or {}, modified), keep_null=True)
    _merge_into(deletions, add_and_change)
    return deletions


def _keep_or_drop_nulls(patch: dict, keep_null: bool) -> dict:
    out: dict = {}
    for key, value in patch.items():
        if value is None:
            if keep_null:
                out[key] = None
        elif isinstance(value, dict):
            if not value:
                if not keep_null:
                    out[key] = value
                continue
            sub = _keep_or_drop_nulls(value, keep_null)
            if sub:
                out[key] = sub
        elif not keep_null:
            out[key] = value
    return out


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values as Go sees them: ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(
            json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(
            json_equal(x, y) for x, y in zip(a, b))
    return a == b and (isinstance(a, str) == isinstance(b, str))
