"""A container's filesystem: the image's files in a writable layer, with volumes mounted on top.

Mirrors what runc sets up from the OCI spec the kubelet and containerd produce: the image's root
filesystem (a copy, so writes stay in this container and vanish when it is removed, as with an
overlayfs upper layer), plus one bind mount per ``volumeMounts`` entry. The longest mount path
that prefixes a path wins, as in the kernel's mount table; ``subPath`` mounts a file or a
subdirectory of the volume; ``readOnly`` mounts refuse writes with ``Read-only file system``.

``/dev/null`` reads as empty and swallows writes. Errors are :class:`FsError` whose ``strerror``
is libc's text (``No such file or directory``, ``Is a directory``, ``Read-only file system``),
so the shell can print ``cat: can't open '/tmp/healthy': No such file or directory``.
"""

from __future__ import annotations

import functools
import posixpath
import sys
from typing import Iterable, Mapping, Optional

from labkube.runtime.cri import Mount
from labkube.runtime.volume import Volume, is_normal, normalize

ENOENT = "No such file or directory"
EISDIR = "Is a directory"
ENOTDIR = "Not a directory"
EROFS = "Read-only file system"
EEXIST = "File exists"
ENOTEMPTY = "Directory not empty"


class FsError(OSError):
    """A failed filesystem call; ``strerror`` is the libc message."""

    def __init__(self, strerror: str, path: str) -> None:
        super().__init__(strerror)
        self.strerror = strerror
        self.path = path


def normpath(path: str, cwd: str = "/") -> str:
    """Absolute, normalised path (``..`` never climbs above ``/``)."""
    if path[:1] == "/" and (path == "/" or is_normal(path[1:])):
        return path  # absolute and normal already (``/etc/hostname``): cwd plays no part
    return "/" + normalize(posixpath.join(cwd, path))


#: The directories every container's root has, whatever its image.
BASE_DIRS = ("tmp", "dev", "etc", "proc", "var", "root")


def _mount_point(mount: Mount) -> str:
    return sys.intern(normpath(mount.container_path))  # the same in every pod: kept once


def _point_length(item: tuple[str, Mount]) -> int:
    """The longest mount point wins: the mount table is kept longest first."""
    return len(item[0])


@functools.lru_cache(maxsize=256)
def _root_dirs(image_dirs: frozenset[str], points: tuple[str, ...]) -> frozenset[str]:
    """The directories of a new container's root: the image's, :data:`BASE_DIRS`, and each
    mount point with the directories above it (as ``mkdir -p`` makes them)."""
    layout = Volume()
    layout.dirs = image_dirs
    for path in (*BASE_DIRS, *points):
        layout.mkdir(path)
    layout.share_dirs()
    return layout.dirs


