"""JSON patch (RFC 6902): a list of operations applied in order to a JSON document.

Mirrors what kube-apiserver does for ``Content-Type: application/json-patch+json``, which it
hands to github.com/evanphx/json-patch (v4): the six operations ``add``, ``remove``,
``replace``, ``move``, ``copy`` and ``test``; paths are JSON pointers (RFC 6901) where ``~1``
stands for ``/`` and ``~0`` for ``~``; in a list, ``-`` means "after the last element" and a
negative index counts from the end (an evanphx extension kube-apiserver keeps on).

    >>> json_patch({"spec": {"replicas": 1}},
    ...            [{"op": "test", "path": "/spec/replicas", "value": 1},
    ...             {"op": "replace", "path": "/spec/replicas", "value": 3}])
    {'spec': {'replicas': 3}}

How failures reach the user, as in kube-apiserver (staging/.../endpoints/handlers/patch.go):

* a body that is not a JSON list of operations: 400 BadRequest with encoding/json's message,
  e.g. ``json: cannot unmarshal object into Go value of type jsonpatch.Patch``;
* an operation that cannot be applied (a failed ``test``, a missing path): 422 Invalid with the
  generic text ``the server rejected our request due to an error in our request`` — the API
  server drops evanphx's own message. labkube keeps it on the exception's ``__cause__``
  (:class:`JSONPatchError`), e.g. ``testing value /spec/replicas failed: test failed`` or
  ``remove operation does not apply: doc is missing path: "/metadata/labels/x": missing value``;
  that text is what ``kubectl patch --local`` prints.

Guarantees: the target is never mutated; all operations apply or none does.
"""

from __future__ import annotations

from typing import Any, Callable

from labkube.core import errors
from labkube.core.api.patch.gojson import decode_json
from labkube.core.api.patch.merge import deep_copy, json_equal

#: kube-apiserver's message for a JSON patch that parsed but could not be applied.
UNPROCESSABLE_MESSAGE = "the server rejected our request due to an error in our request"

# evanphx/json-patch's sentinel errors (wrapped with pkg/errors: "<context>: <sentinel>").
ERR_TEST_FAILED = "test failed"
ERR_MISSING = "missing value"
ERR_INVALID_INDEX = "invalid index referenced"


class JSONPatchError(Exception):
    """evanphx/json-patch's error text for an operation that does not apply."""


def json_patch(target: Any, ops: Any, *, owned: bool = False, values_owned: bool = False) -> Any:
    """Apply RFC 6902 operations to a copy of ``target``; StatusError as kube-apiserver says.

    ``owned``: the caller gives ``target`` away (a fresh decode it will not read again), so it
    is changed in place instead of copied -- even when the patch then fails.
    ``values_owned``: the caller gives the operations' values away too, so ``add`` and
    ``replace`` put them in place instead of copies."""
    if isinstance(ops, (str, bytes)):
        try:
            ops = decode_json(ops, "jsonpatch.Patch", list)
        except ValueError as err:
            raise errors.bad_request(str(err)) from None
    ops = _decode_operations(ops)
    try:
        return apply_operations(target, ops, owned=owned, values_owned=values_owned)
    except JSONPatchError as err:
        raise unprocessable() from err


def unprocessable() -> errors.StatusError:
    """``NewGenericServerResponse(422, ...)``: reason Invalid, the generic message, no causes."""
    return errors.StatusError(422, "Invalid", UNPROCESSABLE_MESSAGE)


def _decode_operations(ops: Any) -> list[dict]:
    if ops is None:
        return []
    if not isinstance(ops, list):
        kind = "object" if isinstance(ops, dict) else "value"
        raise errors.bad_request(f"json: cannot unmarshal {kind} into Go value of type jsonpatch.Patch")
    for op in ops:
        if op is not None and not isinstance(op, dict):
            kind = "array" if isinstance(op, list) else "string" if isinstance(op, str) else "number"
            raise errors.bad_request(
                f"json: cannot unmarshal {kind} into Go value of type jsonpatch.Operation")
    return [op or {} for op in ops]


def apply_operations(target: Any, ops: list[dict], *, owned: bool = False, values_owned: bool = False) -> Any:
    """Apply decoded operations; raises :class:`JSONPatchError` with evanphx's text."""
    doc = target if owned else deep_copy(target)
    value_of = _given_value if values_owned else _copied_value
    for op in ops:
        kind = op.get("op")
        handler = _OPERATIONS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            raise JSONPatchError(f"Unexpected kind: {kind if isinstance(kind, str) else 'unknown'}")
        handler(doc, op, value_of)
    return doc


def _copied_value(op: dict) -> Any:
    """The operation's ``value``, copied: the patched document shares nothing with the patch."""
    return deep_copy(op.get("value"))


def _given_value(op: dict) -> Any:
    """The operation's ``value`` itself (the caller gave the patch away)."""
    return op.get("value")


# -- JSON pointers ---------------------------------------------------------------------------

def decode_token(token: str) -> str:
    """RFC 6901: ``~1`` → ``/`` first, then ``~0`` → ``~``."""
    return token.replace("~1", "/").replace("~0", "~")


def _find_parent(doc: Any, path: str) -> tuple[Any, str] | tuple[None, str]:
    """evanphx ``findObject``: the container holding the last token, and that token."""
    parts = path.split("/")
    if len(parts) < 2:
        return None, ""
    node = doc
    for raw in parts[1:-1]:
        node = _child(node, decode_token(raw))
        if not isinstance(node, (dict, list)):
            return None, ""
    return node, decode_token(parts[-1])


