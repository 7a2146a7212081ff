"""The watch cache sends exactly what a watch straight on the store would send.

The reference is the unindexed path the server used before the cache: one store watcher per
client watch, each event decoded and filtered by that watch alone
(``APIServer._watch_converter``). Random writes to pods and nodes — creates, bindings, label
and status changes, graceful and immediate deletes — are checked against it for many
watches at once: with and without field selectors on the trigger fields, with label
selectors, namespaced, opened before, during and after the writes; and, apart, watches that
are all read-only and unselective (the way most informers' events take).
"""

import random

import pytest

from labkube.core.api import listing
from labkube.core.api.testing import new_server, only_event_object, pod
from labkube.core.api.watch import Watch

NODES = ("node-a", "node-b", "node-c")
NAMESPACES = ("default", "team")
SELECTORS = (
    {},
    {"field_selector": "spec.nodeName=node-a"},
    {"field_selector": "spec.nodeName=node-b"},
    {"field_selector": "spec.nodeName="},
    {"field_selector": "spec.nodeName!=node-a"},
    {"field_selector": "spec.nodeName=node-c,status.phase=Running"},
    {"field_selector": "metadata.name=p1"},
    {"field_selector": "status.phase!=Running"},
    {"label_selector": "app=web"},
    {"label_selector": "app in (web,db)", "field_selector": "spec.nodeName=node-a"},
)


def reference_watch(env, resource, namespace, rv, **selectors):
    """A watch with its own store watcher and per-watch decoding: the path without the cache."""
    server = env.server
    rtype = server.resolve(resource)
    options = listing.Predicate(
        listing.parse_label_selector(selectors.get("label_selector")),
        listing.parse_field_selector(selectors.get("field_selector"), server.strategy(rtype)),
        server.strategy(rtype).selectable_fields,
    )
    prefix = rtype.prefix(namespace)
    watcher = env.store.watch(prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1),
                              start_revision=int(rv) + 1, prev_kv=True)
    return Watch(watcher, server._watch_converter(rtype, options), ())


class Pair:
    """A cached watch and its reference, opened at the same resourceVersion."""

    def __init__(self, env, resource, namespace, selectors, read_only=False):
        rv = str(env.store.revision)
        self.label = (resource, namespace, tuple(sorted(selectors.items())))
        self.cached = env.admin.watch(resource, namespace, resource_version=rv, read_only=read_only, **selectors)
        self.reference = reference_watch(env, resource, namespace, rv, **selectors)

    def check(self):
        assert self.cached.poll() == self.reference.poll(), self.label


def open_pairs(env, rng, count):
    pairs = []
    for _ in range(count):
        selectors = rng.choice(SELECTORS)
        pairs.append(Pair(env, "pods", rng.choice((None, *NAMESPACES)), selectors))
    pairs.append(Pair(env, "nodes", None, {"field_selector": f"metadata.name={rng.choice(NODES)}"}))
    pairs.append(Pair(env, "nodes", None, {}))
    return pairs


def random_write(env, rng, names):
    name, namespace = rng.choice(names), rng.choice(NAMESPACES)
    current = _get(env, name, namespace)
    action = rng.choice(("create", "bind", "label", "phase", "delete", "node"))
    if current is None or action == "create":
        if current is None:
            labels = {"app": rng.choice(("web", "db", "cache"))}
            env.admin.create(pod(name, labels=labels), namespace=namespace)
    elif action == "bind" and not current["spec"].get("nodeName"):
        env.admin.create({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
                          "target": {"kind": "Node", "name": rng.choice(NODES)}},
                         namespace=namespace, subresource="binding")
    elif action == "label":
        env.admin.patch("pods", name, {"metadata": {"labels": {"app": rng.choice(("web", "db", "x"))}}},
                        namespace=namespace)
    elif action == "phase":
        env.admin.patch("pods", name, {"status": {"phase": rng.choice(("Pending", "Running", "Failed"))}},
                        namespace=namespace, subresource="status")
    elif action == "delete":
        env.admin.delete("pods", name, namespace, grace_period_seconds=rng.choice((None, 0)))
    else:
        node = rng.choice(NODES)
        labels = {"zone": rng.choice(("a", "b"))}
        if _get(env, node, None, "nodes") is None:
            env.admin.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": node, "labels": labels}})
        else:
            env.admin.patch("nodes", node, {"metadata": {"labels": labels}})


def _get(env, name, namespace, resource="pods"):
    try:
        return env.admin.get(resource, name, namespace)
    except Exception:
        return None


@pytest.mark.parametrize("seed", range(8))
def test_cached_watches_send_exactly_the_events_of_unindexed_watches(seed):
    rng = random.Random(seed)
    env = new_server(namespaces=NAMESPACES)
    names = [f"p{i}" for i in range(6)]
    pairs = open_pairs(env, rng, 12)
    for step in range(150):
        random_write(env, rng, names)
        if step % 25 == 10:
            pairs += open_pairs(env, rng, 4)  # watches that join mid-stream
        if rng.random() < 0.3:
            for pair in pairs:
                pair.check()
    for pair in pairs:
        pair.check()


