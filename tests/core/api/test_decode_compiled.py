"""The compiled fast pass of strict decoding agrees with the reference walk.

``decode.strict_decode`` first asks the checkers compiled per schema type whether a body is
clean, and only walks it generically when it is not. These tests mutate real objects at random
(wrong types, nulls, unknown fields, odd quantities and numbers) and check that the two give
the same answer: the same accepted object, key for key and in the same order, or the same
error text.
"""

import copy

import orjson
from hypothesis import given, settings, strategies as st

from labkube.core.api import decode
from labkube.core.api.resources import default_registry
from labkube.core.errors import StatusError

REGISTRY = default_registry()

NOW = "2026-01-01T00:00:05Z"

RUNNING_POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                 "annotations": {"note": "x"}, "ownerReferences": [
                     {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u",
                      "controller": True, "blockOwnerDeletion": True}]},
    "spec": {
        "containers": [{"name": "nginx", "image": "nginx:1.27",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                                      "limits": {"cpu": "1", "memory": "128Mi"}},
                        "env": [{"name": "A", "value": "b"}],
                        "readinessProbe": {"httpGet": {"path": "/", "port": 80},
                                           "periodSeconds": 10}}],
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                         "effect": "NoExecute", "tolerationSeconds": 300}],
        "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "1Gi"}},
                    {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}}],
        "nodeName": "node-1", "terminationGracePeriodSeconds": 30,
    },
    "status": {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": None,
                        "lastTransitionTime": NOW}],
        "hostIP": "10.0.0.2", "podIPs": [{"ip": "10.244.0.5"}], "startTime": NOW,
        "containerStatuses": [{"name": "nginx", "state": {"running": {"startedAt": NOW}},
                               "lastState": {}, "ready": True, "restartCount": 0,
                               "image": "nginx:1.27", "imageID": "sha", "started": True}],
        "qosClass": "Burstable",
    },
}

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "strategy": {"type": "RollingUpdate",
                          "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
}

SERVICE = {
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
    "spec": {"selector": {"app": "web"}, "type": "NodePort",
             "ports": [{"port": 80, "targetPort": "http", "nodePort": 30080}]},
}

EVENT = {
    "apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.1", "namespace": "default"},
    "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "web", "namespace": "default"},
    "reason": "Scheduled", "message": "Successfully assigned", "source": {"component": "s"},
    "firstTimestamp": NOW, "lastTimestamp": NOW, "count": 1, "type": "Normal",
    "eventTime": None, "reportingComponent": "s", "reportingInstance": "",
}

SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
          "data": {"password": "aHVudGVyMg=="}, "type": "Opaque"}

NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"},
        "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}]},
        "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                   "allocatable": {"cpu": "3900m", "memory": "8G"}}}

OBJECTS = [RUNNING_POD, DEPLOYMENT, SERVICE, EVENT, SECRET, NODE]

ODD_VALUES = st.sampled_from([
    None, "", "x", "100m", " 100m", "0.5", "1e3", "1Ki", "abc", "aGk=", "a!b", 0, 1, -1, 3.0,
    0.5, 1e30, 2**31, 2**63, True, False, [], [None], ["x"], [1], {}, {"x": None}, {"a": "b"},
    {"name": "n"}, [{"name": "n"}],
])