def _child(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    try:
        index = _index(node, key, len(node))
    except JSONPatchError:
        return None
    return node[index]


def _index(array: list, key: str, bound: int) -> int:
    try:
        index = int(key)
    except ValueError:
        raise JSONPatchError(f'strconv.Atoi: parsing "{key}": invalid syntax') from None
    if index >= bound or index < -bound:
        raise JSONPatchError(f"Unable to access invalid index: {index}: {ERR_INVALID_INDEX}")
    return index + bound if index < 0 else index


def _get(container: Any, key: str) -> tuple[bool, Any]:
    if isinstance(container, dict):
        return (key in container), container.get(key)
    index = _index(container, key, len(container))
    return True, container[index]


def _add(container: Any, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
    elif key == "-":
        container.append(value)
    else:
        try:
            index = _index(container, key, len(container) + 1)
        except JSONPatchError as err:
            if "strconv" in str(err):
                raise JSONPatchError(f"value was not a proper array index: '{key}': {err}") from None
            raise
        container.insert(index, value)


def _remove(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        if key not in container:
            raise JSONPatchError(f"Unable to remove nonexistent key: {key}: {ERR_MISSING}")
        return container.pop(key)
    return container.pop(_index(container, key, len(container)))


def _path(op: dict, name: str, field: str = "path") -> str:
    path = op.get(field)
    if not isinstance(path, str):
        what = "path" if field == "path" else "from"
        raise JSONPatchError(f"{name} operation failed to decode {what}: {ERR_MISSING}")
    return path


# -- the six operations ------------------------------------------------------------------------

def _op_add(doc: Any, op: dict, value_of: Callable[[dict], Any]) -> None:
    path = _path(op, "add")
    container, key = _find_parent(doc, path)
    if container is None:
        raise JSONPatchError(f'add operation does not apply: doc is missing path: "{path}": {ERR_MISSING}')
    try:
        _add(container, key, value_of(op))
    except JSONPatchError as err:
        raise JSONPatchError(f"error in add for path: '{path}': {err}") from None


def _op_remove(doc: Any, op: dict, value_of: Callable[[dict], Any]) -> None:
    path = _path(op, "remove")
    container, key = _find_parent(doc, path)
    if container is None:
        raise JSONPatchError(
            f'remove operation does not apply: doc is missing path: "{path}": {ERR_MISSING}')
    try:
        _remove(container, key)
    except JSONPatchError as err:
        raise JSONPatchError(f"error in remove for path: '{path}': {err}") from None


def _op_replace(doc: Any, op: dict, value_of: Callable[[dict], Any]) -> None:
    path = _path(op, "replace")
    container, key = _find_parent(doc, path)
    if container is None:
        raise JSONPatchError(f"replace operation does not apply: doc is missing path: {path}: {ERR_MISSING}")
    try:
        found, _ = _get(container, key)
    except JSONPatchError:
        found = False
    if not found:
        raise JSONPatchError(f"replace operation does not apply: doc is missing key: {path}: {ERR_MISSING}")
    value = value_of(op)
    if isinstance(container, dict):
        container[key] = value
    else:
        container[_index(container, key, len(container))] = value


def _op_move(doc: Any, op: dict, value_of: Callable[[dict], Any]) -> None:
    source = _path(op, "move", "from")
    value = _take(doc, source, "move", remove=True)
    path = _path(op, "move")
    container, key = _find_parent(doc, path)
    if container is None:
        raise JSONPatchError(
            f"move operation does not apply: doc is missing destination path: {path}: {ERR_MISSING}")
    try:
        _add(container, key, value)
    except JSONPatchError as err:
        raise JSONPatchError(f"error in move for path: '{path}': {err}") from None


def _op_copy(doc: Any, op: dict, value_of: Callable[[dict], Any]) -> None:
    source = _path(op, "copy", "from")
    value = deep_copy(_take(doc, source, "copy", remove=False))
    path = _path(op, "copy")
    container, key = _find_parent(doc, path)
    if container is None:
        raise JSONPatchError(
            f"copy operation does not apply: doc is missing destination path: {path}: {ERR_MISSING}")
    try:
        _add(container, key, value)
    except JSONPatchError as err:
        raise JSONPatchError(f"error while adding value during copy: {err}") from None


def _take(doc: Any, source: str, name: str, remove: bool) -> Any:
    container, key = _find_parent(doc, source)
    if container is None:
        raise JSONPatchError(
            f"{name} operation does not apply: doc is missing from path: {source}: {ERR_MISSING}")
    try:
        found, value = _get(container, key)
        if not found:
            raise JSONPatchError(f"unable to get nonexistent key: {key}: {ERR_MISSING}")
        if remove:
            _remove(container, key)
    except JSONPatchError as err:
        where = f"path: '{key}'" if name == "move" else f"from: '{source}'"
        raise JSONPatchError(f"error in {name} for {where}: {err}") from None
    return value


def _op_test(doc: Any, op: dict, value_of: Callable[[dict], Any]) -> None:
    path = _path(op, "test")
    container, key = _find_parent(doc, path)
    if container is None:
        raise JSONPatchError(f"test operation does not apply: is missing path: {path}: {ERR_MISSING}")
    try:
        found, value = _get(container, key)
    except JSONPatchError as err:
        raise JSONPatchError(f"error in test for path: '{path}': {err}") from None
    expected = op.get("value")
    if (not found or value is None) and expected is None:
        return
    if found and json_equal(value, expected):
        return
    raise JSONPatchError(f"testing value {path} failed: {ERR_TEST_FAILED}")


_OPERATIONS = {
    "add": _op_add,
    "remove": _op_remove,
    "replace": _op_replace,
    "move": _op_move,
    "copy": _op_copy,
    "test": _op_test,
}
