"""Pod volumes: what the kubelet's volume manager mounts before a pod's containers start.

Mirrors pkg/kubelet/volumemanager and the in-tree volume plugins for the sources labkube
supports: ``emptyDir`` (one empty directory per pod, shared by its containers, kept across
container restarts), ``configMap`` and ``secret`` (one file per key, or the listed ``items``),
``downwardAPI`` (``fieldRef``/``resourceFieldRef`` files), ``projected`` (several sources in
one directory, including the ``kube-api-access-…`` token volume: ``token``, ``ca.crt``,
``namespace``) and ``hostPath`` (a directory of the node, shared by every pod on it).

A ConfigMap or Secret that does not exist (and is not ``optional``) leaves the pod in
``ContainerCreating`` with the event ``FailedMount`` ``MountVolume.SetUp failed for volume
"config" : configmap "x" not found``; the mount is retried with the volume manager's backoff.

The service-account token is not requested from the API (labkube's API server has no
TokenRequest endpoint yet): the kubelet writes a JWT-shaped token with the claims a real one
carries, deterministic for the pod. It is a :class:`~labkube.runtime.volume.Generated` file:
made from the pod and the mount time whenever it is read, the same bytes every time.

Files made from one version of a ConfigMap or Secret are the same ``bytes`` objects in every
pod of the node (:class:`SharedContents`): the ``ca.crt`` of a thousand pods is kept once.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Callable, Optional
from labkube.core.kubelet.env import (
    ContainerConfigError, ObjectSource, field_value, object_data, resource_value,
)
from labkube.runtime.cri import Mount
from labkube.runtime.volume import Data, Generated, Volume

CLUSTER_ISSUER = "https://kubernetes.default.svc.cluster.local"


class MountError(Exception):
    """A volume could not be set up; ``message`` is the FailedMount event text."""

    def __init__(self, volume: str, detail: str) -> None:
        self.volume = volume
        self.detail = detail
        self.message = f'MountVolume.SetUp failed for volume "{volume}" : {detail}'
        super().__init__(self.message)


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


class PodVolumes:
    """The volumes of one pod, set up once and kept for the pod's life on the node."""

    __slots__ = ("owner", "host_paths", "_allocatable", "clock", "shared", "volumes")

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
        if "configMap" in spec:
            files = self._object_files("configmap", spec["configMap"] or {}, "name", source)
            return Volume(name, files, read_only=True)
        if "secret" in spec:
            files = self._object_files("secret", spec["secret"] or {}, "secretName", source)
            return Volume(name, files, read_only=True)
        if "downwardAPI" in spec:
            return Volume(name, self._downward_files(spec["downwardAPI"] or {}), read_only=True)
        if "projected" in spec:
            files: dict[str, Data] = {}
            for proj in (spec["projected"] or {}).get("sources") or []:
                files.update(self._projection(proj, source))
            return Volume(name, files, read_only=True)
        return Volume(name)  # emptyDir, and sources labkube does not model

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

    def _projection(self, proj: dict, source: ObjectSource) -> dict[str, Data]:
        if "configMap" in proj:
            return self._object_files("configmap", proj["configMap"] or {}, "name", source)
        if "secret" in proj:
            return self._object_files("secret", proj["secret"] or {}, "name", source)
        if "downwardAPI" in proj:
            return self._downward_files(proj["downwardAPI"] or {})
        if "serviceAccountToken" in proj:
            token = proj["serviceAccountToken"] or {}
            return {token.get("path", "token"): _TokenFile(self, token, int(self.clock.now()))}
        return {}

    def _token(self, spec: dict, now: int) -> bytes:
        """A bound service-account token's shape (header.claims.signature), deterministic: it
        depends only on the pod's identity (which never changes) and the time it was issued."""
        meta = self.pod.get("metadata") or {}
        pod_spec = self.pod.get("spec") or {}
        namespace = meta.get("namespace", "default")
        account = pod_spec.get("serviceAccountName") or "default"
        expiry = int(spec.get("expirationSeconds") or 3607)
        claims = {
            "aud": [spec.get("audience") or CLUSTER_ISSUER],
            "exp": now + expiry,
            "iat": now,
            "iss": CLUSTER_ISSUER,
            "kubernetes.io": {
                "namespace": namespace,
                "node": {"name": pod_spec.get("nodeName", "")},
                "pod": {"name": meta.get("name", ""), "uid": meta.get("uid", "")},
                "serviceaccount": {"name": account},
                "warnafter": now + 3600,
            },
            "nbf": now,
            "sub": f"system:serviceaccount:{namespace}:{account}",
        }
        header = {"alg": "RS256", "kid": hashlib.sha256(b"labkube-sa-key").hexdigest()[:43]}
        body = ".".join(_b64url(json.dumps(part, separators=(",", ":"), sort_keys=True).encode())
                        for part in (header, claims))
        signature = _b64url(hashlib.sha512(body.encode()).digest() * 4)
        return f"{body}.{signature}".encode()


class _TokenFile(Generated):
    """The ``token`` file: made from the pod, the projection and the time it was issued."""

    __slots__ = ("volumes", "spec", "issued")

    def __init__(self, volumes: PodVolumes, spec: dict, issued: int) -> None:
        self.volumes, self.spec, self.issued = volumes, spec, issued

    def make(self) -> bytes:
        return self.volumes._token(self.spec, self.issued)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
