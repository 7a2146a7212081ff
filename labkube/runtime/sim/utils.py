"""The command-line utilities of a simulated container: busybox applets and their GNU cousins.

Mirrors the small programs Kubernetes examples run inside containers: ``echo``, ``printf``,
``printenv``, ``env``, ``cat``, ``touch``, ``rm``, ``mkdir``, ``test``/``[``, ``ls``, ``date``
(the cluster clock), ``hostname``, ``sleep``, ``tail``, ``head``, ``wc``, ``grep``, ``sort``,
``uniq``, ``cut``, ``tr``, ``seq``, ``kill``, ``killall``, ``ps``, ``nslookup``, ``wget``
(``--header``; on https busybox's note that it does not validate certificates), busybox
``httpd`` and ``nc`` (``curl`` is in :mod:`.curl`, the client side of TLS in :mod:`.tls`).
Output and error texts follow busybox 1.36's sources (``wc``'s ``%9u`` columns;
``cat: can't open 'x': …`` from ``open_or_warn``, ``head: x: …`` from ``fopen_or_warn``) or,
in images built on Debian, GNU coreutils (``cat: x: No such file or directory``); the
container's ``toolset`` decides.

Network utilities reach other pods and Services through the injected
:class:`~labkube.runtime.cri.Network` and the pod's own ports through the sandbox. ``wget``,
``curl`` and ``nc`` resolve names as libc does (``/etc/hosts``, then the search list and
``ndots`` of ``/etc/resolv.conf``). ``nslookup`` is the applet of the image's busybox release:
up to 1.28 the libc one (``Name:      web`` / ``Address 1: IP REVERSE-NAME``), from 1.29 the
LEDE one, which sends its own A and AAAA queries (from 1.30 under each search domain for a name
without a dot, ignoring ``ndots``) and prints every reply, ``** server can't find …`` included.
"""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import urlsplit

from labkube.runtime.cri import ConnectionFailed, HttpResponse
from labkube.runtime.sim.fs import FsError, normpath
from labkube.runtime.sim.process import FOREVER, Proc, ProgramGen, Sleep, program
from labkube.runtime.sim.shell import signal_name
from labkube.runtime.sim.tls import BUSYBOX_TLS_NOTE, ClientTLS


def _gnu(proc: Proc) -> bool:
    return getattr(proc.host, "toolset", "busybox") == "gnu"


def _done(code: int = 0) -> ProgramGen:
    return code
    yield  # pragma: no cover - makes this a generator


def _read(proc: Proc, path: str) -> str:
    return proc.host.fs.read_text(normpath(path, proc.cwd))


# -- output ---------------------------------------------------------------------------------------
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "r": "\r", "e": "\x1b", "0": "\0"}


