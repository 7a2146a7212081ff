"""Pod volumes: what the kubelet's volume manager mounts before a pod's containers start.

Mirrors pkg/kubelet/volumemanager and the in-tree volume plugins for the sources labkube
supports: ``emptyDir`` (one empty directory per pod, shared by its containers, kept across
container restarts), ``configMap`` and ``secret`` (one file per key, or the listed ``items``),
``downwardAPI`` (``fieldRef``/``resourceFieldRef`` files), ``projected`` (several sources in
one directory, including the ``kube-api-access-…`` token volume: ``token``, ``ca.crt``,
``namespace``) and ``hostPath`` (a directory of the node, shared by every pod on it).

The configMap, secret, downwardAPI and projected volumes are written as the kubelet's
AtomicWriter writes them (pkg/volume/util/atomic_writer.go): the files go into a hidden
directory named for the UTC time of the write and a random number
(``..2025_01_01_00_00_05.3104826710``), ``..data`` is a symbolic link to that directory, and
each top-level name is a link into it (``color -> ..data/color``). :meth:`PodVolumes.refresh`
is the remount each pod sync does: when what a volume would hold changed (a new ConfigMap
version reached the kubelet's watch, a label a downwardAPI file shows), a new directory is
written and ``..data`` swapped, so every container sees all the new files at once. A
``subPath`` mount of such a volume keeps what it had (the runtime binds the file itself).

A ``persistentVolumeClaim`` volume is the directory of the node its bound PersistentVolume
names (``hostPath`` or ``local``; :meth:`PodVolumes._claimed_path`), shared through
:class:`HostPaths` like a hostPath volume: what a pod writes there outlives the pod, and a
replacement pod on the same node (a StatefulSet's ``web-0``) finds it again. A claim that is
missing or not bound leaves the pod ``ContainerCreating`` without an event (:class:`ClaimNotReady`).

A ConfigMap or Secret that does not exist (and is not ``optional``) leaves the pod in
``ContainerCreating`` with the event ``FailedMount`` ``MountVolume.SetUp failed for volume
"config" : configmap "x" not found``; the mount is retried with the volume manager's backoff.

The service-account token is not requested from the API (labkube's API server has no
TokenRequest endpoint yet): the kubelet writes a JWT-shaped token with the claims kube-apiserver
1.32 puts in one (pkg/serviceaccount/claims.go, pkg/registry/core/serviceaccount/storage/
token.go): for the default request (3607 seconds, the API server's own audience)
``--service-account-extend-token-expiration`` makes ``exp`` a year after ``iat`` and
``kubernetes.io.warnafter`` the requested 3607 seconds; ``jti`` is a UUID (here made from the
pod and the time, not drawn from the cluster's random numbers); ``kubernetes.io.node`` names the
node and its UID. Not modelled: the ServiceAccount's ``uid`` (only kube-apiserver knows it; the
kubelet would get it inside the token a TokenRequest returns) and the token manager's refresh at
80% of the requested lifetime. The token is a :class:`~labkube.runtime.volume.Generated` file:
made from the pod and the mount time whenever it is read, the same bytes every time.

Files made from one version of a ConfigMap or Secret are the same ``bytes`` objects in every
pod of the node (:class:`SharedContents`): the ``ca.crt`` of a thousand pods is kept once.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from datetime import datetime, timezone
from typing import Callable, Mapping, Optional

from labkube.core.clock import format_uuid4
from labkube.core.errors import StatusError
from labkube.core.kubelet.env import (
    ContainerConfigError, ObjectSource, field_value, object_data, resource_value,
)
from labkube.runtime.cri import Mount, Symlink
from labkube.runtime.volume import Data, Generated, Volume, normalize

CLUSTER_ISSUER = "https://kubernetes.default.svc.cluster.local"
#: ``token.WarnOnlyBoundTokenExpirationSeconds``: the lifetime the kube-api-access volume
#: asks for, which kube-apiserver extends (``ExpirationExtensionSeconds``: one year).
WARN_ONLY_EXPIRATION_SECONDS = 60 * 60 + 7
EXTENDED_EXPIRATION_SECONDS = 24 * 365 * 60 * 60
#: The volume sources the AtomicWriter writes (they are set up again at every pod sync).
ATOMIC_SOURCES = ("configMap", "secret", "downwardAPI", "projected")
#: The AtomicWriter's link to the current timestamped directory.
DATA_DIR = "..data"


class MountError(Exception):
    """A volume could not be set up; ``message`` is the FailedMount event text."""

    #: whether the kubelet reports it as a ``FailedMount`` event
    event = True

    def __init__(self, volume: str, detail: str) -> None:
        self.volume = volume
        self.detail = detail
        self.message = f'MountVolume.SetUp failed for volume "{volume}" : {detail}'
        super().__init__(self.message)


class ClaimNotReady(MountError):
    """A ``persistentVolumeClaim`` volume whose claim is missing, being deleted or not bound.

    The desired-state-of-world populator cannot even add the volume, so nothing is mounted and
    the pod stays ``ContainerCreating``; kubelet 1.32 writes no event for it (the wait for the
    volumes times out after 2m3s, and a timed-out wait is not reported): ``message`` is the
    populator's log line, ``error processing PVC default/data: PVC is not bound``."""

    event = False

    def __init__(self, volume: str, detail: str) -> None:
        super().__init__(volume, detail)
        self.message = detail


