"""Snapshots: the whole store in one file, and back.

Mirrors what ``etcdctl snapshot save`` / ``snapshot restore`` give an operator (etcd copies
its bolt database file; see ``server/storage/backend`` and ``etcdutl/snapshot``). A labkube
snapshot holds *everything* needed for an identical store:

* the revision counters: current revision, compaction point, next lease id;
* every key's index (generations of revisions, :mod:`.key_index`);
* every stored version still in history (the backend), so reads at past revisions work;
* the event log from the compaction point, so watches from old revisions replay the same;
* every lease with its granted TTL, the TTL it had *left*, and its keys.

The format is canonical JSON (sorted, values base64), so two identical stores write
identical files and :meth:`MVCCStore.dump` — the same structure in memory — can compare
stores in tests. Packed history (:mod:`.history`) is unpacked on the way out, so packing
never shows in a snapshot, and a restored store packs its history by the same rule as it
loads. etcd restores leases with their full TTL after a leader change; labkube resumes each
countdown where it stopped, which is what a student expects from a snapshot.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Optional

from sortedcontainers import SortedList

from .key_index import KeyIndex
from .kv import PUT, Event, KeyValue
from .revision import Revision

FORMAT = "labkube-mvcc-snapshot/1"


# -- values <-> plain data ---------------------------------------------------------------------
def kv_to_state(kv: Optional[KeyValue]) -> Optional[list]:
    if kv is None:
        return None
    value = base64.b64encode(kv.value).decode("ascii")
    return [kv.key, value, kv.create_revision, kv.mod_revision, kv.version, kv.lease]


def kv_from_state(item: Optional[list]) -> Optional[KeyValue]:
    if item is None:
        return None
    key, value, create, mod, version, lease = item
    return KeyValue(key, base64.b64decode(value), int(create), int(mod), int(version), int(lease))


def event_to_state(event: Event) -> list:
    return [event.type, kv_to_state(event.kv), kv_to_state(event.prev_kv)]


def event_from_state(item: list) -> Event:
    kind, kv, prev = item
    return Event(kind, kv_from_state(kv), kv_from_state(prev))


# -- the whole store ---------------------------------------------------------------------------
def dump_state(store) -> dict:
    """The store's state as canonical plain data. The caller holds the store lock."""
    versions = _all_versions(store)
    revs = sorted(versions)
    kvs = store._history.unpack_all([versions[rev] for rev in revs])
    return {
        "format": FORMAT,
        "revision": store._rev,
        "compact_revision": store._compact_rev,
        "index": {key: store._index[key].to_state() for key in store._keys},
        "backend": [[rev.main, rev.sub, kv_to_state(kv)] for rev, kv in zip(revs, kvs)],
        "events": [event_to_state(store._event_of(entry)) for entry in store._log],
        "lessor": store._lessor.to_state(),
    }


def _all_versions(store) -> dict:
    """Every stored version, ``Revision -> KeyValue`` (maybe packed): the backend's history
    and each live key's latest version, which the store keeps in ``_latest`` only."""
    versions = dict(store._backend)
    for key, kv in store._latest.items():
        versions[store._index[key].modified] = kv
    return versions


def load_state(store, state: dict) -> None:
    """Fill a fresh store from :func:`dump_state` data."""
    if state.get("format") != FORMAT:
        raise ValueError(f"not a labkube store snapshot (format {state.get('format')!r})")
    with store._lock:
        store._rev = int(state["revision"])
        store._compact_rev = int(state["compact_revision"])
        store._index = {k: KeyIndex.from_state(k, g) for k, g in state["index"].items()}
        store._keys = SortedList(store._index)
        store._backend = {
            Revision(int(main), int(sub)): kv_from_state(kv)
            for main, sub, kv in state["backend"]
        }
        versions = dict(store._backend)
        store._latest = _live_values(store)
        _load_log(store, versions, [event_from_state(e) for e in state["events"]])
        _hand_history_to_packer(store)
        store._lessor.load_state(state["lessor"])


def _live_values(store) -> dict:
    """key -> current KeyValue, read from each key's index at the current revision, and
    taken out of the backend, which holds only superseded versions."""
    latest = {}
    for key in store._keys:
        rev = store._index[key].get(store._rev)
        if rev is not None:
            latest[key] = store._backend.pop(rev)
    return latest


def _load_log(store, versions: dict, events: list[Event]) -> None:
    """Turn the snapshot's events back into log entries pointing into the backend.

    A snapshot names a version by key and mod revision (not by sub revision), so versions are
    found that way. A previous version the backend no longer has (compaction dropped it while
    a change logged at the compaction point still needs it) is kept aside in ``_log_prevs``
    under a made-up revision with a negative sub, which no real version has."""
    where = {(kv.key, kv.mod_revision): rev for rev, kv in versions.items()}

    def locate(kv: KeyValue) -> Revision:
        rev = where.get((kv.key, kv.mod_revision))
        if rev is None:
            rev = where[kv.key, kv.mod_revision] = Revision(kv.mod_revision, -1 - len(where))
            store._log_prevs[rev] = kv
        return rev

    def entry(e: Event) -> tuple:
        main, sub = locate(e.kv) if e.type == PUT else (e.kv.mod_revision, 0)
        prev_main, prev_sub = locate(e.prev_kv) if e.prev_kv is not None else (0, 0)
        return (e.type, e.kv.key, main, sub, prev_main, prev_sub)

    store._log_prevs = {}
    store._log = [entry(e) for e in events]


def _hand_history_to_packer(store) -> None:
    """Every version left in the backend is superseded history: let the packer see them
    oldest first, as if they had just been written."""
    for rev, kv in sorted(store._backend.items()):
        store._history.superseded(rev, kv)
    store._history.pack_if_over_budget(store._backend)


# -- files -------------------------------------------------------------------------------------
def save(state: dict, path) -> None:
    """Write ``state`` to ``path`` atomically (temp file in the same directory, renamed)."""
    path = Path(path)
    text = json.dumps(state, sort_keys=True, separators=(",", ":"))
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
