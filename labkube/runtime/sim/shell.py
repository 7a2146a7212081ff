"""A small POSIX shell for simulated containers: what Kubernetes examples write in ``sh -c``.

Mirrors busybox ``ash`` (and, for Debian-based images, ``dash``): the shell that runs the
``command: ["/bin/sh", "-c", "…"]`` of most Kubernetes examples, and that ``kubectl exec`` and
exec probes run. It is an interpreter over :mod:`.shparse`'s tree, written as a generator
(see :mod:`.process`): ``sleep 5`` yields a five-second :class:`~.process.Sleep` to the runtime,
so a loop advances only with the cluster clock.

Supported grammar
-----------------
* lists: ``a; b``, newlines, ``a && b``, ``a || b``, ``! a``, pipelines ``a | b`` (each stage
  runs to completion before the next reads its output), background ``a &`` with ``wait``,
  ``$!``;
* compound commands: ``if …; then …; elif …; then …; else …; fi``, ``while …; do …; done``,
  ``until …; do …; done``, ``for x in a b c; do …; done``, ``case $x in a|b) …;; *) …;; esac``,
  ``{ …; }`` and ``( … )`` (a subshell: variable changes do not leak out), ``break``,
  ``continue``;
* words: ``'single'`` and ``"double"`` quotes, backslash escapes, ``$VAR``, ``${VAR}``,
  ``${VAR:-default}``, ``${VAR-d}``, ``${VAR:=d}``, ``${VAR:+alt}``, ``${#VAR}``, ``$?``,
  ``$$``, ``$#``, ``$0``…``$9``, ``"$@"``, ``$(command)`` and backticks, ``$((arithmetic))``
  (integers, ``+ - * / %``, comparisons, ``&& || !``), field splitting of unquoted expansions
  on whitespace, ``*``/``?`` globs in the last path component;
* assignments ``X=1``, ``X=1 cmd`` (for that command only), ``export``, ``unset``, ``set``
  (accepted, flags ignored), ``trap 'cmd' TERM INT EXIT``, ``exit N``, ``cd``, ``pwd``,
  ``eval``, ``shift``, ``read VAR`` (from a pipe or ``<`` file), ``:``;
* redirections: ``>``, ``>>``, ``<``, ``2>``, ``2>&1``, ``>&2``, ``&>``, ``/dev/null``,
  into the container's in-memory filesystem (volumes included);
* run as ``bash``, indexed arrays: ``items=(foo bar baz)``, ``${items[$i]}`` (the index is an
  arithmetic expression; negative counts from the end), ``${items[@]}``, ``${#items[@]}``.

Utilities (``echo``, ``printf``, ``test``/``[``, ``sleep``, ``cat``, ``ls``, ``wget``,
``nslookup`` …) are programs in :data:`~.process.PROGRAMS`; an image offers only the ones its
distribution ships (busybox has ``wget`` and ``nslookup``; Debian has neither). An unknown
command prints ``sh: foo: not found`` (dash: ``sh: 1: foo: not found``) and returns 127;
a syntax error returns 2. A busy loop (no ``sleep``) runs 1,000 iterations per simulated
second, so it never stops the clock.
"""

from __future__ import annotations

import ast
import fnmatch
import math
import operator
import posixpath
import re
from typing import Iterator, Optional

from labkube.runtime.sim.fs import FsError, normpath
from labkube.runtime.sim.process import (
    PROGRAMS, Capture, Discard, Proc, ProgramGen, Sleep, Wait, Writer, program,
)
from labkube.runtime.sim.shparse import (
    AndOr, Arith, ArrayLit, Case, CmdSub, For, Group, If, Lit, Loop, Node, Pipeline, Redir, Redirected,
    Sequence, ShellSyntaxError, Simple, Var, Word, parse,
)

SIGNAL_NAMES = {"1": "HUP", "2": "INT", "3": "QUIT", "9": "KILL", "15": "TERM", "0": "EXIT"}
BUSY_LOOP_BATCH = 100  # iterations without a sleep before the loop yields 0.1 s