def _unescape(text: str) -> tuple[str, bool]:
    """echo -e / printf escapes; the flag says ``\\c`` stopped output."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "c":
                return "".join(out), True
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out), False


@program("echo")
def echo(proc: Proc, argv: list[str]) -> ProgramGen:
    args, newline, escapes = argv[1:], True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        newline = newline and "n" not in args[0]
        escapes = "e" in args[0] or escapes
        args = args[1:]
    text = " ".join(args)
    if escapes or getattr(proc.host, "shell", "ash") == "dash":
        text, stop = _unescape(text)
        newline = newline and not stop
    proc.out.write(text + ("\n" if newline else ""))
    return (yield from _done(0))


@program("printf")
def printf(proc: Proc, argv: list[str]) -> ProgramGen:
    if len(argv) < 2:
        proc.err.write("printf: usage: printf format [arguments]\n")
        return (yield from _done(2))
    fmt, args = _unescape(argv[1])[0], argv[2:]
    out = []
    while True:
        consumed = 0

        def sub(match: re.Match) -> str:
            nonlocal consumed
            spec = match.group(0)
            if spec == "%%":
                return "%"
            value = args[consumed] if consumed < len(args) else ""
            consumed += 1
            if spec[-1] in "di":
                return (spec[:-1] + "d") % int(value or 0)
            return (spec[:-1] + "s") % value

        out.append(re.sub(r"%[-0-9.]*[sdi%]", sub, fmt))
        args = args[consumed:]
        if not args or consumed == 0:
            break
    proc.out.write("".join(out))
    return (yield from _done(0))


@program("printenv")
def printenv(proc: Proc, argv: list[str]) -> ProgramGen:
    names = argv[1:]
    if not names:
        proc.out.write("".join(f"{k}={v}\n" for k, v in proc.env.items()))
        return (yield from _done(0))
    missing = 0
    for name in names:
        if name in proc.env:
            proc.out.write(proc.env[name] + "\n")
        else:
            missing = 1
    return (yield from _done(missing))


@program("env")
def env(proc: Proc, argv: list[str]) -> ProgramGen:
    args = argv[1:]
    extra = {}
    while args and "=" in args[0]:
        name, _, value = args[0].partition("=")
        extra[name] = value
        args = args[1:]
    environ = {**proc.env, **extra}
    if args:
        from labkube.runtime.sim.shell import Shell, IO
        shell = Shell(proc.child(env=environ), "env")
        return (yield from shell.command(args, [], IO(proc.stdin, proc.out, proc.err)))
    proc.out.write("".join(f"{k}={v}\n" for k, v in environ.items()))
    return (yield from _done(0))


@program("true")
def true(proc: Proc, argv: list[str]) -> ProgramGen:
    return (yield from _done(0))


@program("false")
def false(proc: Proc, argv: list[str]) -> ProgramGen:
    return (yield from _done(1))


# -- files ----------------------------------------------------------------------------------------
@program("cat")
def cat(proc: Proc, argv: list[str]) -> ProgramGen:
    paths = [a for a in argv[1:] if a != "-u"] or ["-"]
    status = 0
    for path in paths:
        if path == "-":
            proc.out.write(proc.stdin)
            continue
        try:
            proc.out.write(_read(proc, path))
        except FsError as err:
            status = 1
            if _gnu(proc):
                proc.err.write(f"cat: {path}: {err.strerror}\n")
            elif err.strerror == "Is a directory":
                proc.err.write(f"cat: read error: {err.strerror}\n")
            else:
                proc.err.write(f"cat: can't open '{path}': {err.strerror}\n")
    return (yield from _done(status))


@program("touch")
def touch(proc: Proc, argv: list[str]) -> ProgramGen:
    status = 0
    for path in (a for a in argv[1:] if not a.startswith("-")):
        try:
            proc.host.fs.touch(normpath(path, proc.cwd))
        except FsError as err:
            status = 1
            if _gnu(proc):
                proc.err.write(f"touch: cannot touch '{path}': {err.strerror}\n")
            else:
                proc.err.write(f"touch: {path}: {err.strerror}\n")
    return (yield from _done(status))


def _flags(argv: list[str]) -> tuple[set[str], list[str]]:
    flags, rest = set(), []
    for arg in argv[1:]:
        if arg.startswith("-") and len(arg) > 1 and not rest:
            flags.update(arg[1:])
        else:
            rest.append(arg)
    return flags, rest


@program("rm")
def rm(proc: Proc, argv: list[str]) -> ProgramGen:
    flags, paths = _flags(argv)
    recursive, force = bool(flags & {"r", "R"}), "f" in flags
    status = 0
    for path in paths:
        try:
            proc.host.fs.remove(normpath(path, proc.cwd), recursive=recursive)
        except FsError as err:
            if force and err.strerror == "No such file or directory":
                continue
            status = 1
            verb = "cannot remove" if _gnu(proc) else "can't remove"
            why = err.strerror
            if why == "Is a directory" and _gnu(proc):
                why = "Is a directory"
            proc.err.write(f"rm: {verb} '{path}': {why}\n")
    return (yield from _done(status))


@program("mkdir")
def mkdir(proc: Proc, argv: list[str]) -> ProgramGen:
    flags, paths = _flags(argv)
    status = 0
    for path in paths:
        try:
            proc.host.fs.mkdir(normpath(path, proc.cwd), parents="p" in flags)
        except FsError as err:
            status = 1
            verb = "cannot create directory" if _gnu(proc) else "can't create directory"
            proc.err.write(f"mkdir: {verb} '{path}': {err.strerror}\n")
    return (yield from _done(status))


@program("cp")
def cp(proc: Proc, argv: list[str]) -> ProgramGen:
    _, paths = _flags(argv)
    if len(paths) != 2:
        proc.err.write("cp: missing file operand\n")
        return (yield from _done(1))
    src, dst = (normpath(p, proc.cwd) for p in paths)
    fs = proc.host.fs
    try:
        if fs.is_dir(dst):
            dst = posixpath.join(dst, posixpath.basename(src))
        fs.write(dst, fs.read(src))
    except FsError as err:
        proc.err.write(f"cp: can't stat '{paths[0]}': {err.strerror}\n")
        return (yield from _done(1))
    return (yield from _done(0))


@program("mv")
def mv(proc: Proc, argv: list[str]) -> ProgramGen:
    status = yield from cp(proc, argv)
    if status == 0:
        _, paths = _flags(argv)
        proc.host.fs.remove(normpath(paths[0], proc.cwd))
    return status


def _test(proc: Proc, args: list[str]) -> bool:
    fs = proc.host.fs
    if not args:
        return False
    if args[0] == "!":
        return not _test(proc, args[1:])
    if len(args) >= 3 and args[1] in ("-a", "-o") and len(args) > 3:
        pass
    for i, arg in enumerate(args):
        if arg in ("-a", "-o") and 0 < i < len(args) - 1:
            left, right = _test(proc, args[:i]), _test(proc, args[i + 1:])
            return (left and right) if arg == "-a" else (left or right)
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, value = args
        path = normpath(value, proc.cwd) if value else ""
        unary = {
            "-e": lambda: bool(value) and fs.exists(path),
            "-f": lambda: bool(value) and fs.is_file(path),
            "-d": lambda: bool(value) and fs.is_dir(path),
            "-s": lambda: bool(value) and fs.is_file(path) and len(fs.read(path)) > 0,
            "-r": lambda: bool(value) and fs.exists(path),
            "-w": lambda: bool(value) and fs.exists(path),
            "-x": lambda: bool(value) and fs.is_dir(path),
            "-z": lambda: value == "", "-n": lambda: value != "",
        }
        if op in unary:
            return unary[op]()
        raise ValueError(f"{op}: unknown operand")
    left, op, right = args[0], args[1], args[2]
    if op in ("=", "=="):
        return left == right
    if op == "!=":
        return left != right
    ints = {"-eq": "__eq__", "-ne": "__ne__", "-lt": "__lt__", "-le": "__le__",
            "-gt": "__gt__", "-ge": "__ge__"}
    if op in ints:
        for value in (left, right):
            if not re.fullmatch(r"\s*-?\d+\s*", value):
                raise ValueError(f"{value}: bad number" if not _gnu(proc)
                                 else f"{value}: integer expression expected")
        return getattr(int(left), ints[op])(int(right))
    raise ValueError(f"{op}: unknown operand")


@program("test", "[")
def test(proc: Proc, argv: list[str]) -> ProgramGen:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            proc.err.write("[: missing ]\n")
            return (yield from _done(2))
        args = args[:-1]
    try:
        result = _test(proc, args)
    except ValueError as err:
        proc.err.write(f"{argv[0]}: {err}\n")
        return (yield from _done(2))
    return (yield from _done(0 if result else 1))


def _open_error(proc: Proc, applet: str, path: str, err: FsError) -> None:
    """What ``applet`` says when it cannot read ``path``.

    busybox: ``head``/``wc``/``grep`` use libbb's ``fopen_or_warn`` (``head: FILE: why``),
    ``tail`` uses ``open_or_warn`` (``tail: can't open 'FILE': why``); GNU ``head``/``tail``
    say ``cannot open 'FILE' for reading``.
    """
    if _gnu(proc) and applet in ("head", "tail"):
        proc.err.write(f"{applet}: cannot open '{path}' for reading: {err.strerror}\n")
    elif applet == "tail":
        proc.err.write(f"tail: can't open '{path}': {err.strerror}\n")
    else:
        proc.err.write(f"{applet}: {path}: {err.strerror}\n")


def _inputs(proc: Proc, applet: str, paths: list[str]) -> list[tuple[str, Optional[str]]]:
    """(name, text) per input; text is None (after a warning) when the file cannot be read."""
    if not paths:
        return [("-", proc.stdin)]
    found: list[tuple[str, Optional[str]]] = []
    for path in paths:
        if path == "-":
            found.append((path, proc.stdin))
            continue
        try:
            found.append((path, _read(proc, path)))
        except FsError as err:
            _open_error(proc, applet, path, err)
            found.append((path, None))
    return found


def _lines(proc: Proc, paths: list[str], applet: str = "grep") -> Optional[str]:
    """All inputs joined (stdin when there are none); None after a warning for a missing one."""
    texts = _inputs(proc, applet, paths)
    if any(text is None for _, text in texts):
        return None
    return "".join(text or "" for _, text in texts)


def _split_count_args(argv: list[str], old_style_plus: bool) -> tuple[dict, list[str]]:
    """Parse head/tail options: ``-n N``, ``-nN``, ``-c N``, ``-N``, ``+N`` (tail), ``-q -v -f``."""
    opts: dict = {"unit": "n", "count": "10", "quiet": False, "verbose": False, "follow": False}
    paths: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or not (arg.startswith("-") or (old_style_plus and arg.startswith("+"))) \
                or arg in ("-", "+"):
            paths.extend(argv[i + 1:] if arg == "--" else [arg])
            i += 1
            continue
        if re.fullmatch(r"[-+]\d+", arg):
            opts["unit"], opts["count"] = "n", arg if arg.startswith("+") else arg[1:]
            i += 1
            continue
        letters = arg[1:]
        for index, letter in enumerate(letters):
            if letter in "nc":
                value = letters[index + 1:] or (argv[i + 1] if i + 1 < len(argv) else "")
                if not letters[index + 1:]:
                    i += 1
                opts["unit"], opts["count"] = letter, value
                break
            opts[{"q": "quiet", "v": "verbose", "f": "follow", "F": "follow"}.get(letter, "_")] = True
        i += 1
    return opts, paths


def _header(proc: Proc, index: int, name: str, opts: dict, total: int) -> None:
    if opts["verbose"] or (total > 1 and not opts["quiet"]):
        shown = "standard input" if name == "-" else name
        proc.out.write(("\n" if index else "") + f"==> {shown} <==\n")


def _head_part(text: str, unit: str, count: int) -> str:
    if unit == "c":
        data = text.encode()
        return (data[:count] if count >= 0 else data[:max(len(data) + count, 0)]).decode(errors="replace")
    lines = text.splitlines(keepends=True)
    return "".join(lines[:count] if count >= 0 else lines[:max(len(lines) + count, 0)])


def _tail_part(text: str, unit: str, count: str) -> str:
    from_start = count.startswith("+")
    number = int(count.lstrip("+-"))
    items: list = list(text.encode()) if unit == "c" else text.splitlines(keepends=True)
    chosen = items[max(number - 1, 0):] if from_start else (items[-number:] if number else [])
    return bytes(chosen).decode(errors="replace") if unit == "c" else "".join(chosen)


def _bad_count(proc: Proc, applet: str, value: str) -> ProgramGen:
    proc.err.write(f"{applet}: invalid number '{value}'\n")
    return (yield from _done(1))


@program("head")
def head(proc: Proc, argv: list[str]) -> ProgramGen:
    """``head [-n N|-c N|-N] [-q|-v] [FILE]...``; a negative N drops the last N lines/bytes."""
    opts, paths = _split_count_args(argv[1:], old_style_plus=False)
    if not re.fullmatch(r"-?\d+", opts["count"]):
        return (yield from _bad_count(proc, "head", opts["count"]))
    status = 0
    inputs = _inputs(proc, "head", paths)
    for index, (name, text) in enumerate(inputs):
        if text is None:
            status = 1
            continue
        _header(proc, index, name, opts, len(inputs))
        proc.out.write(_head_part(text, opts["unit"], int(opts["count"])))
    return (yield from _done(status))


@program("tail")
def tail(proc: Proc, argv: list[str]) -> ProgramGen:
    """``tail [-n N|-n +N|-c N|-N|+N] [-f] [-q|-v] [FILE]...``; ``-f`` then waits forever."""
    opts, paths = _split_count_args(argv[1:], old_style_plus=True)
    if not re.fullmatch(r"[-+]?\d+", opts["count"]):
        return (yield from _bad_count(proc, "tail", opts["count"]))
    status = 0
    inputs = _inputs(proc, "tail", paths)
    for index, (name, text) in enumerate(inputs):
        if text is None:
            status = 1
            continue
        _header(proc, index, name, opts, len(inputs))
        proc.out.write(_tail_part(text, opts["unit"], opts["count"]))
    if opts["follow"] and status == 0:
        yield FOREVER
    return (yield from _done(status))


_WC_COLUMNS = "lwmcL"  # busybox's column order (coreutils/wc.c): lines, words, chars, bytes, longest


def _wc_counts(text: str) -> dict[str, int]:
    return {"l": text.count("\n"), "w": len(text.split()), "m": len(text),
            "c": len(text.encode()), "L": max((len(line) for line in text.split("\n")), default=0)}


def _wc_width(proc: Proc, inputs: list, shown: list[str], totals: dict[str, int]) -> int:
    """busybox: ``%9u`` columns; GNU: as wide as the largest total (at least 7 for stdin)."""
    if not _gnu(proc):
        return 9
    width = max((len(str(totals[k])) for k in shown), default=1)
    return max(width, 7) if any(name == "-" for name, _ in inputs) else width


@program("wc")
def wc(proc: Proc, argv: list[str]) -> ProgramGen:
    """``wc [-lwmcL] [FILE]...``: counts per file, a ``total`` line for more than one file."""
    flags, paths = _flags(argv)
    shown = [k for k in _WC_COLUMNS if k in flags] or ["l", "w", "c"]
    inputs = _inputs(proc, "wc", paths)
    counted = [(name, _wc_counts(text)) for name, text in inputs if text is not None]
    totals = {k: sum(c[k] for _, c in counted) for k in _WC_COLUMNS}
    bare = len(shown) == 1 and len(inputs) <= 1
    width = 0 if bare else _wc_width(proc, inputs, shown, totals)
    rows = counted + ([("total", totals)] if len(inputs) > 1 else [])
    for name, counts in rows:
        cells = " ".join(f"{counts[k]:>{width}}" for k in shown)
        proc.out.write(cells + ("" if name == "-" else f" {name}") + "\n")
    return (yield from _done(0 if len(counted) == len(inputs) else 1))


@program("rev")
def rev(proc: Proc, argv: list[str]) -> ProgramGen:
    """``rev [FILE]...``: each line with its characters in reverse order."""
    inputs = _inputs(proc, "rev", argv[1:])
    for _, text in inputs:
        for line in (text or "").splitlines(keepends=True):
            body = line.rstrip("\n")
            proc.out.write(body[::-1] + line[len(body):])
    return (yield from _done(0 if all(text is not None for _, text in inputs) else 1))


@program("grep")
def grep(proc: Proc, argv: list[str]) -> ProgramGen:
    flags, rest = _flags(argv)
    if not rest:
        proc.err.write("grep: no pattern\n")
        return (yield from _done(2))
    pattern, paths = rest[0], rest[1:]
    text = _lines(proc, paths)
    if text is None:
        return (yield from _done(2))
    regex = re.compile(re.escape(pattern) if "F" in flags else pattern,
                       re.IGNORECASE if "i" in flags else 0)
    hits = [ln for ln in text.splitlines() if bool(regex.search(ln)) != ("v" in flags)]
    if "c" in flags:
        proc.out.write(f"{len(hits)}\n")
    elif "q" not in flags:
        proc.out.write("".join(h + "\n" for h in hits))
    return (yield from _done(0 if hits else 1))


# -- sort, uniq, cut, tr ----------------------------------------------------------------------
def _value_flags(argv: list[str], with_value: str) -> tuple[dict, list[str]]:
    """Short options where the letters in ``with_value`` take an argument (glued or next)."""
    opts: dict = {}
    rest, i = [], 1
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-") or arg == "-" or rest:
            rest.append(arg)
        else:
            for index, letter in enumerate(arg[1:]):
                if letter in with_value:
                    value = arg[2 + index:]
                    if not value and i + 1 < len(argv):
                        value, i = argv[i + 1], i + 1
                    opts[letter] = value
                    break
                opts[letter] = True
        i += 1
    return opts, rest


def _die_cannot_open(proc: Proc, applet: str, paths: list[str]) -> Optional[str]:
    """busybox's xfopen_stdin(): stdin or the files, else ``can't open`` and exit 1 (None)."""
    texts = []
    for path in paths or ["-"]:
        if path == "-":
            texts.append(proc.stdin)
            continue
        try:
            texts.append(_read(proc, path))
        except FsError as err:
            proc.err.write(f"{applet}: can't open '{path}': {err.strerror}\n")
            return None
    return "".join(texts)


def _sort_key(opts: dict):
    separator = opts.get("t") if isinstance(opts.get("t"), str) else None
    field = int(str(opts["k"]).split(",")[0].split(".")[0]) if isinstance(opts.get("k"), str) else 0

    def key(line: str):
        text = line
        if field:
            parts = line.split(separator) if separator else line.split()
            text = (separator or " ").join(parts[field - 1:]) if len(parts) >= field else ""
        if "n" in opts:
            match = re.match(r"\s*(-?\d+(?:\.\d+)?)", text)
            return (float(match.group(1)) if match else 0.0, line)
        return (text.encode(), line.encode())

    return key


@program("sort")
def sort(proc: Proc, argv: list[str]) -> ProgramGen:
    """``sort [-nru] [-t SEP] [-k N] [FILE]...`` in the C locale (byte order)."""
    opts, paths = _value_flags(argv, "tko")
    text = _die_cannot_open(proc, "sort", paths)
    if text is None:
        return (yield from _done(1))
    lines = sorted(text.splitlines(), key=_sort_key(opts), reverse="r" in opts)
    if "u" in opts:
        key, kept, seen = _sort_key(opts), [], set()
        for line in lines:
            k = key(line)[0]
            if k not in seen:
                seen.add(k)
                kept.append(line)
        lines = kept
    proc.out.write("".join(line + "\n" for line in lines))
    return (yield from _done(0))


@program("uniq")
def uniq(proc: Proc, argv: list[str]) -> ProgramGen:
    """``uniq [-cdu] [INPUT]``: adjacent repeats collapsed; ``-c`` counts as ``%7u LINE``."""
    opts, paths = _value_flags(argv, "fsw")
    text = _die_cannot_open(proc, "uniq", paths[:1])
    if text is None:
        return (yield from _done(1))
    groups: list[list] = []
    for line in text.splitlines():
        if groups and groups[-1][0] == line:
            groups[-1][1] += 1
        else:
            groups.append([line, 1])
    for line, count in groups:
        if ("d" in opts and count == 1) or ("u" in opts and count > 1):
            continue
        proc.out.write((f"{count:>7} " if "c" in opts else "") + line + "\n")
    return (yield from _done(0))


def _cut_ranges(spec: str) -> Optional[list[tuple[int, int]]]:
    """``1,3-4,6-`` -> [(1, 1), (3, 4), (6, ∞)] (1-based, inclusive); None when malformed."""
    ranges = []
    for part in spec.split(","):
        match = re.fullmatch(r"(\d*)(-?)(\d*)", part)
        if not match or not (match.group(1) or match.group(3)):
            return None
        low = int(match.group(1) or 1)
        high = int(match.group(3)) if match.group(3) else (10**9 if match.group(2) else low)
        ranges.append((low, high))
    return ranges


@program("cut")
def cut(proc: Proc, argv: list[str]) -> ProgramGen:
    """``cut -d SEP -f LIST [-s] [FILE]...`` or ``cut -c LIST [FILE]...``."""
    opts, paths = _value_flags(argv, "dfcb")
    spec = opts.get("f") or opts.get("c") or opts.get("b")
    ranges = _cut_ranges(spec) if isinstance(spec, str) else None
    if ranges is None:
        proc.err.write("cut: expected a list of bytes, characters, or fields\n")
        return (yield from _done(1))
    text = _lines(proc, paths, "cut")
    if text is None:
        return (yield from _done(1))
    wanted = lambda n: any(low <= n <= high for low, high in ranges)  # noqa: E731
    separator = opts["d"] if isinstance(opts.get("d"), str) and opts["d"] else "\t"
    for line in text.splitlines():
        if "f" not in opts:
            proc.out.write("".join(c for n, c in enumerate(line, 1) if wanted(n)) + "\n")
        elif separator in line:
            fields = line.split(separator)
            proc.out.write(separator.join(f for n, f in enumerate(fields, 1) if wanted(n)) + "\n")
        elif "s" not in opts:
            proc.out.write(line + "\n")
    return (yield from _done(0))


_TR_CLASSES = {"[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
               "[:digit:]": "0123456789", "[:space:]": " \t\n\r\f\v", "[:blank:]": " \t",
               "[:alpha:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
               "[:alnum:]": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}


def _tr_set(spec: str) -> str:
    """A tr SET: character classes, ``a-z`` ranges and backslash escapes expanded."""
    for name, chars in _TR_CLASSES.items():
        spec = spec.replace(name, chars)
    spec = _unescape(spec)[0]
    return re.sub(r"(.)-(.)", lambda m: "".join(chr(c) for c in range(ord(m.group(1)), ord(m.group(2)) + 1)),
                  spec)


@program("tr")
def tr(proc: Proc, argv: list[str]) -> ProgramGen:
    """``tr [-d] [-s] SET1 [SET2]``: translate, delete or squeeze characters of stdin."""
    opts, sets = _value_flags(argv, "")
    if not sets or (len(sets) < 2 and "d" not in opts and "s" not in opts):
        proc.err.write("BusyBox v1.36.1 multi-call binary.\n\nUsage: tr [-cds] STRING1 [STRING2]\n")
        return (yield from _done(1))
    first = _tr_set(sets[0])
    if "d" in opts:
        text = "".join(c for c in proc.stdin if c not in first)
    else:
        second = _tr_set(sets[1]) if len(sets) > 1 else first
        second = (second + second[-1:] * len(first))[:len(first)] if second else second
        table = {ord(a): b for a, b in zip(first, second)}
        text = proc.stdin.translate(table)
    if "s" in opts:
        squeeze = _tr_set(sets[-1])
        text = re.sub("([" + re.escape(squeeze) + r"])\1+", r"\1", text) if squeeze else text
    proc.out.write(text)
    return (yield from _done(0))


@program("seq")
def seq(proc: Proc, argv: list[str]) -> ProgramGen:
    nums = [int(a) for a in argv[1:]]
    first, step, last = (1, 1, nums[0]) if len(nums) == 1 else \
        (nums[0], 1, nums[1]) if len(nums) == 2 else (nums[0], nums[1], nums[2])
    proc.out.write("".join(f"{n}\n" for n in range(first, last + (1 if step > 0 else -1), step)))
    return (yield from _done(0))


@program("basename")
def basename(proc: Proc, argv: list[str]) -> ProgramGen:
    proc.out.write(posixpath.basename(argv[1].rstrip("/")) + "\n" if len(argv) > 1 else "\n")
    return (yield from _done(0))


@program("dirname")
def dirname(proc: Proc, argv: list[str]) -> ProgramGen:
    proc.out.write((posixpath.dirname(argv[1].rstrip("/")) or ".") + "\n" if len(argv) > 1 else "\n")
    return (yield from _done(0))


# -- time and identity ----------------------------------------------------------------------------
@program("sleep")
def sleep(proc: Proc, argv: list[str]) -> ProgramGen:
    if len(argv) < 2:
        proc.err.write("sleep: missing operand\n" if _gnu(proc) else
                       "BusyBox v1.36.1 multi-call binary.\n\nUsage: sleep [N]...\n")
        return (yield from _done(1))
    total = 0.0
    for arg in argv[1:]:
        seconds = parse_duration(arg)
        if seconds is None:
            proc.err.write(f"sleep: invalid time interval '{arg}'\n" if _gnu(proc)
                           else f"sleep: invalid number '{arg}'\n")
            return (yield from _done(1))
        total += seconds
    yield Sleep(total)
    return 0


def parse_duration(text: str) -> Optional[float]:
    """``5``, ``0.5``, ``2m``, ``1h``, ``infinity`` → seconds (None if invalid)."""
    if text in ("inf", "infinity"):
        return math.inf
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", text)
    if not match:
        return None
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


@program("date")
def date(proc: Proc, argv: list[str]) -> ProgramGen:
    now = datetime.fromtimestamp(proc.host.now(), tz=timezone.utc)
    fmt = next((a[1:] for a in argv[1:] if a.startswith("+")), "%a %b %e %H:%M:%S UTC %Y")
    proc.out.write(now.strftime(fmt.replace("%N", f"{now.microsecond * 1000:09d}")) + "\n")
    return (yield from _done(0))


@program("hostname")
def hostname(proc: Proc, argv: list[str]) -> ProgramGen:
    if "-i" in argv[1:]:
        proc.out.write(proc.host.pod_ip + "\n")
    else:
        proc.out.write(proc.host.hostname + "\n")
    return (yield from _done(0))


@program("whoami")
def whoami(proc: Proc, argv: list[str]) -> ProgramGen:
    proc.out.write("root\n")
    return (yield from _done(0))


@program("id")
def id_(proc: Proc, argv: list[str]) -> ProgramGen:
    proc.out.write("uid=0(root) gid=0(root) groups=0(root),10(wheel)\n" if not _gnu(proc)
                   else "uid=0(root) gid=0(root) groups=0(root)\n")
    return (yield from _done(0))


@program("uname")
def uname(proc: Proc, argv: list[str]) -> ProgramGen:
    proc.out.write("Linux\n" if len(argv) == 1 else
                   f"Linux {proc.host.hostname} 6.8.0 #1 SMP x86_64 GNU/Linux\n")
    return (yield from _done(0))


# -- processes ------------------------------------------------------------------------------------
@program("ps")
def ps(proc: Proc, argv: list[str]) -> ProgramGen:
    proc.out.write("PID   USER     TIME  COMMAND\n")
    for pid, name in proc.host.processes():
        proc.out.write(f"{pid:>5} root      0:00 {name}\n")
    return (yield from _done(0))


@program("kill")
def kill(proc: Proc, argv: list[str]) -> ProgramGen:
    sig, targets = "TERM", []
    for arg in argv[1:]:
        if arg.startswith("-") and not targets:
            sig = signal_name(arg[1:].removeprefix("s ").strip() or "TERM")
        else:
            targets.append(arg)
    status = 0
    for target in targets:
        if not target.isdigit() or not proc.host.signal(int(target), sig):
            proc.err.write(f"kill: can't kill pid {target}: No such process\n"
                           if not _gnu(proc) else f"kill: ({target}) - No such process\n")
            status = 1
    return (yield from _done(status))


@program("killall", "pkill")
def killall(proc: Proc, argv: list[str]) -> ProgramGen:
    sig, names = "TERM", []
    for arg in argv[1:]:
        if arg.startswith("-") and not names:
            sig = signal_name(arg[1:])
        else:
            names.append(arg)
    status = 0
    for name in names:
        if not proc.host.signal(name, sig):
            if argv[0] != "pkill":
                proc.err.write(f"killall: {name}: no process killed\n")
            status = 1
    return (yield from _done(status))


# -- network --------------------------------------------------------------------------------------
#: Where libc sends queries when /etc/resolv.conf names no nameserver (nothing answers there
#: in a pod).
LOOPBACK_NAMESERVER = "127.0.0.1"


def _cluster_nameserver(proc: Proc) -> str:
    """The cluster DNS Service's IP (kube-dns, 10.96.0.10): the one resolver that knows the
    cluster's names."""
    return getattr(proc.host.network, "nameserver", "10.96.0.10")


def _resolv_conf(proc: Proc) -> tuple[str, list[str], int]:
    """(first nameserver, search list, ndots) from /etc/resolv.conf, as libc reads it (no
    file: the cluster's nameserver, as a container outside Kubernetes would not have)."""
    nameserver = ""
    search: list[str] = []
    ndots = 1
    try:
        text = proc.host.fs.read_text("/etc/resolv.conf")
    except FsError:
        return _cluster_nameserver(proc), search, ndots
    for line in text.splitlines():
        fields = line.split()
        if fields[:1] == ["nameserver"] and len(fields) > 1:
            nameserver = nameserver or fields[1]
        elif fields[:1] == ["search"]:
            search = fields[1:]
        elif fields[:1] == ["options"]:
            for opt in fields[1:]:
                if opt.startswith("ndots:"):
                    ndots = int(opt[6:])
    return nameserver or LOOPBACK_NAMESERVER, search, ndots


def _is_ip(name: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", name))


@dataclass(frozen=True)
class _Rr:
    """One resource record of a reply (the shape of labkube.core.network's ``Record``)."""

    name: str
    type: str
    value: str


@dataclass(frozen=True)
class _Reply:
    """One DNS reply: ``rcode`` (``NOERROR``/``NXDOMAIN``), records, the AA bit."""

    rcode: str
    records: tuple = ()
    authoritative: bool = True


#: The rcode of a query that never got a reply (the network dropped it: a NetworkPolicy).
NO_REPLY = "TIMEOUT"
#: What a lookup nobody answers costs libc: resolv.conf's defaults, timeout:5 x attempts:2;
#: glibc then gives up instead of trying the next search domain.
RESOLVER_GIVES_UP = 10


def dns_query(proc: Proc, name: str, qtype: str = "A", server: Optional[str] = None):
    """Ask ``server`` (the pod's first nameserver) one question. Only the cluster DNS knows
    the cluster's names; any other server is the node's resolver (``dnsPolicy: Default``),
    which knows what cluster DNS would forward upstream and nothing of the cluster. A
    network without ``query`` only answers A. A query the network drops (it raises
    ``TimeoutError``) gets a reply whose rcode is :data:`NO_REPLY`."""
    try:
        return _ask(proc, name, qtype, server)
    except TimeoutError:
        return _Reply(NO_REPLY)


def _ask(proc: Proc, name: str, qtype: str, server: Optional[str]):
    network = proc.host.network
    if server is None:
        server = _resolv_conf(proc)[0]
    if server != _cluster_nameserver(proc):
        return _upstream_query(proc, name, qtype)
    asked = getattr(network, "query", None)
    if asked is not None:
        return asked(name, qtype)
    ip = network.resolve(name) if network is not None else None
    if ip is None:
        return _Reply("NXDOMAIN")
    return _Reply("NOERROR", (_Rr(name, "A", ip),) if qtype == "A" else ())


def _upstream_query(proc: Proc, name: str, qtype: str):
    """The node's resolver: outside names as cluster DNS forwards them; NXDOMAIN for the rest
    (``web.default.svc.cluster.local`` means nothing outside the cluster)."""
    asked = getattr(proc.host.network, "query", None)
    reply = asked(name, qtype) if asked is not None else None
    if reply is None or getattr(reply, "authoritative", True):
        return _Reply("NXDOMAIN", authoritative=False)
    return reply


def _hosts_file(proc: Proc, name: str) -> Optional[list[str]]:
    """IPv4 addresses ``/etc/hosts`` gives ``name`` (libc reads it before DNS); None without it."""
    try:
        text = proc.host.fs.read_text("/etc/hosts")
    except FsError:
        return None
    return [fields[0] for fields in (line.split("#", 1)[0].split() for line in text.splitlines())
            if len(fields) > 1 and name in fields[1:] and _is_ip(fields[0])]


def _local_names(proc: Proc, name: str) -> list[str]:
    """What libc finds for ``name`` before asking DNS: /etc/hosts, else localhost and the pod."""
    listed = _hosts_file(proc, name)
    if listed is not None:
        return listed
    if name in ("localhost", "localhost.localdomain"):
        return ["127.0.0.1"]
    return [proc.host.pod_ip] if name == proc.host.hostname else []


def search_candidates(proc: Proc, name: str) -> list[str]:
    """The names libc's resolver tries, in order: with ``ndots`` or more dots as-is first."""
    if name.endswith("."):
        return [name[:-1]]
    _, search, ndots = _resolv_conf(proc)
    qualified = [f"{name}.{domain}" for domain in search]
    return [name] + qualified if name.count(".") >= ndots else qualified + [name]


def resolve_all(proc: Proc, name: str) -> Optional[tuple[str, tuple[str, ...]]]:
    """(name found, every IPv4 address) as getaddrinfo() finds them in a pod, or None."""
    if _is_ip(name):
        return name, (name,)
    local = _local_names(proc, name)
    if local:
        return name, tuple(local)
    if proc.host.network is None:
        return None
    for candidate in search_candidates(proc, name):
        reply = dns_query(proc, candidate, "A")
        if reply.rcode == NO_REPLY:  # the server does not answer: the search stops
            return None
        addresses = tuple(r.value for r in reply.records if r.type == "A")
        if addresses:
            return candidate, addresses
    return None


def lookup_timed_out(proc: Proc, name: str) -> bool:
    """Did looking ``name`` up get no reply at all (its DNS query was dropped)?"""
    if _is_ip(name) or proc.host.network is None or _local_names(proc, name):
        return False
    candidates = search_candidates(proc, name)
    return bool(candidates) and dns_query(proc, candidates[0], "A").rcode == NO_REPLY


def wait_for_resolver(proc: Proc, name: str) -> ProgramGen:
    """A failed lookup whose query got no reply returns only when libc's resolver gives up."""
    if lookup_timed_out(proc, name):
        yield Sleep(RESOLVER_GIVES_UP)
    return 0


def resolve(proc: Proc, name: str) -> Optional[tuple[str, str]]:
    """(fqdn, first ip) for ``name`` the way a pod's resolver finds it, or None."""
    found = resolve_all(proc, name)
    return (found[0], found[1][0]) if found else None


def reverse_lookup(proc: Proc, ip: str) -> Optional[str]:
    """getnameinfo(): the name /etc/hosts or a PTR query gives ``ip``, or None."""
    try:
        hosts = proc.host.fs.read_text("/etc/hosts")
    except FsError:
        hosts = ""
    for fields in (line.split("#", 1)[0].split() for line in hosts.splitlines()):
        if len(fields) > 1 and fields[0] == ip:
            return fields[1]
    if proc.host.network is None:
        return None
    reply = dns_query(proc, ".".join(reversed(ip.split("."))) + ".in-addr.arpa", "PTR")
    return next((r.value for r in reply.records if r.type == "PTR"), None)


# -- nslookup: two applets, chosen by the busybox release of the image ---------------------------
def _busybox_release(proc: Proc) -> tuple[int, ...]:
    profile = getattr(proc.host, "profile", None)
    if profile is None or not hasattr(profile, "busybox_release"):
        return ()
    return profile.busybox_release(getattr(proc.host, "image_tag", ""))


def _libc_nslookup_block(proc: Proc, header: str, name: str, addresses: tuple[str, ...]) -> str:
    """busybox <= 1.28 print_host(): ``%-10s %s`` then ``Address N: IP REVERSE``."""
    lines = [f"{header:<10} {name}\n"]
    for index, ip in enumerate(addresses, 1):
        reverse = reverse_lookup(proc, ip)
        lines.append(f"Address {index}: {ip}" + (f" {reverse}\n" if reverse else "\n"))
    return "".join(lines)


def _nslookup_libc(proc: Proc, name: str, server: str) -> ProgramGen:
    """busybox 1.28 and before: getaddrinfo() with the pod's search path; the name as typed."""
    proc.out.write(_libc_nslookup_block(proc, "Server:", server, (server,)) + "\n")
    found = resolve_all(proc, name)
    if found is None:
        yield from wait_for_resolver(proc, name)
        proc.err.write(f"nslookup: can't resolve '{name}'\n")
        return (yield from _done(1))
    proc.out.write(_libc_nslookup_block(proc, "Name:", name, found[1]))
    return (yield from _done(0))


def _lede_queries(proc: Proc, name: str, qtype: str, search: bool) -> list[tuple[str, str]]:
    """The queries busybox 1.29+ sends: PTR for an IP; else each type (A, then AAAA) for the
    name, or (1.30+, a name without a dot) for the name under each search domain."""
    if _is_ip(name) and not qtype:
        return [(".".join(reversed(name.split("."))) + ".in-addr.arpa", "PTR")]
    _, domains, _ = _resolv_conf(proc)
    if not domains and "." in proc.host.hostname:
        domains = [proc.host.hostname.split(".", 1)[1]]
    names = [f"{name}.{d}" for d in domains] if search and domains and "." not in name else [name]
    return [(n, t) for t in ([qtype] if qtype else ["A", "AAAA"]) for n in names]


_RECORD_FORMATS = {"A": "Name:\t{name}\nAddress: {value}\n", "AAAA": "Name:\t{name}\nAddress: {value}\n",
                   "CNAME": "{name}\tcanonical name = {value}\n", "PTR": "{name}\tname = {value}\n",
                   "NS": "{name}\tnameserver = {value}\n"}


def _lede_reply(qname: str, reply) -> str:
    """One reply as busybox 1.29+ prints it, with the empty line that closes it."""
    if reply.rcode != "NOERROR":
        return f"** server can't find {qname}: {reply.rcode}\n\n"
    text = "" if reply.authoritative else "Non-authoritative answer:\n"
    for record in reply.records:
        template = _RECORD_FORMATS.get(record.type)
        if template:
            text += template.format(name=record.name, value=record.value)
    return text + "\n"


def _nslookup_lede(proc: Proc, name: str, server: str, qtype: str,
                   release: tuple[int, ...]) -> ProgramGen:
    """busybox 1.29 and later (the LEDE/OpenWrt applet): its own DNS queries, every reply shown."""
    if proc.host.network is None:
        yield Sleep(5)  # the default -timeout=5, with nothing answering
        proc.out.write(";; connection timed out; no servers could be reached\n\n")
        return 1
    search = not release or release >= (1, 30)
    queries = _lede_queries(proc, name, qtype, search)
    if queries and dns_query(proc, queries[0][0], queries[0][1], server).rcode == NO_REPLY:
        yield Sleep(5)  # the default -timeout=5: the query was dropped
        proc.out.write(";; connection timed out; no servers could be reached\n\n")
        return 1
    proc.out.write(f"Server:\t\t{server}\nAddress:\t{server}:53\n\n")
    status = 0
    for qname, asked in queries:
        reply = dns_query(proc, qname, asked, server)
        status = status or int(reply.rcode != "NOERROR")
        proc.out.write(_lede_reply(qname, reply))
    return (yield from _done(status if search else 0))


# -- nslookup of BIND 9 (bind-tools / dnsutils: agnhost, the DNS debugging page's pod) ---------
def _bind_candidates(proc: Proc, name: str) -> list[str]:
    """The names BIND's nslookup asks, in order: with fewer dots than ``ndots``, the name
    under each search domain first, then as typed; otherwise as typed first."""
    if name.endswith("."):
        return [name.rstrip(".")]
    _, domains, ndots = _resolv_conf(proc)
    searched = [f"{name}.{d}" for d in domains]
    return [*searched, name] if name.count(".") < ndots else [name, *searched]


def _bind_records(reply) -> str:
    """A reply's records as BIND's nslookup prints them (names it points to end in a dot)."""
    text = ""
    for record in reply.records:
        if record.type in ("A", "AAAA"):
            text += f"Name:\t{record.name}\nAddress: {record.value}\n"
        elif record.type == "CNAME":
            text += f"{record.name}\tcanonical name = {record.value.rstrip('.')}.\n"
        elif record.type == "PTR":
            text += f"{record.name}\tname = {record.value.rstrip('.')}.\n"
        elif record.type == "SRV":
            text += (f"{record.name}\tservice = {record.priority} {record.weight} {record.port} "
                     f"{record.value.rstrip('.')}.\n")
    return text


def _nslookup_bind(proc: Proc, name: str, server: str, qtype: str) -> ProgramGen:
    """BIND 9's ``nslookup``: the search list, the first name that exists (its A, then AAAA,
    records), ``Address: SERVER#53``; ``** server can't find NAME: NXDOMAIN`` when none does."""
    timed_out = ";; connection timed out; no servers could be reached\n\n"
    if proc.host.network is None:
        yield Sleep(5)
        proc.out.write(timed_out)
        return 1
    if _is_ip(name) and not qtype:
        candidates, types = [".".join(reversed(name.split("."))) + ".in-addr.arpa"], ["PTR"]
    else:
        candidates, types = _bind_candidates(proc, name), [qtype] if qtype else ["A", "AAAA"]
    header = f"Server:\t\t{server}\nAddress:\t{server}#53\n\n"
    for qname in candidates:
        reply = dns_query(proc, qname, types[0], server)
        if reply.rcode == NO_REPLY:
            yield Sleep(5)  # the default timeout, with nothing answering
            proc.out.write(timed_out)
            return 1
        if reply.rcode != "NOERROR":
            continue
        replies = [reply, *(dns_query(proc, qname, t, server) for t in types[1:])]
        lines = [line for r in replies if r.rcode == "NOERROR" for line in _bind_records(r).splitlines(True)]
        body = "".join(line for i, line in enumerate(lines)  # a CNAME shown once, not per type
                       if "\tcanonical name = " not in line or line not in lines[:i])
        answer = "" if all(r.authoritative for r in replies) else "Non-authoritative answer:\n"
        proc.out.write(header + answer + body + "\n")
        return 0
    proc.out.write(f"{header}** server can't find {name}: NXDOMAIN\n\n")
    return 1


@program("nslookup")
def nslookup(proc: Proc, argv: list[str]) -> ProgramGen:
    """``nslookup [-type=T] HOST [SERVER]``: BIND's where the image has bind-tools, else the
    applet of the image's busybox release."""
    options = [a for a in argv[1:] if a.startswith("-")]
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        proc.err.write("Usage: nslookup [HOST] [SERVER]\n")
        return (yield from _done(1))
    server = names[1] if len(names) > 1 else _resolv_conf(proc)[0]
    release = _busybox_release(proc)
    qtype = next((o.split("=", 1)[1].upper() for o in options
                  if o.split("=", 1)[0] in ("-type", "-querytype", "-query", "-q") and "=" in o), "")
    if "bind-tools" in getattr(proc.host, "features", ()):
        return (yield from _nslookup_bind(proc, names[0], server, qtype))
    if "nslookup-legacy" in getattr(proc.host, "features", ()) or (release and release < (1, 29)):
        return (yield from _nslookup_libc(proc, names[0], server))
    return (yield from _nslookup_lede(proc, names[0], server, qtype, release))


def default_port(scheme: str) -> int:
    """The port a URL without one means: 443 for https, 80 otherwise."""
    return 443 if scheme == "https" else 80


def http_fetch(proc: Proc, url: str) -> tuple[str, HttpResponse]:
    """GET ``url`` from inside the container: (ip, response); raises LookupError/ConnectionFailed."""
    return http_exchange(proc, url)


def http_exchange(proc: Proc, url: str, *, method: str = "GET", headers: Optional[dict] = None,
                  body: bytes = b"", tls=None) -> tuple[str, HttpResponse]:
    """One HTTP request from inside the container: (ip, response); raises LookupError,
    ConnectionFailed, or what ``tls.handshake`` raises (see :mod:`.tls`) for an https URL."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or default_port(parts.scheme)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    found = resolve(proc, host)
    if found is None:
        raise LookupError(host)
    fqdn, ip = found
    headers = {"Host": host if parts.port is None else f"{host}:{parts.port}", **(headers or {})}
    if ip.startswith("127.") or ip == proc.host.pod_ip:
        return ip, proc.host.local_http(port, path, headers, "127.0.0.1")
    if proc.host.network is None:
        raise ConnectionFailed("Network is unreachable")
    netloc = fqdn if parts.port is None else f"{fqdn}:{parts.port}"
    target = f"{parts.scheme or 'http'}://{netloc}{path}"
    exchange = getattr(proc.host.network, "http_request", None)  # a Network may only offer GET
    if exchange is None or (method == "GET" and not body and tls is None and len(headers) == 1):
        return ip, proc.host.network.http_get(target)
    return ip, exchange(target, method=method, headers=headers, body=body, tls=tls)


_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 301: "Moved Permanently", 302: "Found",
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 415: "Unsupported Media Type",
            422: "Unprocessable Entity", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable"}


def reason_phrase(status: int) -> str:
    return _REASONS.get(status, "")


#: Seconds Linux takes to give up on a connect nobody answers: SYN retries 1+2+4+…+64 s
#: (net.ipv4.tcp_syn_retries = 6).
TCP_CONNECT_GIVES_UP = 127
_WGET_VALUE_FLAGS = "OoPYUTt"  # busybox wget's getopt "cqSO:o:P:Y:U:T:+t:n::"


def _wget_options(argv: list[str]) -> tuple[dict, list[str]]:
    """busybox wget's options (``-qO- URL``, ``-T 5``, ``--timeout=5``…) and its URLs."""
    opts: dict = {"quiet": False, "O": None, "T": None, "U": None, "header": [], "no-check-certificate": False,
                  "post-data": None}
    urls, i = [], 1
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            key = {"output-document": "O", "timeout": "T", "quiet": "quiet", "user-agent": "U",
                   "header": "header", "no-check-certificate": "no-check-certificate",
                   "post-data": "post-data"}.get(name)
            if key in ("quiet", "no-check-certificate"):
                opts[key] = True
            elif key == "header":
                if not eq and i + 1 < len(argv):
                    value, i = argv[i + 1], i + 1
                opts["header"].append(value)
            elif key and not eq and i + 1 < len(argv):
                opts[key], i = argv[i + 1], i + 1
            elif key:
                opts[key] = value
        elif arg.startswith("-") and len(arg) > 1:
            i = _wget_short_flags(argv, i, opts)
        else:
            urls.append(arg)
        i += 1
    return opts, urls


def _wget_short_flags(argv: list[str], i: int, opts: dict) -> int:
    """One cluster of short flags (``-qT2``); returns the index of the last argument used."""
    letters = argv[i][1:]
    for index, letter in enumerate(letters):
        if letter == "q":
            opts["quiet"] = True
        elif letter in _WGET_VALUE_FLAGS:
            value = letters[index + 1:]
            if not value and i + 1 < len(argv):
                value, i = argv[i + 1], i + 1
            opts[letter] = value
            break
    return i


def _connect_failed(proc: Proc, err: ConnectionFailed, ip: str, timeout: Optional[str]) -> ProgramGen:
    """A refused connect fails at once; an unanswered one waits for -T's alarm or the kernel."""
    if "refused" in err.message:
        proc.err.write(f"wget: can't connect to remote host ({ip}): Connection refused\n")
        return (yield from _done(1))
    alarm = int(timeout) if timeout and timeout.isdigit() else 0
    if 0 < alarm < TCP_CONNECT_GIVES_UP:
        yield Sleep(alarm)
        proc.err.write("wget: download timed out\n")
        return 1
    yield Sleep(TCP_CONNECT_GIVES_UP)
    proc.err.write(f"wget: can't connect to remote host ({ip}): Connection timed out\n")
    return 1


def _wget_request(opts: dict, secure: bool) -> dict:
    """http_exchange's arguments for busybox wget: its ``User-Agent: Wget``, ``--header``s,
    ``--post-data`` (a POST), and a TLS side that never verifies."""
    if not secure and not opts["header"] and opts["post-data"] is None and opts["U"] is None:
        return {}
    headers = {"User-Agent": opts["U"] or "Wget"}
    for line in opts["header"]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    request: dict = {"headers": headers}
    if opts["post-data"] is not None:
        request.update(method="POST", body=opts["post-data"].encode())
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if secure:
        request["tls"] = ClientTLS("", None)
    return request


@program("wget")
def wget(proc: Proc, argv: list[str]) -> ProgramGen:
    """busybox wget: ``wget [-q] [-O FILE|-] [-T SEC] URL`` (networking/wget.c's messages)."""
    opts, urls = _wget_options(argv)
    quiet, output = opts["quiet"], opts["O"]
    if not urls:
        proc.err.write("wget: missing URL\n")
        return (yield from _done(1))
    url = urls[0]
    parts = urlsplit(url if "://" in url else "http://" + url)
    host, port = parts.hostname or "", parts.port or default_port(parts.scheme)
    secure = parts.scheme == "https"
    try:
        ip, response = http_exchange(proc, url, **_wget_request(opts, secure))
    except LookupError:
        yield from wait_for_resolver(proc, host)
        proc.err.write(f"wget: bad address '{host}'\n")
        return (yield from _done(1))
    except ConnectionFailed as err:
        found = resolve(proc, host)
        ip = found[1] if found else host
        if not quiet:
            proc.err.write(f"Connecting to {host} ({ip}:{port})\n")
        return (yield from _connect_failed(proc, err, ip, opts["T"]))
    if not quiet:
        proc.err.write(f"Connecting to {host} ({ip}:{port})\n")
    if secure and not opts["no-check-certificate"]:
        proc.err.write(BUSYBOX_TLS_NOTE)
    if response.status >= 400:
        proc.err.write(f"wget: server returned error: HTTP/1.1 {response.status} "
                       f"{reason_phrase(response.status)}\n")
        return (yield from _done(1))
    target = output or posixpath.basename(urlsplit(url).path) or "index.html"
    if target == "-":
        if not quiet:
            proc.err.write("writing to stdout\n")
        proc.out.write(response.body)
    else:
        try:
            proc.host.fs.write(normpath(target, proc.cwd), response.body)
        except FsError as err:
            proc.err.write(f"wget: can't open '{target}': {err.strerror}\n")
            return (yield from _done(1))
        if not quiet:
            proc.err.write(f"saving to '{target}'\n{target:<20} 100% |********************"
                           f"***********| {len(response.body.encode()):>5}  0:00:00 ETA\n"
                           f"'{target}' saved\n")
    return (yield from _done(0))


def static_files(proc: Proc, root: str, server: str):
    """An HTTP handler serving files under ``root`` of the container's filesystem."""
    fs = proc.host.fs

    def handler(method: str, path: str, headers: dict, client_ip: str) -> HttpResponse:
        target = normpath(path.split("?", 1)[0], "/")
        full = normpath(target.lstrip("/"), root)
        if fs.is_dir(full):
            index = posixpath.join(full, "index.html")
            if fs.is_file(index):
                return HttpResponse(200, fs.read_text(index), (("Server", server),))
            return HttpResponse(403, error_page(403, server), (("Server", server),))
        if fs.is_file(full):
            return HttpResponse(200, fs.read_text(full), (("Server", server),))
        return HttpResponse(404, error_page(404, server), (("Server", server),))

    return handler


def error_page(status: int, server: str) -> str:
    title = f"{status} {reason_phrase(status)}"
    if server.startswith("nginx"):
        return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}"
                f"</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n")
    return (f"<HTML><HEAD><TITLE>{title}</TITLE></HEAD>\n<BODY><H1>{title}</H1>\n"
            f"The requested URL was not found\n</BODY></HTML>\n")


