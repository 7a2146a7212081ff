"""The POSIX shell grammar subset the simulated ``sh`` understands: lexer and parser.

Mirrors the grammar of POSIX ``sh`` (XCU 2.10) as busybox ash and dash implement it, cut down to
what Kubernetes examples write. See :mod:`labkube.runtime.sim.shell` for the supported grammar in
full; this module turns source text into a small tree:

* :class:`Word` — a word as a tuple of parts (literal text, quoted or not; ``$VAR``/``${…}``;
  ``$(…)``/backticks; ``$((…))``), expanded later by the interpreter;
* :class:`ArrayLit` — bash only: the ``(a b c)`` of an indexed-array assignment
  ``items=(a b c)``, read as ``${items[1]}``, ``${items[@]}``, ``${#items[@]}``;
* :class:`Simple` (assignments, words, redirections), :class:`Pipeline`, :class:`AndOr`,
  :class:`Sequence`, :class:`If`, :class:`Loop` (while/until), :class:`For`, :class:`Group`
  (``{ …; }`` or a ``( … )`` subshell), :class:`Case`.

Syntax errors raise :class:`ShellSyntaxError` with busybox's wording, e.g.
``syntax error: unexpected "done"`` or ``syntax error: unterminated quoted string``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Union


class ShellSyntaxError(Exception):
    pass


# -- words --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lit:
    text: str
    quoted: bool


@dataclass(frozen=True)
class Var:
    name: str
    op: str = ""  # "", ":-", "-", ":=", "=", ":+", "+", "#" (length)
    arg: Optional["Word"] = None
    quoted: bool = False


@dataclass(frozen=True)
class CmdSub:
    source: str
    quoted: bool


@dataclass(frozen=True)
class Arith:
    expr: str
    quoted: bool


@dataclass(frozen=True)
class ArrayLit:
    """bash's ``NAME=(word …)``: the words of an indexed array (each expanded and split)."""
    words: tuple["Word", ...]
    quoted: bool = False


Part = Union[Lit, Var, CmdSub, Arith, ArrayLit]


