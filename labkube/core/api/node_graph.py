"""Pods by node, kept current from the pod watch cache: what the Node authorizer asks about.

Mirrors plugin/pkg/auth/authorizer/node/graph_populator.go: kube-apiserver's Node authorizer
does not list pods when a kubelet reads a Secret; an informer's handlers (``AddPod``,
``UpdatePod``, ``DeletePod``) keep a graph of pod → node edges, and the authorizer walks it.
labkube keeps the pod → node half of that graph as a dict fed by the pod
:class:`~labkube.core.api.watchcache.WatchCache` (synchronously, right after each write, so
an authorization never sees a stale graph), and reads the pods themselves from the store.

``generation(node)`` changes whenever a pod bound to ``node`` is written or leaves it, so the
server may cache a kubelet's Secret/ConfigMap decisions per (request, generation).
"""

from __future__ import annotations

from typing import Any

NODE_FIELD = "spec.nodeName"


class PodsByNode:
    """Store keys of the pods bound to each node, with a per-node change counter."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[str, None]] = {}  # node -> pod keys, in order of arrival
        self._node_of: dict[str, str] = {}  # pod key -> its node
        self._generations: dict[str, int] = {}
        self._changes = 0

    def load(self, kvs: Any, fields_of: Any, decode: Any) -> None:
        """Start from the pods stored now (``kvs``)."""
        for kv in kvs:
            self._place(kv.key, fields_of(decode(kv)).get(NODE_FIELD, ""))

    def observe(self, versions: Any) -> None:
        """A watch-cache listener: one pod write or delete."""
        event = versions.event
        deleted = event.type == "DELETE"
        self._place(event.kv.key, "" if deleted else versions.new_fields().get(NODE_FIELD, ""))

    def _place(self, key: str, node: str) -> None:
        before = self._node_of.get(key, "")
        if before:
            self._touch(before)
            if before != node:
                self._remove(key, before)
        if node:
            self._touch(node)
            self._node_of[key] = node
            self._keys.setdefault(node, {})[key] = None

    def _remove(self, key: str, node: str) -> None:
        del self._node_of[key]
        keys = self._keys.get(node)
        if keys is not None:
            keys.pop(key, None)
            if not keys:
                del self._keys[node]

    def _touch(self, node: str) -> None:
        self._changes += 1
        self._generations[node] = self._changes

    def keys(self, node: str) -> list[str]:
        return list(self._keys.get(node, ()))

    def generation(self, node: str) -> int:
        return self._generations.get(node, 0)
