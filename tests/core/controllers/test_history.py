"""Controller history (pkg/controller/history): hashes, names, ordering and the revision API.

The hash is Go's ``fnv.New32`` (FNV-1) over the revision's data as ``json.Marshal`` writes it,
then ``rand.SafeEncodeString``; the API helpers create, collide, update, adopt, release and
delete ControllerRevisions through a real API server.
"""

import pytest

from labkube.core.api.labels import selector_from_label_selector
from labkube.core.api.testing import new_server
from labkube.core.controllers import history
from labkube.core.errors import StatusError
from labkube.core.machinery import InformerFactory


@pytest.mark.parametrize("data, expected", [
    (b"", 0x811C9DC5),
    (b"a", 0x050C5D7E),
    (b"foobar", 0x31F0B262),
], ids=["the empty input is the offset basis", "one byte multiplies before it xors (FNV-1)",
        "the published FNV-1 vector for foobar"])
def test_fnv32_is_go_fnv_new32(data, expected):
    assert history.fnv32(data) == expected


def test_go_json_sorts_keys_drops_spaces_and_escapes_html_as_json_marshal_does():
    assert history.go_json({"b": "<x>", "a": [1, {"d": None, "c": "&"}]}) == \
        b'{"a":[1,{"c":"\\u0026","d":null}],"b":"\\u003cx\\u003e"}'


def test_the_hash_encodes_the_decimal_sum_onto_the_safe_alphabet():
    rev = {"data": {"a": 1}}
    digits = str(history.fnv32(b'{"a":1}'))
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    assert history.hash_controller_revision(rev) == "".join(alphabet[ord(d) % 27] for d in digits)


def test_a_collision_count_is_hashed_as_its_decimal_text_after_the_data():
    rev = {"data": {"a": 1}}
    digits = str(history.fnv32(b'{"a":1}' + b"12"))
    assert history.hash_controller_revision(rev, 12) == history.safe_encode_string(digits)
    assert history.hash_controller_revision(rev, 0) != history.hash_controller_revision(rev)


def test_the_same_data_in_any_key_order_hashes_alike():
    one = {"data": {"spec": {"template": {"a": 1, "b": 2}}}}
    two = {"data": {"spec": {"template": {"b": 2, "a": 1}}}}
    assert history.hash_controller_revision(one) == history.hash_controller_revision(two)


@pytest.mark.parametrize("prefix, expected", [
    ("web", "web-abc"),
    ("x" * 300, "x" * 223 + "-abc"),
], ids=["a short prefix is kept", "a long prefix is cut to 223 characters"])
def test_controller_revision_name(prefix, expected):
    assert history.controller_revision_name(prefix, "abc") == expected


def owner(name="web", uid="uid-1", namespace="default"):
    return {"metadata": {"name": name, "uid": uid, "namespace": namespace}}


def test_a_new_revision_carries_the_template_labels_the_hash_label_and_a_controller_ref():
    rev = history.new_controller_revision(owner(), "apps/v1", "StatefulSet", {"app": "web"},
                                          {"spec": {"template": {"$patch": "replace"}}}, 3, None)
    hash_ = history.hash_controller_revision(rev)
    assert rev["metadata"]["name"] == f"web-{hash_}"
    assert rev["metadata"]["labels"] == {"app": "web", "controller.kubernetes.io/hash": hash_}
    assert rev["metadata"]["ownerReferences"] == [{
        "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "uid-1",
        "controller": True, "blockOwnerDeletion": True}]
    assert rev["revision"] == 3 and rev["kind"] == "ControllerRevision"


def rev(name, number, data=None, created="2025-01-01T00:00:00Z", labels=None):
    return {"metadata": {"name": name, "creationTimestamp": created, "labels": labels or {}},
            "revision": number, "data": data if data is not None else {"n": name}}


def test_revisions_sort_by_number_then_creation_time_then_name():
    revisions = [rev("c", 2), rev("b", 1, created="2025-01-01T00:00:05Z"), rev("a", 1, created="2025-01-01T00:00:05Z"),
                 rev("z", 1)]
    assert [r["metadata"]["name"] for r in history.sort_controller_revisions(revisions)] == ["z", "a", "b", "c"]


@pytest.mark.parametrize("revisions, expected", [
    ([], 1), ([rev("a", 1), rev("b", 4)], 5),
], ids=["the first revision is 1", "the next revision follows the last sorted one"])
def test_next_revision(revisions, expected):
    assert history.next_revision(revisions) == expected


@pytest.mark.parametrize("lhs, rhs, equal", [
    (None, None, True),
    (rev("a", 1, {"x": 1}), None, False),
    (rev("a", 1, {"x": 1}), rev("b", 2, {"x": 1}), True),
    (rev("a", 1, {"x": 1}), rev("b", 1, {"x": 2}), False),
    (rev("a", 1, {"x": 1}, labels={"controller.kubernetes.io/hash": "42"}),
     rev("b", 1, {"x": 1}, labels={"controller.kubernetes.io/hash": "43"}), False),
    (rev("a", 1, {"x": 1}, labels={"controller.kubernetes.io/hash": "bcd"}),
     rev("b", 1, {"x": 1}, labels={"controller.kubernetes.io/hash": "fgh"}), True),
], ids=["two missing revisions are equal", "a revision never equals a missing one",
        "the same data is equal whatever the number", "different data is not equal",
        "numeric hash labels that differ decide first", "hash labels that are not numbers are ignored"])
