"""Controller history: the ControllerRevisions a DaemonSet or StatefulSet keeps of its templates.

Mirrors pkg/controller/history/controller_history.go (Kubernetes 1.32). A workload controller
records each pod template it has run as an ``apps/v1`` ``ControllerRevision``: ``data`` holds
a patch that restores the template (``{"spec": {"template": {..., "$patch": "replace"}}}``),
``revision`` a number that grows with every new template, and a controller reference points at
the owner. ``kubectl rollout history`` lists them and ``rollout undo`` applies one's ``data``.

**Naming.** ``hash_controller_revision`` runs 32-bit FNV-1 (Go's ``fnv.New32``, not FNV-1a)
over the revision's data as ``json.Marshal`` writes it (keys sorted, no spaces, ``<``, ``>``
and ``&`` escaped), then over the decimal collision count when one is given; the sum's decimal
digits are mapped onto ``bcdfghjklmnpqrstvwxz2456789`` (``rand.SafeEncodeString``), so a
revision of ``web`` is named like ``web-7b9c5d6f8``. Because the data is JSON, labkube's bytes
are the bytes Kubernetes hashes: the same template gives the same name.

**Collisions.** Two different templates can hash alike. ``create_controller_revision`` then
finds the name taken by other data, bumps the collision count and tries the next name; the
caller stores the new count in its status (``status.collisionCount``) so the next sync names
revisions the same way.

Worked example::

    history = History(client, revision_informer)
    revision = new_controller_revision(sts, "apps/v1", "StatefulSet", template_labels,
                                       data=patch_of(sts), revision=1, collision_count=0)
    # revision["metadata"]["name"] == "web-" + hash, labels carry controller.kubernetes.io/hash
    created, collision_count = history.create_controller_revision(sts, revision, 0)
    revisions = sort_controller_revisions(history.list_controller_revisions(sts, selector))
    next_revision(revisions)  # 2: one more than the newest

Everything goes through the API client; listing reads the informer's cache, as the listers do.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from labkube.core.controllers.deployment.util import safe_encode_string
from labkube.core.errors import StatusError

#: ``history.ControllerRevisionHashLabel``: the hash a revision made by
#: :func:`new_controller_revision` carries (StatefulSets' revisions).
CONTROLLER_REVISION_HASH_LABEL = "controller.kubernetes.io/hash"
#: ``apps.ControllerRevisionHashLabelKey`` (= ``DefaultDaemonSetUniqueLabelKey``): on a
#: StatefulSet's pods the name of their revision, on a DaemonSet's pods and revisions the hash.
POD_REVISION_HASH_LABEL = "controller-revision-hash"
#: A revision's name is ``<prefix>-<hash>``; the prefix is cut so the name fits 253 characters.
MAX_PREFIX_LENGTH = 223

_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193
_GO_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                    "\u2029": "\\u2029"}


# -- hashing and naming -----------------------------------------------------------------------


def fnv32(data: bytes) -> int:
    """Go's ``hash/fnv.New32``: FNV-1, multiply then xor."""
    value = _FNV32_OFFSET
    for byte in data:
        value = (value * _FNV32_PRIME) & 0xFFFFFFFF
        value ^= byte
    return value


