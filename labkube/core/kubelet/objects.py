"""The ConfigMaps and Secrets a node's pods use, each watched while a pod on the node needs it.

Mirrors the kubelet's configmap and secret managers (pkg/kubelet/configmap, pkg/kubelet/secret)
with their default change-detection strategy, ``Watch`` (pkg/kubelet/util/manager:
cache_based_manager.go and watch_based_manager.go of Kubernetes 1.32):

* **RegisterPod** -- when the kubelet learns of a pod (added or updated), every ConfigMap and
  Secret the pod names (volumes and projected sources, ``env``, ``envFrom``, and for Secrets
  ``imagePullSecrets``) gets a reference from the pod. The first reference to an object starts
  its *reflector*: a list + watch of that one object -- in its namespace, with the field selector
  ``metadata.name=<name>`` -- kept in a small local store. The kubelet asks as
  ``system:node:<node>``, which the Node authorizer allows for objects its pods use.
* **UnregisterPod** -- when the pod object is gone, its references go; the last reference to
  an object stops its watch and drops its store.
* **GetObject** -- reads the reflector's store, never the API server: the object, or ``None``
  when the store does not have it (the kubelet's ``configmap "x" not found``). A reflector whose
  list failed (the node is cut off from the API server) is started again by the next read,
  which fails with the API error as a GET would. Objects already watched stay readable while
  the node is partitioned, as the last version the watch delivered.
* An **immutable** object (``immutable: true``) cannot change, so its watch is stopped at the
  first read that finds it; the store keeps it.

So a node with a thousand pods that all mount ``kube-root-ca.crt`` watches it once, instead of
reading it once per pod; and a pod waiting for a ConfigMap that does not exist yet sees it (at
its next retry) as soon as the watch delivers its creation.

A change the watch delivers (after the first list) is passed to ``on_change`` with the pods
referencing the object: the kubelet does not sync them for it, but their next periodic sync
(``syncFrequency``) sets their volumes up again with the new version.

Not modelled: the real manager also stops watches idle for five resync periods (and restarts
them at the next read); in labkube a watch lives exactly as long as a pod references it.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from labkube.core.clock import Clock
from labkube.core.errors import StatusError
from labkube.core.kubelet.env import ContainerConfigError
from labkube.core.machinery.informer import Informer


class ObjectNotRegistered(ContainerConfigError):
    """A read of an object no pod of this kubelet references (the kubelet's
    ``object "ns"/"name" not registered``, shown as the container's or the mount's error)."""


# -- the names a pod references (podutil.VisitPodConfigmapNames / VisitPodSecretNames) --------------
def referenced_names(pod: dict) -> tuple[frozenset[str], frozenset[str]]:
    """The ConfigMaps and the Secrets a pod names, found in one walk of its spec: volumes and
    projected sources, ``env`` and ``envFrom`` of every container, and ``imagePullSecrets``."""
    spec = pod.get("spec") or {}
    configmaps: set[str] = set()
    secrets: set[str] = {ref.get("name", "") for ref in spec.get("imagePullSecrets") or ()}
    for volume in spec.get("volumes") or ():
        _source_names(volume, configmaps, secrets, secret_key="secretName")
        for source in (volume.get("projected") or {}).get("sources") or ():
            _source_names(source, configmaps, secrets, secret_key="name")
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(group) or ():
            for env in container.get("env") or ():
                value_from = env.get("valueFrom")
                if value_from:
                    _ref_name(value_from.get("configMapKeyRef"), configmaps)
                    _ref_name(value_from.get("secretKeyRef"), secrets)
            for env_from in container.get("envFrom") or ():
                _ref_name(env_from.get("configMapRef"), configmaps)
                _ref_name(env_from.get("secretRef"), secrets)
    configmaps.discard("")
    secrets.discard("")
    return frozenset(configmaps), frozenset(secrets)


def _source_names(source: dict, configmaps: set[str], secrets: set[str], secret_key: str) -> None:
    """A volume's (or a projection's) ``configMap`` and ``secret``."""
    if source.get("configMap") is not None:
        configmaps.add(source["configMap"].get("name", ""))
    if source.get("secret") is not None:
        secrets.add(source["secret"].get(secret_key, ""))


def _ref_name(ref: Optional[dict], names: set[str]) -> None:
    if ref is not None:
        names.add(ref.get("name", ""))


def configmap_names(pod: dict) -> frozenset[str]:
    """The ConfigMaps a pod names (``getConfigMapNames``)."""
    return referenced_names(pod)[0]


def secret_names(pod: dict) -> frozenset[str]:
    """The Secrets a pod names (``getSecretNames``)."""
    return referenced_names(pod)[1]


# -- one watched object (objectCacheItem) -------------------------------------------------------------
class ObjectWatch:
    """The reflector of one (namespace, name): an informer of that one object, and the pods
    (uids) that reference it."""

    __slots__ = ("informer", "key", "pods", "immutable", "listed")

    def __init__(self, informer: Informer, key: str) -> None:
        self.informer = informer
        self.key = key
        self.pods: set[str] = set()
        self.immutable = False
        #: Whether the first list is done (what it delivers is no change).
        self.listed = False

    def start(self) -> None:
        """List and watch; on failure the reflector stays unsynced and the error is raised."""
        try:
            self.informer.start()
        except StatusError:
            self.informer.stop()  # not running: the next read tries again
            raise
        self.listed = True

    def read(self) -> Optional[dict]:
        """The object as the store has it (starting the reflector again if its list failed)."""
        if not self.informer.has_synced:
            self.start()
        obj = self.informer.get(self.key)
        if obj is not None and obj.get("immutable") is True and not self.immutable:
            self.immutable = True
            self.informer.stop()  # it cannot change: the store keeps it, the watch goes
        return obj

    def stop(self) -> None:
        self.informer.stop()


# -- the manager (cacheBasedManager over objectCache) ------------------------------------------------------
class WatchBasedManager:
    """One kind of object (``configmaps`` or ``secrets``) for the pods of one kubelet."""

    def __init__(self, client: Any, clock: Clock, resource: str,
                 referenced: Callable[[dict], Iterable[str]],
                 on_error: Optional[Callable[[str, BaseException], None]] = None,
                 on_change: Optional[Callable[[frozenset[str]], None]] = None) -> None:
        self.client = client
        self.clock = clock
        self.resource = resource
        self.referenced = referenced
        self.on_error = on_error
        #: told the uids of the pods referencing an object the watch saw change
        self.on_change = on_change
        self._rtype = None
        #: pod uid -> the names it references
        self._pods: dict[str, frozenset[str]] = {}
        #: (namespace, name) -> its watch
        self._watches: dict[tuple[str, str], ObjectWatch] = {}

    # -- pods -----------------------------------------------------------------------------
    def register_pod(self, pod: dict, names: Optional[Iterable[str]] = None) -> None:
        """``RegisterPod``: reference what the pod names (``names``, or worked out from the
        pod); drop what it no longer names."""
        meta = pod["metadata"]
        uid = meta.get("uid", "")
        names = frozenset(self.referenced(pod) if names is None else names)
        previous = self._pods.get(uid)
        self._pods[uid] = names
        namespace = meta.get("namespace", "default")
        before = previous if previous is not None else frozenset()
        for name in sorted(names - before):
            self._add_reference(namespace, name, uid)
        for name in sorted(before - names):
            self._delete_reference(namespace, name, uid)

    def unregister_pod(self, pod: dict) -> None:
        """``UnregisterPod``: the pod is gone; so are its references."""
        meta = pod["metadata"]
        uid = meta.get("uid", "")
        previous = self._pods.pop(uid, None)
        if previous is None:
            return
        for name in sorted(previous):
            self._delete_reference(meta.get("namespace", "default"), name, uid)

    # -- objects ----------------------------------------------------------------------------
    def get(self, namespace: str, name: str) -> Optional[dict]:
        """``GetObject``: the cached object, None if the API server has none by that name.

        Raises the API error (a StatusError) if the object's list + watch cannot be started,
        and :class:`ObjectNotRegistered` for an object no pod of this kubelet references."""
        watch = self._watches.get((namespace, name))
        if watch is None:
            raise ObjectNotRegistered(f'object "{namespace}"/"{name}" not registered')
        return watch.read()

    def watched(self) -> list[tuple[str, str]]:
        """The (namespace, name) of every object watched now."""
        return sorted(self._watches)

    def stop(self) -> None:
        """The kubelet stops: every watch ends and every registration is forgotten."""
        for watch in self._watches.values():
            watch.stop()
        self._watches = {}
        self._pods = {}

    # -- references (objectCache.AddReference / DeleteReference) -----------------------------------------
    def _add_reference(self, namespace: str, name: str, uid: str) -> None:
        watch = self._watches.get((namespace, name))
        if watch is None:
            watch = self._watches[(namespace, name)] = self._new_watch(namespace, name)
            try:
                watch.start()
            except StatusError:
                pass  # the reflector retries: the next read starts it again (or fails as a GET)
        watch.pods.add(uid)

    def _delete_reference(self, namespace: str, name: str, uid: str) -> None:
        watch = self._watches.get((namespace, name))
        if watch is None:
            return
        watch.pods.discard(uid)
        if not watch.pods:
            watch.stop()
            del self._watches[(namespace, name)]

    def _new_watch(self, namespace: str, name: str) -> ObjectWatch:
        if self._rtype is None:
            self._rtype = self.client.server.resolve(self.resource)
        informer = Informer(self.client, self._rtype, self.clock, namespace=namespace,
                            field_selector=f"metadata.name={name}", on_error=self.on_error)
        watch = ObjectWatch(informer, f"{namespace}/{name}")
        if self.on_change is not None:
            def changed(*_objects: dict) -> None:
                if watch.listed and watch.pods:
                    self.on_change(frozenset(watch.pods))
            informer.add_event_handler(changed, changed, changed)
        return watch


class PodObjects:
    """The kubelet's configmap manager and secret manager, side by side, told about each pod
    once for each version of its spec (a status update leaves the spec the same object)."""

    def __init__(self, client: Any, clock: Clock,
                 on_error: Optional[Callable[[str, BaseException], None]] = None,
                 on_change: Optional[Callable[[frozenset[str]], None]] = None) -> None:
        self.configmaps = WatchBasedManager(client, clock, "configmaps", configmap_names, on_error,
                                           on_change)
        self.secrets = WatchBasedManager(client, clock, "secrets", secret_names, on_error, on_change)
        self._by_kind = {"configmap": self.configmaps, "secret": self.secrets}
        #: pod uid -> the spec it was registered with
        self._specs: dict[str, dict] = {}

    def register_pod(self, pod: dict) -> None:
        uid = pod["metadata"].get("uid", "")
        spec = pod.get("spec")
        if self._specs.get(uid) is spec:
            return  # the same spec: the same references
        self._specs[uid] = spec
        configmaps, secrets = referenced_names(pod)
        self.configmaps.register_pod(pod, configmaps)
        self.secrets.register_pod(pod, secrets)

    def unregister_pod(self, pod: dict) -> None:
        self._specs.pop(pod["metadata"].get("uid", ""), None)
        self.configmaps.unregister_pod(pod)
        self.secrets.unregister_pod(pod)

    def get(self, kind: str, namespace: str, name: str) -> Optional[dict]:
        """``kind`` is "configmap" or "secret"; None when it does not exist."""
        return self._by_kind[kind].get(namespace, name)

    def stop(self) -> None:
        self._specs = {}
        self.configmaps.stop()
        self.secrets.stop()
