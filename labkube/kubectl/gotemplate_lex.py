"""The lexer of Go's text/template language, as ``kubectl -o go-template`` reads it.

Mirrors Go's text/template/parse/lex.go: outside actions, text up to ``{{`` (a ``{{- `` trims
the white space before it, a `` -}}`` the white space after it; ``{{/* */}}`` is a comment);
inside, items: fields ``.a``, variables ``$x``, identifiers, keywords, strings, raw strings,
character constants, numbers (``0x1F``, ``1e3``, ``1_000``, ``.5``), ``|``, parentheses,
``:=``, ``=`` and single characters such as ``,``. A lexing error is an ``error`` item that ends
the stream; the parser (:mod:`labkube.kubectl.gotemplate_parse`) reports it in Go's words
(``unclosed action``, ``bad character U+0023 '#'``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Item", "Lexer", "KEYWORDS", "SPACES", "go_quote"]

# --- items ------------------------------------------------------------------------------------

EOF, ERROR, TEXT, LEFT, RIGHT, SPACE = "EOF", "error", "text", "{{", "}}", "space"
FIELD, VARIABLE, IDENT, DOT, NIL, BOOL = "field", "variable", "identifier", ".", "nil", "bool"
STRING, RAW, CHAR_CONST, NUMBER, PIPE = "string", "raw string", "char constant", "number", "|"
LPAREN, RPAREN, DECLARE, ASSIGN, CHAR = "(", ")", ":=", "=", "char"
KEYWORDS = ("block", "break", "continue", "define", "else", "end", "if", "range", "template", "with")
SPACES = " \t\r\n"


@dataclass
class Item:
    typ: str
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        """``item.String``: how a token appears in ``unexpected ... in ...``."""
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ in KEYWORDS or self.typ == NIL:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def go_quote(text: str) -> str:
    from labkube.kubectl.gofmt import quote

    return quote(text)


def _alnum(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


class Lexer:
    """Turns the template text into items (an error item ends the stream)."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.start = text, 0, 0
        self.items: list[Item] = []
        self.paren_depth = 0

    def run(self) -> list[Item]:
        state = self.lex_text
        while state is not None:
            state = state()
        return self.items

    # helpers
    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        if ch:
            self.pos += 1
        return ch

    def backup(self) -> None:
        self.pos -= 1

    def line_at(self, pos: int) -> int:
        return 1 + self.text.count("\n", 0, pos)

    def emit(self, typ: str) -> None:
        self.items.append(Item(typ, self.start, self.text[self.start:self.pos], self.line_at(self.start)))
        self.ignore()

    def ignore(self) -> None:
        self.start = self.pos

    def error(self, message: str):
        self.items.append(Item(ERROR, self.start, message, self.line_at(self.start)))
        return None

    def at_right_delim(self) -> tuple[bool, bool]:
        rest = self.text[self.pos:]
        if len(rest) >= 2 and rest[0] in SPACES and rest[1] == "-" and rest[2:].startswith("}}"):
            return True, True
        return rest.startswith("}}"), False

    # states
    def lex_text(self):
        found = self.text.find("{{", self.pos)
        if found < 0:
            self.pos = len(self.text)
            if self.pos > self.start:
                self.emit(TEXT)
            self.items.append(Item(EOF, self.pos, "", self.line_at(self.pos)))
            return None
        after = self.text[found + 2:]
        trim = len(after) >= 2 and after[0] == "-" and after[1] in SPACES
        end = found
        if trim:
            while end > self.start and self.text[end - 1] in SPACES:
                end -= 1
        self.pos = end
        if self.pos > self.start:
            self.emit(TEXT)
        self.pos = found
        self.ignore()
        return self.lex_left_delim

    def lex_left_delim(self):
        self.pos += 2
        trim = self.text[self.pos:self.pos + 2] in ("- ", "-\t", "-\r", "-\n")
        after = self.pos + (2 if trim else 0)
        if self.text.startswith("/*", after):
            self.pos = after
            self.ignore()
            return self.lex_comment
        self.emit(LEFT)
        if trim:
            self.pos += 2
            self.ignore()
        self.paren_depth = 0
        return self.lex_inside

    def lex_comment(self):
        self.pos += 2
        close = self.text.find("*/", self.pos)
        if close < 0:
            return self.error("unclosed comment")
        self.pos = close + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.error("comment ends before closing delimiter")
        self.ignore()
        self.pos += (2 if trim else 0) + 2
        self.ignore()
        if trim:
            self.skip_leading_space()
        return self.lex_text

    def skip_leading_space(self) -> None:
        while self.peek() and self.peek() in SPACES:
            self.next()
        self.ignore()

    def lex_right_delim(self):
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += 2
        self.emit(RIGHT)
        if trim:
            self.skip_leading_space()
        return self.lex_text

    def lex_inside(self):
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.error("unclosed left paren")
        ch = self.next()
        if not ch:
            return self.error("unclosed action")
        if ch in SPACES:
            self.backup()
            return self.lex_space
        if ch == "=":
            self.emit(ASSIGN)
        elif ch == ":":
            if self.next() != "=":
                return self.error("expected :=")
            self.emit(DECLARE)
        elif ch == "|":
            self.emit(PIPE)
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == ".":
            if self.peek().isdigit():
                self.backup()
                return self.lex_number
            return self.lex_field
        elif ch in "+-" or ch.isdigit():
            self.backup()
            return self.lex_number
        elif _alnum(ch):
            self.backup()
            return self.lex_identifier
        elif ch == "(":
            self.emit(LPAREN)
            self.paren_depth += 1
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.error("unexpected right paren")
            self.emit(RPAREN)
        elif ord(ch) < 0x80 and ch.isprintable():
            self.emit(CHAR)
        else:
            return self.error(f"unrecognized character in action: {_unicode_name(ch)}")
        return self.lex_inside

    def lex_space(self):
        count = 0
        while self.peek() and self.peek() in SPACES:
            self.next()
            count += 1
        rest = self.text[self.pos - 1:]
        if len(rest) >= 2 and rest[0] in SPACES and rest[1] == "-" and rest[2:].startswith("}}"):
            self.backup()
            if count == 1:
                return self.lex_inside
        self.emit(SPACE)
        return self.lex_inside

    def lex_identifier(self):
        while _alnum(self.peek()):
            self.next()
        if not self.at_terminator():
            return self.error(f"bad character {_unicode_name(self.peek())}")
        word = self.text[self.start:self.pos]
        if word in KEYWORDS:
            self.emit(word)
        elif word == "nil":
            self.emit(NIL)
        elif word in ("true", "false"):
            self.emit(BOOL)
        else:
            self.emit(IDENT)
        return self.lex_inside

    def lex_field(self):
        return self.lex_field_or_variable(FIELD)

    def lex_variable(self):
        return self.lex_field_or_variable(VARIABLE)

    def lex_field_or_variable(self, typ: str):
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return self.lex_inside
        while _alnum(self.peek()):
            self.next()
        if not self.at_terminator():
            return self.error(f"bad character {_unicode_name(self.peek())}")
        self.emit(typ)
        return self.lex_inside

    def at_terminator(self) -> bool:
        ch = self.peek()
        if not ch or ch in SPACES or ch in ".,|:)(":
            return True
        return self.text.startswith("}}", self.pos)

    def lex_char(self):
        return self.lex_quoted("'", CHAR_CONST, "unterminated character constant")

    def lex_quote(self):
        return self.lex_quoted('"', STRING, "unterminated quoted string")

    def lex_quoted(self, close: str, typ: str, complaint: str):
        """A ``'c'`` or ``"string"`` up to its closing quote (a backslash escapes one character)."""
        while True:
            ch = self.next()
            if ch == "\\" and self.peek() and self.peek() != "\n":
                self.next()
                continue
            if not ch or ch in "\\\n":
                return self.error(complaint)
            if ch == close:
                break
        self.emit(typ)
        return self.lex_inside

    def lex_raw_quote(self):
        while True:
            ch = self.next()
            if not ch:
                return self.error("unterminated raw quoted string")
            if ch == "`":
                break
        self.emit(RAW)
        return self.lex_inside

    def lex_number(self):
        if not self.scan_number():
            return self.error(f"bad number syntax: {go_quote(self.text[self.start:self.pos])}")
        if self.peek() in ("+", "-"):
            if not self.scan_number() or self.text[self.pos - 1] != "i":
                return self.error(f"bad number syntax: {go_quote(self.text[self.start:self.pos])}")
        self.emit(NUMBER)
        return self.lex_inside

    def accept(self, valid: str) -> bool:
        if self.peek() and self.peek() in valid:
            self.next()
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.peek() and self.peek() in valid:
            self.next()

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if _alnum(self.peek()):
            self.next()
            return False
        return True


def _unicode_name(ch: str) -> str:
    """Go's ``%#U``: ``U+0023 '#'``."""
    code = ord(ch) if ch else -1
    if code < 0:
        return "U+FFFFFFFFFFFFFFFF"
    return f"U+{code:04X} '{ch}'" if ch.isprintable() else f"U+{code:04X}"
