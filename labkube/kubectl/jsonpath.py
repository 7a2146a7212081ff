"""kubectl's JSONPath templates (``-o jsonpath=...``, ``custom-columns``).

Mirrors k8s.io/client-go/util/jsonpath: the parser (text outside ``{}``, and inside: ``.field``,
``..`` recursive descent, ``*``, ``[n]``, slices ``[start:end:step]`` and negative indexes,
unions ``[a,b]`` and ``['x','y']``, filters ``[?(@.type=="Ready")]`` with ``== != < > <= >=``
or plain existence, quoted text ``{"\\n"}``, and ``{range ...}...{end}``), the evaluator, and
``PrintResults``: the results of one ``{...}`` are joined with spaces; strings print raw,
numbers and booleans as Go's ``fmt`` prints them, maps and lists as compact JSON, null as
``null``. Missing keys yield nothing (kubectl's default ``--allow-missing-template-keys``).

One deliberate difference: Go iterates maps in random order for ``*`` and ``..``; labkube
visits keys in sorted order so output is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from labkube.kubectl.printers.format import go_float, normalize_number


class JSONPathError(ValueError):
    """A template that cannot be parsed or executed; ``str()`` is kubectl's wording."""


# --- nodes ------------------------------------------------------------------------------------


@dataclass
class ListNode:
    nodes: list = field(default_factory=list)


@dataclass
class TextNode:
    text: str


@dataclass
class FieldNode:
    name: str


@dataclass
class IdentifierNode:
    name: str


@dataclass
class ArrayNode:
    params: tuple  # three (known, value, derived) triples


@dataclass
class FilterNode:
    left: ListNode
    right: ListNode
    op: str


@dataclass
class IntNode:
    value: int


@dataclass
class FloatNode:
    value: float


@dataclass
class BoolNode:
    value: bool


class WildcardNode:
    pass


class RecursiveNode:
    pass


@dataclass
class UnionNode:
    nodes: list


# --- parser -----------------------------------------------------------------------------------

_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$")
_EOF = ""