class ShellExit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class LoopControl(Exception):
    def __init__(self, kind: str, levels: int) -> None:
        super().__init__(kind)
        self.kind = kind
        self.levels = levels


class IO:
    """The three standard streams of a command: stdin as text, stdout/stderr writers."""

    __slots__ = ("stdin", "out", "err")

    def __init__(self, stdin: str, out: Writer, err: Writer) -> None:
        self.stdin, self.out, self.err = stdin, out, err


class FileWriter:
    """Output redirected into a file: every write lands in the file at once."""

    __slots__ = ("fs", "path")

    def __init__(self, fs, path: str, append: bool) -> None:
        self.fs, self.path = fs, path
        if append:
            if not fs.exists(path):
                fs.write(path, b"")
        else:
            fs.write(path, b"")

    def write(self, text: str) -> None:
        self.fs.write(self.path, text, append=True)


def signal_name(text: str) -> str:
    """``SIGTERM``/``TERM``/``15`` → ``TERM``."""
    text = text.upper()
    text = text[3:] if text.startswith("SIG") else text
    return SIGNAL_NAMES.get(text, text)


def shell_flavour(proc: Proc) -> str:
    return getattr(proc.host, "shell", "ash")


class Shell:
    """One shell process: its variables, positional parameters, traps and last status."""

    def __init__(self, proc: Proc, argv0: str = "sh", args: tuple[str, ...] = (), bash: bool = False) -> None:
        self.proc = proc
        #: Run as ``bash``: indexed arrays are understood (kept in :attr:`arrays`).
        self.bash = bash
        self.arrays: dict[str, list[str]] = {}
        self.host = proc.host
        self.vars: dict[str, str] = dict(proc.env)
        self.exported: set[str] = set(proc.env)
        self.argv0 = argv0
        self.args = list(args)
        self.status = 0
        self.cwd = proc.cwd
        self.traps: dict[str, str] = {}
        self.last_bg = ""
        self.jobs: list[int] = []
        self.unslept = 0
        self.flavour = shell_flavour(proc)

    # -- entry points ------------------------------------------------------------------------
    def run_source(self, source: str, io: IO) -> ProgramGen:
        """Parse and run a script; returns its exit status (runs the EXIT trap)."""
        try:
            tree = parse(source, self.bash)
        except ShellSyntaxError as err:
            io.err.write(f"{self._prefix()}{err}\n")
            return 2
        try:
            status = yield from self.run(tree, io)
        except ShellExit as done:
            status = done.code
        except LoopControl:
            status = 0
        trap = self.traps.pop("EXIT", None)
        if trap:
            try:
                yield from self.run_source(trap, io)
            except ShellExit as done:
                status = done.code
        return status

    def _prefix(self) -> str:
        return f"{self.argv0}: 1: " if self.flavour == "dash" else f"{self.argv0}: "

    # -- the tree walk -------------------------------------------------------------------------
    def run(self, node: Node, io: IO) -> ProgramGen:
        method = getattr(self, "_run_" + type(node).__name__)
        status = yield from method(node, io)
        self.status = status
        return status

    def _run_Sequence(self, node: Sequence, io: IO) -> ProgramGen:
        status = self.status
        for child, background in node.items:
            if background:
                status = self._spawn(child, io)
            else:
                status = yield from self.run(child, io)
            yield from self._run_pending_traps(io)
        return status

    def _run_AndOr(self, node: AndOr, io: IO) -> ProgramGen:
        status = yield from self.run(node.first, io)
        for op, child in node.rest:
            if (op == "&&") == (status == 0):
                status = yield from self.run(child, io)
        return status

    def _run_Pipeline(self, node: Pipeline, io: IO) -> ProgramGen:
        data = io.stdin
        status = 0
        for index, child in enumerate(node.commands):
            last = index == len(node.commands) - 1
            sink = io.out if last else Capture()
            status = yield from self.run(child, IO(data, sink, io.err))
            if not last:
                data = sink.text()  # type: ignore[union-attr]
        return int(status == 0) if node.negate else status

    def _run_If(self, node: If, io: IO) -> ProgramGen:
        for cond, body in node.clauses:
            if (yield from self.run(cond, io)) == 0:
                return (yield from self.run(body, io))
        if node.orelse is not None:
            return (yield from self.run(node.orelse, io))
        return 0

    def _run_Loop(self, node: Loop, io: IO) -> ProgramGen:
        status = 0
        while True:
            cond = yield from self.run(node.cond, io)
            if (cond == 0) == node.until:
                return status
            try:
                status = yield from self.run(node.body, io)
            except LoopControl as ctl:
                if ctl.levels > 1:
                    raise LoopControl(ctl.kind, ctl.levels - 1)
                if ctl.kind == "break":
                    return 0
            yield from self._throttle()

    def _run_For(self, node: For, io: IO) -> ProgramGen:
        if node.words is None:
            values = list(self.args)
        else:
            values = yield from self.expand_words(node.words, io)
        status = 0
        for value in values:
            self.vars[node.var] = value
            try:
                status = yield from self.run(node.body, io)
            except LoopControl as ctl:
                if ctl.levels > 1:
                    raise LoopControl(ctl.kind, ctl.levels - 1)
                if ctl.kind == "break":
                    return 0
            yield from self._throttle()
        return status

    def _run_Case(self, node: Case, io: IO) -> ProgramGen:
        subject = yield from self.expand_one(node.subject, io)
        for patterns, body in node.arms:
            for pattern in patterns:
                text = yield from self.expand_one(pattern, io)
                if fnmatch.fnmatchcase(subject, text):
                    return (yield from self.run(body, io))
        return 0

    def _run_Group(self, node: Group, io: IO) -> ProgramGen:
        if not node.subshell:
            return (yield from self.run(node.body, io))
        sub = self._subshell()
        try:
            return (yield from sub.run(node.body, io))
        except ShellExit as done:
            return done.code

    def _run_Redirected(self, node: Redirected, io: IO) -> ProgramGen:
        new_io = self._redirect(node.redirs, io)
        if new_io is None:
            return 1
        return (yield from self.run(node.node, new_io))

    def _run_Simple(self, node: Simple, io: IO) -> ProgramGen:
        argv = yield from self.expand_words(node.words, io)
        assigns = []
        arrays: dict[str, list[str]] = {}
        for name, word in node.assigns:
            if word.parts and isinstance(word.parts[0], ArrayLit):
                arrays[name] = yield from self.expand_words(word.parts[0].words, io)
                assigns.append((name, arrays[name][0] if arrays[name] else ""))
            else:
                assigns.append((name, (yield from self.expand_one(word, io))))
        new_io = self._redirect(node.redirs, io)
        if new_io is None:
            return 1
        if not argv:
            status = self.status if any(isinstance(p, CmdSub) for _, w in node.assigns
                                        for p in w.parts) else 0
            for name, value in assigns:
                self.vars[name] = value
                if name in arrays:
                    self.arrays[name] = arrays[name]
                else:
                    self.arrays.pop(name, None)
            return status
        return (yield from self.command(argv, assigns, new_io))

    # -- helpers for control flow -------------------------------------------------------------
    def _throttle(self) -> ProgramGen:
        self.unslept += 1
        if self.unslept >= BUSY_LOOP_BATCH:
            self.unslept = 0
            yield Sleep(0.1)
        return 0

    def _subshell(self) -> "Shell":
        sub = Shell(self.proc, self.argv0, tuple(self.args), self.bash)
        sub.vars, sub.exported = dict(self.vars), set(self.exported)
        sub.arrays = {name: list(values) for name, values in self.arrays.items()}
        sub.cwd, sub.status = self.cwd, self.status
        return sub

    def _spawn(self, node: Node, io: IO) -> int:
        sub = self._subshell()

        def body() -> ProgramGen:
            try:
                return (yield from sub.run(node, IO("", io.out, io.err)))
            except ShellExit as done:
                return done.code

        pid = self.host.spawn(self.proc, body(), _node_name(node))
        self.jobs.append(pid)
        self.last_bg = str(pid)
        return 0

    def _run_pending_traps(self, io: IO) -> ProgramGen:
        while self.proc.pending:
            sig = self.proc.pending.pop(0)
            action = self.traps.get(sig)
            if action:
                yield from self.run(parse(action, self.bash), io)
        return 0

    # -- commands ------------------------------------------------------------------------------
    def command(self, argv: list[str], assigns: list[tuple[str, str]], io: IO) -> ProgramGen:
        name = argv[0]
        builtin = BUILTINS.get(name)
        if builtin is not None:
            for var, value in assigns:
                self.vars[var] = value
            return (yield from builtin(self, argv, io))
        base = posixpath.basename(name)
        if base in PROGRAMS and self.host.has_binary(base):
            proc = self.proc.child(env=self._child_env(assigns), cwd=self.cwd, stdin=io.stdin,
                                   out=io.out, err=io.err, name=base)
            self.unslept = 0
            return (yield from PROGRAMS[base](proc, argv))
        io.err.write(f"{self._prefix()}{name}: not found\n")
        return 127

    def _child_env(self, assigns: list[tuple[str, str]]) -> dict[str, str]:
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env.update(assigns)
        return env

    # -- redirections --------------------------------------------------------------------------
    def _redirect(self, redirs: tuple[Redir, ...], io: IO) -> Optional[IO]:
        if not redirs:
            return io
        fds: dict[int, object] = {0: io.stdin, 1: io.out, 2: io.err}
        for redir in redirs:
            target = self._expand_plain(redir.target)
            if not self._apply_redirect(redir, target, fds, io):
                return None
        return IO(fds[0], fds[1], fds[2])  # type: ignore[arg-type]

    def _apply_redirect(self, redir: Redir, target: str, fds: dict, io: IO) -> bool:
        if redir.op in (">&", "<&"):
            if target.isdigit() and int(target) in fds:
                fds[redir.fd] = fds[int(target)]
                return True
            if target == "-":
                fds[redir.fd] = Discard()
                return True
        fs = self.host.fs
        path = normpath(target, self.cwd)
        if redir.op == "<":
            try:
                fds[redir.fd] = fs.read_text(path)
            except FsError as err:
                self._redirect_error(io, "open", target, err)
                return False
            return True
        if path in ("/dev/stdout", "/dev/stderr"):
            fds[redir.fd] = fds[1 if path == "/dev/stdout" else 2]
            return True
        try:
            writer: Writer = Discard() if path == "/dev/null" else FileWriter(
                fs, path, append=redir.op == ">>")
        except FsError as err:
            self._redirect_error(io, "create", target, err)
            return False
        if redir.op == "&>":
            fds[1] = fds[2] = writer
        else:
            fds[redir.fd] = writer
        return True

    def _redirect_error(self, io: IO, verb: str, target: str, err: FsError) -> None:
        if self.flavour == "dash":
            why = {"No such file or directory": "Directory nonexistent"}.get(err.strerror, err.strerror)
            if verb == "open":
                why = "No such file"
            io.err.write(f"{self._prefix()}cannot {verb} {target}: {why}\n")
        elif verb == "create" and err.strerror == "No such file or directory":
            io.err.write(f"{self._prefix()}can't create {target}: nonexistent directory\n")
        else:
            io.err.write(f"{self._prefix()}can't {verb} {target}: {err.strerror}\n")

    # -- expansion -----------------------------------------------------------------------------
    def expand_words(self, words, io: IO) -> Iterator:
        out: list[str] = []
        for word in words:
            out.extend((yield from self._expand(word, io)))
        return out

    def expand_one(self, word: Word, io: IO) -> Iterator:
        """Expand without field splitting or globbing (assignments, case, redirections)."""
        texts = []
        for part in word.parts:
            texts.append((yield from self._part_text(part, io)))
        return "".join(texts)

    def _expand_plain(self, word: Word) -> str:
        """Redirection targets: expansions without command substitution (kept synchronous)."""
        texts = []
        for part in word.parts:
            if isinstance(part, Lit):
                texts.append(part.text)
            elif isinstance(part, Var):
                texts.append(self._array_text(part) if part.op in ("[", "#[") else self._var_value(part, None) or "")
            elif isinstance(part, Arith):
                texts.append(str(self.arith(part.expr)))
        return "".join(texts)

    def _part_text(self, part, io: IO) -> Iterator:
        if isinstance(part, Lit):
            return part.text
        if isinstance(part, Var):
            if part.op in ("[", "#["):
                return self._array_text(part)
            if part.arg is not None and part.op:
                return (yield from self._var_with_default(part, io))
            if part.name in "@*" and self.args:
                return " ".join(self.args)
            return self._var_value(part, io) or ""
        if isinstance(part, CmdSub):
            return (yield from self.command_substitution(part.source, io))
        return str(self.arith(part.expr))

    def _expand(self, word: Word, io: IO) -> Iterator:
        fields: list[str] = []
        cur, started = "", False
        globbable = False
        for part in word.parts:
            every = self._quoted_elements(part)
            if every is not None:  # "$@" and bash's "${name[@]}": one field per element
                for index, arg in enumerate(every):
                    if index:
                        fields.append(cur)
                        cur = ""
                    cur, started = cur + arg, True
                continue
            text = yield from self._part_text(part, io)
            splittable = not isinstance(part, Lit) and not part.quoted
            if isinstance(part, Lit) and not part.quoted and any(c in part.text for c in "*?["):
                globbable = True
            if not splittable:
                cur += text
                started = started or part.quoted or bool(text)
                continue
            for index, piece in enumerate(re.split(r"[ \t\n]+", text)):
                if index and started:
                    fields.append(cur)
                    cur, started = "", False
                if piece:
                    cur, started = cur + piece, True
        if started:
            fields.append(cur)
        if globbable:
            fields = [g for f in fields for g in self._glob(f)]
        return fields

    def _quoted_elements(self, part) -> Optional[list[str]]:
        if not isinstance(part, Var) or not part.quoted:
            return None
        if part.name == "@" and not part.op:
            return self.args
        if part.op == "[" and part.arg is not None and part.arg.raw == "@":
            values = self.arrays.get(part.name)
            return values if values is not None else ([self.vars[part.name]] if part.name in self.vars else [])
        return None

    def _glob(self, pattern: str) -> list[str]:
        directory, base = posixpath.split(pattern)
        if any(c in directory for c in "*?["):
            return [pattern]
        try:
            names = self.host.fs.listdir(normpath(directory or ".", self.cwd))
        except FsError:
            return [pattern]
        matches = [posixpath.join(directory, n) if directory else n
                   for n in names if fnmatch.fnmatchcase(n, base) and not n.startswith(".")]
        return sorted(matches) or [pattern]

    def _array_text(self, part: Var) -> str:
        """bash's ``${name[i]}`` / ``${name[@]}`` / ``${#name[@]}``. A plain variable is an
        array of one element; the index is arithmetic, and a negative one counts from the end."""
        values = self.arrays.get(part.name)
        if values is None:
            values = [self.vars[part.name]] if part.name in self.vars else []
        index = part.arg.raw if part.arg is not None else ""
        if index in ("@", "*"):
            return str(len(values)) if part.op == "#[" else " ".join(values)
        position = self.arith(index)
        if position < 0:
            position += len(values)
        value = values[position] if 0 <= position < len(values) else ""
        return str(len(value)) if part.op == "#[" else value

    def _var_value(self, part: Var, io) -> Optional[str]:
        name = part.name
        special = {
            "?": lambda: str(self.status), "$": lambda: str(self.proc.pid),
            "#": lambda: str(len(self.args)), "0": lambda: self.argv0,
            "!": lambda: self.last_bg, "-": lambda: "",
            "@": lambda: " ".join(self.args), "*": lambda: " ".join(self.args),
        }
        if part.op == "#":
            return str(len(self._var_value(Var(name), io) or ""))
        if name in special:
            return special[name]()
        if name.isdigit():
            index = int(name) - 1
            return self.args[index] if index < len(self.args) else None
        return self.vars.get(name)

    def _var_with_default(self, part: Var, io: IO) -> Iterator:
        value = self._var_value(part, io)
        unset = value is None or (part.op.startswith(":") and value == "")
        if part.op in ("-", ":-"):
            return (yield from self.expand_one(part.arg, io)) if unset else value
        if part.op in ("=", ":="):
            if unset:
                value = yield from self.expand_one(part.arg, io)
                self.vars[part.name] = value
            return value
        if part.op in ("+", ":+"):
            return "" if unset else (yield from self.expand_one(part.arg, io))
        if unset:
            message = (yield from self.expand_one(part.arg, io)) or "parameter not set"
            io.err.write(f"{self._prefix()}{part.name}: {message}\n")
            raise ShellExit(1)
        return value

    def command_substitution(self, source: str, io: IO) -> Iterator:
        sub = self._subshell()
        capture = Capture()
        try:
            tree = parse(source, self.bash)
            status = yield from sub.run(tree, IO("", capture, io.err))
        except ShellSyntaxError as err:
            io.err.write(f"{self._prefix()}{err}\n")
            status = 2
        except ShellExit as done:
            status = done.code
        self.status = status
        return capture.text().rstrip("\n")

    def arith(self, expr: str) -> int:
        """``$(( … ))``: integer arithmetic with C's truncating division."""
        text = re.sub(r"\$\{?(\w+)\}?", lambda m: self.vars.get(m.group(1), "0") or "0", expr)
        text = text.replace("&&", " and ").replace("||", " or ")
        text = re.sub(r"!(?!=)", " not ", text)
        try:
            return _eval_arith(ast.parse(text.strip() or "0", mode="eval").body, self.vars)
        except (SyntaxError, ValueError, ZeroDivisionError, KeyError):
            raise ShellExit(2)


