"""labkube's etcd: a multi-version key-value store with transactions, watches and leases.

Mirrors etcd's ``server/storage/mvcc`` (and the parts of ``lease`` it needs), split the same
way: :mod:`.kv` (values, requests, contracts, named errors), :mod:`.revision`,
:mod:`.key_index` (how one key's history is kept), :mod:`.kvstore` (reads, writes,
transactions, compaction), :mod:`.history` (old versions kept packed, as etcd keeps them on
disk), :mod:`.watchable` (watchers and :class:`MVCCStore`),
:mod:`.lease` (leases on the cluster clock), :mod:`.snapshot` (save and restore).

The API server is the only component that talks to the store, as in Kubernetes. Keys look
like ``/registry/<resource>/<namespace>/<name>``; values are bytes.
"""

from .kv import (
    DELETE,
    KV,
    PUT,
    Compare,
    CompactedError,
    DeleteResult,
    DuplicateKeyError,
    Event,
    FutureRevisionError,
    KeyValue,
    Lease,
    LeaseExistsError,
    LeaseKV,
    LeaseNotFoundError,
    LeaseStatus,
    Op,
    PutResult,
    RangeResult,
    ReadView,
    StoreError,
    TxnResult,
    WatchableKV,
    WatcherLike,
    WriteView,
    prefix_end,
)
from .watchable import MVCCStore, Watcher

__all__ = [
    "DELETE",
    "KV",
    "PUT",
    "Compare",
    "CompactedError",
    "DeleteResult",
    "DuplicateKeyError",
    "Event",
    "FutureRevisionError",
    "KeyValue",
    "Lease",
    "LeaseExistsError",
    "LeaseKV",
    "LeaseNotFoundError",
    "LeaseStatus",
    "MVCCStore",
    "Op",
    "PutResult",
    "RangeResult",
    "ReadView",
    "StoreError",
    "TxnResult",
    "Watcher",
    "WatchableKV",
    "WatcherLike",
    "WriteView",
    "prefix_end",
]
