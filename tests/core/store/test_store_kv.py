"""Reads, writes, transactions and their errors (labkube.core.store.kvstore)."""

import pytest

from labkube.core.store import (
    Compare,
    CompactedError,
    DuplicateKeyError,
    FutureRevisionError,
    KeyValue,
    LeaseNotFoundError,
    MVCCStore,
    Op,
    PutResult,
    RangeResult,
    prefix_end,
)

A = "/registry/pods/default/a"
B = "/registry/pods/default/b"
C = "/registry/pods/kube-system/c"
S = "/registry/services/default/s"


@pytest.fixture
def store():
    return MVCCStore()


def fill(store, *keys):
    for k in keys:
        store.put(k, k.encode())


def test_a_fresh_store_is_at_revision_one_like_etcd(store):
    assert (store.revision, store.compact_revision) == (1, 0)


def test_the_first_put_gets_revision_two_and_version_one(store):
    result = store.put(A, b"1")
    assert result == PutResult(2, None)
    assert store.get(A) == KeyValue(A, b"1", 2, 2, 1, 0)


def test_a_second_put_keeps_create_revision_and_bumps_version(store):
    store.put(A, b"1")
    result = store.put(A, b"2")
    assert result.prev_kv == KeyValue(A, b"1", 2, 2, 1, 0)
    assert store.get(A) == KeyValue(A, b"2", 2, 3, 2, 0)


def test_a_put_after_a_delete_starts_a_new_life(store):
    store.put(A, b"1")
    store.delete(A)
    store.put(A, b"2")
    assert store.get(A) == KeyValue(A, b"2", 4, 4, 1, 0)


def test_get_of_a_missing_key_is_none(store):
    assert store.get(A) is None


@pytest.mark.parametrize(
    "revision, expected",
    [
        (1, None),
        (2, b"1"),
        (3, b"2"),
        (4, None),
        (5, b"3"),
    ],
    ids=["before creation", "first value", "second value", "deleted", "recreated"],
)
def test_get_at_a_past_revision_sees_the_value_of_that_time(store, revision, expected):
    store.put(A, b"1")
    store.put(A, b"2")
    store.delete(A)
    store.put(A, b"3")
    kv = store.get(A, revision=revision)
    assert (kv.value if kv else None) == expected


@pytest.mark.parametrize("call", ["get", "range"])
def test_reading_a_future_revision_fails_with_future_revision_error(store, call):
    store.put(A, b"1")
    with pytest.raises(FutureRevisionError) as err:
        store.get(A, revision=3) if call == "get" else store.range(A, revision=3)
    assert (err.value.current_revision, err.value.requested_revision) == (2, 3)


@pytest.mark.parametrize("call", ["get", "range"])
def test_reading_a_compacted_revision_fails_with_compacted_error(store, call):
    for i in range(4):
        store.put(A, str(i).encode())
    store.compact(4)
    with pytest.raises(CompactedError) as err:
        store.get(A, revision=3) if call == "get" else store.range(A, revision=3)
    assert err.value.compact_revision == 4
    assert str(err.value) == "mvcc: required revision has been compacted"


@pytest.mark.parametrize(
    "key, range_end, expected",
    [
        (A, None, [A]),
        (A, "", [A]),
        (A, C, [A, B]),
        (A, "\0", [A, B, C, S]),
        ("\0", "\0", [A, B, C, S]),
        ("/registry/pods/", prefix_end("/registry/pods/"), [A, B, C]),
        (B, A, []),
        ("/registry/nothing", None, []),
    ],
    ids=[
        "no range_end reads one key",
        "an empty range_end reads one key",
        "range_end is exclusive",
        "a NUL range_end reads to the end",
        "NUL to NUL reads everything",
        "prefix_end covers a prefix",
        "an end before the start is empty",
        "a missing key is empty",
    ],
)
def test_range_follows_etcd_range_end_semantics(store, key, range_end, expected):
    fill(store, S, C, B, A)
    assert [kv.key for kv in store.range(key, range_end).kvs] == expected


