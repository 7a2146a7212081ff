"""The lexer and parser of Go's text/template language, as ``kubectl -o go-template`` reads it.

Mirrors Go's text/template/parse (parse.go, node.go; the lexer is
:mod:`labkube.kubectl.gotemplate_lex`): a template is text and
``{{actions}}``; ``{{- `` and `` -}}`` trim the white space beside them; ``{{/* comments */}}``;
inside an action a *pipeline* of *commands* separated by ``|``, each command an operand
(``.field.chain``, ``$var.field``, ``"string"``, `` `raw` ``, ``'c'``, ``3``, ``1.5``, ``0x1F``,
``true``, ``nil``, ``(sub pipeline)``) or a function name with arguments; optional
``$x :=``/``$x =`` declarations; and the control actions ``if``/``else if``/``else``,
``range``/``else``/``break``/``continue``, ``with``/``else with``/``else``, ``define``,
``template`` and ``block``, each closed by ``{{end}}``.

:func:`parse` returns every named tree (``"output"`` is the template itself, as kubectl names
it) or raises :class:`ParseError` worded as Go's: ``template: output:1: unclosed action``,
``template: output:1: function "upper" not defined``. Positions are kept as character offsets;
error messages turn them into Go's byte columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labkube.kubectl.gotemplate_lex import (
    ASSIGN, BOOL, CHAR, CHAR_CONST, DECLARE, DOT, EOF, ERROR, FIELD, IDENT, LEFT, LPAREN, NIL, NUMBER,
    PIPE, RAW, RIGHT, RPAREN, SPACE, SPACES, STRING, TEXT, VARIABLE, Item, Lexer, go_quote,
)

__all__ = ["ParseError", "parse", "Node", "ListNode", "TextNode", "ActionNode", "PipeNode",
           "CommandNode", "FieldNode", "VariableNode", "ChainNode", "IdentifierNode", "DotNode",
           "NilNode", "BoolNode", "NumberNode", "StringNode", "IfNode", "RangeNode", "WithNode",
           "TemplateNode", "BreakNode", "ContinueNode"]

BUILTINS = ("and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
            "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne")
KUBECTL_FUNCS = ("exists", "base64decode")


class ParseError(ValueError):
    """A template Go's parser rejects; ``str()`` is Go's message."""


# --- nodes --------------------------------------------------------------------------------------


@dataclass
class Node:
    pos: int


@dataclass
class ListNode(Node):
    nodes: list = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass
class TextNode(Node):
    text: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class PipeNode(Node):
    line: int = 1
    is_assign: bool = False
    decl: list = field(default_factory=list)
    cmds: list = field(default_factory=list)

    def __str__(self) -> str:
        text = ""
        if self.decl:
            text = ", ".join(str(v) for v in self.decl) + " := "
        return text + " | ".join(str(c) for c in self.cmds)


@dataclass
class ActionNode(Node):
    pipe: PipeNode = None

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass
class CommandNode(Node):
    args: list = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


@dataclass
class IdentifierNode(Node):
    name: str = ""

    def __str__(self) -> str:
        return self.name


@dataclass
class VariableNode(Node):
    ident: list = field(default_factory=list)

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass
class DotNode(Node):
    def __str__(self) -> str:
        return "."


@dataclass
class NilNode(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass
class FieldNode(Node):
    ident: list = field(default_factory=list)

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass
class ChainNode(Node):
    node: Node = None
    fields: list = field(default_factory=list)

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.fields)


@dataclass
class BoolNode(Node):
    value: bool = False

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass
class NumberNode(Node):
    text: str = ""
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int_value: int = 0
    float_value: float = 0.0

    def __str__(self) -> str:
        return self.text


@dataclass
class StringNode(Node):
    quoted: str = ""
    text: str = ""

    def __str__(self) -> str:
        return self.quoted


@dataclass
class EndNode(Node):
    def __str__(self) -> str:
        return "{{end}}"


@dataclass
class ElseNode(Node):
    def __str__(self) -> str:
        return "{{else}}"


@dataclass
class BreakNode(Node):
    def __str__(self) -> str:
        return "{{break}}"


@dataclass
class ContinueNode(Node):
    def __str__(self) -> str:
        return "{{continue}}"


@dataclass
class BranchNode(Node):
    pipe: PipeNode = None
    list: ListNode = None
    else_list: ListNode | None = None
    keyword = ""

    def __str__(self) -> str:
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            text += "{{else}}" + str(self.else_list)
        return text + "{{end}}"


class IfNode(BranchNode):
    keyword = "if"


class RangeNode(BranchNode):
    keyword = "range"


class WithNode(BranchNode):
    keyword = "with"


@dataclass
class TemplateNode(Node):
    name: str = ""
    pipe: PipeNode | None = None

    def __str__(self) -> str:
        quoted = go_quote(self.name)
        if self.pipe is None:
            return "{{template " + quoted + "}}"
        return "{{template " + quoted + " " + str(self.pipe) + "}}"


# --- literals -------------------------------------------------------------------------------------

_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\"}


def unquote(token: str) -> str:
    """``strconv.Unquote`` of a ``"..."``, `` `...` `` or ``'c'`` token (``invalid syntax`` if bad)."""
    quote_char, body = token[0], token[1:-1]
    if quote_char == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == quote_char or (ch == "\n"):
            raise ValueError("invalid syntax")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        i += 1
        esc = body[i] if i < len(body) else ""
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
            i += 1
        elif esc == quote_char:
            out.append(esc)
            i += 1
        elif esc in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 1:i + 1 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError("invalid syntax")
            code = int(digits, 16)
            if esc == "x":
                out.append(chr(0xDC00 + code) if code >= 0x80 else chr(code))
            else:
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise ValueError("invalid syntax")
                out.append(chr(code))
            i += 1 + width
        elif esc in "01234567":
            digits = body[i:i + 3]
            if len(digits) != 3 or any(c not in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError("invalid syntax")
            code = int(digits, 8)
            out.append(chr(0xDC00 + code) if code >= 0x80 else chr(code))
            i += 3
        else:
            raise ValueError("invalid syntax")
    text = "".join(out)
    if quote_char == "'" and len(text) != 1:
        raise ValueError("invalid syntax")
    return _join_bytes(text)


def _join_bytes(text: str) -> str:
    """Byte escapes that together form UTF-8 (``"\\xc3\\xa9"``) become the character."""
    if not any(0xDC80 <= ord(c) <= 0xDCFF for c in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")


_ESCAPE_LENGTHS = {"x": 4, "u": 6, "U": 10}


def _char_constant(text: str) -> str:
    """``'c'``: one character or escape (``invalid syntax``), and nothing after it."""
    body = text[1:-1]
    if not body or body[0] == "'":
        raise ValueError("invalid syntax")
    length = 1
    if body[0] == "\\":
        length = _ESCAPE_LENGTHS.get(body[1:2], 4 if body[1:2].isdigit() else 2)
    char = unquote("'" + body[:length] + "'")
    if body[length:]:
        raise ParseError(f"malformed character constant: {text}")
    return char


def _parse_int(text: str) -> int:
    """``strconv.ParseInt(text, 0, 64)``'s syntax: ``0x``, ``0o``, ``0b``, leading-0 octal, ``_``."""
    body = text.lstrip("+-")
    negative = text.startswith("-")
    if body[:2].lower() in ("0x", "0o", "0b"):
        value = int(body, 0)
    elif len(body) > 1 and body[0] == "0":
        value = int("0o" + body[1:].lstrip("_"), 0) if "__" not in body and not body.endswith("_") else int("x", 8)
    else:
        value = int(body, 10)
    return -value if negative else value