@program("httpd")
def busybox_httpd(proc: Proc, argv: list[str]) -> ProgramGen:
    """busybox httpd: ``httpd [-f] [-p PORT] [-h HOME]`` serves files (HOME defaults to cwd)."""
    if getattr(proc.host, "toolset", "busybox") != "busybox":
        from labkube.runtime.sim.process import PROGRAMS
        return (yield from PROGRAMS["httpd-foreground"](proc, argv))
    port, home, foreground, i = 80, proc.cwd, False, 1
    while i < len(argv):
        if argv[i] == "-p" and i + 1 < len(argv):
            port, i = int(argv[i + 1].rsplit(":", 1)[-1]), i + 1
        elif argv[i] == "-h" and i + 1 < len(argv):
            home, i = normpath(argv[i + 1], proc.cwd), i + 1
        elif argv[i].startswith("-") and "f" in argv[i]:
            foreground = True
        i += 1
    handler = static_files(proc, home, "busybox httpd")

    def serve() -> ProgramGen:
        if not proc.host.listen(proc.pid, port, handler):
            proc.err.write("httpd: bind: Address already in use\n")
            return 1
        yield FOREVER
        return 0

    if foreground:
        return (yield from serve())
    proc.host.spawn(proc, serve(), "httpd")
    return (yield from _done(0))