def _node_name(node: Node) -> str:
    if isinstance(node, Simple) and node.words:
        return node.words[0].raw
    return "sh"


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Mod: lambda a, b: int(a - b * int(a / b)),
           ast.Div: lambda a, b: int(a / b), ast.FloorDiv: lambda a, b: int(a / b)}
_CMPOPS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
           ast.Eq: operator.eq, ast.NotEq: operator.ne}


def _eval_arith(node: ast.AST, variables: dict[str, str]) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Name):
        raw = variables.get(node.id, "0") or "0"
        return int(raw) if re.fullmatch(r"-?\d+", raw.strip()) else 0
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_eval_arith(node.left, variables),
                                      _eval_arith(node.right, variables))
    if isinstance(node, ast.UnaryOp):
        value = _eval_arith(node.operand, variables)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.Not):
            return int(not value)
        return value
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
        return int(_CMPOPS[type(node.ops[0])](_eval_arith(node.left, variables),
                                               _eval_arith(node.comparators[0], variables)))
    if isinstance(node, ast.BoolOp):
        values = [_eval_arith(v, variables) for v in node.values]
        return int(all(values) if isinstance(node.op, ast.And) else any(values))
    raise ValueError("bad arithmetic")


# -- shell builtins (they change the shell itself) -----------------------------------------------
def _b_colon(sh: Shell, argv, io) -> ProgramGen:
    return 0
    yield  # pragma: no cover - makes this a generator


