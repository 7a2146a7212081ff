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
"""

from __future__ import annotations

import posixpath
from typing import Iterable, Mapping, Optional, Union

Data = Union[bytes, str]


def _norm(path: str) -> str:
    """Normalise a volume-relative path: no leading slash, no ``.``/``..`` escaping the root."""
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


def _parents(path: str) -> Iterable[str]:
    parent = posixpath.dirname(path)
    while parent:
        yield parent
        parent = posixpath.dirname(parent)


class Volume:
    """Files (bytes) and directories under one root. Not thread-safe; the clock thread owns it."""

    __slots__ = ("name", "files", "dirs", "read_only")

    def __init__(self, name: str = "", files: Optional[Mapping[str, Data]] = None,
                 read_only: bool = False) -> None:
        self.name = name
        self.files: dict[str, bytes] = {}
        self.dirs: set[str] = {""}
        self.read_only = read_only
        for path, data in (files or {}).items():
            self.write(path, data)

    def __repr__(self) -> str:
        return f"<Volume {self.name!r} {len(self.files)} files>"

    # -- queries -------------------------------------------------------------------------------
    def is_file(self, path: str) -> bool:
        return _norm(path) in self.files

    def is_dir(self, path: str) -> bool:
        return _norm(path) in self.dirs

    def exists(self, path: str) -> bool:
        path = _norm(path)
        return path in self.files or path in self.dirs

    def read(self, path: str) -> bytes:
        """The file's bytes; KeyError if it is not a file."""
        return self.files[_norm(path)]

    def listdir(self, path: str = "") -> list[str]:
        """Sorted names directly inside directory ``path``."""
        path = _norm(path)
        prefix = path + "/" if path else ""
        names = {p[len(prefix):].split("/", 1)[0]
                 for p in list(self.files) + list(self.dirs)
                 if p and p.startswith(prefix) and p != path}
        return sorted(names)

    # -- changes -------------------------------------------------------------------------------
    def write(self, path: str, data: Data, append: bool = False) -> None:
        """Create or overwrite (or append to) a file, creating parent directories."""
        path = _norm(path)
        raw = data.encode() if isinstance(data, str) else bytes(data)
        if append and path in self.files:
            raw = self.files[path] + raw
        self.files[path] = raw
        self.dirs.update(_parents(path))

    def mkdir(self, path: str) -> None:
        path = _norm(path)
        self.dirs.add(path)
        self.dirs.update(_parents(path))

    def remove(self, path: str) -> None:
        """Remove a file, or a directory with everything under it."""
        path = _norm(path)
        prefix = path + "/"
        self.files = {p: d for p, d in self.files.items() if p != path and not p.startswith(prefix)}
        self.dirs = {d for d in self.dirs if d != path and not d.startswith(prefix)} | {""}

    def replace_files(self, files: Mapping[str, Data]) -> None:
        """Atomically replace every file (a ConfigMap or Secret update reaching the pod)."""
        self.files, self.dirs = {}, {""}
        for path, data in files.items():
            self.write(path, data)
