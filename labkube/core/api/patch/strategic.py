"""Strategic merge patch: apply one, and compute two- and three-way ones (kubectl apply).

Mirrors k8s.io/apimachinery/pkg/util/strategicpatch (patch.go): a JSON merge patch that knows
the Go types. Maps merge recursively and ``null`` deletes a key, as in RFC 7386; but a list
whose field is tagged ``patchStrategy:"merge"`` is *merged*: items of a list of objects are
matched by their ``patchMergeKey`` (containers by ``name``, ports by ``containerPort``…), a
list of scalars (``finalizers``) is unioned. Every other list is replaced whole. The table of
strategies and keys is :mod:`labkube.core.api.patch.merge_keys` (generated from the types'
tags; see there for the source).

Directives a patch may carry, as in Kubernetes::

    {"$patch": "replace"}            in a map: replace the whole map with this one
    {"$patch": "delete"}             in a map: delete it; as a list item {name: x, $patch:
                                     delete}: delete the item with that merge key
    [{"$patch": "replace"}, ...]     as a list item: replace the whole list with the others
    "$deleteFromPrimitiveList/f": [...]   remove these scalars from merge list ``f``
    "$setElementOrder/f": [...]      the order of list ``f`` after merging
    "$retainKeys": [...]             (fields tagged retainKeys) drop keys not listed

Worked example — a Deployment's containers are merged by name, so patching one container's
image keeps the others::

    live:   containers: [{name: web, image: nginx:1.25}, {name: log, image: busybox}]
    patch:  {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}
    result: containers: [{name: web, image: nginx:1.27}, {name: log, image: busybox}]

``create_three_way_merge_patch(original, modified, current)`` is kubectl apply's diff: changes
and additions from *current* (live) to *modified* (the new config), deletions only from
*original* (last-applied) to *modified* — so fields set by others (a controller, a defaulter)
survive, and fields the user removed from the config are deleted.

Errors read as kube-apiserver reports them: malformed directives → 400 BadRequest
(``invalid patch format of retainKeys``…), lists of lists → 422, anything else → 500 with the
Go error text (``map: map[image:x] does not contain declared merge key: name``).

Guarantees: inputs are never mutated (``owned=True`` gives the target away to be merged into);
deterministic output (Go iterates maps in random order; labkube walks keys in insertion order,
which gives the same result wherever Go's is unique).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from labkube.core import errors
from labkube.core.api.patch import merge_keys
from labkube.core.api.patch.gojson import go_type_of, go_v
from labkube.core.api.patch.merge import deep_copy, json_equal
from labkube.core.api.patch.jsonpatch import unprocessable

DIRECTIVE = "$patch"
DELETE = "delete"
REPLACE = "replace"
MERGE = "merge"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"

# mergepatch's sentinel errors, by their text.
ERR_BAD_JSON_DOC = "invalid JSON document"
ERR_NO_LIST_OF_LISTS = "lists of lists are not supported"
ERR_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
ERR_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
ERR_BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"
ERR_RETAIN_KEYS_MISMATCH = "patch content doesn't match retainKeys list"

_BAD_REQUEST = {ERR_BAD_JSON_DOC, ERR_BAD_PRIMITIVE_LIST, ERR_BAD_RETAIN_KEYS, ERR_BAD_SET_ELEMENT_ORDER}
_UNPROCESSABLE = {ERR_NO_LIST_OF_LISTS, ERR_RETAIN_KEYS_MISMATCH}


class PatchError(Exception):
    """A strategic merge patch failure, with strategicpatch's message."""


def to_status_error(err: PatchError) -> errors.StatusError:
    """kube-apiserver's interpretStrategicMergePatchError, then ErrorToAPIStatus for the rest."""
    message = str(err)
    if message in _BAD_REQUEST:
        return errors.bad_request(message)
    if message in _UNPROCESSABLE:
        return unprocessable()
    return errors.StatusError(500, "", message)


# -- patch metadata (LookupPatchMeta) -------------------------------------------------------------

def root_type(api_version: str, kind: str) -> str | None:
    """The schema type of a kind's root, or None if labkube has no strategic info for it."""
    return merge_keys.KINDS.get((api_version, kind))