def new_number(pos: int, text: str, typ: str) -> NumberNode:
    """``newNumber``: which Go types the constant can be (int, float, ...)."""
    node = NumberNode(pos, text)
    if typ == CHAR_CONST:
        code = ord(_char_constant(text))
        node.is_int = node.is_uint = node.is_float = True
        node.int_value, node.float_value = code, float(code)
        return node
    if text.endswith("i"):
        node.is_complex = True
        return node
    try:
        value = _parse_int(text)
        if -2**63 <= value < 2**64:
            node.is_int = value < 2**63
            node.is_uint = value >= 0
            node.int_value = value
    except ValueError:
        pass
    if node.is_int or node.is_uint:
        node.is_float, node.float_value = True, float(node.int_value)
        return node
    try:
        number = float(text.replace("_", "")) if "x" not in text.lower() else float.fromhex(text)
    except ValueError:
        raise ParseError(f"illegal number syntax: {go_quote(text)}") from None
    if not any(c in text for c in ".eEpP"):
        raise ParseError(f"integer overflow: {go_quote(text)}")
    node.is_float, node.float_value = True, number
    if number == number and abs(number) < 2**63 and number == int(number):
        node.is_int, node.int_value = True, int(number)
    return node


# --- parser -------------------------------------------------------------------------------------


