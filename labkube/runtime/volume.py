"""An in-memory directory tree: the contents of one pod volume.

Mirrors what the kubelet's volume plugins leave on the node's disk under
``/var/lib/kubelet/pods/<uid>/volumes/…``: an emptyDir starts empty and is shared by every
container of the pod that mounts it; a configMap, secret or downwardAPI volume holds one file
per key; a hostPath volume is a directory of the node. The kubelet fills a :class:`Volume` and
hands it to the runtime in a :class:`~labkube.runtime.cri.Mount`; the simulated runtime mounts
the same object into each container, so a file written by one container is seen by the other.

Paths inside a volume are relative and normalised (``"a/b.txt"``); the root is ``""``.
:meth:`Volume.replace_files` swaps every file at once, as the kubelet's atomic writer does when
a ConfigMap changes.

Memory: file contents are kept as the ``bytes`` given (callers share one object between
volumes when the contents are the same), or as a :class:`Generated` file, made again each time
it is read (the service-account token: a kilobyte every pod has and few ever read); the set of directories starts as a shared, frozen
set and is copied on the first change (copy-on-write), and :meth:`Volume.share_dirs` lets
volumes whose directories are equal (the root filesystems of one image) keep one set.
"""

from __future__ import annotations

import functools
import sys
from abc import ABC, abstractmethod
from typing import AbstractSet, Iterable, Mapping, Optional, Union


class Generated(ABC):
    """File contents made when read rather than kept. A subclass defines :meth:`make`, which
    must return the same bytes every time (a pure function of what the object holds)."""

    __slots__ = ()

    @abstractmethod
    def make(self) -> bytes:
        """The file's bytes."""


Data = Union[bytes, str, Generated]
#: The directories of a volume with only files at its top: just the root.
ROOT_ONLY: frozenset[str] = frozenset({""})


def normalize(path: str) -> str:
    """Normalise a volume-relative path: no leading slash, no ``.``/``..`` escaping the root
    (the container filesystem's absolute paths are ``/`` + this)."""
    if is_normal(path):
        return path  # the common case (``etc/hostname``): nothing to split and join
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def is_normal(path: str) -> bool:
    """A quick test that ``path`` is normal already (:func:`normalize` would return it as it is):
    no empty part and no part starting with a dot. A name like ``.hidden`` is normal too but
    fails the test: it just takes the long road."""
    return not path or (path[0] not in "/." and path[-1] != "/" and "//" not in path
                        and "/." not in path)


def _parents(path: str) -> Iterable[str]:
    """Every directory above the normalised ``path``, nearest first. Directory names are
    interned: the same ones (``etc``, ``var/run/secrets``) are in every container, and each
    is then kept once."""
    end = path.rfind("/")
    if end < 0:
        return ()  # a file at the top of the volume: only the root is above it
    parents = []
    while end > 0:
        parents.append(sys.intern(path[:end]))
        end = path.rfind("/", 0, end)
    return parents


def _raw(data: Data) -> Union[bytes, Generated]:
    """What a file keeps of ``data``: bytes as given (they cannot change, so no copy), text
    encoded, a :class:`Generated` file as it is, anything else (bytearray) copied to bytes."""
    if type(data) is bytes:
        return data  # the common case, tested first: an ABC's isinstance is slow
    if isinstance(data, str):
        return data.encode()
    return data if isinstance(data, Generated) else bytes(data)


class Volume:
    """Files (bytes) and directories under one root. Not thread-safe; the clock thread owns it."""

    __slots__ = ("name", "files", "dirs", "read_only")

    def __init__(self, name: str = "", files: Optional[Mapping[str, Data]] = None,
                 read_only: bool = False) -> None:
        self.name = name
        self.files: dict[str, Union[bytes, Generated]] = {}
        #: Every directory; a frozenset while it may be shared with other volumes.
        self.dirs: AbstractSet[str] = ROOT_ONLY
        self.read_only = read_only
        for path, data in (files or {}).items():
            self.write(path, data)

    def __repr__(self) -> str:
        return f"<Volume {self.name!r} {len(self.files)} files>"

    # -- queries -------------------------------------------------------------------------------
    def is_file(self, path: str) -> bool:
        return normalize(path) in self.files

    def is_dir(self, path: str) -> bool:
        return normalize(path) in self.dirs

    def exists(self, path: str) -> bool:
        path = normalize(path)
        return path in self.files or path in self.dirs

    def read(self, path: str) -> bytes:
        """The file's bytes; KeyError if it is not a file."""
        data = self.files[normalize(path)]
        return data.make() if isinstance(data, Generated) else data

    def listdir(self, path: str = "") -> list[str]:
        """Sorted names directly inside directory ``path``."""
        path = normalize(path)
        prefix = path + "/" if path else ""
        names = {p[len(prefix):].split("/", 1)[0]
                 for p in list(self.files) + list(self.dirs)
                 if p and p.startswith(prefix) and p != path}
        return sorted(names)

    # -- changes -------------------------------------------------------------------------------
    def write(self, path: str, data: Data, append: bool = False) -> None:
        """Create or overwrite (or append to) a file, creating parent directories."""
        path = normalize(path)
        raw = _raw(data)
        if append and path in self.files:
            raw = self.read(path) + (raw.make() if isinstance(raw, Generated) else raw)
        self.files[path] = raw
        self._add_dirs(_parents(path))

    def mkdir(self, path: str) -> None:
        path = sys.intern(normalize(path))
        self._add_dirs((path, *_parents(path)))

    def _add_dirs(self, dirs: Iterable[str]) -> None:
        missing = [d for d in dirs if d not in self.dirs]
        if missing:
            self.dirs = set(self.dirs) if isinstance(self.dirs, frozenset) else self.dirs
            self.dirs.update(missing)

    def share_dirs(self) -> None:
        """Freeze the directories, and keep one set for volumes whose sets are equal."""
        self.dirs = _shared_dirs(frozenset(self.dirs))

    def remove(self, path: str) -> None:
        """Remove a file, or a directory with everything under it."""
        path = normalize(path)
        prefix = path + "/"
        self.files = {p: d for p, d in self.files.items() if p != path and not p.startswith(prefix)}
        self.dirs = {d for d in self.dirs if d != path and not d.startswith(prefix)} | {""}

    def replace_files(self, files: Mapping[str, Data]) -> None:
        """Atomically replace every file (a ConfigMap or Secret update reaching the pod)."""
        self.files, self.dirs = {}, ROOT_ONLY
        for path, data in files.items():
            self.write(path, data)


@functools.lru_cache(maxsize=256)
def _shared_dirs(dirs: frozenset[str]) -> frozenset[str]:
    """The first set equal to ``dirs`` that was asked for (kept for the last 256 kinds)."""
    return dirs