def _b_exit(sh: Shell, argv, io) -> ProgramGen:
    code = sh.status
    if len(argv) > 1:
        if not re.fullmatch(r"-?\d+", argv[1]):
            io.err.write(f"{sh._prefix()}exit: Illegal number: {argv[1]}\n")
            code = 2
        else:
            code = int(argv[1]) & 0xFF
    raise ShellExit(code)
    yield  # pragma: no cover


def _b_loop(kind: str):
    def builtin(sh: Shell, argv, io) -> ProgramGen:
        levels = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
        raise LoopControl(kind, max(1, levels))
        yield  # pragma: no cover
    return builtin


def _b_export(sh: Shell, argv, io) -> ProgramGen:
    for arg in argv[1:]:
        if arg == "-p":
            continue
        name, eq, value = arg.partition("=")
        if eq:
            sh.vars[name] = value
        sh.exported.add(name)
    if len(argv) == 1 or argv[1:] == ["-p"]:
        for name in sorted(sh.exported):
            if name in sh.vars:
                io.out.write(f"export {name}='{sh.vars[name]}'\n")
    return 0
    yield  # pragma: no cover


def _b_unset(sh: Shell, argv, io) -> ProgramGen:
    for name in argv[1:]:
        if name.startswith("-"):
            continue
        sh.vars.pop(name, None)
        sh.arrays.pop(name, None)
        sh.exported.discard(name)
    return 0
    yield  # pragma: no cover


