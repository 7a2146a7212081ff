"""busybox ``ls``: the listing students read configMap, secret and service-account volumes with.

Mirrors coreutils/ls.c of busybox 1.36 for the options a lesson uses: ``-l`` (long lines:
``%-10s`` mode, ``%4lu`` links, ``%-8.8s %-8.8s`` owner and group, ``%9llu`` size, then
``Mmm dd hh:mm`` for files changed in the last six months, ``Mmm dd  yyyy`` for older ones,
and ``name -> target`` for a link), ``-a`` (``.`` and ``..`` too), ``-A``, ``-1``, ``-d``,
``-R`` and ``-h``. Names are sorted with ``strcmp`` (dot-files first, capitals before small
letters); command-line files come before directories, each directory under a ``name:``
header when there are several, and ``-l`` starts each directory with ``total N``: the sum
of its entries' 512-byte blocks, halved and rounded up. Command-line links are followed
unless ``-l`` is given; links inside a directory never are (``..data`` is not a directory to
``-R``). Output is one name per line: ``kubectl exec`` without ``-t`` is no terminal.

What the file system model adds (see :mod:`.fs` and :mod:`.mounts`): a directory on the node's
disk (the image's layer, an emptyDir, a configMap volume) is 4096 bytes and 8 blocks; one on
a tmpfs (a secret, projected or downwardAPI volume, an emptyDir of ``medium: Memory``) is 40
bytes plus 20 per entry and no blocks, as shmem counts them; the root of a volume is
``drwxrwxrwx`` (the emptyDir the kubelet makes it from is mode 0777), on a tmpfs
``drwxrwxrwt`` (tmpfs's own 1777, which the kubelet leaves as it is); the AtomicWriter's
timestamped directory is ``drwxr-xr-x`` and its files ``-rw-r--r--`` (the default mode
0644). Times: what the AtomicWriter wrote carries the time in its directory's name; anything
else the time the container was made (labkube keeps no other file times).
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime, timezone
from typing import Optional

from labkube.runtime.sim.fs import FsError, Stat, normpath
from labkube.runtime.sim.mounts import is_tmpfs
from labkube.runtime.sim.process import Proc, ProgramGen, program

#: busybox's ``age < 3600L * 24 * 365 / 2``: newer files show the time, older the year.
SIX_MONTHS = 3600 * 24 * 365 // 2
#: tmpfs's size of a directory: two entries' worth, and 20 more per entry (``BOGO_DIRENT_SIZE``).
TMPFS_DIRENT = 20
_STAMP = re.compile(r"\.\.(\d{4})_(\d\d)_(\d\d)_(\d\d)_(\d\d)_(\d\d)\.")
_OPTIONS = frozenset("aAlR1dhCx")


class _Options:
    def __init__(self, letters: set[str]) -> None:
        self.long = "l" in letters
        self.all = "a" in letters
        self.almost_all = "A" in letters or self.all
        self.recursive = "R" in letters and "d" not in letters
        self.directory = "d" in letters
        self.human = "h" in letters


class _Entry:
    """One name to show: as typed (or found in a directory), its full path and its stat."""

    __slots__ = ("name", "path", "stat", "label")

    def __init__(self, name: str, path: str, stat: Stat, label: str = "") -> None:
        self.name, self.path, self.stat = name, path, stat
        #: The path as busybox names it in a ``-R`` header (``concat_path_file``).
        self.label = label or name


def _parse(argv: list[str]) -> tuple[Optional[set[str]], list[str], str]:
    """(option letters, operands, a bad letter) as getopt32 reads ``ls``'s arguments."""
    letters: set[str] = set()
    operands: list[str] = []
    options_done = False
    for arg in argv[1:]:
        if options_done or arg == "-" or not arg.startswith("-"):
            operands.append(arg)
        elif arg == "--":
            options_done = True
        else:
            for letter in arg[1:]:
                if letter not in _OPTIONS:
                    return None, operands, letter
                letters.add(letter)
    return letters, operands, ""


