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
carries, deterministic for the pod.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Callable
from labkube.core.kubelet.env import (
    ContainerConfigError, ObjectSource, field_value, object_data, resource_value,
)
from labkube.runtime.cri import Mount
from labkube.runtime.volume import Volume

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


class PodVolumes:
    """The volumes of one pod, set up once and kept for the pod's life on the node."""

    def __init__(self, pod: Callable[[], dict], host_paths: HostPaths, allocatable: dict, clock) -> None:
        #: The pod as the kubelet knows it now (a function: the volumes outlive many versions
        #: of the pod, and holding on to one would keep a stale copy of it alive).
        self._pod = pod
        self.host_paths = host_paths
        self.allocatable = allocatable
        self.clock = clock
        self.volumes: dict[str, Volume] = {}

    @property
    def pod(self) -> dict:
        return self._pod()

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
            files: dict[str, str] = {}
            for proj in (spec["projected"] or {}).get("sources") or []:
                files.update(self._projection(proj, source))
            return Volume(name, files, read_only=True)
        return Volume(name)  # emptyDir, and sources labkube does not model

    def _object_files(self, kind: str, ref: dict, name_key: str, source: ObjectSource) -> dict[str, str]:
        obj_name = ref.get(name_key, "")
        obj = source.get(kind, obj_name)
        if obj is None:
            if ref.get("optional"):
                return {}
            raise ContainerConfigError(f'{kind} "{obj_name}" not found')
        data = object_data(kind, obj)
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
        containers = {c.get("name"): c for c in (self.pod.get("spec") or {}).get("containers") or []}
        for item in ref.get("items") or []:
            if item.get("fieldRef"):
                files[item.get("path", "")] = field_value(self.pod, item["fieldRef"].get("fieldPath", ""))
            elif item.get("resourceFieldRef"):
                rf = item["resourceFieldRef"]
                container = containers.get(rf.get("containerName")) or {}
                files[item.get("path", "")] = resource_value(self.pod, container, rf, self.allocatable)
        return files

    def _projection(self, proj: dict, source: ObjectSource) -> dict[str, str]:
        if "configMap" in proj:
            return self._object_files("configmap", proj["configMap"] or {}, "name", source)
        if "secret" in proj:
            return self._object_files("secret", proj["secret"] or {}, "name", source)
        if "downwardAPI" in proj:
            return self._downward_files(proj["downwardAPI"] or {})
        if "serviceAccountToken" in proj:
            token = proj["serviceAccountToken"] or {}
            return {token.get("path", "token"): self._token(token)}
        return {}

    def _token(self, spec: dict) -> str:
        """A bound service-account token's shape (header.claims.signature), deterministic."""
        meta = self.pod.get("metadata") or {}
        pod_spec = self.pod.get("spec") or {}
        namespace = meta.get("namespace", "default")
        account = pod_spec.get("serviceAccountName") or "default"
        now = int(self.clock.now())
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
        return f"{body}.{signature}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