def _b_set(sh: Shell, argv, io) -> ProgramGen:
    args = argv[1:]
    if args and args[0] == "--":
        sh.args = args[1:]
    elif args and not args[0].startswith(("-", "+")):
        sh.args = args
    elif not args:
        for name in sorted(sh.vars):
            io.out.write(f"{name}='{sh.vars[name]}'\n")
    return 0
    yield  # pragma: no cover


def _b_shift(sh: Shell, argv, io) -> ProgramGen:
    count = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    if count > len(sh.args):
        return 1
    sh.args = sh.args[count:]
    return 0
    yield  # pragma: no cover


def _b_cd(sh: Shell, argv, io) -> ProgramGen:
    target = argv[1] if len(argv) > 1 else sh.vars.get("HOME", "/")
    path = normpath(target, sh.cwd)
    if not sh.host.fs.is_dir(path):
        reason = "Not a directory" if sh.host.fs.exists(path) else "No such file or directory"
        if sh.flavour == "dash":
            io.err.write(f"{sh._prefix()}cd: can't cd to {target}\n")
        else:
            io.err.write(f"{sh._prefix()}cd: can't cd to {target}: {reason}\n")
        return 2
    sh.cwd = path
    sh.vars["PWD"] = path
    return 0
    yield  # pragma: no cover