@dataclass(frozen=True)
class Word:
    parts: tuple[Part, ...]
    raw: str  # source text, for reserved-word detection and messages

    @property
    def plain(self) -> Optional[str]:
        """The text if the word is one unquoted literal (a candidate reserved word)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Lit) and not self.parts[0].quoted:
            return self.parts[0].text
        return None


# -- commands -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Redir:
    fd: int
    op: str  # ">", ">>", "<", ">&", "<&"
    target: Word


@dataclass(frozen=True)
class Simple:
    assigns: tuple[tuple[str, Word], ...]
    words: tuple[Word, ...]
    redirs: tuple[Redir, ...]


@dataclass(frozen=True)
class Pipeline:
    commands: tuple["Node", ...]
    negate: bool = False


@dataclass(frozen=True)
class AndOr:
    first: "Node"
    rest: tuple[tuple[str, "Node"], ...]


@dataclass(frozen=True)
class Sequence:
    items: tuple[tuple["Node", bool], ...]  # (command, run in background)


@dataclass(frozen=True)
class If:
    clauses: tuple[tuple[Sequence, Sequence], ...]
    orelse: Optional[Sequence]


@dataclass(frozen=True)
class Loop:
    cond: Sequence
    body: Sequence
    until: bool = False


@dataclass(frozen=True)
class For:
    var: str
    words: Optional[tuple[Word, ...]]
    body: Sequence


@dataclass(frozen=True)
class Case:
    subject: Word
    arms: tuple[tuple[tuple[Word, ...], Sequence], ...]


@dataclass(frozen=True)
class Group:
    body: Sequence
    subshell: bool = False


@dataclass(frozen=True)
class Redirected:
    node: "Node"
    redirs: tuple[Redir, ...]


Node = Union[Simple, Pipeline, AndOr, Sequence, If, Loop, For, Case, Group, Redirected]

# -- lexer --------------------------------------------------------------------------------------
_OPERATORS = ("&&", "||", ";;", ">>", ">&", "<&", "&>", ";", "&", "|", "(", ")", "<", ">", "\n")
_META = set(";&|<>()\n \t")
_ARRAY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_SPECIAL_VARS = set("?$#@*!0123456789-")
RESERVED = {"if", "then", "elif", "else", "fi", "while", "until", "for", "in", "do", "done",
            "case", "esac", "{", "}", "!"}


@dataclass(frozen=True)
class Tok:
    kind: str  # "op" | "word" | "redir" | "eof"
    value: str = ""
    word: Optional[Word] = None
    fd: int = -1


def _find_closing(src: str, i: int, open_: str, close: str) -> int:
    """Index of the ``close`` matching an already-consumed ``open_``, skipping quotes."""
    depth = 1
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            end = src.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("syntax error: unterminated quoted string")
            i = end + 1
            continue
        if c == '"':
            i = _skip_dquote(src, i + 1)
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ShellSyntaxError(f'syntax error: unexpected end of file (expecting "{close}")')


def _skip_dquote(src: str, i: int) -> int:
    while i < len(src):
        if src[i] == "\\":
            i += 2
            continue
        if src[i] == '"':
            return i + 1
        if src.startswith("$(", i):
            i = _find_closing(src, i + 2, "(", ")") + 1
            continue
        i += 1
    raise ShellSyntaxError("syntax error: unterminated quoted string")


class Lexer:
    def __init__(self, src: str, bash: bool = False) -> None:
        self.src = src
        self.i = 0
        self.bash = bash

    def tokens(self) -> list[Tok]:
        out: list[Tok] = []
        while True:
            tok = self._next()
            out.append(tok)
            if tok.kind == "eof":
                return out

    def _next(self) -> Tok:
        src = self.src
        while self.i < len(src):
            c = src[self.i]
            if c in " \t":
                self.i += 1
            elif c == "\\" and src.startswith("\\\n", self.i):
                self.i += 2
            elif c == "#":
                end = src.find("\n", self.i)
                self.i = len(src) if end < 0 else end
            else:
                break
        if self.i >= len(src):
            return Tok("eof")
        redir = self._redirection()
        if redir is not None:
            return redir
        for op in _OPERATORS:
            if src.startswith(op, self.i):
                self.i += len(op)
                return Tok("op", op)
        return Tok("word", word=self._word())

    def _redirection(self) -> Optional[Tok]:
        src, i = self.src, self.i
        fd = -1
        if src[i].isdigit() and i + 1 < len(src) and src[i + 1] in "<>":
            fd, i = int(src[i]), i + 1
        for op in (">>", ">&", "<&", "&>", ">", "<"):
            if src.startswith(op, i):
                self.i = i + len(op)
                if fd < 0:
                    fd = 0 if op[0] == "<" else 1
                return Tok("redir", op, fd=fd)
        return None

    def _word(self) -> Word:
        start = self.i
        parts: list[Part] = []
        buf: list[str] = []

        def flush(quoted: bool = False) -> None:
            if buf:
                parts.append(Lit("".join(buf), quoted))
                buf.clear()

        src = self.src
        while self.i < len(src) and src[self.i] not in _META:
            c = src[self.i]
            if c == "\\":
                flush()
                if self.i + 1 < len(src):
                    if src[self.i + 1] != "\n":
                        parts.append(Lit(src[self.i + 1], True))
                    self.i += 2
                else:
                    self.i += 1
            elif c == "'":
                flush()
                end = src.find("'", self.i + 1)
                if end < 0:
                    raise ShellSyntaxError("syntax error: unterminated quoted string")
                parts.append(Lit(src[self.i + 1:end], True))
                self.i = end + 1
            elif c == '"':
                flush()
                parts.extend(self._dquote())
            elif c == "$":
                part = self._dollar(quoted=False)
                if part is None:
                    buf.append("$")
                else:
                    flush()
                    parts.append(part)
            elif c == "`":
                flush()
                parts.append(self._backtick(quoted=False))
            else:
                buf.append(c)
                self.i += 1
        if self.bash and src.startswith("(", self.i) and not parts and _ARRAY_NAME.fullmatch("".join(buf)):
            flush()
            parts.append(self._array_literal())
        flush()
        return Word(tuple(parts), src[start:self.i])

    def _array_literal(self) -> ArrayLit:
        """bash's ``NAME=( … )``: the words up to the matching parenthesis (newlines allowed)."""
        end = _find_closing(self.src, self.i + 1, "(", ")")
        inner = Lexer(self.src[self.i + 1:end].replace("\n", " "), self.bash).tokens()
        self.i = end + 1
        if any(tok.kind not in ("word", "eof") for tok in inner):
            raise ShellSyntaxError("syntax error near unexpected token `('")
        return ArrayLit(tuple(tok.word for tok in inner if tok.kind == "word"))

    def _dquote(self) -> list[Part]:
        src = self.src
        self.i += 1
        parts: list[Part] = [Lit("", True)]  # "" is an (empty) field, not nothing
        buf: list[str] = []

        def flush() -> None:
            if buf:
                parts.append(Lit("".join(buf), True))
                buf.clear()

        while self.i < len(src):
            c = src[self.i]
            if c == '"':
                self.i += 1
                flush()
                return parts
            if c == "\\" and self.i + 1 < len(src) and src[self.i + 1] in '$`"\\\n':
                if src[self.i + 1] != "\n":
                    buf.append(src[self.i + 1])
                self.i += 2
            elif c == "$":
                part = self._dollar(quoted=True)
                if part is None:
                    buf.append("$")
                else:
                    flush()
                    parts.append(part)
            elif c == "`":
                flush()
                parts.append(self._backtick(quoted=True))
            else:
                buf.append(c)
                self.i += 1
        raise ShellSyntaxError("syntax error: unterminated quoted string")

    def _backtick(self, quoted: bool) -> CmdSub:
        end = self.src.find("`", self.i + 1)
        if end < 0:
            raise ShellSyntaxError("syntax error: unterminated quoted string")
        source = self.src[self.i + 1:end]
        self.i = end + 1
        return CmdSub(source, quoted)

    def _dollar(self, quoted: bool) -> Optional[Part]:
        src, i = self.src, self.i + 1
        if src.startswith("((", i):
            end = src.find("))", i + 2)
            if end < 0:
                raise ShellSyntaxError('syntax error: unexpected end of file (expecting "))")')
            self.i = end + 2
            return Arith(src[i + 2:end], quoted)
        if src.startswith("(", i):
            end = _find_closing(src, i + 1, "(", ")")
            self.i = end + 1
            return CmdSub(src[i + 1:end], quoted)
        if src.startswith("{", i):
            end = _find_closing(src, i + 1, "{", "}")
            self.i = end + 1
            return _brace_var(src[i + 1:end], quoted)
        if i < len(src) and src[i] in _SPECIAL_VARS:
            self.i = i + 1
            return Var(src[i], quoted=quoted)
        j = i
        while j < len(src) and (src[j].isalnum() or src[j] == "_"):
            j += 1
        if j == i or src[i].isdigit():
            self.i = i
            return None
        self.i = j
        return Var(src[i:j], quoted=quoted)