@pytest.mark.parametrize(
    "prefix, expected",
    [
        ("/registry/pods/default/", [A, B]),
        ("/registry/pods/", [A, B, C]),
        ("/registry/", [A, B, C, S]),
        ("", [A, B, C, S]),
    ],
    ids=["a namespace", "a resource", "everything under registry", "the empty prefix"],
)
def test_range_prefix_reads_every_key_under_the_prefix(store, prefix, expected):
    fill(store, A, B, C, S)
    assert [kv.key for kv in store.range_prefix(prefix).kvs] == expected


@pytest.mark.parametrize(
    "limit, keys, count, more",
    [(0, [A, B, C], 3, False), (2, [A, B], 3, True), (3, [A, B, C], 3, False)],
    ids=["no limit", "a limit cuts and sets more", "a limit equal to the count"],
)
def test_range_with_limit_reports_count_and_more(store, limit, keys, count, more):
    fill(store, A, B, C)
    result = store.range_prefix("/registry/pods/", limit=limit)
    assert ([kv.key for kv in result.kvs], result.count, result.more) == (keys, count, more)


def test_range_at_a_past_revision_sees_keys_of_that_time(store):
    fill(store, A, B)  # revisions 2, 3
    store.delete(A)  # 4
    store.put(C, b"c")  # 5
    assert [kv.key for kv in store.range_prefix("/registry/", revision=3).kvs] == [A, B]
    assert [kv.key for kv in store.range_prefix("/registry/", revision=5).kvs] == [B, C]


def test_range_result_revision_is_the_current_revision_even_for_past_reads(store):
    fill(store, A, B)
    assert store.range_prefix("/registry/", revision=2).revision == 3


def test_delete_removes_the_key_and_returns_its_last_value(store):
    store.put(A, b"1")
    result = store.delete(A)
    assert (result.revision, result.deleted) == (3, 1)
    assert result.prev_kvs == (KeyValue(A, b"1", 2, 2, 1, 0),)
    assert store.get(A) is None


def test_deleting_a_missing_key_keeps_the_revision(store):
    store.put(A, b"1")
    result = store.delete(B)
    assert (result.revision, result.deleted, store.revision) == (2, 0, 2)


def test_delete_range_with_an_empty_range_end_deletes_one_key(store):
    fill(store, A, B)
    assert [kv.key for kv in store.delete_range(A, "").prev_kvs] == [A]


def test_delete_range_removes_every_key_at_one_revision(store):
    fill(store, A, B, C, S)
    result = store.delete_range("/registry/pods/", prefix_end("/registry/pods/"))
    assert (result.revision, result.deleted) == (6, 3)
    assert [kv.key for kv in result.prev_kvs] == [A, B, C]
    assert [kv.key for kv in store.range_prefix("/registry/").kvs] == [S]


@pytest.mark.parametrize(
    "key, value, error",
    [
        ("", b"x", ValueError),
        (A, "text", TypeError),
        (A, 12, TypeError),
    ],
    ids=["an empty key", "a str value", "an int value"],
)
def test_put_rejects_bad_input_and_changes_nothing(store, key, value, error):
    with pytest.raises(error):
        store.put(key, value)
    assert store.revision == 1


def test_a_bytearray_value_is_copied_so_later_mutation_cannot_reach_the_store(store):
    buffer = bytearray(b"abc")
    store.put(A, buffer)
    buffer[0] = ord("z")
    assert store.get(A).value == b"abc"


def test_values_handed_out_are_frozen(store):
    store.put(A, b"1")
    with pytest.raises(AttributeError):
        store.get(A).value = b"2"


def test_put_with_an_unknown_lease_fails_with_lease_not_found_and_changes_nothing(store):
    with pytest.raises(LeaseNotFoundError):
        store.put(A, b"1", lease=42)
    assert (store.revision, store.get(A)) == (1, None)