def _b_pwd(sh: Shell, argv, io) -> ProgramGen:
    io.out.write(sh.cwd + "\n")
    return 0
    yield  # pragma: no cover


def _b_trap(sh: Shell, argv, io) -> ProgramGen:
    if len(argv) < 3:
        for sig, action in sorted(sh.traps.items()):
            io.out.write(f"trap -- '{action}' {sig}\n")
        return 0
    action = argv[1]
    for sig in (signal_name(s) for s in argv[2:]):
        if action == "-":
            sh.traps.pop(sig, None)
            sh.proc.trapped.discard(sig)
        else:
            sh.traps[sig] = action
            sh.proc.trapped.add(sig)
    return 0
    yield  # pragma: no cover


def _b_eval(sh: Shell, argv, io) -> ProgramGen:
    source = " ".join(argv[1:])
    try:
        tree = parse(source, sh.bash)
    except ShellSyntaxError as err:
        io.err.write(f"{sh._prefix()}{err}\n")
        return 2
    return (yield from sh.run(tree, io))


def _b_wait(sh: Shell, argv, io) -> ProgramGen:
    pids = tuple(int(a) for a in argv[1:] if a.isdigit()) or tuple(sh.jobs)
    if pids:
        yield Wait(pids)
    sh.jobs = [p for p in sh.jobs if p not in pids]
    return 0