class HostPaths:
    """The node's own directories (hostPath volumes), shared by all pods on the node."""

    def __init__(self) -> None:
        self._dirs: dict[str, Volume] = {}

    def get(self, path: str) -> Volume:
        path = "/" + path.strip("/")
        if path not in self._dirs:
            self._dirs[path] = Volume(path)
        return self._dirs[path]


class SharedContents:
    """The bytes of ConfigMap and Secret files, shared by every pod of the node.

    Keyed by object and kept for its latest ``resourceVersion`` only: a changed object gets
    new bytes, and pods still holding the old ones keep them alive as long as they need them.
    """

    def __init__(self) -> None:
        self._objects: dict[tuple, tuple[str, dict[str, bytes]]] = {}

    def files(self, kind: str, obj: dict, data: dict[str, str]) -> dict[str, bytes]:
        """``data`` (the object's text by key) as bytes, the same objects for every caller."""
        meta = obj.get("metadata") or {}
        version = meta.get("resourceVersion")
        if not version:
            return {k: v.encode() for k, v in data.items()}
        key = (kind, meta.get("namespace"), meta.get("name"))
        cached = self._objects.get(key)
        if cached is None or cached[0] != version:
            cached = self._objects[key] = (version, {k: v.encode() for k, v in data.items()})
        return cached[1]


