"""The API server's decoded-object cache hands out independent copies and is never stale."""

import pytest

from labkube.core import serialization
from labkube.core.api import quantity
from labkube.core.api.objcache import ObjectCache, copier_for
from labkube.core.api.testing import new_server
from labkube.core.store import MVCCStore


def pod(name, labels=None, containers=1):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": labels or {"app": "web"}},
        "spec": {"containers": [{"name": f"c{i}", "image": "nginx", "ports": [{"containerPort": 80}]}
                                for i in range(containers)],
                 "tolerations": [], "nodeSelector": {}},
        "status": {"phase": "Pending"},
    }


def put(store, obj):
    key = f"/registry/pods/default/{obj['metadata']['name']}"
    store.put(key, serialization.dumps(obj))
    return store.get(key)


def read_three_times(cache, kv):
    return [cache.fresh(kv) for _ in range(3)]


@pytest.mark.parametrize(
    "value",
    [
        pod("a"),
        pod("b", containers=3),
        {"a": [[1, [2, {"b": []}]], {}], "c": {"d": {"e": None}}, "f": "g"},
        [{"x": 1}, [], "s", 2.5, True],
        "scalar",
    ],
    ids=["a pod", "a pod with three containers", "nested lists and dicts", "a list", "a scalar"],
)
def test_a_generated_copy_equals_the_original_in_value_and_key_order(value):
    copy = copier_for(value)(value)
    assert copy == value
    assert serialization.dumps(copy) == serialization.dumps(value)


def test_a_generated_copy_shares_no_container_with_the_original():
    original = pod("a", containers=2)
    copy = copier_for(original)(original)
    copy["metadata"]["labels"]["app"] = "changed"
    copy["spec"]["containers"][1]["ports"][0]["containerPort"] = 1
    copy["spec"]["tolerations"].append({"key": "k"})
    copy["status"]["phase"] = "Running"
    assert original == pod("a", containers=2)


def test_every_read_of_a_cached_object_is_an_independent_copy():
    store, cache = MVCCStore(), ObjectCache()
    kv = put(store, pod("a"))
    first, second, third = read_three_times(cache, kv)
    for obj in (first, second, third):
        obj["metadata"]["labels"]["app"] = "mutated"
        obj["spec"]["containers"].clear()
    again = cache.fresh(kv)
    assert again["metadata"]["labels"] == {"app": "web"}
    assert again["spec"]["containers"][0]["name"] == "c0"
    assert again["metadata"]["resourceVersion"] == str(kv.mod_revision)


def test_an_updated_object_is_read_at_its_new_revision_not_from_the_cache():
    store, cache = MVCCStore(), ObjectCache()
    old = put(store, pod("a"))
    read_three_times(cache, old)
    new = put(store, pod("a", labels={"app": "db"}))
    assert cache.fresh(new)["metadata"]["labels"] == {"app": "db"}
    assert cache.fresh(new)["metadata"]["resourceVersion"] == str(new.mod_revision)


def test_a_discarded_key_is_forgotten():
    store, cache = MVCCStore(), ObjectCache()
    kv = put(store, pod("a"))
    read_three_times(cache, kv)
    cache.discard(kv.key)
    assert len(cache) == 0


def test_the_cache_never_holds_more_than_its_capacity_and_evicts_the_oldest_first():
    store, cache = MVCCStore(), ObjectCache(capacity=3)
    kvs = [put(store, pod(f"p{i}")) for i in range(5)]
    for kv in kvs:
        read_three_times(cache, kv)
    assert len(cache) == 3
    assert sorted(cache._entries) == sorted(kv.key for kv in kvs[2:])
    assert [cache.fresh(kv)["metadata"]["name"] for kv in kvs] == [f"p{i}" for i in range(5)]


def test_a_shared_object_is_the_cached_one_and_copies_do_not_change_it():
    store, cache = MVCCStore(), ObjectCache()
    kv = put(store, pod("a"))
    shared = cache.shared(kv)
    assert cache.shared(kv) is shared
    read_three_times(cache, kv)[0]["metadata"]["name"] = "other"
    assert cache.shared(kv)["metadata"]["name"] == "a"


@pytest.mark.parametrize("capacity", [0, -1, "10"])
def test_a_cache_needs_a_positive_integer_capacity(capacity):
    with pytest.raises(ValueError):
        ObjectCache(capacity)