def _brace_var(inner: str, quoted: bool) -> Var:
    subscripted = _subscript(inner[1:] if inner.startswith("#") else inner)
    if subscripted is not None:  # bash arrays: ${name[i]}, ${name[@]}, ${#name[@]}
        name, index = subscripted
        return Var(name, "#[" if inner.startswith("#") else "[", Word((Lit(index, True),), index), quoted)
    if inner.startswith("#") and len(inner) > 1:
        return Var(inner[1:], "#", None, quoted)
    j = 0
    while j < len(inner) and (inner[j].isalnum() or inner[j] == "_" or
                              (j == 0 and inner[j] in _SPECIAL_VARS)):
        j += 1
        if j == 1 and inner[0] in _SPECIAL_VARS and not inner[0].isdigit():
            break
    name, rest = inner[:j], inner[j:]
    if not name:
        raise ShellSyntaxError(f"syntax error: bad substitution")
    for op in (":-", ":=", ":+", ":?", "-", "=", "+", "?"):
        if rest.startswith(op):
            arg = Lexer(rest[len(op):]).tokens()
            word = arg[0].word if arg and arg[0].kind == "word" else Word((Lit("", True),), "")
            return Var(name, op, word, quoted)
    if rest:
        raise ShellSyntaxError("syntax error: bad substitution")
    return Var(name, "", None, quoted)