def has_strategic_info(api_version: str, kind: str) -> bool:
    return root_type(api_version, kind) is not None


def _lookup(type_name: str | None, key: str) -> tuple[str | None, str, str]:
    """(type of the field's value or list items, patch strategy, merge key) of ``key``."""
    if type_name is None:
        return None, "", ""
    if type_name.startswith("map:"):
        return type_name[4:], "", ""
    entry = merge_keys.TYPES.get(type_name, {}).get(key)
    if entry is None:
        return None, "", ""
    target, strategy, merge_key = entry
    return (target or None), strategy, merge_key


def _strategies(strategy: str) -> tuple[bool, str]:
    """extractRetainKeysPatchStrategy: (has retainKeys, the other strategy)."""
    parts = [p for p in strategy.split(",") if p]
    retain = "retainKeys" in parts
    others = [p for p in parts if p != "retainKeys"]
    if len(others) > 1:
        raise PatchError(f"unexpected patch strategy: [{' '.join(parts)}]")
    return retain, (others[0] if others else "")


# -- Go value semantics ---------------------------------------------------------------------------

def _same(a: Any, b: Any) -> bool:
    """Go's ``==`` on two scalars held in ``interface{}``."""
    return go_type_of(a) == go_type_of(b) and a == b


def _hashable(value: Any) -> Any:
    return (go_type_of(value), value if not isinstance(value, (dict, list)) else go_v(value))


def _err_bad_arg_type(expected: str, actual: Any) -> PatchError:
    return PatchError(f"expected a {expected}, but received a {_go_kind(actual)}")


def _go_kind(value: Any) -> str:
    return {"nil": "invalid"}.get(go_type_of(value), go_type_of(value))


def _err_no_merge_key(item: Any, key: str) -> PatchError:
    return PatchError(f"map: {go_v(item)} does not contain declared merge key: {key}")


def _err_bad_patch_type(directive: Any, patch: Any) -> PatchError:
    return PatchError(f"unknown patch type: {go_v(directive)} in map: {go_v(patch)}")


def _element_kind(*lists: list) -> str:
    """sliceElementType: the one Go type of all items ("map", "slice" is refused, scalars)."""
    found: str | None = None
    for items in lists:
        for item in items:
            kind = go_type_of(item)
            if found is None:
                if kind == "slice":
                    raise PatchError(ERR_NO_LIST_OF_LISTS)
                found = kind
            elif kind != found:
                raise PatchError(f"list element types are not identical: {go_v(list(lists))}")
    if found is None:
        raise PatchError("no elements in any of the given slices")
    return found


def _sort_scalars(items: list) -> list:
    return sorted(items, key=go_v)


def _dedupe_scalars(items: list) -> list:
    """deduplicateScalars, including its habit of moving the last item into a duplicate's slot."""
    s = list(items)
    length = len(s) - 1
    i = 0
    while i < length:
        j = i + 1
        while j <= length:
            if _same(s[i], s[j]):
                s[j] = s[length]
                s = s[:length]
                length -= 1
                j -= 1
            j += 1
        i += 1
    return s


def _position(items: list, merge_key: str, is_map: bool) -> dict:
    """index(): the first position of each item (by merge key value for maps)."""
    positions: dict = {}
    for i, item in enumerate(items):
        value = item.get(merge_key) if is_map and isinstance(item, dict) else item
        positions.setdefault(_hashable(value), i)
    return positions


def _index_of(positions: dict, item: Any, merge_key: str, is_map: bool) -> int:
    value = item.get(merge_key) if is_map and isinstance(item, dict) else item
    return positions.get(_hashable(value), -1)


# -- applying a patch (mergeMap and friends) ------------------------------------------------------

@dataclass(frozen=True)
class MergeOptions:
    merge_parallel_list: bool = True
    ignore_unmatched_nulls: bool = True


SERVER_MERGE = MergeOptions(True, True)
PATCH_MERGE = MergeOptions(False, False)


