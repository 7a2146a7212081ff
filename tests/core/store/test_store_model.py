"""Hypothesis: the store against a simple reference model, under random interleavings.

A rule-based state machine drives one :class:`MVCCStore` on a :class:`SimulatedClock` with
random puts, deletes, delete-ranges, transactions, lease grants/keep-alives/revokes, clock
advances (so leases expire), compactions and watchers started at random revisions still in
history. The model is deliberately naive — a full copy of the keyspace per revision and a
list of every event ever — so it is obviously right. After every step:

* every watcher has received exactly the model's events for its range from its start
  revision, once each, in order, with the right prev_kv;
* get and range at every revision still in history match the model's copy of that revision.
"""

from __future__ import annotations

import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from labkube.core.clock import SimulatedClock
from labkube.core.store import (
    DELETE,
    PUT,
    Compare,
    DuplicateKeyError,
    Event,
    KeyValue,
    MVCCStore,
    Op,
    prefix_end,
)

KEYS = [
    "/registry/pods/default/a",
    "/registry/pods/default/b",
    "/registry/pods/kube-system/c",
    "/registry/services/default/a",
    "/registry/services/default/d",
]
PREFIXES = ["/registry/", "/registry/pods/", "/registry/pods/default/", "/registry/services/"]

keys = st.sampled_from(KEYS)
values = st.binary(max_size=3)


class Model:
    """The naive reference: one dict per revision, every event ever, lease books."""

    def __init__(self) -> None:
        self.rev = 1
        self.compact_rev = 0
        self.states: dict[int, dict[str, KeyValue]] = {1: {}}
        self.events: list[Event] = []
        self.leases: dict[int, dict] = {}  # id -> {ttl, expiry, seq, keys}
        self.timer_seq = 0

    @property
    def now(self) -> dict[str, KeyValue]:
        return self.states[self.rev]

    def write(self, changes: list[tuple[str, str, bytes, int]]) -> None:
        """Apply (kind, key, value, lease) changes at one new revision, if any."""
        if not changes:
            return
        main = self.rev + 1
        state = dict(self.now)
        for kind, key, value, lease in changes:
            prev = state.get(key)
            if prev is not None and prev.lease:
                self.leases.get(prev.lease, {"keys": set()})["keys"].discard(key)
            if kind == PUT:
                create = prev.create_revision if prev else main
                version = prev.version + 1 if prev else 1
                state[key] = KeyValue(key, value, create, main, version, lease)
                if lease:
                    self.leases[lease]["keys"].add(key)
                self.events.append(Event(PUT, state[key], prev))
            else:
                del state[key]
                self.events.append(Event(DELETE, KeyValue(key, b"", 0, main, 0, 0), prev))
        self.rev = main
        self.states[main] = state

    def live_in(self, start: str, end: str | None) -> list[str]:
        return sorted(k for k in self.now if in_range(k, start, end))

    def countdown(self, lease_id: int, now: float) -> None:
        self.timer_seq += 1
        record = self.leases[lease_id]
        record["expiry"], record["seq"] = now + record["ttl"], self.timer_seq

    def revoke(self, lease_id: int) -> None:
        keys = sorted(self.leases.pop(lease_id)["keys"])
        self.write([(DELETE, k, b"", 0) for k in keys if k in self.now])

    def expire_until(self, until: float) -> None:
        due = sorted(
            (r["expiry"], r["seq"], lid) for lid, r in self.leases.items() if r["expiry"] <= until
        )
        for _, _, lease_id in due:
            self.revoke(lease_id)


def _writes_a_key_twice(then) -> bool:
    """etcd's rule: a key may be put once per branch, and not also deleted (two deletes
    of one key are fine)."""
    puts = [k for kind, k, _ in then if kind == PUT]
    deletes = {k for kind, k, _ in then if kind == DELETE}
    return len(set(puts)) < len(puts) or bool(deletes & set(puts))


def in_range(key: str, start: str, end: str | None) -> bool:
    if end is None:
        return key == start
    return start <= key and (end == "\0" or key < end)


class StoreMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.clock = SimulatedClock(seed=0)
        self.store = MVCCStore(self.clock)
        self.model = Model()
        self.watchers: list[tuple] = []  # (watcher, start, range_end, start_rev, received)

    # -- writes ------------------------------------------------------------------------
    @rule(key=keys, value=values, pick=st.integers(0, 3))
    def put(self, key, value, pick):
        live = sorted(self.model.leases)
        lease = live[pick] if pick < len(live) else 0
        self.store.put(key, value, lease=lease)
        self.model.write([(PUT, key, value, lease)])

    @rule(key=keys)
    def delete(self, key):
        result = self.store.delete(key)
        present = key in self.model.now
        self.model.write([(DELETE, key, b"", 0)] if present else [])
        assert result.deleted == int(present)

    @rule(prefix=st.sampled_from(PREFIXES))
    def delete_prefix(self, prefix):
        end = prefix_end(prefix)
        result = self.store.delete_range(prefix, end)
        doomed = self.model.live_in(prefix, end)
        self.model.write([(DELETE, k, b"", 0) for k in doomed])
        assert [kv.key for kv in result.prev_kvs] == doomed

    @rule(
        key=keys,
        guess=st.sampled_from(["current", "stale"]),
        then=st.lists(st.tuples(st.sampled_from([PUT, DELETE, "GET"]), keys, values), max_size=4),
    )
    def txn(self, key, guess, then):
        current = self.model.now.get(key)
        mod = current.mod_revision if current else 0
        compare = Compare.mod_revision(key, "=", mod if guess == "current" else mod + 100)
        ops = [
            Op.put(k, v) if kind == PUT else Op.delete(k) if kind == DELETE else Op.get(k)
            for kind, k, v in then
        ]
        if _writes_a_key_twice(then):
            try:
                self.store.txn([compare], ops, [])
            except DuplicateKeyError:
                return
            raise AssertionError("a txn writing one key twice was accepted")
        result = self.store.txn([compare], ops, [])
        assert result.succeeded is (guess == "current")
        if result.succeeded:
            self._model_txn(then)
        assert result.revision == self.model.rev

    def _model_txn(self, then) -> None:
        live = set(self.model.now)
        changes = []
        for kind, k, v in then:
            if kind == PUT:
                changes.append((PUT, k, v, 0))
                live.add(k)
            elif kind == DELETE and k in live:
                changes.append((DELETE, k, b"", 0))
                live.discard(k)
        self.model.write(changes)

    # -- leases and time ---------------------------------------------------------------
    @rule(ttl=st.integers(1, 20))
    def grant(self, ttl):
        lease = self.store.lease_grant(ttl)
        self.model.leases[lease.id] = {"ttl": ttl, "keys": set()}
        self.model.countdown(lease.id, self.clock.now())

    @precondition(lambda self: self.model.leases)
    @rule(data=st.data())
    def keepalive(self, data):
        lease_id = data.draw(st.sampled_from(sorted(self.model.leases)))
        self.store.lease_keepalive(lease_id)
        self.model.countdown(lease_id, self.clock.now())

    @precondition(lambda self: self.model.leases)
    @rule(data=st.data())
    def revoke(self, data):
        lease_id = data.draw(st.sampled_from(sorted(self.model.leases)))
        self.store.lease_revoke(lease_id)
        self.model.revoke(lease_id)

    @rule(seconds=st.sampled_from([0.5, 1, 3, 7, 15]))
    def advance_clock(self, seconds):
        self.model.expire_until(self.clock.now() + seconds)
        self.clock.run(seconds)

    # -- history -----------------------------------------------------------------------
    @precondition(lambda self: self.model.rev > self.model.compact_rev)
    @rule(data=st.data())
    def compact(self, data):
        revision = data.draw(st.integers(self.model.compact_rev + 1, self.model.rev))
        self.store.compact(revision)
        self.model.compact_rev = revision

    @precondition(lambda self: len(self.watchers) < 6)
    @rule(data=st.data(), what=st.sampled_from(PREFIXES + KEYS), from_now=st.booleans())
    def watch(self, data, what, from_now):
        low = max(self.model.compact_rev, 1)
        start_rev = 0 if from_now else data.draw(st.integers(low, self.model.rev + 1))
        end = prefix_end(what) if what.endswith("/") else None
        watcher = self.store.watch(what, end, start_revision=start_rev)
        first = start_rev or self.model.rev + 1
        self.watchers.append((watcher, what, end, first, []))

    @precondition(lambda self: self.watchers)
    @rule(data=st.data())
    def cancel_a_watcher(self, data):
        i = data.draw(st.integers(0, len(self.watchers) - 1))
        watcher = self.watchers.pop(i)[0]
        watcher.cancel()
        assert watcher.poll() == []

    # -- checks ------------------------------------------------------------------------
    @invariant()
    def watchers_saw_every_event_once_in_order(self):
        for watcher, start, end, first, received in self.watchers:
            received.extend(watcher.poll())
            expected = [
                e
                for e in self.model.events
                if e.kv.mod_revision >= first and in_range(e.kv.key, start, end)
            ]
            assert received == expected

    @invariant()
    def current_reads_match_the_model(self):
        assert (self.store.revision, self.store.compact_revision) == (
            self.model.rev,
            self.model.compact_rev,
        )
        for prefix in PREFIXES:
            want = [self.model.now[k] for k in self.model.live_in(prefix, prefix_end(prefix))]
            assert list(self.store.range_prefix(prefix).kvs) == want
        for key in KEYS:
            assert self.store.get(key) == self.model.now.get(key)

    @rule(data=st.data())
    def read_at_a_past_revision(self, data):
        rev = data.draw(st.integers(max(self.model.compact_rev, 1), self.model.rev))
        self._check_reads_at(rev)

    def teardown(self):
        if hasattr(self, "model"):
            for rev in range(max(self.model.compact_rev, 1), self.model.rev + 1):
                self._check_reads_at(rev)

    def _check_reads_at(self, rev: int) -> None:
        state = self.model.states[rev]
        got = self.store.range("\0", "\0", revision=rev)
        assert list(got.kvs) == [state[k] for k in sorted(state)]
        for prefix in PREFIXES[1:]:
            got = self.store.range_prefix(prefix, revision=rev, limit=1)
            inside = [k for k in sorted(state) if k.startswith(prefix)]
            assert (got.count, [kv.key for kv in got.kvs]) == (len(inside), inside[:1])
        for key in KEYS:
            assert self.store.get(key, revision=rev) == state.get(key)

    @invariant()
    def leases_match_the_model(self):
        assert [l.id for l in self.store.leases()] == sorted(self.model.leases)
        for lease_id, record in self.model.leases.items():
            assert self.store.lease_time_to_live(lease_id).keys == tuple(sorted(record["keys"]))