def _b_read(sh: Shell, argv, io) -> ProgramGen:
    names = [a for a in argv[1:] if not a.startswith("-")] or ["REPLY"]
    if not io.stdin:
        return 1
    line, _, rest = io.stdin.partition("\n")
    io.stdin = rest
    values = line.split(None, len(names) - 1)
    for index, name in enumerate(names):
        sh.vars[name] = values[index] if index < len(values) else ""
    return 0
    yield  # pragma: no cover


def _b_source(sh: Shell, argv, io) -> ProgramGen:
    if len(argv) < 2:
        return 2
    try:
        source = sh.host.fs.read_text(normpath(argv[1], sh.cwd))
    except FsError:
        io.err.write(f"{sh._prefix()}.: can't open '{argv[1]}'\n")
        return 2
    return (yield from sh.run(parse(source, sh.bash), io))


def _b_program(name: str):
    """Builtins that are also standalone programs (echo, printf, test, true, false, kill)."""
    def builtin(sh: Shell, argv, io) -> ProgramGen:
        proc = sh.proc.child(env=sh._child_env([]), cwd=sh.cwd, stdin=io.stdin,
                             out=io.out, err=io.err)
        return (yield from PROGRAMS[name](proc, argv))
    return builtin


BUILTINS = {
    ":": _b_colon, "exit": _b_exit, "break": _b_loop("break"), "continue": _b_loop("continue"),
    "export": _b_export, "unset": _b_unset, "set": _b_set, "shift": _b_shift, "cd": _b_cd,
    "pwd": _b_pwd, "trap": _b_trap, "eval": _b_eval, "wait": _b_wait, "read": _b_read,
    ".": _b_source, "source": _b_source, "readonly": _b_export,
    "echo": _b_program("echo"), "printf": _b_program("printf"), "test": _b_program("test"),
    "[": _b_program("["), "true": _b_program("true"), "false": _b_program("false"),
    "kill": _b_program("kill"),
}