def _nc_wait(args: list[str]) -> tuple[list[str], int]:
    """The arguments without ``-w SECS`` / ``-wSECS``, and that timeout (0: none)."""
    rest, wait, i = [], 0, 0
    while i < len(args):
        arg = args[i]
        if arg == "-w" and i + 1 < len(args):
            wait, i = int(args[i + 1]) if args[i + 1].isdigit() else 0, i + 1
        elif arg.startswith("-w") and arg[2:].isdigit():
            wait = int(arg[2:])
        else:
            rest.append(arg)
        i += 1
    return rest, wait


@program("nc")
def nc(proc: Proc, argv: list[str]) -> ProgramGen:
    """``nc -z [-w SECS] HOST PORT`` checks a port; ``nc -l -p PORT`` listens (TCP only).

    A connection nobody answers (the SYN was dropped) waits for ``-w`` or for the kernel."""
    args, wait = _nc_wait(argv[1:])
    if "-l" in args or "-lk" in args:
        port = int(args[args.index("-p") + 1]) if "-p" in args else int(args[-1])
        if not proc.host.listen(proc.pid, port, None):
            proc.err.write("nc: bind: Address in use\n")
            return (yield from _done(1))
        yield FOREVER
        return 0
    positional = [a for a in args if not a.startswith("-")]
    if len(positional) < 2:
        proc.err.write("nc: missing hostname/port\n")
        return (yield from _done(1))
    found = resolve(proc, positional[0])
    if found is None:
        yield from wait_for_resolver(proc, positional[0])
        proc.err.write(f"nc: bad address '{positional[0]}'\n")
        return (yield from _done(1))
    port = int(positional[1])
    tcp_connect = getattr(proc.host.network, "tcp_connect", None)
    if found[1].startswith("127.") or found[1] == proc.host.pod_ip:
        ok = proc.host.local_tcp(port)
    elif tcp_connect is not None:  # a TCP handshake, whatever the server speaks (redis, mysql)
        try:
            tcp_connect(found[1], port)
            ok = True
        except ConnectionFailed as err:
            ok = False
            if "timeout" in err.message:
                yield Sleep(wait if 0 < wait < TCP_CONNECT_GIVES_UP else TCP_CONNECT_GIVES_UP)
    else:
        try:
            proc.host.network.http_get(f"http://{found[0]}:{port}/")  # type: ignore[union-attr]
            ok = True
        except ConnectionFailed:
            ok = False
    return (yield from _done(0 if ok else 1))