def _paths(value, prefix=()):
    """Every (container path, key) in a JSON value, objects and lists alike."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield prefix, key
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield prefix, i
            yield from _paths(child, prefix + (i,))


def _at(value, path):
    for step in path:
        value = value[step]
    return value


@st.composite
def mutated_objects(draw):
    obj = copy.deepcopy(draw(st.sampled_from(OBJECTS)))
    for _ in range(draw(st.integers(0, 3))):
        places = [p for p in _paths(obj) if p not in (((), "apiVersion"), ((), "kind"))]
        container_path, key = draw(st.sampled_from(places))
        container = _at(obj, container_path)
        action = draw(st.sampled_from(["set", "set", "unknown", "rename"]))
        if action == "set":
            container[key] = copy.deepcopy(draw(ODD_VALUES))
        elif isinstance(container, dict) and action == "unknown":
            container[draw(st.sampled_from(["bogus", "Name", "extra"]))] = copy.deepcopy(draw(ODD_VALUES))
        elif isinstance(container, dict) and isinstance(key, str):
            container[key + "x"] = container.pop(key)
    return obj


def _outcome(decoder, obj):
    """(error text or None, the object as JSON bytes, keys in order)."""
    try:
        decoder(obj, REGISTRY.for_kind(obj["apiVersion"], obj["kind"]))
    except StatusError as err:
        return (err.code, err.message), None
    return None, orjson.dumps(obj)


@settings(max_examples=600, deadline=None)
@given(mutated_objects())
def test_the_compiled_decoder_agrees_with_the_reference_walk(obj):
    fast = _outcome(decode.strict_decode, copy.deepcopy(obj))
    reference = _outcome(decode.reference_decode, copy.deepcopy(obj))
    assert fast == reference


@settings(max_examples=300, deadline=None)
@given(mutated_objects())
def test_a_body_the_fast_pass_calls_clean_is_left_alone_by_the_walk(obj):
    rtype = REGISTRY.for_kind(obj["apiVersion"], obj["kind"])
    if decode.fast_decode(obj, rtype):
        before = orjson.dumps(obj)
        decode.reference_decode(obj, rtype)
        assert orjson.dumps(obj) == before


def test_every_sample_object_is_clean_once_its_nulls_are_dropped():
    for sample in OBJECTS:
        obj = copy.deepcopy(sample)
        assert decode.fast_decode(obj, REGISTRY.for_kind(obj["apiVersion"], obj["kind"])), obj["kind"]


@st.composite
def patched_objects(draw):
    """A clean (already decoded) object, then changes only under some of its top-level fields,
    as a patch makes them: (object, the top-level fields the patch touched)."""
    obj = copy.deepcopy(draw(st.sampled_from(OBJECTS)))
    decode.strict_decode(obj, REGISTRY.for_kind(obj["apiVersion"], obj["kind"]))
    top = [key for key in obj if key not in ("apiVersion", "kind")]
    changed = set(draw(st.lists(st.sampled_from(top), unique=True)))
    if draw(st.booleans()):
        new_field = draw(st.sampled_from(["bogus", "Status", "spec"]))
        obj[new_field] = copy.deepcopy(draw(ODD_VALUES))
        changed.add(new_field)
    for _ in range(draw(st.integers(0, 3))):
        places = [p for p in _paths(obj) if (p[0][:1] or (p[1],))[0] in changed]
        if not places:
            break
        container_path, key = draw(st.sampled_from(places))
        container = _at(obj, container_path)
        if draw(st.booleans()):
            container[key] = copy.deepcopy(draw(ODD_VALUES))
        elif isinstance(container, dict):
            unknown = draw(st.sampled_from(["bogus", "Name"]))
            container[unknown] = copy.deepcopy(draw(ODD_VALUES))
            if not container_path:
                changed.add(unknown)  # a new top-level field is one the patch touched
    return obj, frozenset(changed)


@settings(max_examples=600, deadline=None)
@given(patched_objects())
def test_decoding_only_a_patch_s_fields_gives_what_decoding_it_all_gives(case):
    obj, changed = case
    whole = _outcome(decode.strict_decode, copy.deepcopy(obj))
    only_changed = _outcome(lambda o, rtype: decode.strict_decode_changed(o, rtype, changed), copy.deepcopy(obj))
    assert only_changed == whole


def test_decoding_only_a_patch_s_fields_leaves_the_others_unwalked():
    pod = copy.deepcopy(RUNNING_POD)
    rtype = REGISTRY.for_kind("v1", "Pod")
    decode.strict_decode(pod, rtype)
    pod["spec"]["bogus"] = 1  # not a patch's doing: the stored part is trusted as decoded
    pod["status"]["conditions"][0]["lastProbeTime"] = None
    decode.strict_decode_changed(pod, rtype, frozenset({"status"}))
    assert pod["spec"]["bogus"] == 1
    assert "lastProbeTime" not in pod["status"]["conditions"][0]