# -- sh itself as a program -----------------------------------------------------------------------
@program("sh", "ash", "bash", "dash")
def sh_program(proc: Proc, argv: list[str]) -> ProgramGen:
    """``sh -c 'script' [argv0 [args…]]``, ``sh script.sh``, or ``sh`` reading stdin."""
    args = argv[1:]
    bash = posixpath.basename(argv[0]) == "bash"
    while args and args[0] in ("-e", "-x", "-u", "-eu", "-ex", "-l", "-i", "+x", "-o"):
        args = args[2:] if args[0] == "-o" else args[1:]
    io = IO(proc.stdin, proc.out, proc.err)
    if args and args[0] == "-c":
        if len(args) < 2:
            proc.err.write(f"{argv[0]}: -c requires an argument\n")
            return 2
        source, rest = args[1], args[2:]
        shell = Shell(proc, rest[0] if rest else argv[0], tuple(rest[1:]), bash)
        return (yield from shell.run_source(source, io))
    if args:
        try:
            source = proc.host.fs.read_text(normpath(args[0], proc.cwd))
        except FsError as err:
            proc.err.write(f"{argv[0]}: can't open '{args[0]}': {err.strerror}\n")
            return 2
        return (yield from Shell(proc, args[0], tuple(args[1:]), bash).run_source(source, io))
    if proc.stdin_open and not proc.stdin:
        yield Sleep(math.inf)  # an interactive shell waiting for a terminal that never types
        return 0
    return (yield from Shell(proc, argv[0], bash=bash).run_source(proc.stdin, io))


def run_script(proc: Proc, source: str) -> ProgramGen:
    """Run ``source`` as ``sh -c`` would, in ``proc``."""
    return sh_program(proc, ["sh", "-c", source])
