"""The API server's compactor: old history is dropped every five minutes, as etcd is told to.

Mirrors k8s.io/apiserver/pkg/storage/etcd3/compact.go: every ``--etcd-compaction-interval``
(5 minutes by default) kube-apiserver compacts etcd to the revision it saw at the *previous*
tick, so every revision stays readable (and watchable) for at least one interval. A watch from
an older resourceVersion then gets ``410 Gone`` (``too old resource version: N (C)``), as does an
exact list (``The resourceVersion for the provided list is too old.``), and informers relist —
which is what keeps a long-running cluster's memory flat.
"""

from __future__ import annotations

from typing import Any, Optional

DEFAULT_INTERVAL = 300.0


class Compactor:
    """Compacts the store to the revision of the previous tick, every ``interval`` seconds."""

    def __init__(self, store: Any, clock: Any, interval: float = DEFAULT_INTERVAL) -> None:
        self.store = store
        self.clock = clock
        self.interval = interval
        self._previous: Optional[int] = None
        self._timer = None

    def start(self) -> None:
        if self._timer is None and self.interval > 0:
            self._previous = self.store.revision
            self._timer = self.clock.call_later(self.interval, self._tick, name="etcd compaction")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        self._timer = None
        target = self._previous
        self._previous = self.store.revision
        if target is not None and target > self.store.compact_revision:
            self.store.compact(target)
        self.start_next()

    def start_next(self) -> None:
        self._timer = self.clock.call_later(self.interval, self._tick, name="etcd compaction")