@pytest.mark.parametrize("seed", range(6))
def test_read_only_unselective_watches_send_exactly_the_events_of_unindexed_watches(seed):
    """The plain way (every watch read-only, no selector, no trigger), and the switches to
    the general way and back as a selective watch opens and is cancelled mid-stream."""
    rng = random.Random(seed)
    env = new_server(namespaces=NAMESPACES)
    names = [f"p{i}" for i in range(6)]
    pairs = [Pair(env, resource, namespace, {}, read_only=True)
             for resource, namespace in (("pods", None), ("pods", "team"), ("nodes", None))]
    selective = None
    for step in range(150):
        random_write(env, rng, names)
        if step % 30 == 10:
            pairs.append(Pair(env, "pods", rng.choice((None, *NAMESPACES)), {}, read_only=True))
        if step % 40 == 20:
            selective = Pair(env, "pods", None, rng.choice(SELECTORS[1:]))
            pairs.append(selective)
        if step % 40 == 35 and selective is not None:
            selective.check()
            pairs.remove(selective)
            selective.cached.cancel()
        if rng.random() < 0.3:
            for pair in pairs:
                pair.check()
    for pair in pairs:
        pair.check()


def test_events_take_the_plain_way_only_while_every_watch_is_read_only_and_unselective():
    env = new_server()
    cache = env.server._watch_cache(env.server.resolve("pods"))
    first = env.admin.watch("pods", read_only=True)
    env.admin.watch("pods", "default", read_only=True)
    assert cache._plain is not None
    selective = env.admin.watch("pods", label_selector="app=web", read_only=True)
    assert cache._plain is None
    selective.cancel()
    assert cache._plain is not None
    copying = env.admin.watch("pods")  # did not promise to only read
    assert cache._plain is None
    copying.cancel()
    first.cancel()
    assert len(cache._plain) == 1


def test_a_watch_opened_at_an_old_revision_replays_then_streams_without_gap_or_duplicate():
    env = new_server()
    live = env.admin.watch("pods", field_selector="spec.nodeName=")  # opens the cache
    live.poll()
    rv = str(env.store.revision)
    env.admin.create(pod("a"))
    env.admin.create(pod("b"))
    late = env.admin.watch("pods", resource_version=rv)
    env.admin.create(pod("c"))
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in late.poll()] == [
        ("ADDED", "a"), ("ADDED", "b"), ("ADDED", "c")]


def test_a_pod_bound_to_a_node_reaches_only_that_nodes_watch_and_the_unselective_ones():
    env = new_server()
    watches = {node: env.admin.watch("pods", field_selector=f"spec.nodeName={node}") for node in NODES}
    everything = env.admin.watch("pods")
    env.admin.create(pod("a"))
    env.admin.create({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "a"},
                      "target": {"kind": "Node", "name": "node-b"}}, subresource="binding")
    got = {node: [e["type"] for e in w.poll()] for node, w in watches.items()}
    assert got == {"node-a": [], "node-b": ["ADDED"], "node-c": []}
    assert [e["type"] for e in everything.poll()] == ["ADDED", "MODIFIED"]


def test_receivers_of_one_event_never_share_an_object():
    env = new_server()
    first, second = env.admin.watch("pods"), env.admin.watch("pods")
    env.admin.create(pod("a"))
    (one,), (two,) = first.poll(), second.poll()
    one["object"]["metadata"]["labels"] = {"changed": "yes"}
    assert "labels" not in two["object"]["metadata"]


def test_a_cancelled_watch_receives_nothing_more_and_leaves_the_index():
    env = new_server()
    watch = env.admin.watch("pods", field_selector="spec.nodeName=node-a")
    cache = env.server._watch_cache(env.server.resolve("pods"))
    assert len(cache) == 1
    watch.cancel()
    env.admin.create(pod("a"))
    assert (watch.poll(), len(cache)) == ([], 0)


def test_a_watch_from_a_compacted_revision_ends_with_410_expired():
    env = new_server()
    env.admin.watch("pods")  # the cache is open
    rv = env.store.revision
    env.admin.create(pod("a"))
    env.admin.create(pod("b"))
    env.store.compact(env.store.revision)
    events = env.admin.watch("pods", resource_version=str(rv)).poll()
    assert [(e["type"], e["object"]["code"]) for e in events] == [("ERROR", 410)]


# -- read-only watches share one decoded object ------------------------------------------------
def test_read_only_watches_receive_the_same_decoded_object():
    env = new_server()
    first = env.admin.watch("pods", "default", resource_version=str(env.store.revision), read_only=True)
    second = env.admin.watch("pods", "default", resource_version=str(env.store.revision), read_only=True)
    env.admin.create(pod("a"))
    assert only_event_object(first) is only_event_object(second)


def test_a_watch_that_did_not_promise_to_only_read_gets_an_object_of_its_own():
    env = new_server()
    rv = str(env.store.revision)
    readers = [env.admin.watch("pods", "default", resource_version=rv, read_only=True) for _ in range(2)]
    writers = [env.admin.watch("pods", "default", resource_version=rv) for _ in range(2)]
    env.admin.create(pod("a"))
    shared = only_event_object(readers[0])
    assert only_event_object(readers[1]) is shared
    own = [only_event_object(w) for w in writers]
    assert own[0] == shared and own[1] == shared
    assert own[0] is not shared and own[1] is not shared and own[0] is not own[1]
    own[0]["metadata"]["labels"] = {"changed": "by a client"}
    assert "labels" not in shared["metadata"] or shared["metadata"]["labels"] != {"changed": "by a client"}


def test_a_read_after_a_read_only_watch_copies_the_shared_decode_instead_of_decoding_again():
    env = new_server()
    watch = env.admin.watch("pods", "default", resource_version=str(env.store.revision), read_only=True)
    env.admin.create(pod("a"))
    shared = only_event_object(watch)
    key = "/registry/pods/default/a"
    entry = env.server._objects._entries[key]
    assert entry[1] is shared  # the object cache holds the watch's decode, not a second one
    got = env.admin.get("pods", "a", "default")
    assert got == shared and got is not shared
    got["metadata"]["labels"] = {"x": "y"}
    assert shared["metadata"].get("labels") != {"x": "y"}