def test_equal_revision(lhs, rhs, equal):
    assert history.equal_revision(lhs, rhs) is equal


def test_find_equal_revisions_keeps_the_given_order():
    revisions = [rev("b", 2, {"x": 1}), rev("a", 1, {"x": 2}), rev("c", 3, {"x": 1})]
    found = history.find_equal_revisions(revisions, rev("n", 9, {"x": 1}))
    assert [r["metadata"]["name"] for r in found] == ["b", "c"]


# -- the API ---------------------------------------------------------------------------------------


@pytest.fixture
def env():
    server = new_server(seed=0)
    informers = InformerFactory(server.admin, server.clock)
    informer = informers.informer("controllerrevisions")
    informers.start()
    parent = server.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}}, "default")
    yield server, history.History(server.admin, informer), parent
    informers.stop()


def new_rev(parent, data, number=1):
    return history.new_controller_revision(parent, "v1", "ConfigMap", {"app": "web"}, data, number, 0)


def test_create_names_the_revision_after_its_hash_and_stores_it(env):
    server, hist, parent = env
    created, collisions = hist.create_controller_revision(parent, new_rev(parent, {"v": 1}), 0)
    assert collisions == 0
    assert created["metadata"]["name"] == "web-" + history.hash_controller_revision({"data": {"v": 1}}, 0)
    assert server.admin.get("controllerrevisions", created["metadata"]["name"], "default")["data"] == {"v": 1}


def test_creating_the_same_data_twice_returns_the_existing_revision(env):
    _server, hist, parent = env
    first, _ = hist.create_controller_revision(parent, new_rev(parent, {"v": 1}), 0)
    again, collisions = hist.create_controller_revision(parent, new_rev(parent, {"v": 1}, 2), 0)
    assert again["metadata"]["uid"] == first["metadata"]["uid"] and collisions == 0


def test_a_name_taken_by_other_data_bumps_the_collision_count(env):
    server, hist, parent = env
    wanted = new_rev(parent, {"v": 2})
    squatter = new_rev(parent, {"v": "other"})
    squatter["metadata"]["name"] = history.controller_revision_name(
        "web", history.hash_controller_revision(wanted, 0))
    server.admin.create(squatter, "default")
    created, collisions = hist.create_controller_revision(parent, wanted, 0)
    assert collisions == 1
    assert created["metadata"]["name"] == "web-" + history.hash_controller_revision(wanted, 1)


def test_list_returns_owned_and_orphan_revisions_matching_the_selector(env):
    server, hist, parent = env
    mine, _ = hist.create_controller_revision(parent, new_rev(parent, {"v": 1}), 0)
    orphan = new_rev(parent, {"v": 2})
    orphan["metadata"].pop("ownerReferences")
    server.admin.create(orphan, "default")
    foreign = new_rev(owner("other", "uid-x"), {"v": 3})
    server.admin.create(foreign, "default")
    unlabelled = new_rev(parent, {"v": 4})
    unlabelled["metadata"]["labels"] = {"app": "db"}
    server.admin.create(unlabelled, "default")
    server.clock.run(0.1)
    selector = selector_from_label_selector({"matchLabels": {"app": "web"}})
    names = sorted(r["metadata"]["name"] for r in hist.list_controller_revisions(parent, selector))
    assert names == sorted([mine["metadata"]["name"], orphan["metadata"]["name"]])


def test_update_sets_the_revision_number(env):
    _server, hist, parent = env
    created, _ = hist.create_controller_revision(parent, new_rev(parent, {"v": 1}), 0)
    assert hist.update_controller_revision(created, 7)["revision"] == 7


def test_adopt_then_release_an_orphan_revision(env):
    server, hist, parent = env
    orphan = new_rev(parent, {"v": 1})
    orphan["metadata"].pop("ownerReferences")
    orphan = server.admin.create(orphan, "default")
    adopted = hist.adopt_controller_revision(parent, "v1", "ConfigMap", orphan)
    assert history.controller_of(adopted)["uid"] == parent["metadata"]["uid"]
    with pytest.raises(ValueError, match="attempt to adopt revision owned by"):
        hist.adopt_controller_revision(parent, "v1", "ConfigMap", adopted)
    released = hist.release_controller_revision(parent, adopted)
    assert not released["metadata"].get("ownerReferences")


def test_delete_removes_the_revision(env):
    server, hist, parent = env
    created, _ = hist.create_controller_revision(parent, new_rev(parent, {"v": 1}), 0)
    hist.delete_controller_revision(created)
    with pytest.raises(StatusError):
        server.admin.get("controllerrevisions", created["metadata"]["name"], "default")


def test_a_new_revision_keeps_its_data_in_the_key_order_json_marshal_writes():
    rev = history.new_controller_revision(owner(), "apps/v1", "StatefulSet", {},
                                          {"spec": {"template": {"spec": {}, "metadata": {}, "$patch": "replace"}}},
                                          1, None)
    assert list(rev["data"]["spec"]["template"]) == ["$patch", "metadata", "spec"]
