"""Strategic merge patch: applying (as kube-apiserver), and the two-way diff (as kubectl).

Cases follow the spirit of k8s.io/apimachinery/pkg/util/strategicpatch's test fixtures.
"""

import copy

import pytest
from hypothesis import given, settings, strategies as st

from labkube.core.api.patch import (
    apply_patch,
    create_two_way_merge_patch,
    strategic_merge_patch,
)
from labkube.core.api.patch import merge_keys
from labkube.core.errors import StatusError


def deployment(containers=None, volumes=None, finalizers=None, **spec):
    pod_spec = {"containers": containers if containers is not None else [{"name": "web", "image": "nginx"}]}
    if volumes is not None:
        pod_spec["volumes"] = volumes
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"template": {"spec": pod_spec}, **spec}}
    if finalizers is not None:
        obj["metadata"]["finalizers"] = finalizers
    return obj


def containers_of(obj):
    return obj["spec"]["template"]["spec"]["containers"]


def pod_spec_patch(**fields):
    return {"spec": {"template": {"spec": fields}}}


WEB = {"name": "web", "image": "nginx:1.25"}
LOG = {"name": "log", "image": "busybox"}

APPLY_CASES = [
    ("containers are merged by name, keeping the others",
     deployment([WEB, LOG]), pod_spec_patch(containers=[{"name": "web", "image": "nginx:1.27"}]),
     lambda o: containers_of(o) == [{"name": "web", "image": "nginx:1.27"}, LOG]),
    ("a container with a new name is appended",
     deployment([WEB]), pod_spec_patch(containers=[{"name": "log", "image": "busybox"}]),
     lambda o: [c["name"] for c in containers_of(o)] == ["log", "web"]),
    ("a container is removed with $patch: delete",
     deployment([WEB, LOG]), pod_spec_patch(containers=[{"name": "web", "$patch": "delete"}]),
     lambda o: containers_of(o) == [LOG]),
    ("env is merged by name inside a merged container",
     deployment([dict(WEB, env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])]),
     pod_spec_patch(containers=[{"name": "web", "env": [{"name": "B", "value": "3"}]}]),
     lambda o: containers_of(o)[0]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]),
    ("$setElementOrder puts merged containers in the given order",
     deployment([WEB, LOG]),
     pod_spec_patch(**{"$setElementOrder/containers": [{"name": "log"}, {"name": "web"}],
                       "containers": [{"name": "web", "image": "x"}]}),
     lambda o: [c["name"] for c in containers_of(o)] == ["log", "web"]),
    ("$patch: replace in a list replaces the whole list",
     deployment([WEB, LOG]), pod_spec_patch(containers=[{"name": "new", "image": "n"}, {"$patch": "replace"}]),
     lambda o: containers_of(o) == [{"name": "new", "image": "n"}]),
    ("$patch: replace in a map replaces the whole map",
     deployment([WEB], replicas=3, selector={"matchLabels": {"a": "1", "b": "2"}}),
     {"spec": {"selector": {"$patch": "replace", "matchLabels": {"c": "3"}}}},
     lambda o: o["spec"]["selector"] == {"matchLabels": {"c": "3"}} and o["spec"]["replicas"] == 3),
    ("$patch: delete in a map deletes the map's content",
     deployment([WEB], selector={"matchLabels": {"a": "1"}}),
     {"spec": {"selector": {"$patch": "delete"}}}, lambda o: o["spec"]["selector"] == {}),
    ("finalizers, a list of scalars with merge strategy, are unioned",
     deployment(finalizers=["a", "b"]), {"metadata": {"finalizers": ["b", "c"]}},
     lambda o: sorted(o["metadata"]["finalizers"]) == ["a", "b", "c"]),
    ("$deleteFromPrimitiveList removes scalars from a merged list",
     deployment(finalizers=["a", "b", "c"]),
     {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}},
     lambda o: o["metadata"]["finalizers"] == ["a", "c"]),
    ("tolerations have no merge strategy, so they are replaced",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
      "spec": {"tolerations": [{"key": "a"}, {"key": "b"}], "containers": [WEB]}},
     {"spec": {"tolerations": [{"key": "c"}]}}, lambda o: o["spec"]["tolerations"] == [{"key": "c"}]),
    ("args, a plain list of strings, are replaced",
     deployment([dict(WEB, args=["a", "b"])]), pod_spec_patch(containers=[{"name": "web", "args": ["c"]}]),
     lambda o: containers_of(o)[0]["args"] == ["c"]),
    ("null deletes a field",
     deployment([WEB], replicas=3), {"spec": {"replicas": None}}, lambda o: "replicas" not in o["spec"]),
    ("a null for a field that is not there is ignored",
     deployment([WEB]), {"spec": {"paused": None}}, lambda o: "paused" not in o["spec"]),
    ("nulls inside a newly added map are dropped",
     deployment([WEB]), {"spec": {"strategy": {"type": "Recreate", "rollingUpdate": None}}},
     lambda o: o["spec"]["strategy"] == {"type": "Recreate"}),
    ("$retainKeys drops the keys of a retainKeys field that are not listed",
     deployment([WEB], strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}),
     {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
     lambda o: o["spec"]["strategy"] == {"type": "Recreate"}),
    ("service ports are merged by port",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
      "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": 8443}]}},
     {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}},
     lambda o: o["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443, "targetPort": 8443}]),
    ("ownerReferences are merged by uid",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "ownerReferences": [{"uid": "1", "name": "a"}]}},
     {"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}]}},
     lambda o: [r["uid"] for r in o["metadata"]["ownerReferences"]] == ["2", "1"]),
    ("pod conditions are merged by type",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
      "status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}]}},
     {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
     lambda o: o["status"]["conditions"] == [{"type": "Ready", "status": "True"},
                                             {"type": "PodScheduled", "status": "True"}]),
    ("labels merge like any map", deployment([WEB]) | {"metadata": {"name": "d", "labels": {"a": "1"}}},
     {"metadata": {"labels": {"b": "2"}}}, lambda o: o["metadata"]["labels"] == {"a": "1", "b": "2"}),
]


