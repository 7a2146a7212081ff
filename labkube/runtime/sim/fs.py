"""A container's filesystem: the image's files in a writable layer, with volumes mounted on top.

Mirrors what runc sets up from the OCI spec the kubelet and containerd produce: the image's root
filesystem (a copy, so writes stay in this container and vanish when it is removed, as with an
overlayfs upper layer), plus one bind mount per ``volumeMounts`` entry. The longest mount path
that prefixes a path wins, as in the kernel's mount table; ``subPath`` mounts a file or a
subdirectory of the volume; ``readOnly`` mounts refuse writes with ``Read-only file system``.

Symbolic links (:class:`~labkube.runtime.cri.Symlink`, which the kubelet's atomic writer puts
in configMap, secret, downwardAPI and projected volumes: ``key -> ..data/key``,
``..data -> ..2025_01_01_00_00_00.123``) are followed as the kernel follows them: every part
of a path, the last one too except for :meth:`ContainerFS.is_symlink` and
:meth:`ContainerFS.readlink` (``lstat``), at most 40 of them (then ``ELOOP``). A ``subPath``
is resolved when the container is made (:func:`pin_sub_path`), as the kubelet's bind mount
is: later changes to the volume do not reach it.

``/dev/null`` reads as empty and swallows writes. Errors are :class:`FsError` whose ``strerror``
is libc's text (``No such file or directory``, ``Is a directory``, ``Read-only file system``),
so the shell can print ``cat: can't open '/tmp/healthy': No such file or directory``.
"""

from __future__ import annotations

import functools
import posixpath
import sys
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from labkube.runtime.cri import Mount, Symlink
from labkube.runtime.volume import Volume, is_normal, normalize

ENOENT = "No such file or directory"
EISDIR = "Is a directory"
ENOTDIR = "Not a directory"
EROFS = "Read-only file system"
EEXIST = "File exists"
ENOTEMPTY = "Directory not empty"
EINVAL = "Invalid argument"
ELOOP = "Too many levels of symbolic links"
#: How many symbolic links one path may pass through (Linux's MAXSYMLINKS).
MAX_SYMLINKS = 40


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
        #: The mounts in the order they were given (what ``/proc/mounts`` shows).
        self._order: list[tuple[str, Mount]] = points

    def add_mount(self, mount: Mount) -> None:
        path = _mount_point(mount)
        self.root.mkdir(path)
        self._order = [*self._order, (path, mount)]
        self._mounts.append((path, mount))
        self._mounts.sort(key=_point_length, reverse=True)

    # -- resolution ----------------------------------------------------------------------------
    def _mount_for(self, path: str) -> tuple[Volume, str, bool, str, str]:
        """(volume, path inside it, read_only, mount point, subPath) for an absolute path,
        symbolic links not followed."""
        for point, mount in self._mounts:
            if path == point or path.startswith(point.rstrip("/") + "/"):
                rest = path[len(point):].lstrip("/")
                inner = posixpath.join(mount.sub_path, rest) if mount.sub_path else rest
                return (mount.volume, inner, mount.read_only or mount.volume.read_only, point,
                        mount.sub_path)
        return self.root, path.lstrip("/"), False, "/", ""

    def _resolve(self, path: str, follow_last: bool = True) -> tuple[Volume, str, bool]:
        """(volume, path inside it, read_only) for an absolute path, following symbolic
        links (the last part of the path only when ``follow_last``)."""
        volume, inner, read_only, _ = self._locate(path, follow_last)
        return volume, inner, read_only

    def _locate(self, path: str, follow_last: bool = True) -> tuple[Volume, str, bool, str]:
        """:meth:`_resolve`, and the mount point the path ends up under (``/``: the
        container's own layer)."""
        for _ in range(MAX_SYMLINKS + 1):
            volume, inner, read_only, point, sub_path = self._mount_for(path)
            if volume is self.root:
                return volume, inner, read_only, "/"  # no links in a container's own layer
            start = len(sub_path) + 1 if sub_path else 0  # a subPath was resolved at mount time
            found = _first_symlink(volume, inner, start, follow_last)
            if found is None:
                return volume, inner, read_only, point
            end, link = found
            link_path = point.rstrip("/") + "/" + inner[start:end]
            base = link.target if link.target.startswith("/") else \
                posixpath.join(posixpath.dirname(link_path), link.target)
            rest = inner[end + 1:]
            path = normpath(base + "/" + rest if rest else base)
        raise FsError(ELOOP, path)

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

    def is_symlink(self, path: str) -> bool:
        """Whether ``path`` itself is a symbolic link (``lstat``: the last part not followed)."""
        vol, inner, _ = self._resolve(normpath(path), follow_last=False)
        return type(vol.files.get(inner)) is Symlink

    def readlink(self, path: str) -> str:
        """The target of the symbolic link ``path``; ``EINVAL`` if it is not one."""
        path = normpath(path)
        vol, inner, _ = self._resolve(path, follow_last=False)
        link = vol.files.get(inner)
        if type(link) is not Symlink:
            raise FsError(EINVAL if vol.exists(inner) else ENOENT, path)
        return link.target

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
        if self.is_dir(path) and not recursive and not self.is_symlink(path):
            raise FsError(EISDIR, path)
        vol, inner, read_only = self._resolve(path, follow_last=False)
        if read_only:
            raise FsError(EROFS, path)
        if any(point == path for point, _ in self._mounts):
            vol.replace_files({})  # rm -rf of a mount point empties it (the mount stays)
            return
        vol.remove(inner)

    def lstat(self, path: str, follow: bool = False) -> "Stat":
        """What ``lstat`` (``stat`` with ``follow``) tells of ``path``; ``ENOENT`` if nothing
        is there."""
        path = normpath(path)
        if path == "/dev/null":
            return Stat("char", 0, self.root, "dev/null", "/", None)
        volume, inner, _, point = self._locate(path, follow_last=follow)
        data = volume.files.get(inner)
        mount = self._mount_at(point)
        if type(data) is Symlink:
            return Stat("link", len(data.target.encode()), volume, inner, point, mount,
                        data.target)
        if data is not None:
            return Stat("file", len(volume.read(inner)), volume, inner, point, mount)
        if inner in volume.dirs or (not inner and volume is not self.root):
            return Stat("dir", 0, volume, inner, point, mount)
        if volume is self.root and any(p == path for p, _ in self._mounts):
            return Stat("dir", 0, volume, inner, point, mount)
        raise FsError(ENOENT, path)

    def _mount_at(self, point: str) -> Optional[Mount]:
        for mount_point, mount in self._mounts:
            if mount_point == point:
                return mount
        return None

    def mount_table(self) -> list[tuple[str, Mount]]:
        """The container's mounts in the order the kubelet listed them (``volumeMounts``, then
        ``/etc/hosts``), each with its normalised mount point."""
        return list(self._order)

    def mounted_volume(self, path: str) -> Optional[Volume]:
        """The volume mounted exactly at ``path``, if any."""
        path = normpath(path)
        for point, mount in self._mounts:
            if point == path:
                return mount.volume
        return None