# -- the AtomicWriter's layout ----------------------------------------------------------------------
def timestamp_dir(now: float, seed: str) -> str:
    """``newTimestampDir``: ``os.MkdirTemp`` with the pattern ``..2006_01_02_15_04_05.`` (the
    UTC time to the second) gives that prefix and a random 32-bit number in decimal; here the
    number is a hash of ``seed``, so the same run names the same directories."""
    return _stamp(int(now)) + str(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big"))


@functools.lru_cache(maxsize=64)
def _stamp(second: int) -> str:
    """``..2006_01_02_15_04_05.`` for one second (the many pods mounted in one second share it)."""
    return datetime.fromtimestamp(second, tz=timezone.utc).strftime("..%Y_%m_%d_%H_%M_%S.")


@functools.lru_cache(maxsize=1024)
def _visible_link(name: str) -> Symlink:
    """The user-visible ``name -> ..data/name`` (one object for every volume showing ``name``)."""
    return Symlink(f"{DATA_DIR}/{name}")


def atomic_layout(directory: str, payload: Mapping[str, Data]) -> dict[str, Data]:
    """The files of a volume the AtomicWriter wrote ``payload`` into: the payload under
    ``directory``, ``..data`` linking to it, and a link for each top-level name."""
    files: dict[str, Data] = {f"{directory}/{path}": data for path, data in payload.items()}
    files[DATA_DIR] = Symlink(directory)
    for top in sorted({path.split("/", 1)[0] for path in payload}):
        files[top] = _visible_link(top)
    return files


def current_payload(volume: Volume) -> dict[str, Data]:
    """What the AtomicWriter last wrote into ``volume`` (its files under ``..data``)."""
    link = volume.files.get(DATA_DIR)
    if type(link) is not Symlink:
        return {}
    prefix = link.target + "/"
    return {path[len(prefix):]: data for path, data in volume.files.items() if path.startswith(prefix)}


def _normalized(payload: Mapping[str, Data]) -> dict[str, Data]:
    """``payload`` as a volume keeps it: paths normal, text encoded."""
    return {normalize(path): data.encode() if isinstance(data, str) else data
            for path, data in payload.items()}


class PodVolumes:
    """The volumes of one pod, set up once and kept for the pod's life on the node; the
    atomically written ones are set up again (:meth:`refresh`) when what they show changed."""

    __slots__ = ("owner", "host_paths", "_allocatable", "clock", "shared", "volumes", "stale",
                 "_writes")

    def __init__(self, owner, host_paths: HostPaths, allocatable: Callable[[], dict], clock,
                 shared: Optional[SharedContents] = None) -> None:
        #: Whatever has the pod as the kubelet knows it now, as ``owner.pod`` (the pod worker:
        #: the volumes outlive many versions of the pod, and holding on to one would keep a
        #: stale copy of it alive).
        self.owner = owner
        self.host_paths = host_paths
        #: The node's allocatable resources, asked for only when a downwardAPI file needs them.
        self._allocatable = allocatable
        self.clock = clock
        self.shared = shared if shared is not None else SharedContents()
        self.volumes: dict[str, Volume] = {}
        #: Set when an object a volume shows changed, or the pod's labels or annotations:
        #: the next sync sets the atomically written volumes up again.
        self.stale = False
        self._writes = 0

    @property
    def pod(self) -> dict:
        return self.owner.pod

    def setup(self, source: ObjectSource) -> None:
        """Set up every volume not yet mounted; raises MountError for the first that fails."""
        for spec in (self.pod.get("spec") or {}).get("volumes") or []:
            name = spec.get("name", "")
            if name in self.volumes:
                continue
            try:
                self.volumes[name] = self._build(spec, source)
            except ContainerConfigError as err:
                raise MountError(name, err.message) from None

    def refresh(self, source: ObjectSource) -> list[MountError]:
        """The remount of a pod sync: every configMap, secret, downwardAPI and projected
        volume is made again, and written (a new timestamped directory) if its files differ.
        A volume that cannot be made keeps its files; its error is returned (a FailedMount
        event)."""
        self.stale = False
        errors = []
        for spec in (self.pod.get("spec") or {}).get("volumes") or []:
            volume = self.volumes.get(spec.get("name", ""))
            if volume is None or not any(key in spec for key in ATOMIC_SOURCES):
                continue
            current = current_payload(volume)
            try:
                payload = _normalized(self._payload(spec, source, current))
            except ContainerConfigError as err:
                errors.append(MountError(volume.name, err.message))
                continue
            if payload != current:
                self._write(volume, payload)
        return errors

    def _write(self, volume: Volume, payload: Mapping[str, Data]) -> None:
        """``AtomicWriter.Write``: a new timestamped directory, then ``..data`` swapped."""
        self._writes += 1
        meta = self.pod.get("metadata") or {}
        directory = timestamp_dir(self.clock.now(), f"{meta.get('uid', '')}/{volume.name}/{self._writes}")
        volume.replace_files(atomic_layout(directory, payload))

    def mounts(self, container: dict) -> tuple[Mount, ...]:
        out = []
        for vm in container.get("volumeMounts") or []:
            volume = self.volumes.get(vm.get("name", ""))
            if volume is None:
                continue
            out.append(Mount(vm.get("mountPath", ""), volume, bool(vm.get("readOnly")),
                             vm.get("subPath") or ""))
        return tuple(out)

    # -- sources -----------------------------------------------------------------------------
    def _build(self, spec: dict, source: ObjectSource) -> Volume:
        name = spec.get("name", "")
        if "hostPath" in spec:
            return self.host_paths.get((spec["hostPath"] or {}).get("path", "/"))
        if "persistentVolumeClaim" in spec:
            return self.host_paths.get(self._claimed_path(name, spec["persistentVolumeClaim"] or {}))
        if any(key in spec for key in ATOMIC_SOURCES):
            volume = Volume(name, read_only=True)
            self._write(volume, _normalized(self._payload(spec, source, {})))
            return volume
        return Volume(name)  # emptyDir, and sources labkube does not model

    def _claimed_path(self, volume: str, ref: dict) -> str:
        """The node directory behind a bound claim: its PersistentVolume's ``hostPath`` or
        ``local`` path (other sources: a directory of the node named for the volume, as a
        network disk attached there would be). Read from the API server, as the populator's
        ``getPVCExtractPV`` and ``getPVSpec`` do."""
        namespace = (self.pod.get("metadata") or {}).get("namespace", "default")
        claim_name = ref.get("claimName", "")
        prefix = f"error processing PVC {namespace}/{claim_name}: "
        claim, error = self._api_get("persistentvolumeclaims", claim_name, namespace)
        if claim is None:
            raise ClaimNotReady(volume, f"{prefix}failed to fetch PVC from API server: {error}")
        if (claim.get("metadata") or {}).get("deletionTimestamp"):
            raise ClaimNotReady(volume, f"{prefix}can't start pod because PVC {namespace}/{claim_name} is being deleted")
        if (claim.get("status") or {}).get("phase") != "Bound":
            raise ClaimNotReady(volume, f"{prefix}PVC is not bound")
        volume_name = (claim.get("spec") or {}).get("volumeName", "")
        pv, error = self._api_get("persistentvolumes", volume_name, None)
        if pv is None:
            raise ClaimNotReady(volume, f"{prefix}failed to fetch PV {volume_name} from API server: {error}")
        claim_ref = (pv.get("spec") or {}).get("claimRef") or {}
        if claim_ref.get("uid") != (claim.get("metadata") or {}).get("uid"):
            raise ClaimNotReady(volume, f"{prefix}found PV object {volume_name} but it has a nil or mismatched "
                                        f"ClaimRef: claimRef = {claim_ref.get('uid')} pvc uid = "
                                        f"{(claim.get('metadata') or {}).get('uid')}")
        pv_spec = pv.get("spec") or {}
        for source in ("hostPath", "local"):
            if pv_spec.get(source):
                return pv_spec[source].get("path", "/")
        return f"/var/lib/kubelet/plugins/kubernetes.io/pv/{volume_name}"

    def _api_get(self, resource: str, name: str, namespace: Optional[str]):
        """``(object, None)`` or ``(None, the API error's text)``, read as the node."""
        client = self.owner.kubelet.client
        try:
            return client.get(resource, name, namespace), None
        except StatusError as err:
            return None, err.message

    def _payload(self, spec: dict, source: ObjectSource, current: Mapping[str, Data]) -> dict[str, Data]:
        """The files an atomically written volume holds now (``current``: what it holds,
        whose token is kept: the token manager hands out the same token until it refreshes)."""
        if "configMap" in spec:
            return self._object_files("configmap", spec["configMap"] or {}, "name", source)
        if "secret" in spec:
            return self._object_files("secret", spec["secret"] or {}, "secretName", source)
        if "downwardAPI" in spec:
            return self._downward_files(spec["downwardAPI"] or {})
        files: dict[str, Data] = {}
        for proj in (spec["projected"] or {}).get("sources") or []:
            files.update(self._projection(proj, source, current))
        return files

    def _object_files(self, kind: str, ref: dict, name_key: str, source: ObjectSource) -> dict[str, bytes]:
        obj_name = ref.get(name_key, "")
        obj = source.get(kind, obj_name)
        if obj is None:
            if ref.get("optional"):
                return {}
            raise ContainerConfigError(f'{kind} "{obj_name}" not found')
        data = self.shared.files(kind, obj, object_data(kind, obj))
        items = ref.get("items")
        if not items:
            return dict(data)
        files = {}
        for item in items:
            key = item.get("key", "")
            if key not in data:
                if ref.get("optional"):
                    continue
                raise ContainerConfigError(f"configmap references non-existent config key: {key}"
                                           if kind == "configmap" else
                                           f"references non-existent secret key: {key}")
            files[item.get("path") or key] = data[key]
        return files

    def _downward_files(self, ref: dict) -> dict[str, str]:
        files = {}
        for item in ref.get("items") or []:
            if item.get("fieldRef"):
                files[item.get("path", "")] = field_value(self.pod, item["fieldRef"].get("fieldPath", ""))
            elif item.get("resourceFieldRef"):
                rf = item["resourceFieldRef"]
                container = self._container(rf.get("containerName")) or {}
                files[item.get("path", "")] = resource_value(self.pod, container, rf, self._allocatable())
        return files

    def _container(self, name: Optional[str]) -> Optional[dict]:
        """The pod's app container ``name`` (the last of that name, as a dict built from the
        list would keep)."""
        found = None
        for c in (self.pod.get("spec") or {}).get("containers") or []:
            if c.get("name") == name:
                found = c
        return found

    def _projection(self, proj: dict, source: ObjectSource, current: Mapping[str, Data]) -> dict[str, Data]:
        if "configMap" in proj:
            return self._object_files("configmap", proj["configMap"] or {}, "name", source)
        if "secret" in proj:
            return self._object_files("secret", proj["secret"] or {}, "name", source)
        if "downwardAPI" in proj:
            return self._downward_files(proj["downwardAPI"] or {})
        if "serviceAccountToken" in proj:
            token = proj["serviceAccountToken"] or {}
            path = token.get("path", "token")
            issued = current.get(normalize(path))
            if isinstance(issued, _TokenFile) and issued.spec == token:
                return {path: issued}
            return {path: _TokenFile(self, token, int(self.clock.now()), self.owner.node_uid())}
        return {}

    def _token(self, spec: dict, now: int, node_uid: str) -> bytes:
        """A bound service-account token's shape (header.claims.signature), deterministic: it
        depends only on the pod's identity (which never changes) and the time it was issued."""
        meta = self.pod.get("metadata") or {}
        pod_spec = self.pod.get("spec") or {}
        namespace = meta.get("namespace", "default")
        account = pod_spec.get("serviceAccountName") or "default"
        requested = int(spec.get("expirationSeconds") or WARN_ONLY_EXPIRATION_SECONDS)
        audience = spec.get("audience") or CLUSTER_ISSUER
        extended = requested == WARN_ONLY_EXPIRATION_SECONDS and audience == CLUSTER_ISSUER
        identity = {
            "namespace": namespace,
            "node": {"name": pod_spec.get("nodeName", ""), "uid": node_uid},
            "pod": {"name": meta.get("name", ""), "uid": meta.get("uid", "")},
            "serviceaccount": {"name": account},
        }
        if extended:
            identity["warnafter"] = now + requested
        claims = {
            "aud": [audience],
            "exp": now + (EXTENDED_EXPIRATION_SECONDS if extended else requested),
            "iat": now,
            "iss": CLUSTER_ISSUER,
            "jti": _token_id(meta.get("uid", ""), spec, now),
            "kubernetes.io": identity,
            "nbf": now,
            "sub": f"system:serviceaccount:{namespace}:{account}",
        }
        header = {"alg": "RS256", "kid": hashlib.sha256(b"labkube-sa-key").hexdigest()[:43]}
        body = ".".join(_b64url(json.dumps(part, separators=(",", ":"), sort_keys=True).encode())
                        for part in (header, claims))
        signature = _b64url(hashlib.sha512(body.encode()).digest() * 4)
        return f"{body}.{signature}".encode()


class _TokenFile(Generated):
    """The ``token`` file: made from the pod, the projection, the time it was issued and the
    node's UID then."""

    __slots__ = ("volumes", "spec", "issued", "node_uid")

    def __init__(self, volumes: PodVolumes, spec: dict, issued: int, node_uid: str) -> None:
        self.volumes, self.spec, self.issued, self.node_uid = volumes, spec, issued, node_uid

    def make(self) -> bytes:
        return self.volumes._token(self.spec, self.issued, self.node_uid)


def _token_id(pod_uid: str, spec: dict, issued: int) -> str:
    """The token's ``jti`` (a random UUID in kube-apiserver): a UUID made from the pod, the
    token's path and the time it was issued."""
    seed = f"{pod_uid}/{spec.get('path', 'token')}/{issued}".encode()
    return format_uuid4(int.from_bytes(hashlib.sha256(seed).digest()[:16], "big"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