@pytest.mark.parametrize("name,target,patch,check", APPLY_CASES, ids=[c[0] for c in APPLY_CASES])
def test_strategic_merge_patch(name, target, patch, check):
    before = copy.deepcopy((target, patch))
    result = strategic_merge_patch(target, patch, target["apiVersion"], target["kind"])
    assert check(result), result
    assert (target, patch) == before, "inputs must not be mutated"


ERROR_CASES = [
    ("a list item without its merge key is a server error",
     pod_spec_patch(containers=[{"image": "x"}]), 500, "",
     "map: map[image:x] does not contain declared merge key: name"),
    ("$patch: merge in a list is refused", pod_spec_patch(containers=[{"$patch": "merge"}]), 500, "",
     "merging lists cannot yet be specified in the patch"),
    ("an unknown $patch directive in a map is refused", {"spec": {"$patch": "frob"}}, 500, "",
     "unknown patch type: frob in map: map[$patch:frob]"),
    ("$retainKeys must be a list", {"spec": {"strategy": {"$retainKeys": "type"}}}, 400, "BadRequest",
     "invalid patch format of retainKeys"),
    ("$retainKeys must name every key the patch sets",
     {"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}}, 422, "Invalid",
     "the server rejected our request due to an error in our request"),
    ("a $deleteFromPrimitiveList key needs a field name", {"metadata": {"$deleteFromPrimitiveList": ["a"]}},
     400, "BadRequest", "invalid patch format of primitive list"),
    ("a merged list whose items differ in type is refused", {"metadata": {"finalizers": [["a"]]}}, 500, "",
     "list element types are not identical: [[f] [[a]]]"),
]


def test_lists_of_lists_are_unprocessable():
    target = deployment([WEB], finalizers=[])
    with pytest.raises(StatusError) as err:
        strategic_merge_patch(target, {"metadata": {"finalizers": [["a"]]}}, "apps/v1", "Deployment")
    assert (err.value.code, err.value.reason) == (422, "Invalid")
    assert err.value.message == "the server rejected our request due to an error in our request"


@pytest.mark.parametrize("name,patch,code,reason,message", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_strategic_merge_patch_errors(name, patch, code, reason, message):
    target = deployment([WEB], strategy={"type": "RollingUpdate"}, finalizers=["f"])
    with pytest.raises(StatusError) as err:
        strategic_merge_patch(target, patch, "apps/v1", "Deployment")
    assert (err.value.code, err.value.reason, err.value.message) == (code, reason, message)


def test_a_patch_body_that_is_a_list_is_a_bad_request():
    with pytest.raises(StatusError) as err:
        apply_patch({}, "[]", "application/strategic-merge-patch+json", "v1", "Pod")
    assert err.value.code == 400
    assert err.value.message == "json: cannot unmarshal array into Go value of type map[string]interface {}"


def test_strategic_merge_patch_of_a_kind_without_strategic_info_is_unsupported_media_type():
    with pytest.raises(StatusError) as err:
        strategic_merge_patch({}, {}, "example.com/v1", "Widget")
    assert err.value.code == 415
    assert err.value.message.startswith("the body of the request was in an unknown format")


@pytest.mark.parametrize("patch_type", ["strategic", "application/strategic-merge-patch+json",
                                        "application/strategic-merge-patch+json; charset=utf-8"])
def test_apply_patch_accepts_short_names_and_content_types(patch_type):
    result = apply_patch(deployment([WEB, LOG]), pod_spec_patch(containers=[{"name": "log", "image": "x"}]),
                         patch_type, "apps/v1", "Deployment")
    assert containers_of(result)[1] == {"name": "log", "image": "x"}


def test_an_unknown_patch_type_is_unsupported_media_type():
    with pytest.raises(StatusError) as err:
        apply_patch({}, {}, "application/yaml", "v1", "Pod")
    assert err.value.code == 415


TWO_WAY_CASES = [
    ("identical objects give an empty patch", deployment([WEB]), deployment([WEB]), {}),
    ("a changed image names its container and sets the order",
     deployment([WEB, LOG]), deployment([dict(WEB, image="nginx:1.27"), LOG]),
     pod_spec_patch(**{"$setElementOrder/containers": [{"name": "web"}, {"name": "log"}],
                       "containers": [{"name": "web", "image": "nginx:1.27"}]})),
    ("a removed container becomes a delete directive",
     deployment([WEB, LOG]), deployment([WEB]),
     pod_spec_patch(**{"$setElementOrder/containers": [{"name": "web"}],
                       "containers": [{"name": "log", "$patch": "delete"}]})),
    ("a removed finalizer goes to $deleteFromPrimitiveList",
     deployment(finalizers=["a", "b"]), deployment(finalizers=["a"]),
     {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"], "$setElementOrder/finalizers": ["a"]}}),
    ("a removed field becomes null", deployment(replicas=2), deployment(), {"spec": {"replicas": None}}),
    ("a changed retainKeys map carries $retainKeys",
     deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}),
     deployment(strategy={"type": "Recreate"}),
     {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": None}}}),
]


@pytest.mark.parametrize("name,original,modified,expected", TWO_WAY_CASES, ids=[c[0] for c in TWO_WAY_CASES])
def test_create_two_way_merge_patch(name, original, modified, expected):
    patch = create_two_way_merge_patch(original, modified, "apps/v1", "Deployment")
    assert patch == expected
    assert strategic_merge_patch(original, patch, "apps/v1", "Deployment") == modified


@pytest.mark.parametrize("type_name,field,expected", [
    ("core.v1.PodSpec", "containers", ("core.v1.Container", "merge", "name")),
    ("core.v1.PodSpec", "volumes", ("core.v1.Volume", "merge,retainKeys", "name")),
    ("core.v1.Container", "ports", ("", "merge", "containerPort")),
    ("core.v1.Container", "volumeMounts", ("", "merge", "mountPath")),
    ("core.v1.ServiceSpec", "ports", ("", "merge", "port")),
    ("meta.v1.ObjectMeta", "finalizers", ("", "merge", "")),
    ("meta.v1.ObjectMeta", "ownerReferences", ("", "merge", "uid")),
    ("apps.v1.DeploymentSpec", "strategy", ("", "retainKeys", "")),
])
def test_the_merge_key_table_matches_the_kubernetes_type_tags(type_name, field, expected):
    assert merge_keys.TYPES[type_name][field] == expected


def test_tolerations_are_atomic_in_the_kubernetes_types():
    assert "tolerations" not in merge_keys.TYPES["core.v1.PodSpec"]


# -- property: applying the two-way patch of (a, b) to a gives b ------------------------------------

keys = st.sampled_from(["a", "b", "c", "dd", "e"])
scalars = st.one_of(st.booleans(), st.integers(-3, 3), st.text("xyz", max_size=2))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)
plain_objects = st.dictionaries(keys, values, max_size=4)


@settings(max_examples=300, deadline=None)
@given(plain_objects, plain_objects)
def test_two_way_patch_round_trips_plain_json(a, b):
    a = {"apiVersion": "v1", "kind": "ConfigMap", "data": a}
    b = {"apiVersion": "v1", "kind": "ConfigMap", "data": b}
    patch = create_two_way_merge_patch(a, b, "v1", "ConfigMap")
    assert strategic_merge_patch(a, patch, "v1", "ConfigMap") == b


container = st.fixed_dictionaries(
    {"name": st.sampled_from(["web", "log", "db", "cache"]), "image": st.sampled_from(["a", "b"])},
    optional={"env": st.lists(st.fixed_dictionaries({"name": st.sampled_from(["X", "Y", "Z"]),
                                                     "value": st.sampled_from(["1", "2"])}),
                              max_size=3, unique_by=lambda e: e["name"]),
              "args": st.lists(st.sampled_from(["p", "q"]), max_size=2)},
)
containers = st.lists(container, min_size=1, max_size=4, unique_by=lambda c: c["name"])
finalizers = st.lists(st.sampled_from(["f1", "f2", "f3", "f4"]), max_size=4, unique=True)


@settings(max_examples=300, deadline=None)
@given(containers, containers, finalizers, finalizers)
def test_two_way_patch_round_trips_containers_and_finalizers(c1, c2, f1, f2):
    a, b = deployment(c1, finalizers=f1), deployment(c2, finalizers=f2)
    patch = create_two_way_merge_patch(a, b, "apps/v1", "Deployment")
    assert strategic_merge_patch(a, patch, "apps/v1", "Deployment") == b