def strategic_merge_patch(target: dict, patch: Any, api_version: str, kind: str, *,
                          owned: bool = False) -> dict:
    """Apply a strategic merge patch as kube-apiserver does; StatusError on failure.

    ``owned``: the caller gives ``target`` away (a fresh decode), so it is merged into in place
    instead of copied first -- even when the patch then fails."""
    t = root_type(api_version, kind)
    if t is None:
        raise errors.unsupported_media_type(
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    if not isinstance(patch, dict):
        kind_name = "array" if isinstance(patch, list) else "value"
        raise errors.bad_request(
            f"json: cannot unmarshal {kind_name} into Go value of type map[string]interface {{}}")
    try:
        return merge_map(target if owned else deep_copy(target), deep_copy(patch), t, SERVER_MERGE)
    except PatchError as err:
        raise to_status_error(err) from err


def merge_map(original: dict | None, patch: dict, t: str | None, opts: MergeOptions) -> dict:
    """mergeMap: merge ``patch`` into ``original`` (both are owned and may be mutated)."""
    if DIRECTIVE in patch:
        return _directive_in_map(patch[DIRECTIVE], patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch, opts)
    _merge_set_element_order(original, patch, t, opts)
    for key, value in list(patch.items()):
        is_delete_list = False
        if key.startswith(DELETE_FROM_PRIMITIVE_LIST):
            if not opts.merge_parallel_list:
                original[key] = value
                continue
            key = _extract_key(key, DELETE_FROM_PRIMITIVE_LIST)
            is_delete_list = True
        _merge_field(original, key, value, t, opts, is_delete_list)
    return original


def _merge_field(original: dict, key: str, value: Any, t: str | None, opts: MergeOptions,
                 is_delete_list: bool) -> None:
    if value is None:
        original.pop(key, None)
        if opts.ignore_unmatched_nulls:
            return
    if key not in original or go_type_of(original[key]) != go_type_of(value):
        if not is_delete_list:
            if opts.ignore_unmatched_nulls:
                _discard_nulls(value)
            original[key] = value
        return
    current = original[key]
    sub, strategy, merge_key = _lookup(t, key)
    _, strategy = _strategies(strategy)
    if isinstance(current, dict):
        original[key] = value if strategy == REPLACE else merge_map(current, value, sub, opts)
    elif isinstance(current, list):
        if strategy == MERGE:
            original[key] = merge_slice(current, value, sub, merge_key, opts, is_delete_list)
        else:
            original[key] = value
    else:
        original[key] = value


def _discard_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for v in value.values():
            _discard_nulls(v)
    elif isinstance(value, list):
        for v in value:
            _discard_nulls(v)


def _directive_in_map(directive: Any, patch: dict) -> dict:
    if directive == REPLACE:
        del patch[DIRECTIVE]
        return patch
    if directive == DELETE:
        return {}
    raise _err_bad_patch_type(directive, patch)


def _extract_key(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise PatchError(ERR_BAD_PRIMITIVE_LIST if prefix == DELETE_FROM_PRIMITIVE_LIST
                         else ERR_BAD_SET_ELEMENT_ORDER)
    return rest


def _apply_retain_keys(original: dict, patch: dict, opts: MergeOptions) -> None:
    if RETAIN_KEYS not in patch:
        return
    retain = patch.pop(RETAIN_KEYS)
    if not opts.merge_parallel_list:
        if RETAIN_KEYS in original:
            if not json_equal(original[RETAIN_KEYS], retain):
                raise PatchError(f"{go_v(original[RETAIN_KEYS])} and {go_v(retain)} are not deep "
                                 "equal: this may happen when calculating the 3-way diff patch")
        else:
            original[RETAIN_KEYS] = retain
        return
    if not isinstance(retain, list):
        raise PatchError(ERR_BAD_RETAIN_KEYS)
    keep = {_hashable(v) for v in retain}
    for key, value in patch.items():
        if value is None or key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER)):
            continue
        if _hashable(key) not in keep:
            raise PatchError(ERR_RETAIN_KEYS_MISMATCH)
    for key in [k for k in original if _hashable(k) not in keep]:
        del original[key]


