"""The command-line utilities of a simulated container: busybox applets and their GNU cousins.

Mirrors the small programs Kubernetes examples run inside containers: ``echo``, ``printf``,
``printenv``, ``env``, ``cat``, ``touch``, ``rm``, ``mkdir``, ``test``/``[``, ``ls``, ``date``
(the cluster clock), ``hostname``, ``sleep``, ``tail``, ``head``, ``wc``, ``grep``, ``seq``,
``kill``, ``killall``, ``ps``, ``nslookup``, ``wget``, ``curl``, busybox ``httpd`` and ``nc``.
Error texts follow busybox (``cat: can't open 'x': No such file or directory``) or, in images
built on Debian, GNU coreutils (``cat: x: No such file or directory``); the container's
``toolset`` decides. Network utilities reach other pods and Services through the injected
:class:`~labkube.runtime.cri.Network` and the pod's own ports through the sandbox, after
resolving names with the search list in the container's ``/etc/resolv.conf`` as libc does.
"""

from __future__ import annotations

import math
import posixpath
import re
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import urlsplit

from labkube.runtime.cri import ConnectionFailed, HttpResponse
from labkube.runtime.sim.fs import FsError, normpath
from labkube.runtime.sim.process import FOREVER, Proc, ProgramGen, Sleep, program
from labkube.runtime.sim.shell import signal_name


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


def _mode_line(proc: Proc, path: str, name: str) -> str:
    fs = proc.host.fs
    stamp = datetime.fromtimestamp(int(proc.host.now()), tz=timezone.utc).strftime("%b %e %H:%M")
    if fs.is_dir(path):
        return f"drwxr-xr-x    2 root     root          4096 {stamp} {name}"
    size = len(fs.read(path))
    return f"-rw-r--r--    1 root     root    {size:>10} {stamp} {name}"


@program("ls")
def ls(proc: Proc, argv: list[str]) -> ProgramGen:
    flags, paths = _flags(argv)
    status = 0
    fs = proc.host.fs
    targets = paths or ["."]
    for index, target in enumerate(targets):
        path = normpath(target, proc.cwd)
        if not fs.exists(path):
            status = 2 if _gnu(proc) else 1
            msg = (f"ls: cannot access '{target}': No such file or directory\n" if _gnu(proc)
                   else f"ls: {target}: No such file or directory\n")
            proc.err.write(msg)
            continue
        if fs.is_file(path):
            entries = [(path, target)]
        else:
            names = [n for n in fs.listdir(path) if "a" in flags or not n.startswith(".")]
            entries = [(posixpath.join(path, n), n) for n in names]
            if len(targets) > 1:
                proc.out.write(("\n" if index else "") + f"{target}:\n")
        for full, name in entries:
            proc.out.write((_mode_line(proc, full, name) if "l" in flags else name) + "\n")
    return (yield from _done(status))


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


def _lines(proc: Proc, paths: list[str]) -> Optional[str]:
    if not paths:
        return proc.stdin
    try:
        return "".join(_read(proc, p) for p in paths)
    except FsError as err:
        proc.err.write(f"{err.path}: {err.strerror}\n")
        return None


def _count_flag(args: list[str], default: int) -> tuple[int, list[str]]:
    count, rest, i = default, [], 0
    while i < len(args):
        if args[i] == "-n" and i + 1 < len(args):
            count, i = int(args[i + 1].lstrip("+")), i + 2
        elif re.fullmatch(r"-n?\d+", args[i]):
            count, i = int(args[i].lstrip("-n")), i + 1
        elif args[i].startswith("-"):
            i += 1
        else:
            rest.append(args[i])
            i += 1
    return count, rest


@program("tail")
def tail(proc: Proc, argv: list[str]) -> ProgramGen:
    follow = any(a in ("-f", "-F") for a in argv[1:])
    count, paths = _count_flag([a for a in argv[1:] if a not in ("-f", "-F")], 10)
    text = _lines(proc, paths)
    if text is None:
        return (yield from _done(1))
    lines = text.splitlines(keepends=True)
    proc.out.write("".join(lines[-count:] if count else []))
    if follow:
        yield FOREVER
    return 0


