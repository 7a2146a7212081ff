"""Leases on the cluster clock: grant, attach, keep-alive, revoke, expiry."""

import pytest

from labkube.core.clock import SimulatedClock
from labkube.core.store import (
    DELETE,
    Compare,
    Lease,
    LeaseExistsError,
    LeaseNotFoundError,
    LeaseStatus,
    MVCCStore,
    Op,
)

A = "/registry/events/default/a"
B = "/registry/events/default/b"
C = "/registry/events/default/c"


@pytest.fixture
def clock():
    return SimulatedClock(seed=0)


@pytest.fixture
def store(clock):
    return MVCCStore(clock)


def test_grant_picks_ids_in_order_and_lists_them(store):
    assert [store.lease_grant(10), store.lease_grant(20)] == [Lease(1, 10), Lease(2, 20)]
    assert store.leases() == [Lease(1, 10), Lease(2, 20)]


def test_grant_with_a_chosen_id_is_skipped_by_later_automatic_ids(store):
    store.lease_grant(10, lease_id=1)
    assert store.lease_grant(10).id == 2


def test_granting_an_id_in_use_fails_with_lease_exists(store):
    store.lease_grant(10, lease_id=5)
    with pytest.raises(LeaseExistsError):
        store.lease_grant(10, lease_id=5)


@pytest.mark.parametrize("ttl", [0, -1, 1.5, True], ids=["zero", "negative", "a float", "a bool"])
def test_a_ttl_must_be_a_positive_whole_number(store, ttl):
    with pytest.raises(ValueError):
        store.lease_grant(ttl)


def test_expiry_deletes_attached_keys_in_one_revision(store, clock):
    lease = store.lease_grant(10)
    store.put(B, b"b", lease=lease.id)
    store.put(A, b"a", lease=lease.id)
    store.put(C, b"c")
    watcher = store.watch("/registry/", prefix=True)
    clock.run(10)
    events = watcher.poll()
    summary = [(e.type, e.kv.key, e.kv.mod_revision) for e in events]
    assert summary == [(DELETE, A, 5), (DELETE, B, 5)]
    assert [kv.key for kv in store.range_prefix("/registry/").kvs] == [C]
    assert store.leases() == []


def test_a_lease_does_not_expire_early(store, clock):
    lease = store.lease_grant(10)
    store.put(A, b"a", lease=lease.id)
    clock.run(9.5)
    assert store.get(A) is not None


def test_keepalive_restarts_the_countdown(store, clock):
    lease = store.lease_grant(10)
    store.put(A, b"a", lease=lease.id)
    clock.run(8)
    assert store.lease_keepalive(lease.id) == 10
    clock.run(8)
    assert store.get(A) is not None
    clock.run(2)
    assert store.get(A) is None


def test_time_to_live_reports_remaining_seconds_and_keys(store, clock):
    lease = store.lease_grant(30)
    store.put(B, b"b", lease=lease.id)
    store.put(A, b"a", lease=lease.id)
    clock.run(10.5)
    assert store.lease_time_to_live(lease.id) == LeaseStatus(lease.id, 19, 30, (A, B))


def test_revoke_deletes_the_keys_and_forgets_the_lease(store):
    lease = store.lease_grant(10)
    store.put(A, b"a", lease=lease.id)
    assert store.lease_revoke(lease.id) == 3
    assert store.get(A) is None
    with pytest.raises(LeaseNotFoundError):
        store.lease_time_to_live(lease.id)


def test_revoking_a_lease_without_keys_keeps_the_revision(store):
    lease = store.lease_grant(10)
    assert (store.lease_revoke(lease.id), store.revision) == (1, 1)


@pytest.mark.parametrize(
    "call",
    ["lease_keepalive", "lease_revoke", "lease_time_to_live"],
)
def test_operations_on_an_unknown_lease_fail_with_lease_not_found(store, call):
    with pytest.raises(LeaseNotFoundError) as err:
        getattr(store, call)(99)
    assert err.value.lease_id == 99


def test_a_put_without_the_lease_detaches_the_key(store, clock):
    lease = store.lease_grant(10)
    store.put(A, b"1", lease=lease.id)
    store.put(A, b"2")
    clock.run(11)
    assert store.get(A).value == b"2"


def test_a_put_with_another_lease_moves_the_key(store, clock):
    short, long = store.lease_grant(5), store.lease_grant(50)
    store.put(A, b"1", lease=short.id)
    store.put(A, b"2", lease=long.id)
    assert store.lease_time_to_live(short.id).keys == ()
    assert store.lease_time_to_live(long.id).keys == (A,)
    clock.run(6)
    assert store.get(A).lease == long.id


def test_a_deleted_key_is_detached(store):
    lease = store.lease_grant(10)
    store.put(A, b"1", lease=lease.id)
    store.delete(A)
    assert store.lease_time_to_live(lease.id).keys == ()


def test_a_txn_can_attach_a_lease_and_compare_on_it(store):
    lease = store.lease_grant(10)
    store.txn([], [Op.put(A, b"1", lease=lease.id)])
    assert store.txn([Compare.lease(A, "=", lease.id)], []).succeeded


def test_expiry_after_a_revoke_does_nothing(store, clock):
    lease = store.lease_grant(10)
    store.lease_revoke(lease.id)
    store.lease_grant(10, lease_id=lease.id)  # same id, a new countdown
    store.put(A, b"1", lease=lease.id)
    clock.run(10)
    assert store.get(A) is None and store.revision == 3


def test_without_a_clock_leases_never_expire():
    store = MVCCStore()
    lease = store.lease_grant(1)
    store.put(A, b"1", lease=lease.id)
    assert store.lease_time_to_live(lease.id) == LeaseStatus(lease.id, 1, 1, (A,))
    assert store.lease_keepalive(lease.id) == 1