def _subscript(inner: str) -> Optional[tuple[str, str]]:
    """``name[index]`` as (name, index text), or None."""
    if not inner.endswith("]") or "[" not in inner:
        return None
    name, _, index = inner[:-1].partition("[")
    if not name or not (name[0].isalpha() or name[0] == "_") or not all(c.isalnum() or c == "_" for c in name):
        return None
    return name, index


# -- parser -------------------------------------------------------------------------------------
_LIST_END = {"then", "elif", "else", "fi", "do", "done", "}", "esac"}


class Parser:
    def __init__(self, src: str, bash: bool = False) -> None:
        self.toks = Lexer(src, bash).tokens()
        self.pos = 0

    # token helpers
    def _peek(self) -> Tok:
        return self.toks[self.pos]

    def _take(self) -> Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def _is_reserved(self, *names: str) -> bool:
        tok = self._peek()
        return tok.kind == "word" and tok.word is not None and tok.word.plain in names

    def _is_op(self, *ops: str) -> bool:
        tok = self._peek()
        return tok.kind == "op" and tok.value in ops

    def _unexpected(self) -> ShellSyntaxError:
        tok = self._peek()
        if tok.kind == "eof":
            return ShellSyntaxError("syntax error: unexpected end of file")
        text = tok.word.raw if tok.word is not None else tok.value
        text = "newline" if text == "\n" else text
        return ShellSyntaxError(f'syntax error: unexpected "{text}"')

    def _expect_reserved(self, name: str) -> None:
        if not self._is_reserved(name):
            if self._peek().kind == "eof":
                raise ShellSyntaxError(f'syntax error: unexpected end of file (expecting "{name}")')
            raise self._unexpected()
        self._take()

    def _linebreak(self) -> None:
        while self._is_op("\n"):
            self._take()

    # grammar
    def parse(self) -> Sequence:
        seq = self._list()
        if self._peek().kind != "eof":
            raise self._unexpected()
        return seq

    def _list(self) -> Sequence:
        items: list[tuple[Node, bool]] = []
        self._linebreak()
        while not self._at_list_end():
            node = self._and_or()
            background = False
            if self._is_op("&"):
                self._take()
                background = True
            elif self._is_op(";", "\n"):
                self._take()
            elif not self._at_list_end():
                raise self._unexpected()
            items.append((node, background))
            self._linebreak()
        return Sequence(tuple(items))

    def _at_list_end(self) -> bool:
        tok = self._peek()
        if tok.kind == "eof" or (tok.kind == "op" and tok.value in (")", ";;")):
            return True
        return self._is_reserved(*_LIST_END)

    def _and_or(self) -> Node:
        first = self._pipeline()
        rest: list[tuple[str, Node]] = []
        while self._is_op("&&", "||"):
            op = self._take().value
            self._linebreak()
            rest.append((op, self._pipeline()))
        return AndOr(first, tuple(rest)) if rest else first

    def _pipeline(self) -> Node:
        negate = False
        if self._is_reserved("!"):
            self._take()
            negate = True
        commands = [self._command()]
        while self._is_op("|"):
            self._take()
            self._linebreak()
            commands.append(self._command())
        if len(commands) == 1 and not negate:
            return commands[0]
        return Pipeline(tuple(commands), negate)

    def _command(self) -> Node:
        compound = self._compound()
        if compound is None:
            return self._simple()
        redirs = self._redirs()
        return Redirected(compound, redirs) if redirs else compound

    def _compound(self) -> Optional[Node]:
        if self._is_reserved("if"):
            return self._if()
        if self._is_reserved("while", "until"):
            until = self._take().word.plain == "until"  # type: ignore[union-attr]
            cond = self._list()
            self._expect_reserved("do")
            body = self._list()
            self._expect_reserved("done")
            return Loop(cond, body, until)
        if self._is_reserved("for"):
            return self._for()
        if self._is_reserved("case"):
            return self._case()
        if self._is_reserved("{"):
            self._take()
            body = self._list()
            self._expect_reserved("}")
            return Group(body)
        if self._is_op("("):
            self._take()
            body = self._list()
            if not self._is_op(")"):
                raise self._unexpected()
            self._take()
            return Group(body, subshell=True)
        return None

    def _if(self) -> If:
        self._take()
        clauses = []
        cond = self._list()
        self._expect_reserved("then")
        clauses.append((cond, self._list()))
        orelse = None
        while self._is_reserved("elif"):
            self._take()
            cond = self._list()
            self._expect_reserved("then")
            clauses.append((cond, self._list()))
        if self._is_reserved("else"):
            self._take()
            orelse = self._list()
        self._expect_reserved("fi")
        return If(tuple(clauses), orelse)

    def _for(self) -> For:
        self._take()
        tok = self._take()
        if tok.kind != "word" or tok.word is None or not tok.word.plain:
            raise ShellSyntaxError("syntax error: bad for loop variable")
        var = tok.word.plain
        words: Optional[list[Word]] = None
        self._linebreak()
        if self._is_reserved("in"):
            self._take()
            words = []
            while self._peek().kind == "word":
                words.append(self._take().word)  # type: ignore[arg-type]
            if self._is_op(";", "\n"):
                self._take()
        elif self._is_op(";"):
            self._take()
        self._linebreak()
        self._expect_reserved("do")
        body = self._list()
        self._expect_reserved("done")
        return For(var, tuple(words) if words is not None else None, body)

    def _case(self) -> Case:
        self._take()
        subject = self._take()
        if subject.kind != "word":
            raise self._unexpected()
        self._linebreak()
        self._expect_reserved("in")
        self._linebreak()
        arms = []
        while not self._is_reserved("esac"):
            if self._is_op("("):
                self._take()
            patterns = [self._take().word]
            while self._is_op("|"):
                self._take()
                patterns.append(self._take().word)
            if not self._is_op(")"):
                raise self._unexpected()
            self._take()
            body = self._list()
            if self._is_op(";;"):
                self._take()
            self._linebreak()
            arms.append((tuple(patterns), body))  # type: ignore[arg-type]
            if self._peek().kind == "eof":
                raise ShellSyntaxError('syntax error: unexpected end of file (expecting "esac")')
        self._take()
        return Case(subject.word, tuple(arms))  # type: ignore[arg-type]

    def _redirs(self) -> tuple[Redir, ...]:
        redirs = []
        while self._peek().kind == "redir":
            redirs.append(self._redir())
        return tuple(redirs)

    def _redir(self) -> Redir:
        tok = self._take()
        target = self._take()
        if target.kind != "word" or target.word is None:
            raise self._unexpected() if target.kind != "eof" else ShellSyntaxError(
                "syntax error: unexpected newline")
        return Redir(tok.fd, tok.value, target.word)

    def _simple(self) -> Simple:
        assigns: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirs: list[Redir] = []
        while True:
            tok = self._peek()
            if tok.kind == "redir":
                redirs.append(self._redir())
            elif tok.kind == "word" and tok.word is not None:
                assign = None if words else _assignment(tok.word)
                if assign is not None:
                    assigns.append(assign)
                else:
                    words.append(tok.word)
                self._take()
            else:
                break
        if not (assigns or words or redirs):
            raise self._unexpected()
        return Simple(tuple(assigns), tuple(words), tuple(redirs))


def _assignment(word: Word) -> Optional[tuple[str, Word]]:
    """``NAME=value`` as (NAME, value word), when the word is an assignment."""
    first = word.parts[0] if word.parts else None
    if not isinstance(first, Lit) or first.quoted or "=" not in first.text:
        return None
    name, _, rest = first.text.partition("=")
    if not name or not (name[0].isalpha() or name[0] == "_") or \
            not all(ch.isalnum() or ch == "_" for ch in name):
        return None
    parts = ((Lit(rest, False),) if rest else ()) + word.parts[1:]
    return name, Word(parts or (Lit("", True),), word.raw[len(name) + 1:])


def parse(src: str, bash: bool = False) -> Sequence:
    """Parse a shell script into a :class:`Sequence` (``bash``: with bash's indexed arrays)."""
    return Parser(src, bash).parse()