@program("ls")
def ls(proc: Proc, argv: list[str]) -> ProgramGen:
    letters, operands, bad = _parse(argv)
    if letters is None:
        proc.err.write(f"ls: invalid option -- '{bad}'\n")  # then busybox's usage text
        return 1
    opts = _Options(letters)
    fs = proc.host.fs
    status = 0
    files: list[_Entry] = []
    dirs: list[_Entry] = []
    for operand in operands or ["."]:
        path = normpath(operand, proc.cwd)
        try:
            # A trailing slash makes the kernel follow a link to a directory, as stat does.
            stat = fs.lstat(path, follow=not opts.long or operand.endswith("/"))
            if stat.kind == "link" and not opts.long:
                stat = fs.lstat(path, follow=True)
        except FsError as err:
            if _gnu(proc):
                proc.err.write(f"ls: cannot access '{operand}': {err.strerror}\n")
                status = 2
            else:
                proc.err.write(f"ls: {operand}: {err.strerror}\n")
                status = 1
            continue
        entry = _Entry(operand, path, stat)
        (dirs if stat.kind == "dir" and not opts.directory else files).append(entry)
    out: list[str] = []
    files.sort(key=_by_name)
    dirs.sort(key=_by_name)
    out += _lines(proc, files, opts)
    show_headers = len(operands) > 1 or opts.recursive
    first = not files
    for entry in dirs:
        first = _show_dir(proc, entry, opts, show_headers, first, out)
    proc.out.write("".join(out))
    return status
    yield  # pragma: no cover - makes this a generator


def _by_name(entry: _Entry) -> bytes:
    """strcmp order (busybox in the C locale): by bytes."""
    return entry.name.encode()


def _show_dir(proc: Proc, entry: _Entry, opts: _Options, header: bool, first: bool,
              out: list[str]) -> bool:
    """One directory's listing (and with ``-R`` its subdirectories'); returns ``first``."""
    if header:
        out.append(("" if first else "\n") + f"{entry.label}:\n")
        first = False
    entries = _read_dir(proc, entry, opts)
    if opts.long:
        blocks = 1 + sum(_blocks(e.stat) for e in entries)
        out.append(f"total {blocks >> 1}\n")
    out += _lines(proc, entries, opts)
    if opts.recursive:
        for child in entries:
            if child.stat.kind == "dir" and child.name not in (".", ".."):
                first = _show_dir(proc, child, opts, True, first, out)
    return first


def _read_dir(proc: Proc, entry: _Entry, opts: _Options) -> list[_Entry]:
    """The entries of a directory, sorted; links not followed (``.`` and ``..`` are the
    directories themselves)."""
    fs = proc.host.fs
    names = [n for n in fs.listdir(entry.path) if opts.almost_all or not n.startswith(".")]
    if opts.all:
        names += [".", ".."]
    found = []
    for name in names:
        path = normpath(name, entry.path)
        try:
            stat = fs.lstat(path, follow=name in (".", ".."))
        except FsError:
            continue
        found.append(_Entry(name, path, stat, _join(entry.label, name)))
    found.sort(key=_by_name)
    return found


def _join(directory: str, name: str) -> str:
    """``concat_path_file``: one slash between, none doubled."""
    return directory + name if directory.endswith("/") else f"{directory}/{name}"