def _is_terminator(ch: str) -> bool:
    return ch in (_EOF, " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


class _Parser:
    def __init__(self, text: str) -> None:
        self.input, self.pos, self.start = text, 0, 0
        self.root = ListNode()

    def next(self) -> str:
        if self.pos >= len(self.input):
            self.pos += 1
            return _EOF
        ch = self.input[self.pos]
        self.pos += 1
        return ch

    def backup(self) -> None:
        self.pos -= 1

    def peek(self) -> str:
        ch = self.next()
        self.backup()
        return ch

    def consume(self) -> str:
        text = self.input[self.start:self.pos]
        self.start = self.pos
        return text

    def parse(self) -> ListNode:
        self._text(self.root)
        return self.root

    def _text(self, cur: ListNode) -> None:
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    cur.nodes.append(TextNode(self.consume()))
                self.pos += 1
                self.consume()
                node = ListNode()
                cur.nodes.append(node)
                self._inside(node)
                return
            if self.next() == _EOF:
                break
        self.pos = min(self.pos, len(self.input))
        if self.pos > self.start:
            cur.nodes.append(TextNode(self.consume()))

    def _inside(self, cur: ListNode) -> None:
        while True:
            rest = self.input[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self.consume()
                self._text(self.root)
                return
            if rest.startswith("[?("):
                self._filter(cur)
                continue
            if rest.startswith(".."):
                self._recursive(cur)
                continue
            ch = self.next()
            if ch == _EOF or ch in "\r\n":
                raise JSONPathError("unclosed action")
            if ch == " " or ch in "@$":
                self.consume()
            elif ch == "[":
                self._array(cur)
            elif ch in "\"'":
                self._quote(cur, ch)
            elif ch == ".":
                self._field(cur)
            elif ch in "+-" or ch.isdigit():
                self.backup()
                self._number(cur)
            elif _is_alnum(ch):
                self.backup()
                self._identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: U+{ord(ch):04X} '{ch}'")

    def _identifier(self, cur: ListNode) -> None:
        while not _is_terminator(self.next()):
            pass
        self.backup()
        value = self.consume()
        if value in ("true", "false"):
            cur.nodes.append(BoolNode(value == "true"))
        else:
            cur.nodes.append(IdentifierNode(value))

    def _recursive(self, cur: ListNode) -> None:
        if cur.nodes and isinstance(cur.nodes[-1], RecursiveNode):
            raise JSONPathError("invalid multiple recursive descent")
        self.pos += 2
        self.consume()
        cur.nodes.append(RecursiveNode())
        if _is_alnum(self.peek()):
            self._field(cur)

    def _number(self, cur: ListNode) -> None:
        if self.peek() in "+-":
            self.next()
        while True:
            ch = self.next()
            if ch != "." and not ch.isdigit():
                self.backup()
                break
        value = self.consume()
        if re.fullmatch(r"[+-]?\d+", value):
            cur.nodes.append(IntNode(int(value)))
            return
        try:
            cur.nodes.append(FloatNode(float(value)))
        except ValueError:
            raise JSONPathError(f"cannot parse number {value}") from None

    def _array(self, cur: ListNode) -> None:
        while True:
            ch = self.next()
            if ch == _EOF or ch == "\n":
                raise JSONPathError("unterminated array")
            if ch == "]":
                break
        text = self.consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            cur.nodes.append(UnionNode([parse_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        match = _DICT_KEY.match(text)
        if match:
            cur.nodes.extend(parse_action(f".{match.group(1)}").nodes)
            return
        match = _SLICE.match(text)
        if not match:
            raise JSONPathError(f"invalid array index {text}")
        params = []
        groups = list(match.groups())
        for i in range(3):
            raw = groups[i]
            if raw is not None and raw != "":
                if i > 0:
                    raw = raw[1:]
                if i > 0 and raw == "":
                    params.append((False, 0, False))
                else:
                    params.append((True, int(raw), False))
            elif i == 1:
                params.append((True, params[0][1] + 1, True))
            else:
                params.append((False, 0, False))
        cur.nodes.append(ArrayNode(tuple(params)))

    def _filter(self, cur: ListNode) -> None:
        self.pos += 3
        self.consume()
        begin = end = False
        pair = ""
        while True:
            ch = self.next()
            if ch == _EOF or ch == "\n":
                raise JSONPathError("unterminated filter")
            if ch in "\"'":
                if not begin:
                    begin, pair = True, ch
                    continue
                if self.input[self.pos - 2] != "\\" and ch == pair:
                    end = True
            elif ch == ")" and begin == end:
                break
        if self.next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self.consume()[:-2]
        match = _FILTER.match(text)
        if match is None:
            cur.nodes.append(FilterNode(parse_action(text), ListNode(), "exists"))
        else:
            cur.nodes.append(FilterNode(parse_action(match.group(1)), parse_action(match.group(3)), match.group(2)))

    def _quote(self, cur: ListNode, end: str) -> None:
        while True:
            ch = self.next()
            if ch == _EOF or ch == "\n":
                raise JSONPathError("unterminated quoted string")
            if ch == "\\":
                nxt = self.next()
                if nxt != _EOF and nxt != "\n":
                    continue
                break
            if ch == end:
                break
        value = self.consume()
        cur.nodes.append(TextNode(_unquote(value)))

    def _field(self, cur: ListNode) -> None:
        self.consume()
        while True:
            ch = self.next()
            if ch == "\\":
                self.next()
            elif _is_terminator(ch):
                self.backup()
                break
        value = self.consume()
        if value == "*":
            cur.nodes.append(WildcardNode())
        else:
            cur.nodes.append(FieldNode(value.replace("\\", "")))


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\", "'": "'", '"': '"'}


def _unquote(quoted: str) -> str:
    """``UnquoteExtend``: Go's strconv.Unquote, also accepting single-quoted strings."""
    if len(quoted) < 2 or quoted[0] != quoted[-1] or quoted[0] not in "\"'":
        raise JSONPathError(f"unquote string {quoted} error invalid syntax")
    body, out, i = quoted[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1] if i + 1 < len(body) else ""
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
            i += 2
        elif esc in "xuU" and esc:
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise JSONPathError(f"unquote string {quoted} error invalid syntax")
            out.append(chr(int(digits, 16)))
            i += 2 + width
        elif esc and esc in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                raise JSONPathError(f"unquote string {quoted} error invalid syntax")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise JSONPathError(f"unquote string {quoted} error invalid syntax")
    return "".join(out)


def parse_action(text: str) -> ListNode:
    """Parse the inside of one action (``{text}``) and return its node list."""
    return parse("{" + text + "}").nodes[0]


def parse(template: str) -> ListNode:
    return _Parser(template).parse()


# --- evaluator --------------------------------------------------------------------------------

_MISSING = object()


class _Evaluator:
    def __init__(self, allow_missing_keys: bool) -> None:
        self.allow_missing = allow_missing_keys
        self.begin_range = self.in_range = self.end_range = 0
        self.last_end = None

    def find_results(self, data, nodes: list) -> list[list]:
        full: list[list] = []
        cur = [data]
        i = 0
        while i < len(nodes):
            node = nodes[i]
            results = self.walk(cur, node)
            if self.end_range > 0 and self.end_range <= self.in_range:
                self.end_range -= 1
                self.last_end = node
                break
            if self.begin_range > 0:
                self.begin_range -= 1
                self.in_range += 1
                if results:
                    for value in results:
                        full.extend(self.find_results(value, nodes[i + 1:]))
                else:
                    self.find_results(None, nodes[i + 1:])
                self.in_range -= 1
                for k in range(i + 1, len(nodes)):
                    if nodes[k] is self.last_end:
                        i = k
                        break
                i += 1
                continue
            full.append(results)
            i += 1
        return full

    def walk(self, values: list, node) -> list:
        if isinstance(node, ListNode):
            for child in node.nodes:
                values = self.walk(values, child)
            return values
        if isinstance(node, TextNode):
            return [node.text]
        if isinstance(node, FieldNode):
            return self._field(values, node)
        if isinstance(node, ArrayNode):
            return self._array(values, node)
        if isinstance(node, FilterNode):
            return self._filter(values, node)
        if isinstance(node, (IntNode, FloatNode, BoolNode)):
            return [node.value for _ in values]
        if isinstance(node, WildcardNode):
            return self._wildcard(values)
        if isinstance(node, RecursiveNode):
            return self._recursive(values)
        if isinstance(node, UnionNode):
            return [r for child in node.nodes for r in self.walk(values, child)]
        if isinstance(node, IdentifierNode):
            return self._identifier(values, node)
        raise JSONPathError(f"unexpected Node {node}")

    def _identifier(self, values: list, node: IdentifierNode) -> list:
        if node.name == "range":
            self.begin_range += 1
            return values
        if node.name == "end":
            if self.in_range > 0:
                self.end_range += 1
                return []
            raise JSONPathError("not in range, nothing to end")
        raise JSONPathError(f"unrecognized identifier {node.name}")

    def _field(self, values: list, node: FieldNode) -> list:
        results = []
        if not values:
            return results
        for value in values:
            if isinstance(value, dict) and node.name in value:
                results.append(value[node.name])
        if not results and not self.allow_missing:
            raise JSONPathError(f"{node.name} is not found")
        return results

    def _array(self, values: list, node: ArrayNode) -> list:
        result: list = []
        for value in values:
            if value is None:
                continue
            if not isinstance(value, list):
                raise JSONPathError(f"{_go_type(value)} is not array or slice")
            (k0, start, _), (k1, end, derived1), (k2, step, _) = node.params
            length = len(value)
            start = start if k0 else 0
            if start < 0:
                start += length
            if not k1:
                end = length
            if end < 0 or (end == 0 and derived1):
                end += length
            if end == start:
                return result
            if start >= length or start < 0:
                raise JSONPathError(f"array index out of bounds: index {start}, length {length}")
            if end > length or end < 0:
                raise JSONPathError(f"array index out of bounds: index {end - 1}, length {length}")
            if start > end:
                raise JSONPathError(f"starting index {start} is greater than ending index {end}")
            stride = 1
            if k2:
                if step <= 0:
                    raise JSONPathError("step must be > 0")
                stride = step
            result.extend(value[start:end][::stride])
        return result

    def _wildcard(self, values: list) -> list:
        results = []
        for value in values:
            if isinstance(value, dict):
                results.extend(value[k] for k in sorted(value))
            elif isinstance(value, list):
                results.extend(value)
        return results

    def _recursive(self, values: list) -> list:
        result = []
        for value in values:
            if isinstance(value, dict):
                children = [value[k] for k in sorted(value)]
            elif isinstance(value, list):
                children = list(value)
            elif isinstance(value, str):
                children = list(value.encode())  # Go indexes a string's bytes (uint8)
            else:
                children = []
            if children:
                result.append(value)
                result.extend(self._recursive(children))
        return result

    def _filter(self, values: list, node: FilterNode) -> list:
        results = []
        for value in values:
            if not isinstance(value, list):
                raise JSONPathError(f"{_go_sprint_value(value)} is not array or slice and cannot be filtered")
            for item in value:
                try:
                    lefts = self.walk([item], node.left)
                except JSONPathError:
                    if node.op == "exists":
                        continue
                    raise
                if node.op == "exists":
                    if lefts:
                        results.append(item)
                    continue
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self.walk([item], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JSONPathError("can only compare one element at a time")
                if _compare(lefts[0], rights[0], node.op):
                    results.append(item)
        return results


def _kind(value) -> str:
    value = normalize_number(value)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "invalid"


def _compare(left, right, op: str) -> bool:
    """template.Equal/Less/...: only values of the same basic kind compare."""
    if op not in ("==", "!=", "<", ">", "<=", ">="):
        raise JSONPathError(f"unrecognized filter operator {op}")
    kind = _kind(left)
    if kind != _kind(right) or kind == "invalid":
        raise JSONPathError("incompatible types for comparison")
    a, b = normalize_number(left), normalize_number(right)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if kind == "bool":
        raise JSONPathError("invalid type for comparison")
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _go_type(value) -> str:
    return {dict: "map[string]interface {}", str: "string", bool: "bool", int: "int64",
            float: "float64"}.get(type(value), "interface {}")


def _go_sprint_value(value) -> str:
    from labkube.kubectl.printers.format import go_sprint

    return go_sprint(value)


# --- printing ---------------------------------------------------------------------------------


def compact_json(value) -> str:
    """encoding/json.Marshal: compact, keys sorted, ``<>&`` escaped as kubectl's Go does."""
    from labkube.kubectl.output import to_json

    return to_json(value, indent=None)


def _text(value) -> str:
    if isinstance(value, (dict, list)):
        return compact_json(value)
    value = normalize_number(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def find_results(template: str, data, allow_missing_keys: bool = True) -> list[list]:
    """``JSONPath.FindResults``: one list of values per top-level node of the template."""
    root = parse(template)
    return _Evaluator(allow_missing_keys).find_results(data, list(root.nodes))


def execute(template: str, data, allow_missing_keys: bool = True) -> str:
    """``JSONPath.Execute``: the printed text of ``template`` over ``data``."""
    try:
        results = find_results(template, data, allow_missing_keys)
    except RecursionError:
        raise JSONPathError("template nesting too deep") from None
    return "".join(" ".join(_text(v) for v in group) for group in results)


def relaxed(expression: str) -> str:
    """``RelaxedJSONPathExpression``: ``.a.b``, ``a.b``, ``{a.b}`` → ``{.a.b}`` (custom-columns)."""
    if not expression:
        return expression
    match = re.match(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$", expression)
    if not match:
        raise JSONPathError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
                            "'{name1.name2}' or '{.name1.name2}'")
    return "{." + (match.group(1) or match.group(2)) + "}"