# -- ping: busybox's ICMP echo (networking/ping.c) -------------------------------------------------
#: The simulated network has no queues, so a round trip costs a fixed time per router on the way
#: back: the pod itself, a pod on the same node (through the node), a pod on another node.
PING_RTT_MS = {0: 0.031, 1: 0.058, 2: 0.214}
PING_DEFAULT_TIMEOUT = 10.0  # -W: seconds to wait for the first response


def _ping_options(argv: list[str]) -> Optional[tuple[dict, list[str]]]:
    opts = {"c": None, "W": PING_DEFAULT_TIMEOUT, "w": None, "i": 1.0, "q": False}
    rest, args = [], iter(argv[1:])
    for arg in args:
        if arg == "-q":
            opts["q"] = True
        elif arg[:2] in ("-c", "-W", "-w", "-i") and len(arg) >= 2:
            value = arg[2:] or next(args, None)
            if value is None:
                return None
            try:
                opts[arg[1]] = int(value) if arg[1] == "c" else float(value)
            except ValueError:
                return None
        else:
            rest.append(arg)
    return opts, rest


def _ms(value: float) -> str:
    return f"{value:.3f}"


@program("ping")
def ping(proc: Proc, argv: list[str]) -> ProgramGen:
    """``ping [-q] [-c CNT] [-W SEC] [-w SEC] [-i SEC] HOST``: one echo per interval, a reply
    line for each answer, then the statistics; exit 0 if any reply came back."""
    parsed = _ping_options(argv)
    if parsed is None or not parsed[1]:
        proc.err.write("BusyBox v1.36.1 multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n")
        return (yield from _done(1))
    opts, (host, *_) = parsed
    found = resolve(proc, host)
    if found is None:
        yield from wait_for_resolver(proc, host)
        proc.err.write(f"ping: bad address '{host}'\n")
        return (yield from _done(1))
    ip = found[1]
    proc.out.write(f"PING {host} ({ip}): 56 data bytes\n")
    if ip.startswith("127.") or ip == proc.host.pod_ip:
        reply: Optional[tuple[str, int]] = ("", 0)
    else:
        echo = getattr(proc.host.network, "echo", None)
        reply = echo(ip) if echo is not None else None
    sent, times, elapsed = 0, [], 0.0
    count, deadline = opts["c"], opts["w"]
    while (count is None or sent < count) and (deadline is None or elapsed < deadline):
        sent += 1
        if reply is not None:
            times.append(PING_RTT_MS[reply[1]])
            if not opts["q"]:
                proc.out.write(f"64 bytes from {ip}: seq={sent - 1} ttl={64 - reply[1]} time={_ms(times[-1])} ms\n")
        if count is not None and sent >= count and (reply is not None or deadline is not None):
            break
        wait = opts["W"] if count is not None and sent >= count else opts["i"]
        if deadline is not None:
            wait = min(wait, deadline - elapsed)
        yield Sleep(wait)
        elapsed += wait
        if count is not None and sent >= count:
            break
    proc.out.write(f"\n--- {host} ping statistics ---\n")
    loss = (sent - len(times)) * 100 // sent if sent else 0
    proc.out.write(f"{sent} packets transmitted, {len(times)} packets received, {loss}% packet loss\n")
    if times:
        proc.out.write(f"round-trip min/avg/max = {_ms(min(times))}/{_ms(sum(times) / len(times))}/{_ms(max(times))} ms\n")
    return (yield from _done(0 if times else 1))
