"""kubectl's JSONPath, checked against what the real kubectl 1.32 printed (see golden/README.md)."""

import pytest

from labkube.core.api.resources import default_registry
from labkube.kubectl import output
from labkube.kubectl.jsonpath import JSONPathError, execute, relaxed

from . import objects as o
from .golden_cases import golden, golden_json

REG = default_registry()
OBJECTS = o.cluster_objects()
POD = f"web-{o.RS_HASH}-x2kq9"


def pod_list():
    pods = [x for x in OBJECTS if x["kind"] == "Pod" and x["metadata"]["namespace"] == "default"]
    return output.list_document(pods, REG.resolve("pods"))


def the_pod():
    return next(x for x in OBJECTS if x["kind"] == "Pod" and x["metadata"]["name"] == POD)


GOLDEN = [
    ("names of all items are joined with spaces", "jsonpath_names.txt", pod_list, "{.items[*].metadata.name}"),
    ("range prints one line per item", "jsonpath_range.txt", pod_list,
     '{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'),
    ("a filter picks the Ready condition", "jsonpath_filter.txt", the_pod,
     '{.status.conditions[?(@.type=="Ready")].status}'),
    ("a map prints as compact JSON", "jsonpath_map.txt", the_pod, "{.metadata.labels}"),
    ("a slice takes the first two items", "jsonpath_slice.txt", pod_list, "{.items[0:2].metadata.name}"),
    ("a negative slice takes the last item", "jsonpath_last.txt", pod_list, "{.items[-1:].metadata.name}"),
    ("a union of two keys", "jsonpath_union.txt", the_pod, "{.metadata['name','namespace']}"),
    ("numbers, maps and lists in one template", "jsonpath_numbers.txt",
     lambda: next(x for x in OBJECTS if x["kind"] == "Deployment"),
     "{.spec.replicas} {.spec.strategy} {.spec.template.spec.containers[0].ports}"),
    ("an image from a generated deployment", "jsonpath_offline_image.txt",
     lambda: {"spec": {"template": {"spec": {"containers": [{"image": "nginx", "name": "nginx"}]}}}},
     "{.spec.template.spec.containers[0].image}"),
]


@pytest.mark.parametrize("golden_file, data, template", [c[1:] for c in GOLDEN], ids=[c[0] for c in GOLDEN])
def test_jsonpath_matches_real_kubectl(golden_file, data, template):
    assert output.jsonpath_output(data(), template) == golden(golden_file)


def test_recursive_descent_finds_the_same_values_as_kubectl():
    # Go visits map keys in random order; labkube sorts them, so compare the values found.
    got = output.jsonpath_output(pod_list(), "{..image}").split()
    assert sorted(got) == sorted(golden("jsonpath_recursive.txt").split())


CASES = golden_json("jsonpath_cases.json")
UNORDERED = {"{.spec.containers[0].*}"}  # a map wildcard: random order in Go


@pytest.mark.parametrize("case", CASES["cases"],
                         ids=[f"template {c['template']!r} behaves as in kubectl" for c in CASES["cases"]])
def test_jsonpath_templates_match_real_kubectl(case):
    if not case["ok"]:
        with pytest.raises(JSONPathError) as err:
            output.jsonpath_output(CASES["object"], case["template"])
        assert case["stderr"] == "error: " + str(err.value).splitlines()[0]
        return
    got = output.jsonpath_output(CASES["object"], case["template"])
    if case["template"] in UNORDERED:
        assert sorted(got.split(" ")) == sorted(case["stdout"].split(" "))
    else:
        assert got == case["stdout"]


DATA = {"a": {"b": [1, 2, 3, 4, 5]}, "m": {"x": 1.5, "y": None, "z": True}, "s": "text"}
UNIT = [
    ("literal text passes through", "hello", "hello"),
    ("a step slices every other item", "{.a.b[::2]}", "1 3 5"),
    ("a float prints like Go", "{.m.x}", "1.5"),
    ("null prints as null", "{.m.y}", "null"),
    ("a boolean prints lowercase", "{.m.z}", "true"),
    ("a numeric filter compares numbers", "{.a.b[?(@ > 3)]}", "4 5"),
    ("a missing key prints nothing", "{.nope.deeper}", ""),
    ("escaped quotes inside a quoted text", r'{"say \"hi\""}', 'say "hi"'),
]


@pytest.mark.parametrize("template, expected", [c[1:] for c in UNIT], ids=[c[0] for c in UNIT])
def test_jsonpath_units(template, expected):
    assert execute(template, DATA) == expected


def test_missing_keys_are_an_error_when_not_allowed():
    with pytest.raises(JSONPathError, match="nope is not found"):
        execute("{.nope}", DATA, allow_missing_keys=False)


RELAXED = [
    ("a dotted path gets braces", ".metadata.name", "{.metadata.name}"),
    ("a path without the leading dot gets one", "metadata.name", "{.metadata.name}"),
    ("braces without the dot get one", "{metadata.name}", "{.metadata.name}"),
]


@pytest.mark.parametrize("given, expected", [c[1:] for c in RELAXED], ids=[c[0] for c in RELAXED])
def test_custom_columns_paths_are_relaxed(given, expected):
    assert relaxed(given) == expected
