"""The scheduler's view of PersistentVolumeClaims, PersistentVolumes and StorageClasses.

Mirrors k8s.io/component-helpers/storage/volume/assumecache (``PVAssumeCache``,
``PVCAssumeCache``) as the VolumeBinding plugin uses it (Kubernetes 1.32): each object is
kept as the API server last sent it (the informers feed :meth:`VolumeCache.set_claim` and
friends) and, on top, as the scheduler *assumed* it in Reserve -- a volume pre-bound to the
claim it chose, a claim annotated with the node it chose -- so that the next pod does not
pick the same volume before the API server has the update. An assumed object gives way to
the API's version once that is at least as new (its ``resourceVersion``), and
:meth:`restore` drops the assumption (Unreserve, or a failed PreBind).

Reads used by the binding cycle's checks (``get_api_claim``, ``get_api_volume``) see only
what the API server said, as ``checkBindings`` does.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.volume_helpers import volume_class


def _rv(obj: dict) -> int:
    try:
        return int((obj.get("metadata") or {}).get("resourceVersion") or 0)
    except ValueError:
        return 0


class VolumeCache:
    """Claims by ``namespace/name``, volumes and classes by name; assumed versions on top."""

    def __init__(self) -> None:
        self._claims: dict[str, dict] = {}
        self._volumes: dict[str, dict] = {}
        self._classes: dict[str, dict] = {}
        self._assumed_claims: dict[str, dict] = {}
        self._assumed_volumes: dict[str, dict] = {}

    def __bool__(self) -> bool:
        return True

    # -- fed by the informers ------------------------------------------------------------
    def set_claim(self, claim: dict) -> None:
        key = _claim_key(claim)
        self._claims[key] = claim
        self._drop_outdated(self._assumed_claims, key, claim)

    def delete_claim(self, claim: dict) -> None:
        key = _claim_key(claim)
        self._claims.pop(key, None)
        self._assumed_claims.pop(key, None)

    def set_volume(self, volume: dict) -> None:
        name = volume["metadata"]["name"]
        self._volumes[name] = volume
        self._drop_outdated(self._assumed_volumes, name, volume)

    def delete_volume(self, volume: dict) -> None:
        name = volume["metadata"]["name"]
        self._volumes.pop(name, None)
        self._assumed_volumes.pop(name, None)

    def set_class(self, storage_class: dict) -> None:
        self._classes[storage_class["metadata"]["name"]] = storage_class

    def delete_class(self, storage_class: dict) -> None:
        self._classes.pop(storage_class["metadata"]["name"], None)

    @staticmethod
    def _drop_outdated(assumed: dict, key: str, latest: dict) -> None:
        kept = assumed.get(key)
        if kept is not None and _rv(latest) >= _rv(kept):
            del assumed[key]

    # -- reads ---------------------------------------------------------------------------
    def claim(self, namespace: str, name: str) -> Optional[dict]:
        """The claim, as assumed if it is (``GetPVC``)."""
        key = f"{namespace}/{name}"
        return self._assumed_claims.get(key) or self._claims.get(key)

    def get_api_claim(self, namespace: str, name: str) -> Optional[dict]:
        return self._claims.get(f"{namespace}/{name}")

    def volume(self, name: str) -> Optional[dict]:
        return self._assumed_volumes.get(name) or self._volumes.get(name)

    def get_api_volume(self, name: str) -> Optional[dict]:
        return self._volumes.get(name)

    def volumes_of_class(self, class_name: str) -> list[dict]:
        """``ListPVs(storageClassName)`` (assumed versions win), in name order."""
        out = []
        for name in sorted(self._volumes.keys() | self._assumed_volumes.keys()):
            volume = self.volume(name)
            if volume is not None and volume_class(volume) == class_name:
                out.append(volume)
        return out

    def storage_class(self, name: str) -> Optional[dict]:
        return self._classes.get(name)

    # -- assume / restore ------------------------------------------------------------------
    def assume_claim(self, claim: dict) -> None:
        self._assumed_claims[_claim_key(claim)] = claim

    def assume_volume(self, volume: dict) -> None:
        self._assumed_volumes[volume["metadata"]["name"]] = volume

    def restore_claim(self, key: str) -> None:
        self._assumed_claims.pop(key, None)

    def restore_volume(self, name: str) -> None:
        self._assumed_volumes.pop(name, None)


def _claim_key(claim: dict) -> str:
    meta = claim.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"