def go_json(value: Any) -> bytes:
    """``json.Marshal`` of decoded JSON: map keys sorted, compact, HTML characters escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in _GO_HTML_ESCAPES.items():
        if char in text:
            text = text.replace(char, escape)
    return text.encode()


def hash_controller_revision(revision: dict, probe: Optional[int] = None) -> str:
    """``HashControllerRevision``: FNV-1 of the data (and the probe, in decimal), safely encoded."""
    data = revision.get("data")
    raw = go_json(data) if data is not None else b""
    if probe is not None:
        raw += str(probe).encode()
    return safe_encode_string(str(fnv32(raw)))


def controller_revision_name(prefix: str, hash_: str) -> str:
    """``ControllerRevisionName``: ``<prefix>-<hash>``, the prefix cut to 223 characters."""
    return f"{prefix[:MAX_PREFIX_LENGTH]}-{hash_}"


def controller_ref_to(parent: dict, api_version: str, kind: str) -> dict:
    """``metav1.NewControllerRef``: an owner reference marking ``parent`` as the controller."""
    meta = parent["metadata"]
    return {"apiVersion": api_version, "kind": kind, "name": meta["name"], "uid": meta["uid"],
            "controller": True, "blockOwnerDeletion": True}


def new_controller_revision(parent: dict, api_version: str, kind: str, template_labels: Optional[dict],
                            data: Any, revision: int, collision_count: Optional[int]) -> dict:
    """``NewControllerRevision``: the template's labels plus the hash label, owned by ``parent``.

    ``data`` is kept as the bytes ``json.Marshal`` wrote it (keys sorted): the API server stores
    and serves a revision's data as those bytes, and kubectl compares them with its own patch."""
    labels = dict(template_labels or {})
    rev = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
           "metadata": {"namespace": parent["metadata"].get("namespace", ""), "labels": labels,
                        "ownerReferences": [controller_ref_to(parent, api_version, kind)]},
           "data": json.loads(go_json(data)), "revision": revision}
    hash_ = hash_controller_revision(rev, collision_count)
    rev["metadata"]["name"] = controller_revision_name(parent["metadata"]["name"], hash_)
    labels[CONTROLLER_REVISION_HASH_LABEL] = hash_
    rev["metadata"]["labels"] = dict(sorted(labels.items()))  # a Go map prints sorted
    return rev


# -- comparing and ordering ---------------------------------------------------------------------


def _hash_label_as_int(revision: dict) -> Optional[int]:
    """The hash label parsed as ``strconv.ParseInt(hs, 10, 32)`` would, or None."""
    text = ((revision.get("metadata") or {}).get("labels") or {}).get(CONTROLLER_REVISION_HASH_LABEL)
    if text is None:
        return None
    try:
        value = int(text, 10)
    except ValueError:
        return None
    return value if -(2**31) <= value < 2**31 and text.lstrip("+-").isdigit() else None


def equal_revision(lhs: Optional[dict], rhs: Optional[dict]) -> bool:
    """``EqualRevision``: both None, or the same data (unequal numeric hash labels say no first)."""
    if lhs is None or rhs is None:
        return lhs is rhs
    lhs_hash, rhs_hash = _hash_label_as_int(lhs), _hash_label_as_int(rhs)
    if lhs_hash is not None and rhs_hash is not None and lhs_hash != rhs_hash:
        return False
    return go_json(lhs.get("data")) == go_json(rhs.get("data"))


def find_equal_revisions(revisions: Iterable[dict], needle: dict) -> list[dict]:
    """``FindEqualRevisions``: the revisions equal to ``needle``, in their given order."""
    return [revision for revision in revisions if equal_revision(revision, needle)]


def _revision_order(revision: dict) -> tuple:
    meta = revision.get("metadata") or {}
    return (revision.get("revision", 0), meta.get("creationTimestamp") or "", meta.get("name", ""))


def sort_controller_revisions(revisions: Iterable[dict]) -> list[dict]:
    """``SortControllerRevisions``: by revision, then creation time, then name (a new list)."""
    return sorted(revisions, key=_revision_order)


def next_revision(sorted_revisions: list[dict]) -> int:
    """StatefulSet's ``nextRevision``: one more than the last of the sorted revisions, or 1."""
    if not sorted_revisions:
        return 1
    return sorted_revisions[-1].get("revision", 0) + 1


def max_revision(revisions: Iterable[dict]) -> int:
    """DaemonSet's ``maxRevision``: the highest revision number, 0 for none."""
    return max((revision.get("revision", 0) for revision in revisions), default=0)


