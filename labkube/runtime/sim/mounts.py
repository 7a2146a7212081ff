"""A container's mount table, and busybox ``mount`` and ``df`` that show it.

Mirrors what runc mounts for a Kubernetes container on a kind-like node (containerd 1.7 with
the overlayfs snapshotter, cgroup v2, the node's disk ``/dev/vda1`` formatted ext4), in the
order ``/proc/self/mounts`` lists it:

* the image's layers and the container's writable layer: ``overlay`` on ``/``;
* containerd's default mounts: ``proc``, ``tmpfs`` on ``/dev`` (64 MiB), ``devpts``,
  ``mqueue``, ``sysfs`` (read-only) and ``cgroup2`` on ``/sys/fs/cgroup``;
* the CRI mounts (the kubelet's: each ``volumeMounts`` entry, ``/etc/hosts``,
  ``/dev/termination-log``) and then containerd's own (``/etc/hostname``,
  ``/etc/resolv.conf``, the sandbox's ``/dev/shm``), stably sorted by how many parts their
  path has (containerd's ``orderedMounts``). A volume on the node's disk (emptyDir,
  configMap, hostPath, the files the kubelet and containerd write) shows as ``/dev/vda1``
  ``ext4``; one the kubelet backs with memory (secret, projected, downwardAPI, an emptyDir
  of ``medium: Memory``) as ``tmpfs`` with ``size=`` its limit: the volume's own, else the
  node's allocatable memory (``calculateEmptyDirMemorySize``). ``readOnly`` mounts (and
  every configMap, secret, downwardAPI and projected one) are ``ro``;
* the kubelet's read-only ``/proc`` paths and masked paths (``/proc/kcore`` and other
  files: ``/dev/null`` bound over them, which ``df`` sees as the ``/dev`` tmpfs).

``df`` (busybox 1.36 coreutils/df.c) lists each mount with blocks: 1K-blocks, or ``-h``
sizes (``make_human_readable_str``: ``97.9G``, ``64.0M``, ``0``). Everything on the node's
disk shows the disk: a 100 GiB ext4 (its inode tables and 512 MiB journal taken off, 5%
reserved for root), used by the node's system (3 GiB) and the images it holds.

Not modelled: the kernel-dependent masked paths (``/proc/asound``, ``/proc/sched_debug``…:
absent on a kind node's usual kernel), ``terminationMessagePath`` other than the default,
and space written into emptyDirs (the disk's usage counts the images only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from labkube.runtime.cri import Symlink
from labkube.runtime.sim.fs import Stat, normpath
from labkube.runtime.sim.process import Proc, ProgramGen, program

KiB = 1024
GiB = 1024 ** 3
#: The node's disk as the kernel names it inside a kind node (a virtio disk).
NODE_DISK = "/dev/vda1"
#: A labkube node's root disk (the kubelet reports 100Gi of ephemeral-storage) and memory.
DEFAULT_DISK_BYTES = 100 * GiB
DEFAULT_MEMORY_BYTES = 8 * GiB
#: What the node's own system takes of its disk, before any image.
SYSTEM_DISK_BYTES = 3 * GiB
#: The kubelet's hard eviction threshold for memory: allocatable = capacity - this.
EVICTION_HARD_MEMORY_BYTES = 100 * 1024 * 1024
#: The size containerd gives the ``/dev`` tmpfs and the sandbox's ``/dev/shm``.
DEV_TMPFS_KIB = 65536
OVERLAY_ROOT = "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots"

#: The kubelet's ``defaultReadonlyPaths`` and ``defaultMaskedPaths`` that exist on the node's
#: kernel: directories get a read-only tmpfs, files ``/dev/null``.
READONLY_PATHS = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")
MASKED_DIRS = frozenset({"/proc/acpi", "/proc/scsi", "/sys/firmware"})
MASKED_PATHS = ("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/scsi",
                "/sys/firmware")


@dataclass(frozen=True)
class MountEntry:
    """One line of ``/proc/self/mounts``; ``size_kib``/``used_kib`` are what ``statfs``
    reports of it (``None``: a file system without blocks, which ``df`` skips)."""

    device: str
    point: str
    fstype: str
    options: str
    size_kib: Optional[int] = None
    used_kib: int = 0
    avail_kib: Optional[int] = None


# -- what backs a volume --------------------------------------------------------------------------
def volume_medium(volume) -> str:
    """``Memory`` for a volume the kubelet puts on a tmpfs, ``""`` for the node's disk.

    The kubelet says so in the volume's ``medium`` (secret, projected and downwardAPI volumes
    wrap an emptyDir of medium Memory; configMap's wraps one on disk); a volume that does not
    say is on disk, but for the service-account token volume the admission plugin adds
    (``kube-api-access-…``, a projected volume)."""
    medium = getattr(volume, "medium", None)
    if medium is not None:
        return medium
    return "Memory" if volume.name.startswith("kube-api-access-") else ""


def is_tmpfs(stat: Stat) -> bool:
    """Whether the entry ``stat`` describes lives on a tmpfs."""
    return stat.mount is not None and volume_medium(stat.volume) == "Memory"


# -- the node's numbers -----------------------------------------------------------------------------
def _node(proc: Proc):
    return getattr(proc.host, "node", None)


def memory_bytes(proc: Proc) -> int:
    return getattr(_node(proc), "memory_bytes", DEFAULT_MEMORY_BYTES)


def _disk(proc: Proc) -> tuple[int, int, int]:
    """(size, used, available) KiB of the node's ext4 disk, as ``statfs`` reports them."""
    raw = getattr(_node(proc), "disk_bytes", DEFAULT_DISK_BYTES) // KiB
    journal = 512 * 1024
    size = raw - raw // 64 - journal  # inode tables (256 bytes per 16 KiB) and the journal
    reserved = raw * 5 // 100
    images = getattr(_node(proc), "images_bytes", lambda: 0)()
    used = (SYSTEM_DISK_BYTES + images) // KiB
    used -= used % 4
    return size, used, max(0, size - used - reserved)