class ContainerFS:
    """The view of one container: a root :class:`Volume` and the mounts on top of it."""

    def __init__(self, image_files: Mapping[str, bytes | str] | None = None,
                 mounts: Iterable[Mount] = ()) -> None:
        self.root = Volume("rootfs", image_files or {})
        points = [(_mount_point(mount), mount) for mount in mounts]
        # The directories every container of one image and pod template has: worked out
        # once, and then one shared set.
        self.root.dirs = _root_dirs(frozenset(self.root.dirs), tuple(p for p, _ in points))
        self._mounts: list[tuple[str, Mount]] = sorted(points, key=_point_length, reverse=True)

    def add_mount(self, mount: Mount) -> None:
        path = _mount_point(mount)
        self.root.mkdir(path)
        self._mounts.append((path, mount))
        self._mounts.sort(key=_point_length, reverse=True)

    # -- resolution ----------------------------------------------------------------------------
    def _resolve(self, path: str) -> tuple[Volume, str, bool]:
        """(volume, path inside it, read_only) for an absolute path."""
        for point, mount in self._mounts:
            if path == point or path.startswith(point.rstrip("/") + "/"):
                rest = path[len(point):].lstrip("/")
                inner = posixpath.join(mount.sub_path, rest) if mount.sub_path else rest
                return mount.volume, inner, mount.read_only or mount.volume.read_only
        return self.root, path.lstrip("/"), False

    # -- queries -------------------------------------------------------------------------------
    def exists(self, path: str) -> bool:
        if path == "/dev/null":
            return True
        vol, inner, _ = self._resolve(normpath(path))
        return vol.exists(inner)

    def is_file(self, path: str) -> bool:
        if path == "/dev/null":
            return True
        vol, inner, _ = self._resolve(normpath(path))
        return vol.is_file(inner)

    def is_dir(self, path: str) -> bool:
        vol, inner, _ = self._resolve(normpath(path))
        return vol.is_dir(inner)

    def read(self, path: str) -> bytes:
        path = normpath(path)
        if path == "/dev/null":
            return b""
        vol, inner, _ = self._resolve(path)
        if vol.is_dir(inner):
            raise FsError(EISDIR, path)
        if not vol.is_file(inner):
            raise FsError(ENOENT, path)
        return vol.read(inner)

    def read_text(self, path: str) -> str:
        return self.read(path).decode(errors="replace")

    def listdir(self, path: str) -> list[str]:
        path = normpath(path)
        vol, inner, _ = self._resolve(path)
        if vol.is_file(inner):
            raise FsError(ENOTDIR, path)
        if not vol.is_dir(inner):
            raise FsError(ENOENT, path)
        names = set(vol.listdir(inner))
        names.update(self._mount_children(path))
        return sorted(names)

    def _mount_children(self, path: str) -> Iterable[str]:
        prefix = path.rstrip("/") + "/"
        for point, _ in self._mounts:
            if point.startswith(prefix):
                yield point[len(prefix):].split("/", 1)[0]

    # -- changes -------------------------------------------------------------------------------
    def _writable(self, path: str) -> tuple[Volume, str]:
        vol, inner, read_only = self._resolve(path)
        if read_only:
            raise FsError(EROFS, path)
        return vol, inner

    def _check_parent(self, path: str) -> None:
        """``path`` is normalised: its parent is what comes before its last slash."""
        parent = path[:path.rfind("/")] or "/"
        if not self.is_dir(parent):
            raise FsError(ENOTDIR if self.is_file(parent) else ENOENT, path)

    def write(self, path: str, data: bytes | str, append: bool = False) -> None:
        """Write a file; its directory must exist (as open(2) with O_CREAT requires)."""
        path = normpath(path)
        if path == "/dev/null":
            return
        vol, inner = self._writable(path)
        if vol.is_dir(inner):
            raise FsError(EISDIR, path)
        self._check_parent(path)
        vol.write(inner, data, append=append)

    def touch(self, path: str) -> None:
        if not self.exists(path):
            self.write(path, b"")

    def mkdir(self, path: str, parents: bool = False) -> None:
        path = normpath(path)
        if self.exists(path):
            if parents and self.is_dir(path):
                return
            raise FsError(EEXIST, path)
        if not parents:
            self._check_parent(path)
        vol, inner = self._writable(path)
        vol.mkdir(inner)

    def remove(self, path: str, recursive: bool = False) -> None:
        path = normpath(path)
        if not self.exists(path):
            raise FsError(ENOENT, path)
        if self.is_dir(path) and not recursive:
            raise FsError(EISDIR, path)
        vol, inner = self._writable(path)
        if any(point == path for point, _ in self._mounts):
            vol.replace_files({})  # rm -rf of a mount point empties it (the mount stays)
            return
        vol.remove(inner)

    def mounted_volume(self, path: str) -> Optional[Volume]:
        """The volume mounted exactly at ``path``, if any."""
        path = normpath(path)
        for point, mount in self._mounts:
            if point == path:
                return mount.volume
        return None
