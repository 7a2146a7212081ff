"""JSON patch (RFC 6902): the RFC's appendix A examples and kube-apiserver's error codes."""

import copy

import pytest

from labkube.core.api.patch import JSONPatchError, apply_patch, json_patch, touched_fields
from labkube.core.errors import StatusError

# RFC 6902 Appendix A: (name, document, patch, result).
RFC6902_EXAMPLES = [
    ("A.1 adding an object member", {"foo": "bar"},
     [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    ("A.2 adding an array element", {"foo": ["bar", "baz"]},
     [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ("A.3 removing an object member", {"baz": "qux", "foo": "bar"},
     [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ("A.4 removing an array element", {"foo": ["bar", "qux", "baz"]},
     [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ("A.5 replacing a value", {"baz": "qux", "foo": "bar"},
     [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
    ("A.6 moving a value", {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ("A.7 moving an array element", {"foo": ["all", "grass", "cows", "eat"]},
     [{"op": "move", "from": "/foo/1", "path": "/foo/3"}], {"foo": ["all", "cows", "eat", "grass"]}),
    ("A.8 testing a value: success", {"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ("A.10 adding a nested member object", {"foo": "bar"},
     [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ("A.11 ignoring unrecognized elements", {"foo": "bar"},
     [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}], {"foo": "bar", "baz": "qux"}),
    ("A.14 ~ escape ordering", {"/": 9, "~1": 10},
     [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ("A.16 adding an array value", {"foo": ["bar"]},
     [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
    ("~1 in a path names a key with a slash", {"metadata": {"labels": {}}},
     [{"op": "add", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "web"}],
     {"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}),
    ("copy duplicates a value", {"a": {"b": [1]}},
     [{"op": "copy", "from": "/a/b", "path": "/c"}], {"a": {"b": [1]}, "c": [1]}),
    ("a negative index counts from the end", {"a": [1, 2, 3]},
     [{"op": "remove", "path": "/a/-1"}], {"a": [1, 2]}),
]


@pytest.mark.parametrize("name,doc,ops,expected", RFC6902_EXAMPLES, ids=[c[0] for c in RFC6902_EXAMPLES])
def test_rfc6902_examples(name, doc, ops, expected):
    assert json_patch(doc, ops) == expected


# (name, document, patch, evanphx's message kept on __cause__)
FAILURES = [
    ("A.9 a failed test", {"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}],
     "testing value /baz failed: test failed"),
    ("A.12 adding to a nonexistent target", {"foo": "bar"},
     [{"op": "add", "path": "/baz/bat", "value": "qux"}],
     'add operation does not apply: doc is missing path: "/baz/bat": missing value'),
    ("A.15 a string is not a number", {"/": 9, "~1": 10},
     [{"op": "test", "path": "/~01", "value": "10"}], "testing value /~01 failed: test failed"),
    ("a test of spec.replicas fails when the value differs", {"spec": {"replicas": 3}},
     [{"op": "test", "path": "/spec/replicas", "value": 5}],
     "testing value /spec/replicas failed: test failed"),
    ("removing a label from an object without labels", {"metadata": {}},
     [{"op": "remove", "path": "/metadata/labels/x"}],
     'remove operation does not apply: doc is missing path: "/metadata/labels/x": missing value'),
    ("removing a missing key", {"metadata": {"labels": {}}},
     [{"op": "remove", "path": "/metadata/labels/x"}],
     "error in remove for path: '/metadata/labels/x': Unable to remove nonexistent key: x: missing value"),
    ("replacing a missing key", {"spec": {}}, [{"op": "replace", "path": "/spec/x", "value": 1}],
     "replace operation does not apply: doc is missing key: /spec/x: missing value"),
    ("adding past the end of a list", {"a": [1]}, [{"op": "add", "path": "/a/5", "value": 1}],
     "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"),
    ("an unknown operation", {}, [{"op": "frobnicate", "path": "/a"}], "Unexpected kind: frobnicate"),
]


@pytest.mark.parametrize("name,doc,ops,cause", FAILURES, ids=[c[0] for c in FAILURES])
def test_an_operation_that_does_not_apply_is_422_with_the_generic_message(name, doc, ops, cause):
    with pytest.raises(StatusError) as err:
        json_patch(doc, ops)
    assert (err.value.code, err.value.reason) == (422, "Invalid")
    assert err.value.message == "the server rejected our request due to an error in our request"
    assert isinstance(err.value.__cause__, JSONPatchError)
    assert str(err.value.__cause__) == cause


@pytest.mark.parametrize("name,body,message", [
    ("an object is not a JSON patch", '{"op": "add"}',
     "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    ("broken JSON", "[{", "unexpected end of JSON input"),
    ("a stray character", "[x]", "invalid character 'x' looking for beginning of value"),
    ("an operation that is a string", '["add"]',
     "json: cannot unmarshal string into Go value of type jsonpatch.Operation"),
])
def test_an_undecodable_json_patch_is_a_bad_request(name, body, message):
    with pytest.raises(StatusError) as err:
        apply_patch({}, body, "application/json-patch+json", "v1", "Pod")
    assert (err.value.code, err.value.reason, err.value.message) == (400, "BadRequest", message)


def test_a_failing_operation_leaves_the_target_untouched():
    doc = {"a": [1, 2], "b": {"c": 1}}
    before = copy.deepcopy(doc)
    with pytest.raises(StatusError):
        json_patch(doc, [{"op": "remove", "path": "/a/0"}, {"op": "add", "path": "/b/c", "value": 2},
                         {"op": "test", "path": "/b/c", "value": 99}])
    assert doc == before


def test_values_added_are_copies_not_shared_with_the_patch():
    ops = [{"op": "add", "path": "/x", "value": {"y": [1]}}]
    result = json_patch({}, ops)
    result["x"]["y"].append(2)
    assert ops[0]["value"] == {"y": [1]}


TOUCHED_FIELDS = [
    ("the kubelet's status replace touches status", "json",
     [{"op": "replace", "path": "/status", "value": {}}], frozenset({"status"})),
    ("a deep JSON patch path touches its first field", "json",
     [{"op": "add", "path": "/metadata/labels/a~1b", "value": "x"},
      {"op": "test", "path": "/spec/replicas", "value": 1}], frozenset({"metadata", "spec"})),
    ("a move touches where it comes from", "json",
     [{"op": "move", "from": "/spec/a", "path": "/status/a"}], frozenset({"spec", "status"})),
    ("an escaped first field is unescaped", "json",
     [{"op": "remove", "path": "/a~1b~0c"}], frozenset({"a/b~c"})),
    ("a JSON patch on the whole document is unknown", "json",
     [{"op": "replace", "path": "", "value": {}}], None),
    ("a JSON patch still in text is unknown", "json", '[{"op": "remove", "path": "/x"}]', None),
    ("an operation that is not an object is unknown", "json", ["x"], None),
    ("a merge patch touches its keys", "merge", {"metadata": {"labels": None}}, frozenset({"metadata"})),
    ("a strategic patch touches its keys", "application/strategic-merge-patch+json",
     {"spec": {"containers": [{"name": "a"}]}}, frozenset({"spec"})),
    ("a top-level strategic directive is unknown", "strategic", {"$patch": "replace", "spec": {}}, None),
    ("a merge patch that is not an object is unknown", "merge", ["x"], None),
]


@pytest.mark.parametrize("name, patch_type, patch, expected", TOUCHED_FIELDS, ids=[c[0] for c in TOUCHED_FIELDS])
def test_touched_fields(name, patch_type, patch, expected):
    assert touched_fields(patch, patch_type) == expected
