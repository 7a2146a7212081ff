"""JSON merge patch (RFC 7386): the RFC's own examples, and the diff that produces a patch."""

import copy

import pytest
from hypothesis import given, settings, strategies as st

from labkube.core.api.patch import apply_patch, create_merge_patch, json_merge_patch
from labkube.core.errors import StatusError

# RFC 7386 Appendix A: (original, patch, result).
RFC7386_EXAMPLES = [
    ("a changed member is replaced", {"a": "b"}, {"a": "c"}, {"a": "c"}),
    ("a new member is added", {"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ("null removes a member", {"a": "b"}, {"a": None}, {}),
    ("null removes only the named member", {"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ("a list replaces a scalar", {"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ("a scalar replaces a list", {"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ("nested objects merge and nulls delete inside them",
     {"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ("a list of objects is replaced whole", {"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ("lists are never merged", ["a", "b"], ["c", "d"], ["c", "d"]),
    ("an object patch turns a list into an object", ["a", "b"], {"a": "b"}, {"a": "b"}),
    ("an object patch with only null on a list gives an empty object", ["a", "b"], {"a": None}, {}),
    ("a scalar patch replaces the document", {"a": "foo"}, None, None),
    ("a string patch replaces the document", {"a": "foo"}, "bar", "bar"),
    ("a null inside a new member is dropped", {"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ("a list patch replaces an object", [1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ("nulls are dropped from nested new objects", {}, {"a": {"bb": {"ccc": None}}},
     {"a": {"bb": {}}}),
]


@pytest.mark.parametrize("name,original,patch,expected", RFC7386_EXAMPLES,
                         ids=[c[0] for c in RFC7386_EXAMPLES])
def test_rfc7386_examples(name, original, patch, expected):
    assert json_merge_patch(original, patch) == expected


def test_merge_patch_does_not_mutate_its_inputs():
    original = {"metadata": {"labels": {"a": "1"}}, "spec": {"x": [1]}}
    patch = {"metadata": {"labels": {"a": None, "b": "2"}}}
    before = copy.deepcopy((original, patch))
    result = json_merge_patch(original, patch)
    result["spec"]["x"].append(2)
    assert (original, patch) == before


@pytest.mark.parametrize("name,body,message", [
    ("a body that is not JSON is a bad request", "{nope", "Invalid JSON Patch"),
    ("a JSON list is not a merge patch", "[1]", "Invalid JSON Patch"),
])
def test_merge_patch_body_errors_are_bad_requests(name, body, message):
    with pytest.raises(StatusError) as err:
        apply_patch({"a": 1}, body, "application/merge-patch+json", "v1", "ConfigMap")
    assert (err.value.code, err.value.reason, err.value.message) == (400, "BadRequest", message)


@pytest.mark.parametrize("name,original,modified,expected", [
    ("an unchanged document gives an empty patch", {"a": 1}, {"a": 1}, {}),
    ("a removed key becomes null", {"a": 1, "b": 2}, {"a": 1}, {"b": None}),
    ("a changed list is sent whole", {"a": [1, 2]}, {"a": [1]}, {"a": [1]}),
    ("nested changes are nested", {"m": {"x": 1, "y": 2}}, {"m": {"x": 1, "y": 3}}, {"m": {"y": 3}}),
    ("true is not 1", {"a": 1}, {"a": True}, {"a": True}),
])
def test_create_merge_patch(name, original, modified, expected):
    assert create_merge_patch(original, modified) == expected


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=10,
)
json_objects = st.dictionaries(st.text(max_size=3), json_values, max_size=4)


def _strip_nulls(value):
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    return value


@settings(max_examples=300, deadline=None)
@given(json_objects, json_objects)
def test_merge_patch_of_the_diff_turns_a_into_b(a, b):
    # Merge patches cannot express a null value, so compare with nulls in maps removed.
    a, b = _strip_nulls(a), _strip_nulls(b)
    assert json_merge_patch(a, create_merge_patch(a, b)) == b