def _blocks(stat: Stat) -> int:
    """512-byte blocks: a file's 4 KiB pages, a disk directory's one block, nothing else."""
    if stat.kind == "file":
        return -(-stat.size // 4096) * 8
    if stat.kind == "dir" and not is_tmpfs(stat):
        return 8
    return 0


def _gnu(proc: Proc) -> bool:
    return getattr(proc.host, "toolset", "busybox") == "gnu"


def _lines(proc: Proc, entries: list[_Entry], opts: _Options) -> list[str]:
    """The entries' lines: busybox's fixed columns, or GNU ls's, as wide as the widest."""
    if not opts.long or not _gnu(proc):
        return [_line(proc, entry, opts) for entry in entries]
    rows = [(_mode(e.stat), _links(proc, e), _size(proc, e), _when(proc, e.stat), e)
            for e in entries]
    links_width = max((len(str(r[1])) for r in rows), default=1)
    size_width = max((len(str(r[2])) for r in rows), default=1)
    out = []
    for mode, links, size, when, entry in rows:
        line = f"{mode} {links:>{links_width}} root root {size:>{size_width}} {when} {entry.name}"
        if entry.stat.kind == "link":
            line += " -> " + proc.host.fs.readlink(entry.path)
        out.append(line + "\n")
    return out


def _line(proc: Proc, entry: _Entry, opts: _Options) -> str:
    if not opts.long:
        return entry.name + "\n"
    stat = entry.stat
    fs = proc.host.fs
    mode, links, size = _mode(stat), _links(proc, entry), _size(proc, entry)
    if stat.kind == "char":
        size_text = f"{1:4d}, {3:3d} "
    elif opts.human:
        size_text = f"{_human(size):>9} "
    else:
        size_text = f"{size:9d} "
    line = (f"{mode:<10} {links:4d} {'root':<8.8} {'root':<8.8} {size_text}"
            f"{_when(proc, stat)} {entry.name}")
    if stat.kind == "link":
        line += " -> " + fs.readlink(entry.path)
    return line + "\n"


def _mode(stat: Stat) -> str:
    if stat.kind == "link":
        return "lrwxrwxrwx"
    if stat.kind == "char":
        return "crw-rw-rw-"
    if stat.kind == "file":
        return "-rw-r--r--"
    if stat.mount is not None and not stat.inner.strip("/") and stat.point != "/":
        return _volume_root_mode(stat)
    if stat.mount is None and stat.inner == "tmp":
        return "drwxrwxrwt"
    if stat.mount is None and stat.inner == "root":
        return "drwx------"
    return "drwxr-xr-x"


def _volume_root_mode(stat: Stat) -> str:
    if stat.volume.name.startswith("/"):
        return "drwxr-xr-x"  # a hostPath: the node's own directory
    return "drwxrwxrwt" if is_tmpfs(stat) else "drwxrwxrwx"


def _links(proc: Proc, entry: _Entry) -> int:
    """A directory's links: its own two and one per subdirectory's ``..``."""
    if entry.stat.kind != "dir":
        return 1
    fs = proc.host.fs
    count = 2
    for name in fs.listdir(entry.path):
        try:
            if fs.lstat(posixpath.join(entry.path, name)).kind == "dir":
                count += 1
        except FsError:
            continue
    return count


def _size(proc: Proc, entry: _Entry) -> int:
    stat = entry.stat
    if stat.kind != "dir":
        return stat.size
    if is_tmpfs(stat):
        return TMPFS_DIRENT * (2 + len(proc.host.fs.listdir(entry.path)))
    return 4096


def _when(proc: Proc, stat: Stat) -> str:
    """``Mmm dd hh:mm`` (``%.12s`` of ctime), or ``Mmm dd  yyyy`` for an older file."""
    mtime = _mtime(proc, stat)
    when = datetime.fromtimestamp(mtime, tz=timezone.utc)
    age = proc.host.now() - mtime
    if -15 * 60 < age < SIX_MONTHS:
        return when.strftime("%b %e %H:%M")
    return when.strftime("%b %e ") + f"{when.year:>5}"


def _mtime(proc: Proc, stat: Stat) -> int:
    """When the entry last changed: the AtomicWriter's write for its volumes, else when the
    container was made."""
    if stat.mount is not None:
        stamp = _atomic_stamp(stat.volume)
        if stamp is not None:
            return stamp
    return int(getattr(proc.host, "created_at", proc.host.now()))


def _atomic_stamp(volume) -> Optional[int]:
    link = volume.files.get("..data")
    target = getattr(link, "target", None)
    match = _STAMP.match(target) if target else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    return int(datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp())


def _human(size: int) -> str:
    """``make_human_readable_str(size, 1, 0)``: ``1.5K``, ``4.0K``, bytes below 1024."""
    if size == 0:
        return "0"
    value, frac, unit = size, 0, ""
    units = iter("KMGTPE")
    while value >= 1024:
        unit = next(units)
        frac = ((value % 1024) * 10 + 512) // 1024
        value //= 1024
    if frac >= 10:
        value, frac = value + 1, 0
    return f"{value}.{frac}{unit}" if unit else str(value)