def _merge_set_element_order(original: dict, patch: dict, t: str | None, opts: MergeOptions) -> None:
    """mergePatchIntoOriginal: merge each list that has a $setElementOrder, then order it."""
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(key)
        if not opts.merge_parallel_list:
            if key in original:
                if not json_equal(original[key], order):
                    raise PatchError(ERR_BAD_SET_ELEMENT_ORDER)
            else:
                original[key] = order
        if not isinstance(order, list):
            raise _err_bad_arg_type("slice", order)
        field = _extract_key(key, SET_ELEMENT_ORDER)
        _merge_ordered_list(original, patch, field, order, t, opts)


def _merge_ordered_list(original: dict, patch: dict, field: str, order: list, t: str | None,
                        opts: MergeOptions) -> None:
    found_original, found_patch = field in original, field in patch
    original_list = original.get(field) if found_original else None
    patch_list = patch.get(field) if found_patch else None
    for value in (original_list, patch_list):
        if value is not None and not isinstance(value, list):
            raise _err_bad_arg_type("slice", value)
    original_list, patch_list = original_list or [], patch_list or []
    sub, strategy, merge_key = _lookup(t, field)
    _, strategy = _strategies(strategy)
    _validate_against_order(patch_list, order, merge_key)
    if found_original and found_patch:
        merged = (merge_slice(original_list, patch_list, sub, merge_key, opts, False)
                  if strategy == MERGE else patch_list)
    elif found_original:
        merged = original_list
    elif found_patch:
        merged = patch_list
    else:
        return
    is_map = _element_kind(original_list, patch_list) == "map"
    patch_items, server_only = _partition(merged, order, merge_key, is_map)
    original[field] = _normalize_order(patch_items, server_only, order, original_list, merge_key, is_map)
    patch.pop(field, None)


def _validate_against_order(patch_list: list, order: list, merge_key: str) -> None:
    """validatePatchWithSetOrderList: patch items must appear in $setElementOrder's order."""
    if not order or not patch_list:
        return
    items = _without_deletes(patch_list)[0] if merge_key else patch_list
    p = s = 0
    while p < len(items) and s < len(order):
        if isinstance(items[p], dict) and DIRECTIVE in items[p]:
            p += 1
            continue
        if _merge_key_equal(items[p], order[s], merge_key):
            p += 1
        s += 1
    if p < len(items) and s >= len(order):
        raise PatchError(f"The order in patch list:\n{go_v(patch_list)}\n doesn't match "
                         f"{SET_ELEMENT_ORDER} list:\n{go_v(order)}\n")


def _merge_key_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return _same(left, right)
    for item in (left, right):
        if not isinstance(item, dict):
            raise _err_bad_arg_type("map", item)
        if merge_key not in item:
            raise _err_no_merge_key(item, merge_key)
    return _same(left[merge_key], right[merge_key])


def merge_slice(original: list, patch: list, t: str | None, merge_key: str, opts: MergeOptions,
                is_delete_list: bool) -> list:
    """mergeSlice: merge a patch list into a list with patchStrategy merge."""
    if not original and not patch:
        return original
    is_map = _element_kind(original, patch) == "map"
    if not is_map:
        if opts.merge_parallel_list and is_delete_list:
            gone = {_hashable(v) for v in patch}
            return [v for v in original if _hashable(v) not in gone]
        merged = _dedupe_scalars(original + patch)
    else:
        if not merge_key:
            raise PatchError(f"cannot merge lists without merge key for {t or 'this field'}")
        original, patch = _apply_list_directives(original, patch, merge_key)
        merged = _merge_by_key(list(original), patch, merge_key, t, opts)
    patch_items, server_only = _partition(merged, patch, merge_key, is_map)
    return _normalize_order(patch_items, server_only, patch, original, merge_key, is_map)