def test_mutating_listed_or_fetched_pods_never_changes_later_reads_through_the_server():
    client = new_server().admin
    client.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
    for _ in range(3):
        listed = client.list("pods", "default")["items"][0]
        listed["metadata"]["labels"]["app"] = "mutated"
        listed["spec"]["containers"][0]["image"] = "mutated"
        got = client.get("pods", "web", "default")
        got["spec"]["containers"].append({"name": "x"})
    assert len(client.get("pods", "web", "default")["spec"]["containers"]) == 1
    assert client.list("pods", "default")["items"][0]["metadata"]["labels"] == {"app": "web"}
    assert client.get("pods", "web", "default")["metadata"]["labels"] == {"app": "web"}
    assert client.get("pods", "web", "default")["spec"]["containers"][0]["image"] == "nginx"


def test_a_deleted_object_leaves_the_servers_cache():
    client = new_server().admin
    client.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "b"}})
    for _ in range(3):
        client.get("configmaps", "cm", "default")
    cache = client.server._objects
    assert "/registry/configmaps/default/cm" in cache._entries
    client.delete("configmaps", "cm", "default")
    assert "/registry/configmaps/default/cm" not in cache._entries


# -- quantity memo ---------------------------------------------------------------------


def test_parsing_the_same_text_twice_gives_the_same_immutable_quantity():
    first = quantity.parse_quantity("250m")
    assert quantity.parse_quantity("250m") is first
    with pytest.raises(AttributeError):
        first.amount = 1
    assert first.milli == 250


def test_the_quantity_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(quantity, "_CACHE_SIZE", 4)
    monkeypatch.setattr(quantity, "_cache", {})
    for i in range(10):
        assert str(quantity.parse_quantity(f"{i + 1}Mi")) == f"{i + 1}Mi"
    assert len(quantity._cache) <= 4


def test_a_bad_quantity_is_refused_every_time_and_never_memoized():
    for _ in range(2):
        with pytest.raises(ValueError):
            quantity.parse_quantity("12x")
    assert "12x" not in quantity._cache


# -- pausing the garbage collector ------------------------------------------------------


def test_leaving_a_gc_pause_re_enables_the_collector_and_freezes_nothing():
    import gc

    with serialization.gc_paused():
        assert not gc.isenabled()
        made = [{"a": [i]} for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert len(made) == 1000


def test_a_gc_pause_leaves_objects_the_program_froze_itself_frozen():
    import gc

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with serialization.gc_paused():
            [{"a": [i]} for i in range(100)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("text", ["100m", "0.5", "1.0001", "1n", "1500u", "64Mi", "0.1Ki", "-2.5m", "0"])
def test_whole_milli_and_sign_agree_with_exact_arithmetic(text):
    parsed = quantity.parse_quantity(text)
    assert parsed.is_whole_milli() == ((parsed.amount * 1000).denominator == 1)
    assert parsed.is_negative() == (parsed.amount < 0)
    assert parsed.is_zero() == (parsed.amount == 0)


@pytest.mark.parametrize(
    "keep, limit, names, last",
    [
        (None, 0, ["p0", "p1", "p2", "p3"], None),
        (lambda obj: obj["metadata"]["name"] in ("p1", "p3"), 0, ["p1", "p3"], None),
        (None, 2, ["p0", "p1"], "/registry/pods/default/p1"),
        (lambda obj: obj["metadata"]["name"] != "p0", 1, ["p1"], "/registry/pods/default/p1"),
    ],
    ids=["everything", "what the selector keeps", "a page cut by the limit",
         "a page of what the selector keeps"],
)
def test_select_copies_what_the_selector_keeps_up_to_the_limit(keep, limit, names, last):
    store, cache = MVCCStore(), ObjectCache()
    kvs = [put(store, pod(f"p{i}")) for i in range(4)]
    for _ in range(3):  # cold, seen once, cached: every state answers alike
        items, last_key = cache.select(kvs, keep, limit)
        assert [item["metadata"]["name"] for item in items] == names
        assert last_key == last
        for item in items:
            item["metadata"]["name"] = "mutated"
    assert [cache.fresh(kv)["metadata"]["name"] for kv in kvs] == ["p0", "p1", "p2", "p3"]


def test_an_immutable_quantity_still_copies_and_pickles():
    import copy
    import pickle

    original = quantity.parse_quantity("1.5Gi")
    for clone in (copy.copy(original), copy.deepcopy(original), pickle.loads(pickle.dumps(original))):
        assert clone == original
        assert str(clone) == "1536Mi"
