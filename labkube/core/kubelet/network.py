"""A kubelet cut off from the API server (a network partition), for failure injection.

In a real partition the kubelet keeps running its pods but every request to kube-apiserver
fails (``dial tcp 172.18.0.1:6443: connect: connection refused``) and its watches stall. The
node controller then sees no heartbeat: the node becomes ``NotReady``/``Unknown`` after the
grace period and its pods are evicted after ``tolerationSeconds`` — while the containers still
run on the cut-off node.

:class:`PartitionableClient` wraps the kubelet's client: while ``severed`` every call raises
:class:`APIUnreachable` (a StatusError, code 503, so components handle it as any API error)
and watches deliver nothing; events that arrive meanwhile are delivered when the partition
heals, as a re-established watch would (if they were compacted away the informer relists).
"""

from __future__ import annotations

from typing import Any

from labkube.core.api.kubernetes_service import ADVERTISE_ADDRESS, SECURE_PORT
from labkube.core.errors import StatusError

APISERVER_ADDRESS = f"{ADVERTISE_ADDRESS}:{SECURE_PORT}"


class APIUnreachable(StatusError):
    def __init__(self, verb: str) -> None:
        super().__init__(503, "ServiceUnavailable",
                         f'{verb} "https://{APISERVER_ADDRESS}/api/v1": dial tcp {APISERVER_ADDRESS}: '
                         "connect: connection refused")


class _GatedWatch:
    def __init__(self, inner: Any, gate: "PartitionableClient") -> None:
        self._inner = inner
        self._gate = gate

    def poll(self) -> list:
        return [] if self._gate.severed else self._inner.poll()

    def cancel(self) -> None:
        self._inner.cancel()
        self._gate.forget(self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._inner, name, value)


class PartitionableClient:
    """A Client whose connection to the API server can be cut (``severed = True``)."""

    _VERBS = {"create": "POST", "get": "GET", "list": "GET", "update": "PUT", "patch": "PATCH",
              "delete": "DELETE", "delete_collection": "DELETE", "watch": "GET"}

    def __init__(self, client: Any) -> None:
        self._client = client
        self.severed = False
        self._watches: list[_GatedWatch] = []

    def sever(self) -> None:
        self.severed = True

    def heal(self) -> None:
        """Reconnect; wake every stalled watch so the events held back are applied."""
        self.severed = False
        self._watches = [w for w in self._watches if not getattr(w._inner, "cancelled", False)]
        for watch in self._watches:
            ready = getattr(watch._inner, "on_ready", None)
            if ready is not None:
                ready()

    def forget(self, watch: _GatedWatch) -> None:
        """A watch was cancelled: nothing to wake when the partition heals (the kubelet opens
        and closes a watch for each ConfigMap or Secret its pods use)."""
        if watch in self._watches:
            self._watches.remove(watch)

    def watch(self, *args: Any, **kwargs: Any) -> _GatedWatch:
        if self.severed:
            raise APIUnreachable("GET")
        watch = _GatedWatch(self._client.watch(*args, **kwargs), self)
        self._watches.append(watch)
        return watch

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        verb = self._VERBS.get(name)
        if verb is None or not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.severed:
                raise APIUnreachable(verb)
            return attr(*args, **kwargs)

        # Kept on the instance: the next ``client.get`` finds it without coming here (the
        # gate is checked inside ``call``, at each request, so a later partition still holds).
        self.__dict__[name] = call
        return call