@program("head")
def head(proc: Proc, argv: list[str]) -> ProgramGen:
    count, paths = _count_flag(argv[1:], 10)
    text = _lines(proc, paths)
    if text is None:
        return (yield from _done(1))
    proc.out.write("".join(text.splitlines(keepends=True)[:count]))
    return (yield from _done(0))


@program("wc")
def wc(proc: Proc, argv: list[str]) -> ProgramGen:
    flags, paths = _flags(argv)
    text = _lines(proc, paths)
    if text is None:
        return (yield from _done(1))
    counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
    shown = [counts[f] for f in "lwc" if f in flags] or list(counts.values())
    proc.out.write(" ".join(str(c) for c in shown) + "\n")
    return (yield from _done(0))


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
def _resolv_conf(proc: Proc) -> tuple[str, list[str], int]:
    """(nameserver, search list, ndots) from /etc/resolv.conf, as libc reads it."""
    nameserver = getattr(proc.host.network, "nameserver", "10.96.0.10")
    search: list[str] = []
    ndots = 1
    try:
        text = proc.host.fs.read_text("/etc/resolv.conf")
    except FsError:
        return nameserver, search, ndots
    for line in text.splitlines():
        fields = line.split()
        if fields[:1] == ["nameserver"] and len(fields) > 1:
            nameserver = fields[1]
        elif fields[:1] == ["search"]:
            search = fields[1:]
        elif fields[:1] == ["options"]:
            for opt in fields[1:]:
                if opt.startswith("ndots:"):
                    ndots = int(opt[6:])
    return nameserver, search, ndots