def _apply_list_directives(original: list, patch: list, merge_key: str) -> tuple[list, list]:
    """mergeSliceWithSpecialElements: handle {$patch: delete|replace} items."""
    plain = []
    replace_all = False
    for item in patch:
        directive = item.get(DIRECTIVE, None) if isinstance(item, dict) else None
        if not isinstance(item, dict) or DIRECTIVE not in item:
            plain.append(item)
        elif directive == DELETE:
            if merge_key not in item:
                raise _err_no_merge_key(item, merge_key)
            original = _delete_matching(original, merge_key, item[merge_key])
        elif directive == REPLACE:
            replace_all = True
        elif directive == MERGE:
            raise PatchError("merging lists cannot yet be specified in the patch")
        else:
            raise _err_bad_patch_type(directive, item)
    if replace_all:
        return plain, []
    return original, plain


def _delete_matching(items: list, merge_key: str, value: Any) -> list:
    kept = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PatchError(f"value for key {index} is not a map.")
        if not (merge_key in item and _same(item[merge_key], value)):
            kept.append(item)
    return kept


def _find_by_key(items: list, merge_key: str, value: Any) -> int:
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PatchError(f"value for key {index} is not a map.")
        if merge_key in item and _same(item[merge_key], value):
            return index
    return -1


def _merge_by_key(original: list, patch: list, merge_key: str, t: str | None,
                  opts: MergeOptions) -> list:
    """mergeSliceWithoutSpecialElements: merge items with the same key, append the others."""
    for item in patch:
        if merge_key not in item:
            raise _err_no_merge_key(item, merge_key)
        index = _find_by_key(original, merge_key, item[merge_key])
        if index >= 0:
            original[index] = merge_map(original[index], item, t, opts)
        else:
            original.append(item)
    return original


def _partition(items: list, by: list, merge_key: str, is_map: bool) -> tuple[list, list]:
    """Items present in ``by`` (by merge key for maps) and the others, order kept."""
    if is_map:
        for item in items:
            if not isinstance(item, dict):
                raise _err_bad_arg_type("map", item)
            if merge_key not in item:
                raise _err_no_merge_key(item, merge_key)
    present = _position(by, merge_key, is_map)
    inside, outside = [], []
    for item in items:
        (inside if _index_of(present, item, merge_key, is_map) >= 0 else outside).append(item)
    return inside, outside


def _without_deletes(items: list) -> tuple[list, list]:
    """extractToDeleteItems: (items, {…, $patch: delete} items)."""
    keep, gone = [], []
    for item in items:
        if not isinstance(item, dict):
            raise _err_bad_arg_type("map", item)
        (gone if item.get(DIRECTIVE) == DELETE else keep).append(item)
    return keep, gone


def _normalize_slice_order(items: list, order: list, merge_key: str, is_map: bool) -> list:
    """normalizeSliceOrder: sort ``items`` by their position in ``order``, deletions last."""
    gone: list = []
    if is_map:
        for item in items + order:
            if not isinstance(item, dict):
                raise _err_bad_arg_type("map", item)
            if merge_key not in item:
                raise _err_no_merge_key(item, merge_key)
        items, gone = _without_deletes(items)
    positions = _position(order, merge_key, is_map)
    ranks = [_index_of(positions, item, merge_key, is_map) for item in items]
    if all(r >= 0 for r in ranks):
        ordered = [item for _, _, item in sorted(zip(ranks, range(len(items)), items))]
    else:
        ordered = _go_insertion_sort(items, ranks)
    return ordered + gone


def _go_insertion_sort(items: list, ranks: list) -> list:
    """Go's sort.SliceStable on small inputs, with strategicpatch's partial ``less``."""
    pairs = list(zip(ranks, items))
    for i in range(1, len(pairs)):
        j = i
        while j > 0 and (pairs[j][0] < 0 or pairs[j - 1][0] < 0 or pairs[j][0] < pairs[j - 1][0]):
            pairs[j], pairs[j - 1] = pairs[j - 1], pairs[j]
            j -= 1
    return [item for _, item in pairs]


def _normalize_order(patch_items: list, server_only: list, patch_order: list, server_order: list,
                     merge_key: str, is_map: bool) -> list:
    """normalizeElementOrder: sort both parts, then interleave them by the live order."""
    patch_items = _normalize_slice_order(patch_items, patch_order, merge_key, is_map)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, is_map)
    positions = _position(server_order, merge_key, is_map)
    left = [_index_of(positions, item, merge_key, is_map) for item in server_only]
    right = [_index_of(positions, item, merge_key, is_map) for item in patch_items]
    out: list = []
    i = j = 0
    while i < len(server_only) or j < len(patch_items):
        if j >= len(patch_items) or (
                i < len(server_only) and left[i] >= 0 and right[j] >= 0 and left[i] < right[j]):
            out.append(server_only[i])
            i += 1
        else:
            out.append(patch_items[j])
            j += 1
    return out