def _tmpfs_used_kib(volume) -> int:
    return sum(-(-len(volume.read(path)) // 4096) * 4 for path, data in volume.files.items()
               if type(data) is not Symlink)


# -- the table ------------------------------------------------------------------------------------
def mount_table(proc: Proc) -> list[MountEntry]:
    """The container's mounts, in ``/proc/self/mounts`` order."""
    size, used, avail = _disk(proc)
    half_memory = memory_bytes(proc) // 2 // KiB
    dev = (DEV_TMPFS_KIB, 0, DEV_TMPFS_KIB)
    entries = [
        MountEntry("overlay", "/", "overlay", "rw,relatime," + _overlay_dirs(proc), size, used, avail),
        MountEntry("proc", "/proc", "proc", "rw,nosuid,nodev,noexec,relatime"),
        MountEntry("tmpfs", "/dev", "tmpfs", "rw,nosuid,size=65536k,mode=755", *dev),
        MountEntry("devpts", "/dev/pts", "devpts", "rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666"),
        MountEntry("mqueue", "/dev/mqueue", "mqueue", "rw,nosuid,nodev,noexec,relatime"),
        MountEntry("sysfs", "/sys", "sysfs", "ro,nosuid,nodev,noexec,relatime"),
        MountEntry("cgroup", "/sys/fs/cgroup", "cgroup2", "ro,nosuid,nodev,noexec,relatime"),
    ]
    entries += sorted(_container_mounts(proc, (size, used, avail)), key=_depth)
    entries += [MountEntry("proc", path, "proc", "ro,nosuid,nodev,noexec,relatime")
                for path in READONLY_PATHS]
    for path in MASKED_PATHS:
        if path in MASKED_DIRS:
            entries.append(MountEntry("tmpfs", path, "tmpfs", "ro,relatime", half_memory, 0, half_memory))
        else:
            entries.append(MountEntry("tmpfs", path, "tmpfs", "rw,nosuid,size=65536k,mode=755", *dev))
    return entries


def _depth(entry: MountEntry) -> int:
    """containerd's ``orderedMounts``: by the number of parts of the path (a stable sort)."""
    return len([part for part in entry.point.split("/") if part])


def _overlay_dirs(proc: Proc) -> str:
    lower, upper = getattr(proc.host, "snapshots", (1, 2))
    return (f"lowerdir={OVERLAY_ROOT}/{lower}/fs,upperdir={OVERLAY_ROOT}/{upper}/fs,"
            f"workdir={OVERLAY_ROOT}/{upper}/work")


def _container_mounts(proc: Proc, disk: tuple[int, int, int]) -> Iterable[MountEntry]:
    """The CRI mounts, then containerd's for the paths the kubelet left to it."""
    table = proc.host.fs.mount_table()
    points = {point for point, _ in table}
    for point, mount in table:
        read_only = mount.read_only or mount.volume.read_only
        mode = "ro" if read_only else "rw"
        if volume_medium(mount.volume) == "Memory":
            limit = getattr(mount.volume, "size_limit", None)
            size = (limit or memory_bytes(proc) - EVICTION_HARD_MEMORY_BYTES) // KiB
            used = _tmpfs_used_kib(mount.volume)
            yield MountEntry("tmpfs", point, "tmpfs", f"{mode},relatime,size={size}k",
                             size, used, size - used)
        else:
            yield MountEntry(NODE_DISK, point, "ext4", f"{mode},relatime", *disk)
    # The kubelet's last CRI mount, then containerd's (``containerMounts``) where the kubelet
    # mounted nothing.
    for point in ("/dev/termination-log", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf"):
        if point not in points:
            yield MountEntry(NODE_DISK, point, "ext4", "rw,relatime", *disk)
    if "/dev/shm" not in points:
        yield MountEntry("shm", "/dev/shm", "tmpfs", "rw,nosuid,nodev,noexec,relatime,size=65536k",
                         DEV_TMPFS_KIB, 0, DEV_TMPFS_KIB)


# -- mount ----------------------------------------------------------------------------------------
@program("mount")
def mount(proc: Proc, argv: list[str]) -> ProgramGen:
    """``mount`` lists the table (``%s on %s type %s (%s)``); mounting needs CAP_SYS_ADMIN,
    which a container does not have."""
    if len(argv) > 1:
        proc.err.write("mount: permission denied (are you root?)\n")
        return 255
    proc.out.write("".join(f"{e.device} on {e.point} type {e.fstype} ({e.options})\n"
                           for e in mount_table(proc)))
    return 0
    yield  # pragma: no cover - makes this a generator


# -- df -------------------------------------------------------------------------------------------
@program("df")
def df(proc: Proc, argv: list[str]) -> ProgramGen:
    """busybox ``df [-ahk] [PATH]...``."""
    letters = {c for a in argv[1:] if a.startswith("-") and len(a) > 1 for c in a[1:]}
    paths = [a for a in argv[1:] if not a.startswith("-") or a == "-"]
    human, show_all = "h" in letters, "a" in letters
    table = mount_table(proc)
    if paths:
        rows = []
        for path in paths:
            found = _mount_of(proc, table, path)
            if found is None:
                proc.err.write(f"df: {path}: No such file or directory\n")
                continue
            rows.append(found)
    else:
        rows = [e for e in table if show_all or e.size_kib]
    header = "     Size" if human else "1K-blocks"
    out = [f"Filesystem           {header:<15}Used Available Use% Mounted on\n"]
    for entry in rows:
        out.append(_df_line(entry, human))
    proc.out.write("".join(out))
    return 1 if paths and len(rows) < len(paths) else 0
    yield  # pragma: no cover - makes this a generator


def _mount_of(proc: Proc, table: list[MountEntry], path: str) -> Optional[MountEntry]:
    """The last mount whose point holds ``path`` (a later mount hides an earlier one)."""
    full = normpath(path, proc.cwd)
    if not proc.host.fs.exists(full):
        return None
    found = None
    for entry in table:
        if full == entry.point or full.startswith(entry.point.rstrip("/") + "/"):
            found = entry
    return found


def _df_line(entry: MountEntry, human: bool) -> str:
    size = entry.size_kib or 0
    used = entry.used_kib
    avail = entry.avail_kib if entry.avail_kib is not None else size - used
    percent = (used * 100 + (used + avail) // 2) // (used + avail) if used + avail else 0
    device = entry.device if len(entry.device) <= 20 else entry.device + "\n" + " " * 20
    show = _human_kib if human else str
    return (f"{device:<20} {show(size):>9} {show(used):>9} {show(avail):>9} {percent:3d}% "
            f"{entry.point}\n")


def _human_kib(kib: int) -> str:
    """``make_human_readable_str(blocks, 1024, 0)``: ``97.9G``, ``64.0M``, ``12.0K``, ``0``."""
    if kib == 0:
        return "0"
    value, frac, unit = kib * KiB, 0, ""
    units = iter("KMGTPE")
    while value >= 1024:
        unit = next(units)
        frac = ((value % 1024) * 10 + 512) // 1024
        value //= 1024
    if frac >= 10:
        value, frac = value + 1, 0
    return f"{value}.{frac}{unit}"