def controller_of(obj: dict) -> Optional[dict]:
    """``metav1.GetControllerOf``: the owner reference with ``controller: true``."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


# -- the API -----------------------------------------------------------------------------------------


class History:
    """``history.Interface`` (``realHistory``): a controller's revisions through its API client.

    ``client`` is the controller's client; ``informer`` a ``controllerrevisions`` informer whose
    cache answers :meth:`list_controller_revisions`. Objects passed in are never modified.
    """

    def __init__(self, client: Any, informer: Any) -> None:
        self.client = client
        self.informer = informer

    def list_controller_revisions(self, parent: dict, selector: Any) -> list[dict]:
        """Revisions in the parent's namespace matching ``selector`` (a parsed label selector),
        owned by ``parent`` or by no controller at all (orphans it may adopt)."""
        uid = parent["metadata"].get("uid")
        owned = []
        for revision in self.informer.list(parent["metadata"].get("namespace", "")):
            if not selector.matches((revision.get("metadata") or {}).get("labels") or {}):
                continue
            ref = controller_of(revision)
            if ref is None or ref.get("uid") == uid:
                owned.append(revision)
        return owned

    def create_controller_revision(self, parent: dict, revision: dict,
                                   collision_count: int) -> tuple[dict, int]:
        """``CreateControllerRevision``: create ``revision`` named ``<parent>-<hash>``.

        When the name is taken by a revision with the same data, that one is returned; taken
        by other data, the collision count goes up by one and the next name is tried. Returns
        the revision and the collision count to store in the parent's status."""
        if collision_count is None:
            raise ValueError("collisionCount should not be nil")
        namespace = parent["metadata"].get("namespace", "")
        while True:
            clone = json.loads(json.dumps(revision))
            clone["metadata"]["name"] = controller_revision_name(
                parent["metadata"]["name"], hash_controller_revision(revision, collision_count))
            clone["metadata"]["namespace"] = namespace
            try:
                return self.client.create(clone, namespace), collision_count
            except StatusError as err:
                if err.code != 409 or err.reason != "AlreadyExists":
                    raise
            exists = self.client.get("controllerrevisions", clone["metadata"]["name"], namespace)
            if go_json(exists.get("data")) == go_json(clone.get("data")):
                return exists, collision_count
            collision_count += 1

    def update_controller_revision(self, revision: dict, new_revision: int) -> dict:
        """``UpdateControllerRevision``: set ``revision`` to ``new_revision``, retrying on conflict."""
        clone = json.loads(json.dumps(revision))
        for _attempt in range(5):  # retry.DefaultBackoff: 5 steps
            if clone.get("revision") == new_revision:
                return clone
            clone["revision"] = new_revision
            try:
                return self.client.update(clone)
            except StatusError as err:
                if err.code != 409:
                    raise
                meta = clone["metadata"]
                cached = self.informer.get_by_name(meta.get("namespace", ""), meta["name"])
                clone = json.loads(json.dumps(cached)) if cached is not None else \
                    self.client.get("controllerrevisions", meta["name"], meta.get("namespace", ""))
        clone["revision"] = new_revision
        return self.client.update(clone)

    def delete_controller_revision(self, revision: dict) -> None:
        """``DeleteControllerRevision``."""
        meta = revision["metadata"]
        self.client.delete("controllerrevisions", meta["name"], meta.get("namespace", ""))

    def adopt_controller_revision(self, parent: dict, api_version: str, kind: str, revision: dict) -> dict:
        """``AdoptControllerRevision``: make ``parent`` the controller of an orphan revision."""
        owner = controller_of(revision)
        if owner is not None:
            raise ValueError(f"attempt to adopt revision owned by {owner}")
        meta = revision["metadata"]
        patch = {"metadata": {"ownerReferences": [controller_ref_to(parent, api_version, kind)],
                              "uid": meta.get("uid")}}
        return self.client.patch("controllerrevisions", meta["name"], patch,
                                 namespace=parent["metadata"].get("namespace", ""))

    def release_controller_revision(self, parent: dict, revision: dict) -> Optional[dict]:
        """``ReleaseControllerRevision``: drop ``parent``'s owner reference; a revision already
        gone or no longer owned gives None."""
        meta = revision["metadata"]
        patch = {"metadata": {"ownerReferences": [{"$patch": "delete", "uid": parent["metadata"]["uid"]}],
                              "uid": meta.get("uid")}}
        try:
            return self.client.patch("controllerrevisions", meta["name"], patch,
                                     namespace=meta.get("namespace", ""))
        except StatusError as err:
            if err.code in (404, 422):
                return None
            raise