class Parser:
    """One tree's parse (``parse.Tree``); ``define`` and ``block`` start nested ones."""

    def __init__(self, text: str, items: list[Item], cursor: list[int], trees: dict,
                 funcs: set[str], name: str) -> None:
        self.text, self.items, self.cursor, self.trees, self.funcs = text, items, cursor, trees, funcs
        self.name = name
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0

    # tokens
    def next(self) -> Item:
        item = self.items[min(self.cursor[0], len(self.items) - 1)]
        self.cursor[0] += 1
        self.cursor[1] = max(self.cursor[1], self.cursor[0] - 1)
        return item

    def backup(self, count: int = 1) -> None:
        self.cursor[0] -= count

    def peek(self) -> Item:
        item = self.next()
        self.backup()
        return item

    def next_non_space(self) -> Item:
        item = self.next()
        while item.typ == SPACE:
            item = self.next()
        return item

    def peek_non_space(self) -> Item:
        item = self.next_non_space()
        self.backup()
        return item

    def errorf(self, message: str):
        line = self.items[min(self.cursor[1], len(self.items) - 1)].line
        raise ParseError(f"template: output:{line}: {message}")

    def expect(self, typ: str, context: str) -> Item:
        token = self.next_non_space()
        if token.typ != typ:
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Item, context: str):
        if token.typ == ERROR:
            extra = ""
            if self.action_line and self.action_line != token.line:
                extra = f" in action started at output:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action"):]  # not "action in action"
            self.errorf(f"{token}{extra}")
        self.errorf(f"unexpected {token} in {context}")

    # structure
    def parse(self) -> None:
        root = ListNode(self.peek().pos)
        while self.peek().typ != EOF:
            if self.peek().typ == LEFT:
                start = self.cursor[0]
                self.next()
                if self.next_non_space().typ == "define":
                    Parser(self.text, self.items, self.cursor, self.trees, self.funcs, "definition").parse_definition()
                    continue
                self.cursor[0] = start
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        self.add(root)

    def add(self, root: ListNode) -> None:
        existing = self.trees.get(self.name)
        if existing is None or _empty(existing):
            self.trees[self.name] = root
        elif not _empty(root):
            self.errorf(f"template: multiple definition of template {go_quote(self.name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        token = self.next_non_space()
        if token.typ not in (STRING, RAW):
            self.unexpected(token, context)
        self.name = self.unquote(token)
        self.expect(RIGHT, context)
        root, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.add(root)

    def item_list(self) -> tuple[ListNode, Node]:
        items = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != EOF:
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                return items, node
            items.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.typ == TEXT:
            return TextNode(token.pos, token.val)
        if token.typ == LEFT:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(token, "input")

    def action(self) -> Node:
        token = self.next_non_space()
        control = {"block": self.block_control, "else": self.else_control, "end": self.end_control,
                   "if": lambda: self.branch(IfNode, "if"), "range": lambda: self.branch(RangeNode, "range"),
                   "with": lambda: self.branch(WithNode, "with"), "template": self.template_control}
        if token.typ in control:
            return control[token.typ]()
        if token.typ in ("break", "continue"):
            return self.loop_control(token)
        self.backup()
        pos = self.peek().pos
        return ActionNode(pos, self.pipeline("command", RIGHT))

    def loop_control(self, keyword: Item) -> Node:
        token = self.next_non_space()
        if token.typ != RIGHT:
            self.unexpected(token, "{{" + keyword.typ + "}}")
        if self.range_depth == 0:
            self.errorf("{{" + keyword.typ + "}} outside {{range}}")
        return BreakNode(keyword.pos) if keyword.typ == "break" else ContinueNode(keyword.pos)

    def branch(self, node_type, context: str) -> Node:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, RIGHT)
            if context == "range":
                self.range_depth += 1
            body, next_node = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(next_node, ElseNode):
                if context in ("if", "with") and self.peek().typ == context:
                    self.next()
                    else_list = ListNode(next_node.pos, [self.branch(node_type, context)])
                else:
                    else_list, next_node = self.item_list()
                    if not isinstance(next_node, EndNode):
                        self.errorf(f"expected end; found {next_node}")
            return node_type(pipe.pos, pipe, body, else_list)
        finally:
            del self.vars[mark:]

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek.typ in ("if", "with"):
            return ElseNode(peek.pos)
        return ElseNode(self.expect(RIGHT, "else").pos)

    def end_control(self) -> Node:
        return EndNode(self.expect(RIGHT, "end").pos)

    def template_name(self, token: Item, context: str) -> str:
        if token.typ not in (STRING, RAW):
            self.unexpected(token, context)
        return self.unquote(token)

    def template_control(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = None
        if self.next_non_space().typ != RIGHT:
            self.backup()
            pipe = self.pipeline(context, RIGHT)
        return TemplateNode(token.pos, name, pipe)

    def block_control(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = self.pipeline(context, RIGHT)
        block = Parser(self.text, self.items, self.cursor, self.trees, self.funcs, name)
        root, end = block.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        block.add(root)
        return TemplateNode(token.pos, name, pipe)

    # pipelines
    def pipeline(self, context: str, end: str) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, token.line)
        self.declarations(pipe, context)
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in (BOOL, CHAR_CONST, DOT, FIELD, IDENT, NUMBER, NIL, RAW, STRING, VARIABLE, LPAREN):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(token, context)

    def declarations(self, pipe: PipeNode, context: str) -> None:
        while True:
            variable = self.peek_non_space()
            if variable.typ != VARIABLE:
                return
            start = self.cursor[0]
            self.next_non_space()
            following = self.peek_non_space()
            if following.typ in (ASSIGN, DECLARE):
                pipe.is_assign = following.typ == ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(variable.pos, [variable.val]))
                self.vars.append(variable.val)
                return
            if following.typ == CHAR and following.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(variable.pos, [variable.val]))
                self.vars.append(variable.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (VARIABLE, RIGHT, RPAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            self.cursor[0] = start
            return

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for index, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {index + 2}")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == SPACE:
                continue
            if token.typ in (RIGHT, RPAREN):
                self.backup()
            elif token.typ != PIPE:
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None or self.peek().typ != FIELD:
            return node
        chain_pos = self.peek().pos
        fields = []
        while self.peek().typ == FIELD:
            fields.append(self.next().val[1:])
        if isinstance(node, FieldNode):
            return FieldNode(chain_pos, node.ident + fields)
        if isinstance(node, VariableNode):
            return VariableNode(chain_pos, node.ident + fields)
        if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
            self.errorf(f"unexpected . after term {go_quote(str(node))}")
        return ChainNode(chain_pos, node, fields)

    def term(self) -> Node | None:
        token = self.next_non_space()
        if token.typ == IDENT:
            if token.val not in self.funcs:
                self.errorf(f"function {go_quote(token.val)} not defined")
            return IdentifierNode(token.pos, token.val)
        if token.typ == DOT:
            return DotNode(token.pos)
        if token.typ == NIL:
            return NilNode(token.pos)
        if token.typ == VARIABLE:
            name = token.val.split(".")[0]
            if name not in self.vars:
                self.errorf(f"undefined variable {go_quote(name)}")
            return VariableNode(token.pos, token.val.split("."))
        if token.typ == FIELD:
            return FieldNode(token.pos, [token.val[1:]])
        if token.typ == BOOL:
            return BoolNode(token.pos, token.val == "true")
        if token.typ in (CHAR_CONST, NUMBER):
            try:
                return new_number(token.pos, token.val, token.typ)
            except ParseError as err:
                self.errorf(str(err))
            except ValueError:
                self.errorf("invalid syntax")
        if token.typ == LPAREN:
            return self.pipeline("parenthesized pipeline", RPAREN)
        if token.typ in (STRING, RAW):
            return StringNode(token.pos, token.val, self.unquote(token))
        self.backup()
        return None

    def unquote(self, token: Item) -> str:
        try:
            return unquote(token.val)
        except ValueError:
            self.errorf("invalid syntax")


def _empty(root: ListNode) -> bool:
    return all(isinstance(n, TextNode) and not n.text.strip(SPACES) for n in root.nodes)


def parse(text: str, funcs: tuple[str, ...] = BUILTINS + KUBECTL_FUNCS) -> dict[str, ListNode]:
    """Every template the text defines, by name; the text itself is ``"output"``."""
    items = Lexer(text).run()
    trees: dict[str, ListNode] = {}
    Parser(text, items, [0, 0], trees, set(funcs), "output").parse()
    return trees