# -- transactions --------------------------------------------------------------------------


def test_a_txn_runs_success_ops_when_every_compare_holds(store):
    store.put(A, b"1")
    result = store.txn([Compare.mod_revision(A, "=", 2)], [Op.put(A, b"2")], [Op.get(A)])
    assert (result.succeeded, result.revision, store.get(A).value) == (True, 3, b"2")


def test_a_txn_runs_failure_ops_when_a_compare_fails(store):
    store.put(A, b"1")
    result = store.txn([Compare.mod_revision(A, "=", 9)], [Op.put(A, b"2")], [Op.get(A)])
    assert (result.succeeded, result.revision) == (False, 2)
    assert result.responses[0].kvs[0].value == b"1"


def test_all_writes_of_a_txn_share_one_revision(store):
    store.put(C, b"c")
    store.txn([], [Op.put(A, b"a"), Op.put(B, b"b"), Op.delete(C)])
    assert store.revision == 3
    assert [store.get(k).mod_revision for k in (A, B)] == [3, 3]


def test_reads_inside_a_txn_see_the_txn_s_earlier_writes(store):
    result = store.txn([], [Op.put(A, b"a"), Op.get("/registry/", prefix_end("/registry/"))])
    ranged = result.responses[1]
    assert isinstance(ranged, RangeResult)
    assert ([kv.key for kv in ranged.kvs], ranged.revision) == ([A], 2)


def test_a_txn_that_writes_nothing_keeps_the_revision(store):
    store.put(A, b"1")
    result = store.txn([Compare.exists(A)], [Op.get(A), Op.delete(B)])
    assert (result.succeeded, result.revision, store.revision) == (True, 2, 2)


@pytest.mark.parametrize(
    "compare, holds",
    [
        (Compare.mod_revision(A, "=", 3), True),
        (Compare.mod_revision(A, "<", 3), False),
        (Compare.create_revision(A, "=", 2), True),
        (Compare.create_revision(A, ">", 2), False),
        (Compare.version(A, "=", 2), True),
        (Compare.version(A, "!=", 2), False),
        (Compare.value_is(A, "=", b"2"), True),
        (Compare.value_is(A, ">", b"1"), True),
        (Compare.value_is(A, "<", b"1"), False),
        (Compare.lease(A, "=", 0), True),
        (Compare.exists(A), True),
        (Compare.missing(A), False),
        (Compare.missing(B), True),
        (Compare.exists(B), False),
        (Compare.mod_revision(B, "=", 0), True),
        (Compare.value_is(B, "!=", b"x"), False),
        (Compare.value_is(B, "=", b""), False),
    ],
    ids=[
        "mod revision equal",
        "mod revision less",
        "create revision equal",
        "create revision greater",
        "version equal",
        "version not equal",
        "value equal",
        "value greater compares bytes",
        "value less",
        "lease zero without a lease",
        "exists on a live key",
        "missing on a live key",
        "missing on a missing key",
        "exists on a missing key",
        "a missing key has mod revision zero",
        "a value compare on a missing key fails even for not-equal",
        "a value compare on a missing key fails even for empty",
    ],
)
def test_compares_follow_etcd(store, compare, holds):
    store.put(A, b"1")
    store.put(A, b"2")
    assert store.txn([compare], []).succeeded is holds


@pytest.mark.parametrize(
    "args, error",
    [
        ((A, "modified", "=", 1), ValueError),
        ((A, "mod", "==", 1), ValueError),
        ((A, "mod", "=", b"1"), TypeError),
        ((A, "value", "=", 1), TypeError),
    ],
    ids=["an unknown target", "an unknown op", "bytes for a revision", "an int for a value"],
)
def test_a_malformed_compare_is_refused_when_built(args, error):
    with pytest.raises(error):
        Compare(*args)