StoreMachine.TestCase.settings = settings(
    max_examples=300, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStoreMatchesTheReferenceModel = StoreMachine.TestCase


# -- snapshot over random histories ------------------------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), keys, values, st.booleans()),
        st.tuples(st.just("delete"), keys, st.just(b""), st.just(False)),
        st.tuples(st.just("grant"), st.just(""), st.just(b""), st.just(False)),
        st.tuples(st.just("tick"), st.just(""), st.just(b""), st.just(False)),
        st.tuples(st.just("compact"), st.just(""), st.just(b""), st.just(False)),
    ),
    max_size=40,
)


def play(store: MVCCStore, clock: SimulatedClock, ops) -> None:
    for kind, key, value, leased in ops:
        if kind == "put":
            live = store.leases()
            store.put(key, value, lease=live[-1].id if leased and live else 0)
        elif kind == "delete":
            store.delete(key)
        elif kind == "grant":
            store.lease_grant(5)
        elif kind == "tick":
            clock.run(2)
        elif store.revision > store.compact_revision:
            store.compact((store.revision + store.compact_revision + 1) // 2)


@settings(max_examples=150, deadline=None)
@given(ops=operations)
def test_snapshot_then_restore_gives_an_identical_store(tmp_path_factory, ops):
    clock = SimulatedClock(seed=0)
    store = MVCCStore(clock)
    play(store, clock, ops)
    path = tmp_path_factory.mktemp("snap") / "store.snap"
    store.snapshot(path)
    restored = MVCCStore.restore(path, clock)
    assert restored.dump() == store.dump()
    low = max(store.compact_revision, 1)
    for rev in range(low, store.revision + 1):
        assert restored.range("\0", "\0", revision=rev) == store.range("\0", "\0", revision=rev)
    replay = [s.watch("", prefix=True, start_revision=low).poll() for s in (store, restored)]
    assert replay[0] == replay[1]
    clock.run(10)  # leases expire in both, identically
    assert restored.dump() == store.dump()


# -- watchers on their own threads ------------------------------------------------------------

FENCE = "/registry/zz-fence"


@settings(max_examples=30, deadline=None)
@given(
    before=operations,
    after=operations,
    starts=st.lists(st.integers(1, 40), min_size=2, max_size=4),
)
def test_concurrent_watcher_threads_each_receive_every_event_once_in_order(before, after, starts):
    clock = SimulatedClock(seed=0)
    store = MVCCStore(clock)
    oracle = store.watch("", prefix=True, start_revision=1)  # checked against the model above
    no_compaction = [op for op in before + after if op[0] != "compact"]
    play(store, clock, no_compaction[: len(before)])
    firsts = [min(s, store.revision + 1) for s in starts]
    watchers = [store.watch("/registry/", prefix=True, start_revision=f) for f in firsts]
    results: list[list[Event]] = [[] for _ in watchers]

    def consume(i: int) -> None:
        for event in watchers[i]:
            results[i].append(event)
            if event.kv.key == FENCE:
                return

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(len(watchers))]
    for t in threads:
        t.start()
    play(store, clock, no_compaction[len(before):])
    store.put(FENCE, b"end")
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    everything = oracle.poll()
    for first, got in zip(firsts, results):
        assert got == [e for e in everything if e.kv.mod_revision >= first]
