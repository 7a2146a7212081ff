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
stores in tests. etcd restores leases with their full TTL after a leader change; labkube
resumes each countdown where it stopped, which is what a student expects from a snapshot.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Optional

from .key_index import KeyIndex
from .kv import Event, KeyValue
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
    return {
        "format": FORMAT,
        "revision": store._rev,
        "compact_revision": store._compact_rev,
        "index": {key: store._index[key].to_state() for key in store._keys},
        "backend": [
            [rev.main, rev.sub, kv_to_state(kv)] for rev, kv in sorted(store._backend.items())
        ],
        "events": [event_to_state(e) for e in store._log],
        "lessor": store._lessor.to_state(),
    }


def load_state(store, state: dict) -> None:
    """Fill a fresh store from :func:`dump_state` data."""
    if state.get("format") != FORMAT:
        raise ValueError(f"not a labkube store snapshot (format {state.get('format')!r})")
    with store._lock:
        store._rev = int(state["revision"])
        store._compact_rev = int(state["compact_revision"])
        store._index = {k: KeyIndex.from_state(k, g) for k, g in state["index"].items()}
        store._keys = sorted(store._index)
        store._backend = {
            Revision(int(main), int(sub)): kv_from_state(kv)
            for main, sub, kv in state["backend"]
        }
        store._latest = _live_values(store)
        store._log = [event_from_state(e) for e in state["events"]]
        store._lessor.load_state(state["lessor"])


def _live_values(store) -> dict:
    """key -> current KeyValue, read from each key's index at the current revision."""
    latest = {}
    for key in store._keys:
        rev = store._index[key].get(store._rev)
        if rev is not None:
            latest[key] = store._backend[rev]
    return latest


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