@pytest.mark.parametrize(
    "ops",
    [
        [Op.put(A, b"1"), Op.put(A, b"2")],
        [Op.put(A, b"1"), Op.delete(A)],
        [Op.delete("/registry/", prefix_end("/registry/")), Op.put(B, b"2")],
    ],
    ids=["two puts of one key", "a put and a delete of it", "a put inside a deleted range"],
)
def test_a_txn_writing_a_key_twice_fails_with_duplicate_key_and_changes_nothing(store, ops):
    store.put(B, b"b")
    with pytest.raises(DuplicateKeyError):
        store.txn([], ops)
    assert store.revision == 2


def test_a_txn_with_an_unknown_lease_changes_nothing(store):
    with pytest.raises(LeaseNotFoundError):
        store.txn([], [Op.put(A, b"1"), Op.put(B, b"2", lease=7)])
    assert (store.revision, store.get(A)) == (1, None)


def test_a_txn_with_a_bad_value_changes_nothing(store):
    with pytest.raises(TypeError):
        store.txn([], [Op.put(A, b"1"), Op.put(B, "text")])
    assert store.revision == 1


# -- compaction ----------------------------------------------------------------------------


def test_compaction_keeps_each_key_s_latest_value_at_or_before_the_point(store):
    store.put(A, b"1")  # 2
    store.put(B, b"1")  # 3
    store.put(A, b"2")  # 4
    store.compact(4)
    assert store.get(B, revision=4).value == b"1"
    assert store.get(A, revision=4).value == b"2"
    assert store.compact_revision == 4


def test_compaction_forgets_keys_deleted_before_the_point(store):
    store.put(A, b"1")  # 2
    store.delete(A)  # 3
    store.put(B, b"1")  # 4
    store.compact(4)
    assert list(store.dump()["index"]) == [B]
    assert [kv.key for kv in store.range_prefix("/registry/", revision=4).kvs] == [B]


@pytest.mark.parametrize(
    "revision, error",
    [(3, CompactedError), (2, CompactedError), (6, FutureRevisionError)],
    ids=["the same point again", "an older point", "a future revision"],
)
def test_compacting_at_a_bad_revision_fails(store, revision, error):
    fill(store, A, B, C, S)
    store.compact(3)
    with pytest.raises(error):
        store.compact(revision)


@pytest.mark.parametrize(
    "shortcut, checked",
    [
        (Compare.missing(A), Compare(A, "version", "=", 0)),
        (Compare.exists(A), Compare(A, "version", ">", 0)),
        (Compare.mod_revision(A, "=", 7), Compare(A, "mod", "=", 7)),
        (Op.put(A, b"1"), Op("put", A, b"1")),
        (Op.put(A, b"1", lease=5), Op("put", A, b"1", None, 5)),
        (Op.get(A, B), Op("get", A, range_end=B)),
        (Op.delete(A), Op("delete", A)),
    ],
    ids=["missing", "exists", "mod revision", "put", "put with a lease", "get of a range", "delete"],
)
def test_a_compare_or_op_built_by_a_shortcut_equals_the_one_built_in_full(shortcut, checked):
    assert shortcut == checked
    assert type(shortcut) is type(checked)
    assert shortcut._asdict() == checked._asdict()


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda: Compare.mod_revision(A, "==", 1), ValueError),
        (lambda: Compare.mod_revision(A, "=", True), TypeError),
        (lambda: Compare.mod_revision(A, "=", b"1"), TypeError),
        (lambda: Op("patch", A), ValueError),
    ],
    ids=["an unknown op", "a bool for a revision", "bytes for a revision", "an unknown op kind"],
)
def test_a_shortcut_refuses_what_the_full_constructor_refuses(build, error):
    with pytest.raises(error):
        build()


def test_compares_and_ops_cannot_be_changed_once_built():
    with pytest.raises(AttributeError):
        Compare.missing(A).value = 1
    with pytest.raises(AttributeError):
        Op.put(A, b"1").key = B