def _is_ip(name: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", name))


def resolve(proc: Proc, name: str) -> Optional[tuple[str, str]]:
    """(fqdn, ip) for ``name`` the way a pod's resolver finds it, or None."""
    if _is_ip(name):
        return name, name
    if name in ("localhost", "localhost.localdomain"):
        return "localhost", "127.0.0.1"
    if name == proc.host.hostname:
        return name, proc.host.pod_ip
    network = proc.host.network
    if network is None:
        return None
    _, search, ndots = _resolv_conf(proc)
    if name.endswith("."):
        candidates = [name[:-1]]
    else:
        qualified = [f"{name}.{domain}" for domain in search]
        candidates = [name] + qualified if name.count(".") >= ndots else qualified + [name]
    for candidate in candidates:
        ip = network.resolve(candidate)
        if ip:
            return candidate, ip
    return None


@program("nslookup")
def nslookup(proc: Proc, argv: list[str]) -> ProgramGen:
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        proc.err.write("Usage: nslookup [HOST] [SERVER]\n")
        return (yield from _done(1))
    name = names[0]
    server, _, _ = _resolv_conf(proc)
    found = resolve(proc, name)
    legacy = "nslookup-legacy" in getattr(proc.host, "features", ())
    if legacy:
        proc.out.write(f"Server:    {server}\nAddress 1: {server} "
                       "kube-dns.kube-system.svc.cluster.local\n\n")
        if found is None:
            proc.err.write(f"nslookup: can't resolve '{name}'\n")
            return (yield from _done(1))
        fqdn, ip = found
        proc.out.write(f"Name:      {fqdn}\nAddress 1: {ip} {fqdn}\n")
        return (yield from _done(0))
    proc.out.write(f"Server:\t\t{server}\nAddress:\t{server}:53\n\n")
    if found is None:
        proc.out.write(f"** server can't find {name}: NXDOMAIN\n\n")
        return (yield from _done(1))
    fqdn, ip = found
    proc.out.write(f"Name:\t{fqdn}\nAddress: {ip}\n\n")
    return (yield from _done(0))


def http_fetch(proc: Proc, url: str) -> tuple[str, HttpResponse]:
    """GET ``url`` from inside the container: (ip, response); raises LookupError/ConnectionFailed."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    found = resolve(proc, host)
    if found is None:
        raise LookupError(host)
    fqdn, ip = found
    if ip.startswith("127.") or ip == proc.host.pod_ip:
        return ip, proc.host.local_http(port, path, {"Host": host}, "127.0.0.1")
    if proc.host.network is None:
        raise ConnectionFailed("Network is unreachable")
    netloc = fqdn if parts.port is None else f"{fqdn}:{parts.port}"
    return ip, proc.host.network.http_get(f"{parts.scheme or 'http'}://{netloc}{path}")


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 403: "Forbidden", 404: "Not Found",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def reason_phrase(status: int) -> str:
    return _REASONS.get(status, "")


@program("wget")
def wget(proc: Proc, argv: list[str]) -> ProgramGen:
    quiet, output, urls, i = False, None, [], 1
    while i < len(argv):
        arg = argv[i]
        if arg in ("-O", "--output-document") and i + 1 < len(argv):
            output, i = argv[i + 1], i + 2
            continue
        if arg.startswith("-") and "O" in arg and not arg.startswith("--"):
            quiet = quiet or "q" in arg
            rest = arg[arg.index("O") + 1:]
            if rest:
                output = rest
            elif i + 1 < len(argv):
                output, i = argv[i + 1], i + 1
        elif arg in ("-q", "--quiet"):
            quiet = True
        elif arg in ("-T", "--timeout"):
            i += 1
        elif not arg.startswith("-"):
            urls.append(arg)
        i += 1
    if not urls:
        proc.err.write("wget: missing URL\n")
        return (yield from _done(1))
    url = urls[0]
    host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    try:
        ip, response = http_fetch(proc, url)
    except LookupError:
        proc.err.write(f"wget: bad address '{host}'\n")
        return (yield from _done(1))
    except ConnectionFailed as err:
        found = resolve(proc, host)
        why = "Connection refused" if "refused" in err.message else "Connection timed out"
        proc.err.write(f"wget: can't connect to remote host ({found[1] if found else host}): "
                       f"{why}\n")
        return (yield from _done(1))
    port = urlsplit(url if "://" in url else "http://" + url).port or 80
    if not quiet:
        proc.err.write(f"Connecting to {host} ({ip}:{port})\n")
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


@program("curl")
def curl(proc: Proc, argv: list[str]) -> ProgramGen:
    silent, output, urls, include, fail, i = False, None, [], False, False, 1
    while i < len(argv):
        arg = argv[i]
        if arg in ("-o", "--output") and i + 1 < len(argv):
            output, i = argv[i + 1], i + 1
        elif arg.startswith("-") and not arg.startswith("--"):
            silent = silent or "s" in arg
            include = include or "i" in arg
            fail = fail or "f" in arg
        elif not arg.startswith("-"):
            urls.append(arg)
        i += 1
    if not urls:
        proc.err.write("curl: try 'curl --help' or 'curl --manual' for more information\n")
        return (yield from _done(2))
    url = urls[0]
    host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    port = urlsplit(url if "://" in url else "http://" + url).port or 80
    try:
        _, response = http_fetch(proc, url)
    except LookupError:
        proc.err.write(f"curl: (6) Could not resolve host: {host}\n")
        return (yield from _done(6))
    except ConnectionFailed:
        proc.err.write(f"curl: (7) Failed to connect to {host} port {port} after 0 ms: "
                       "Couldn't connect to server\n")
        return (yield from _done(7))
    if fail and response.status >= 400:
        proc.err.write(f"curl: (22) The requested URL returned error: {response.status}\n")
        return (yield from _done(22))
    body = response.body
    if include:
        body = f"HTTP/1.1 {response.status} {reason_phrase(response.status)}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in response.headers) + "\r\n" + body
    if output:
        proc.host.fs.write(normpath(output, proc.cwd), body)
    else:
        proc.out.write(body)
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


@program("nc")
def nc(proc: Proc, argv: list[str]) -> ProgramGen:
    """``nc -z HOST PORT`` checks a port; ``nc -l -p PORT`` listens (TCP only)."""
    args = [a for a in argv[1:]]
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
        proc.err.write(f"nc: bad address '{positional[0]}'\n")
        return (yield from _done(1))
    port = int(positional[1])
    if found[1].startswith("127.") or found[1] == proc.host.pod_ip:
        ok = proc.host.local_tcp(port)
    else:
        try:
            proc.host.network.http_get(f"http://{found[0]}:{port}/")  # type: ignore[union-attr]
            ok = True
        except ConnectionFailed:
            ok = False
    return (yield from _done(0 if ok else 1))