# -- computing a patch (diffMaps and friends) -----------------------------------------------------

@dataclass(frozen=True)
class DiffOptions:
    set_element_order: bool = False
    ignore_changes_and_additions: bool = False
    ignore_deletions: bool = False
    build_retain_keys: bool = False


def diff_maps(original: dict, modified: dict, t: str | None, opts: DiffOptions) -> dict:
    """diffMaps: the strategic patch from ``original`` to ``modified`` (subject to ``opts``)."""
    patch: dict = {}
    retain: list = []
    for key, new in modified.items():
        if opts.build_retain_keys and new is not None:
            retain.append(key)
        if key not in original:
            if not opts.ignore_changes_and_additions:
                patch[key] = new
            continue
        old = original[key]
        if key == DIRECTIVE:
            if not isinstance(old, str) or not isinstance(new, str):
                raise PatchError(f"invalid value for special key: {DIRECTIVE}")
            if old != new:
                patch[key] = new
            continue
        if go_type_of(old) != go_type_of(new):
            if not opts.ignore_changes_and_additions:
                patch[key] = new
            continue
        if isinstance(old, dict):
            _diff_map_field(key, old, new, patch, t, opts)
        elif isinstance(old, list):
            _diff_list_field(key, old, new, patch, t, opts)
        elif not opts.ignore_changes_and_additions and not json_equal(old, new):
            patch[key] = new
    if not opts.ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    if retain and (patch or _has_additional_field(original, modified)):
        patch[RETAIN_KEYS] = _sort_scalars(retain)
    return patch


def _has_additional_field(original: dict, modified: dict) -> bool:
    return any(v is not None and k not in modified for k, v in original.items())


def _diff_map_field(key: str, old: dict, new: dict, patch: dict, t: str | None,
                    opts: DiffOptions) -> None:
    sub, strategy, _ = _lookup(t, key)
    retain, strategy = _strategies(strategy)
    if strategy == REPLACE:
        if not opts.ignore_changes_and_additions:
            patch[key] = new
        return
    value = diff_maps(old, new, sub, replace(opts, build_retain_keys=retain))
    if value:
        patch[key] = value


def _diff_list_field(key: str, old: list, new: list, patch: dict, t: str | None,
                     opts: DiffOptions) -> None:
    sub, strategy, merge_key = _lookup(t, key)
    retain, strategy = _strategies(strategy)
    if strategy != MERGE:
        if not opts.ignore_changes_and_additions and not json_equal(old, new):
            patch[key] = new
        return
    additions, deletions, order = _diff_lists(
        old, new, sub, merge_key, replace(opts, build_retain_keys=retain))
    if additions:
        patch[key] = additions
    if deletions:
        patch[f"{DELETE_FROM_PRIMITIVE_LIST}/{key}"] = deletions
    if order:
        patch[f"{SET_ELEMENT_ORDER}/{key}"] = order


def _diff_lists(original: list, modified: list, t: str | None, merge_key: str,
                opts: DiffOptions) -> tuple[list, list, list]:
    """diffLists: (patch list, $deleteFromPrimitiveList list, $setElementOrder list)."""
    if not original:
        if not modified or opts.ignore_changes_and_additions:
            return [], [], []
        return modified, [], []
    kind = _element_kind(original, modified)
    if kind == "map":
        changes, deletions = _diff_lists_of_maps(original, modified, t, merge_key, opts)
        changes = _normalize_slice_order(changes, modified, merge_key, True)
        same_order = _is_order_same(original, modified, merge_key)
        changes = changes + deletions
        order: list = []
        if opts.set_element_order and (
                (not opts.ignore_changes_and_additions and (changes or not same_order))
                or (not opts.ignore_deletions and changes)):
            order = [{merge_key: item[merge_key]} for item in modified]
        return changes, [], order
    additions, deletions = _diff_lists_of_scalars(original, modified, opts)
    additions = _normalize_slice_order(additions, modified, merge_key, False)
    order = []
    if opts.set_element_order and (
            (not opts.ignore_deletions and deletions)
            or (not opts.ignore_changes_and_additions and not json_equal(original, modified))):
        order = modified
    return additions, deletions, order


