"""Read-only decodes share their equal parts; nothing else shares anything.

See :mod:`labkube.core.api.sharing`: the watch cache lets the one object it hands to the
read-only watches share equal parts with that object's previous version and with the object
dispatched just before it.
"""

import copy

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from labkube.core.api.sharing import MAX_DEPTH, share_equal_parts
from labkube.core.api.testing import new_server, only_event_object, pod


def _ids(value, found=None):
    """The ids of every dict and list inside ``value`` (the mutable parts; strings are
    immutable, so sharing one is never visible)."""
    found = set() if found is None else found
    if isinstance(value, (dict, list)):
        found.add(id(value))
    for child in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        _ids(child, found)
    return found


# -- the function -------------------------------------------------------------------------
def test_an_equal_part_becomes_the_donors_part_and_a_changed_one_stays_its_own():
    donor = {"spec": {"tolerations": [{"key": "a"}], "nodeName": "n1"}, "status": {"phase": "Pending"}}
    obj = {"spec": {"tolerations": [{"key": "a"}], "nodeName": "n2"}, "status": {"phase": "Pending"}}
    share_equal_parts(obj, donor)
    assert obj["spec"]["tolerations"] is donor["spec"]["tolerations"]
    assert obj["status"] is donor["status"]
    assert obj["spec"] is not donor["spec"] and obj["spec"]["nodeName"] == "n2"


def test_values_equal_in_python_but_not_in_json_are_not_shared():
    donor = {"a": {"n": 1}, "b": {"n": True}, "c": [1.0]}
    obj = {"a": {"n": 1.0}, "b": {"n": 1}, "c": [1]}
    before = orjson.dumps(obj)
    share_equal_parts(obj, donor)
    assert orjson.dumps(obj) == before  # 1.0 stays 1.0, 1 stays 1 (not true)
    assert obj["a"] is not donor["a"] and obj["b"] is not donor["b"] and obj["c"] is not donor["c"]


def test_list_items_are_shared_by_position():
    donor = {"conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}]}
    obj = {"conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"},
                          {"type": "Initialized", "status": "True"}]}
    share_equal_parts(obj, donor)
    assert obj["conditions"][1] is donor["conditions"][1]
    assert obj["conditions"][0] is not donor["conditions"][0] and obj["conditions"][0]["status"] == "True"


def test_the_walk_stops_at_max_depth():
    def nested(leaf, levels):
        value = leaf
        for _ in range(levels):
            value = {"x": value, "changed": leaf["v"]}
        return value

    donor = nested({"v": "same"}, MAX_DEPTH + 1)
    obj = nested({"v": "same"}, MAX_DEPTH + 1)
    obj["changed"] = "other"  # the top differs, so the walk descends
    deepest_donor = donor
    deepest_obj = obj
    for _ in range(MAX_DEPTH + 1):
        deepest_donor, deepest_obj = deepest_donor["x"], deepest_obj["x"]
    share_equal_parts(obj, donor)
    assert obj["x"] is donor["x"]  # an equal part is shared whole, however deep it goes
    assert deepest_obj == deepest_donor


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2, allow_nan=False) | st.sampled_from("abc"),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from("pqrs"), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values, json_values)
def test_sharing_never_changes_what_either_object_says(obj, donor):
    obj_json, donor_json = orjson.dumps(obj), orjson.dumps(donor)
    share_equal_parts(obj, donor)
    assert orjson.dumps(obj) == obj_json
    assert orjson.dumps(donor) == donor_json


# -- in the watch cache ---------------------------------------------------------------------
def test_a_read_only_watch_gets_a_new_version_sharing_the_unchanged_spec_with_the_previous_one():
    env = new_server()
    watch = env.admin.watch("pods", "default", resource_version=str(env.store.revision), read_only=True)
    env.admin.create(pod("a"))
    first = only_event_object(watch)
    env.admin.patch("pods", "a", {"metadata": {"labels": {"app": "web"}}}, namespace="default")
    second = only_event_object(watch)
    assert second["metadata"]["labels"] == {"app": "web"} and "labels" not in first["metadata"]
    assert second["spec"] is first["spec"]


def test_siblings_written_one_after_another_share_their_equal_parts():
    env = new_server()
    watch = env.admin.watch("pods", "default", resource_version=str(env.store.revision), read_only=True)
    for name in ("a", "b"):
        env.admin.create(pod(name, labels={"app": "web"}))
    a, b = (event["object"] for event in watch.poll())
    assert a["metadata"]["labels"] is b["metadata"]["labels"]
    assert a["spec"]["tolerations"] is b["spec"]["tolerations"]
    # Each pod's service-account volume has a name of its own; its source is the same.
    assert a["spec"]["volumes"][0]["name"] != b["spec"]["volumes"][0]["name"]
    assert a["spec"]["volumes"][0]["projected"] is b["spec"]["volumes"][0]["projected"]
    assert a["metadata"]["name"] == "a" and b["metadata"]["name"] == "b"


def test_what_a_plain_watch_or_a_get_returns_shares_nothing_with_the_read_only_objects():
    env = new_server()
    rv = str(env.store.revision)
    reader = env.admin.watch("pods", "default", resource_version=rv, read_only=True)
    writer = env.admin.watch("pods", "default", resource_version=rv)
    env.admin.create(pod("a", labels={"app": "web"}))
    env.admin.create(pod("b", labels={"app": "web"}))
    shared = [e["object"] for e in reader.poll()]
    own = [e["object"] for e in writer.poll()] + [env.admin.get("pods", n, "default") for n in ("a", "b")]
    shared_ids = set().union(*(_ids(o) for o in shared))
    for obj in own:
        assert not _ids(obj) & shared_ids
    pristine = copy.deepcopy(shared)
    for obj in own:
        obj["spec"]["containers"][0]["image"] = "changed"
        obj["metadata"]["labels"]["app"] = "changed"
    assert shared == pristine



def test_small_objects_such_as_lease_renewals_are_not_walked():
    env = new_server()
    watch = env.admin.watch("configmaps", "default", resource_version=str(env.store.revision), read_only=True)
    small = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "small"}, "data": {"a": "1"}}
    env.admin.create(small)
    first = only_event_object(watch)
    env.admin.patch("configmaps", "small", {"metadata": {"labels": {"x": "y"}}}, namespace="default")
    second = only_event_object(watch)
    assert second["data"] == first["data"] and second["data"] is not first["data"]


def test_the_sibling_pass_skips_parts_taken_whole_from_the_previous_version():
    from labkube.core.api.sharing import share_changed_parts

    previous = {"spec": {"a": [1]}, "status": {"phase": "Pending"}}
    sibling = {"spec": {"a": [1]}, "status": {"phase": "Running"}}
    obj = {"spec": previous["spec"], "status": {"phase": "Running"}}
    share_changed_parts(obj, sibling, previous)
    assert obj["spec"] is previous["spec"]  # not swapped for the sibling's equal spec
    assert obj["status"] is sibling["status"]