@dataclass(frozen=True)
class Stat:
    """The part of ``struct stat`` the simulated tools show: the kind (``dir``, ``file``,
    ``link``, ``char``), the size in bytes (a link's: its target's length), where the entry
    lives (volume and path in it, the mount point, the :class:`Mount`: None for the
    container's own layer) and a link's target."""

    kind: str
    size: int
    volume: Volume
    inner: str
    point: str
    mount: Optional[Mount]
    target: str = ""


def _first_symlink(volume: Volume, inner: str, start: int,
                   follow_last: bool) -> Optional[tuple[int, Symlink]]:
    """The first symbolic link among the parts of ``inner`` (a path in ``volume``) after
    position ``start``: (where its name ends, the link), or None."""
    files = volume.files
    end = inner.find("/", start)
    while end != -1:
        data = files.get(inner[:end])
        if type(data) is Symlink:
            return end, data
        end = inner.find("/", end + 1)
    if follow_last and inner:
        data = files.get(inner)
        if type(data) is Symlink:
            return len(inner), data
    return None


def resolve_in_volume(volume: Volume, path: str) -> str:
    """``path`` inside ``volume`` with the volume's own (relative) symbolic links followed."""
    path = normalize(path)
    for _ in range(MAX_SYMLINKS + 1):
        found = _first_symlink(volume, path, 0, True)
        if found is None:
            return path
        end, link = found
        rest = path[end + 1:]
        base = posixpath.join(posixpath.dirname(path[:end]), link.target)
        path = normalize(base + "/" + rest if rest else base)
    raise FsError(ELOOP, path)


def pin_sub_path(mount: Mount) -> Mount:
    """A ``subPath`` mount as the kubelet's bind mount makes it: the path resolved now, its
    files (a file, or a directory's contents) kept as they are now. A later change of the
    volume (a ConfigMap update swapping ``..data``) does not reach the container, as in
    Kubernetes. Mounts without a subPath, or whose subPath passes no link, are kept."""
    volume = mount.volume
    if not mount.sub_path:
        return mount
    real = resolve_in_volume(volume, mount.sub_path)
    if real == normalize(mount.sub_path):
        return mount
    prefix = real + "/"
    pinned = Volume(volume.name, {path: data for path, data in volume.files.items()
                                  if path == real or path.startswith(prefix)},
                    read_only=volume.read_only)
    if volume.is_dir(real):
        pinned.mkdir(real)
    return Mount(mount.container_path, pinned, mount.read_only, real)