def _is_order_same(original: list, modified: list, merge_key: str) -> bool:
    if len(original) != len(modified):
        return False
    return all(_merge_key_equal(a, b, merge_key) for a, b in zip(original, modified))


def _diff_lists_of_scalars(original: list, modified: list, opts: DiffOptions) -> tuple[list, list]:
    old, new = _sort_scalars(original), _sort_scalars(modified)
    additions, deletions = [], []
    i = j = 0
    while i < len(old) or j < len(new):
        a = go_v(old[i]) if i < len(old) else None
        b = go_v(new[j]) if j < len(new) else None
        if a is not None and b is not None and a == b:
            i += 1
            j += 1
        elif a is None or (b is not None and a > b):
            if not opts.ignore_changes_and_additions:
                additions.append(new[j])
            j += 1
        else:
            if not opts.ignore_deletions:
                deletions.append(old[i])
            i += 1
    return additions, _dedupe_scalars(deletions)


def _sorted_by_key(items: list, merge_key: str) -> list:
    for item in items:
        if not isinstance(item, dict):
            raise _err_bad_arg_type("map", item)
        if merge_key not in item:
            raise _err_no_merge_key(item, merge_key)
    return sorted(items, key=lambda item: go_v(item[merge_key]))


def _diff_lists_of_maps(original: list, modified: list, t: str | None, merge_key: str,
                        opts: DiffOptions) -> tuple[list, list]:
    """diffListsOfMaps: walk both lists sorted by merge key; recurse into matching items."""
    old, new = _sorted_by_key(original, merge_key), _sorted_by_key(modified, merge_key)
    changes, deletions = [], []
    i = j = 0
    while i < len(old) or j < len(new):
        a = go_v(old[i][merge_key]) if i < len(old) else None
        b = go_v(new[j][merge_key]) if j < len(new) else None
        if a is not None and b is not None and a == b:
            value = diff_maps(old[i], new[j], t, opts)
            if value:
                value[merge_key] = new[j][merge_key]
                changes.append(value)
            i += 1
            j += 1
        elif a is None or (b is not None and a > b):
            if not opts.ignore_changes_and_additions:
                changes.append(new[j])
            j += 1
        else:
            if not opts.ignore_deletions:
                deletions.append({merge_key: old[i][merge_key], DIRECTIVE: DELETE})
            i += 1
    return changes, deletions


# -- public patch builders -----------------------------------------------------------------------

def create_two_way_merge_patch(original: dict, modified: dict, api_version: str, kind: str) -> dict:
    """CreateTwoWayMergePatch: a strategic patch that turns ``original`` into ``modified``."""
    t = root_type(api_version, kind)
    try:
        return deep_copy(diff_maps(original or {}, modified or {}, t,
                                   DiffOptions(set_element_order=True)))
    except PatchError as err:
        raise to_status_error(err) from err


def create_three_way_merge_patch(original: dict | None, modified: dict, current: dict,
                                 api_version: str, kind: str) -> dict:
    """CreateThreeWayMergePatch (overwrite=true), as kubectl apply computes it.

    ``original`` is the last-applied configuration (None when there is none), ``modified``
    the new configuration, ``current`` the live object.
    """
    t = root_type(api_version, kind)
    try:
        delta = diff_maps(current or {}, modified or {}, t,
                          DiffOptions(set_element_order=True, ignore_deletions=True))
        deletions = diff_maps(original or {}, modified or {}, t,
                              DiffOptions(set_element_order=True, ignore_changes_and_additions=True))
        return merge_map(deep_copy(deletions), deep_copy(delta), t, PATCH_MERGE)
    except PatchError as err:
        raise to_status_error(err) from err
