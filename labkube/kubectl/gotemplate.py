"""``kubectl -o go-template``: Go's text/template run over an object, as kubectl runs it.

Mirrors k8s.io/cli-runtime/pkg/printers/template.go (GoTemplatePrinter) and Go's
text/template exec.go and funcs.go. kubectl marshals the object to JSON and decodes it again
with apimachinery's json package, so the template sees ``map[string]interface {}``,
``[]interface {}``, strings, bools, nil, and numbers as ``int64`` when they are integral
(``3``, ``2000000000``) or ``float64`` otherwise (``1.5``, ``1.2e-05``): see
:mod:`labkube.kubectl.gofmt` for how each prints.

The rules a student meets (each checked against kubectl 1.32 in
tests/kubectl/test_gotemplate_kubectl.py):

* a missing key prints ``<no value>`` (``--allow-missing-template-keys=true``, the default) or
  stops with ``map has no entry for key "x"``; a field of a missing key is missing too, but a
  field of an explicit ``null`` is ``nil pointer evaluating interface {}.x``;
* ``range`` visits a list, or a map's keys in sorted order, and runs ``else``
  when there is nothing to visit; ``break`` and ``continue`` leave or skip an iteration;
* ``if``/``with`` are false for ``false``, ``0``, ``""``, empty maps and lists, nil and missing;
* the builtins ``and or not len index slice print printf println eq ne lt le gt ge html js
  urlquery call`` and kubectl's ``base64decode`` and ``exists``; ``eq 1 1.0`` is an error
  (incompatible types), as in Go.

An execution error keeps what was already written, as kubectl's writer does, and
:class:`ExecError` carries it. Templates may call each other at most 100 deep (Go allows
100000; the message is Go's), and nesting too deep for Python stops the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from labkube.kubectl import gofmt
from labkube.kubectl.gofmt import Int64, Uint8, go_type
from labkube.kubectl.gotemplate_parse import (
    ActionNode, BoolNode, BreakNode, ChainNode, CommandNode, ContinueNode, DotNode, FieldNode,
    IdentifierNode, IfNode, ListNode, NilNode, Node, NumberNode, ParseError, PipeNode, RangeNode,
    StringNode, TemplateNode, TextNode, VariableNode, WithNode, parse,
)
from labkube.kubectl.printers.format import normalize_number

__all__ = ["ParseError", "ExecError", "Template", "go_value", "execute"]

#: How deep templates may call templates here (Go allows 100000; its message is kept).
MAX_DEPTH = 100


class ExecError(ValueError):
    """A template that failed while running; ``str()`` is Go's message, ``output`` what was written."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


class _Missing:
    """Go's invalid ``reflect.Value``: a key that is not there (prints ``<no value>``)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

#: "No value from an earlier command": Go's ``missingVal``, unlike MISSING, which is a value.
NO_FINAL = object()


class Iface:
    """A value read out of a map or list: Go holds it as ``interface {}`` until a pipeline ends."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def go_value(value: Any) -> Any:
    """The object as kubectl's JSON round trip hands it to the template (ints become int64)."""
    if isinstance(value, dict):
        return {str(k): go_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [go_value(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    value = normalize_number(value)
    if isinstance(value, int):
        return Int64(value)
    return value


def _unwrap(value: Any) -> Any:
    """A pipeline's result: ``interface {}`` dug down to what is inside (nil becomes invalid)."""
    if isinstance(value, Iface):
        return MISSING if value.value is None else value.value
    return value


def _plain(value: Any) -> Any:
    """A value passed as ``interface {}`` (print's arguments): missing becomes nil."""
    if isinstance(value, Iface):
        return value.value
    return None if value is MISSING else value


def _static_type(value: Any) -> str:
    return "interface {}" if isinstance(value, Iface) else go_type(value)


def is_true(value: Any) -> tuple[bool, bool]:
    """``template.IsTrue``: (truth, ok)."""
    value = _unwrap(value)
    if value is MISSING or value is None:
        return False, True
    if isinstance(value, (bool, int, float, str, dict, list)):
        return bool(value), True
    return True, True


# --- the state of one execution --------------------------------------------------------------


class State:
    """``text/template``'s exec state: output, variables, the node being run, the templates."""

    def __init__(self, text: str, trees: dict[str, ListNode], allow_missing: bool) -> None:
        self.text, self.trees, self.allow_missing = text, trees, allow_missing
        self.out: list[str] = []
        self.vars: list[list] = []
        self.node: Node | None = None
        self.name = "output"
        self.depth = 0

    def at(self, node: Node) -> None:
        self.node = node

    def errorf(self, message: str):
        location, context = self.error_context(self.node)
        raise ExecError(f'template: {location}: executing "{self.name}" at <{context}>: {message}',
                        "".join(self.out))

    def error_context(self, node: Node) -> tuple[str, str]:
        """``Tree.ErrorContext``: ``output:LINE:BYTECOLUMN`` and the node's text."""
        before = self.text[:node.pos].encode("utf-8", "surrogateescape")
        line_start = before.rfind(b"\n")
        column = len(before) if line_start < 0 else len(before) - line_start - 1
        context = str(node)
        line = before.count(b"\n") + 1
        return f"output:{line}:{column}", context

    # variables
    def push(self, name: str, value: Any) -> None:
        self.vars.append([name, value])

    def mark(self) -> int:
        return len(self.vars)

    def pop(self, mark: int) -> None:
        del self.vars[mark:]

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def set_top_var(self, n: int, value: Any) -> None:
        self.vars[len(self.vars) - n][1] = value

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    # --- walking the tree --------------------------------------------------------------------

    def walk(self, dot: Any, node: Node) -> None:
        self.at(node)
        if isinstance(node, ActionNode):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, value)
        elif isinstance(node, TextNode):
            self.out.append(node.text)
        elif isinstance(node, ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, (IfNode, WithNode)):
            self.walk_if_or_with(node, dot)
        elif isinstance(node, RangeNode):
            self.walk_range(dot, node)
        elif isinstance(node, TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, BreakNode):
            raise _Break()
        elif isinstance(node, ContinueNode):
            raise _Continue()

    def walk_if_or_with(self, node: Node, dot: Any) -> None:
        mark = self.mark()
        try:
            value = self.eval_pipeline(dot, node.pipe)
            truth, _ = is_true(value)
            if truth:
                self.walk(value if isinstance(node, WithNode) else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            self.pop(mark)

    def walk_range(self, dot: Any, node: RangeNode) -> None:
        self.at(node)
        outer = self.mark()
        try:
            value = _unwrap(self.eval_pipeline(dot, node.pipe))
            mark = self.mark()
            if isinstance(value, list):
                visits = [(i, Iface(v)) for i, v in enumerate(value)]
            elif isinstance(value, dict):
                visits = [(k, Iface(value[k])) for k in sorted(value)]
            elif value is MISSING or value is None:
                visits = []
            else:
                self.errorf(f"range can't iterate over {gofmt.format_value(value, 'v', gofmt.Flags())}")
            try:
                for index, element in visits:
                    self.one_iteration(node, mark, index, element)
            except _Break:
                return
            if not visits and node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            self.pop(outer)

    def one_iteration(self, node: RangeNode, mark: int, index: Any, element: Any) -> None:
        decl = node.pipe.decl
        if decl:
            if node.pipe.is_assign:
                self.set_var(decl[0].ident[0], index if len(decl) > 1 else element)
            else:
                self.set_top_var(1, element)
        if len(decl) > 1:
            if node.pipe.is_assign:
                self.set_var(decl[1].ident[0], element)
            else:
                self.set_top_var(2, index)
        try:
            self.walk(element, node.list)
        except _Continue:
            pass
        finally:
            self.pop(mark)

    def walk_template(self, dot: Any, node: TemplateNode) -> None:
        self.at(node)
        tree = self.trees.get(node.name)
        if tree is None:
            self.errorf(f"template {gofmt.quote(node.name)} not defined")
        if self.depth >= MAX_DEPTH:
            self.errorf("exceeded maximum template depth (100000)")
        value = self.eval_pipeline(dot, node.pipe) if node.pipe is not None else MISSING
        saved = (self.name, self.vars, self.depth)
        self.name, self.vars, self.depth = node.name, [["$", value]], self.depth + 1
        try:
            self.walk(value, tree)
        finally:
            self.name, self.vars, self.depth = saved

    # --- pipelines and commands -----------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: PipeNode) -> Any:
        self.at(pipe)
        value = NO_FINAL
        for cmd in pipe.cmds:
            value = _unwrap(self.eval_command(dot, cmd, value))
        for variable in pipe.decl:
            if pipe.is_assign:
                self.set_var(variable.ident[0], value)
            else:
                self.push(variable.ident[0], value)
        return value

    def eval_command(self, dot: Any, cmd: CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            self.at(first)
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final)
        if isinstance(first, ChainNode):
            return self.eval_chain(dot, first, cmd.args, final)
        if isinstance(first, IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, VariableNode):
            return self.eval_variable(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, BoolNode):
            return first.value
        if isinstance(first, DotNode):
            return dot
        if isinstance(first, NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, StringNode):
            return first.text
        self.errorf(f"can't evaluate command {gofmt.quote(str(first))}")

    def not_a_function(self, args: list, final: Any) -> None:
        if len(args) > 1 or final is not NO_FINAL:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def ideal_constant(self, node: NumberNode) -> Any:
        self.at(node)
        if node.is_complex:
            self.errorf(f"complex constants are not supported by labkube: {node.text}")
        text = node.text
        hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
        rune_int = text.startswith("'")
        if node.is_float and not hex_int and not rune_int and any(c in text for c in ".eEpP"):
            return node.float_value
        if node.is_int:
            return node.int_value
        if node.is_uint:
            self.errorf(f"{node.text} overflows int")
        return MISSING

    def eval_chain(self, dot: Any, chain: ChainNode, args: list, final: Any) -> Any:
        self.at(chain)
        if isinstance(chain.node, NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, None, chain.node)
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable(self, dot: Any, variable: VariableNode, args: list, final: Any) -> Any:
        self.at(variable)
        value = self.var_value(variable.ident[0])
        if len(variable.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, variable, variable.ident[1:], args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: Node, idents: list, args: list,
                         final: Any) -> Any:
        for name in idents[:-1]:
            receiver = self.eval_field(name, [], NO_FINAL, receiver)
        return self.eval_field(idents[-1], args, final, receiver)

    def eval_field(self, name: str, args: list, final: Any, receiver: Any) -> Any:
        """``.name`` of a map: its entry; missing, nil and non-maps as Go's exec answers."""
        if receiver is MISSING:
            if not self.allow_missing:
                self.errorf(f"nil data; no entry for key {gofmt.quote(name)}")
            return MISSING
        static = _static_type(receiver)
        value = receiver.value if isinstance(receiver, Iface) else receiver
        if value is None:
            self.errorf(f"nil pointer evaluating {static}.{name}")
        if isinstance(value, dict):
            if len(args) > 1 or final is not NO_FINAL:
                self.errorf(f"{name} is not a method but has arguments")
            if name in value:
                return Iface(value[name])
            if not self.allow_missing:
                self.errorf(f"map has no entry for key {gofmt.quote(name)}")
            return MISSING
        self.errorf(f"can't evaluate field {name} in type {static}")

    # --- functions ----------------------------------------------------------------------------

    def eval_function(self, dot: Any, node: IdentifierNode, cmd: Node, args: list, final: Any) -> Any:
        self.at(node)
        spec = FUNCTIONS[node.name]
        return self.eval_call(dot, spec, node.name, cmd, args, final)

    def eval_call(self, dot: Any, spec: "Func", name: str, cmd: Node, args: list, final: Any) -> Any:
        args = args[1:]
        count = len(args) + (0 if final is NO_FINAL else 1)
        fixed = len(spec.params)
        if spec.variadic is not None:
            if count < fixed:
                self.errorf(f"wrong number of args for {name}: want at least {fixed} got {len(args)}")
        elif count != fixed:
            self.errorf(f"wrong number of args for {name}: want {fixed} got {count}")
        if name in ("and", "or"):
            return self.and_or(dot, name, args, final)
        values = []
        for index, arg in enumerate(args):
            kind = spec.params[index] if index < fixed else spec.variadic
            values.append(self.eval_arg(dot, kind, arg))
        if final is not NO_FINAL:
            kind = spec.params[count - 1] if count - 1 < fixed else spec.variadic
            values.append(self.validate_type(final, kind))
        if name == "call":
            values.insert(0, str(args[0]) if args else str(final))
        try:
            return spec.fn(*values)
        except FuncError as err:
            self.at(cmd)
            self.errorf(f"error calling {name}: {err}")

    def and_or(self, dot: Any, name: str, args: list, final: Any) -> Any:
        value = MISSING
        for arg in args:
            value = self.eval_arg(dot, "value", arg)
            if _truth(value) == (name == "or"):
                return value
        if final is not NO_FINAL:
            value = final
        return value

    def eval_arg(self, dot: Any, kind: str | None, node: Node) -> Any:
        """An argument for a parameter of ``kind``: ``"value"`` (reflect.Value), ``"any"``,
        ``"string"`` or None (a chain's receiver)."""
        self.at(node)
        if isinstance(node, DotNode):
            return self.validate_type(dot, kind)
        if isinstance(node, NilNode):
            if kind in ("value", "any"):
                return MISSING if kind == "value" else None
            self.errorf(f"cannot assign nil to {_kind_name(kind)}")
        if isinstance(node, FieldNode):
            return self.validate_type(self.eval_field_chain(dot, dot, node, node.ident, [node], NO_FINAL), kind)
        if isinstance(node, VariableNode):
            return self.validate_type(self.eval_variable(dot, node, [], NO_FINAL), kind)
        if isinstance(node, PipeNode):
            return self.validate_type(self.eval_pipeline(dot, node), kind)
        if isinstance(node, IdentifierNode):
            return self.validate_type(self.eval_function(dot, node, node, [node], NO_FINAL), kind)
        if isinstance(node, ChainNode):
            return self.validate_type(self.eval_chain(dot, node, [], NO_FINAL), kind)
        if kind == "string":
            if isinstance(node, StringNode):
                return node.text
            self.errorf(f"expected string; found {node}")
        if isinstance(node, BoolNode):
            value = node.value
        elif isinstance(node, NumberNode):
            value = self.ideal_constant(node)
        elif isinstance(node, StringNode):
            value = node.text
        else:
            self.errorf(f"can't handle {node} for arg of type {_kind_name(kind)}")
        return self.validate_type(value, kind)

    def validate_type(self, value: Any, kind: str | None) -> Any:
        if kind is None or kind == "value":
            return value
        if kind == "any":
            return _plain(value)
        if value is MISSING:
            self.errorf("invalid value; expected string")
        inner = value.value if isinstance(value, Iface) else value
        if isinstance(inner, str):
            return inner
        got = "interface {}" if inner is None else go_type(inner)
        self.errorf(f"wrong type for value; expected string; got {got}")

    # --- printing -------------------------------------------------------------------------------

    def print_value(self, node: Node, value: Any) -> None:
        self.at(node)
        if value is MISSING:
            self.out.append("<no value>")
        else:
            self.out.append(gofmt.sprint(_plain(value)))


def _kind_name(kind: str | None) -> str:
    return {"value": "reflect.Value", "any": "interface {}", "string": "string"}.get(kind or "", "")


# --- builtin functions (funcs.go) and kubectl's two ---------------------------------------------------


class FuncError(Exception):
    """An error a function returns; exec reports it as ``error calling NAME: ...``."""


class Func:
    """A function's Go signature: fixed parameter kinds and the variadic kind (or None)."""

    def __init__(self, fn, params: tuple[str, ...], variadic: str | None = None) -> None:
        self.fn, self.params, self.variadic = fn, params, variadic


def _indirect_interface(value: Any) -> Any:
    if isinstance(value, Iface):
        return MISSING if value.value is None else value.value
    return value


def _truth(value: Any) -> bool:
    return is_true(_indirect_interface(value))[0]


def _kind(value: Any) -> str:
    """``basicKind``: bool, int, float, string, or "" (not comparable by order)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return ""


def _describe(value: Any, verb: str = "v") -> str:
    return gofmt.format_value(value, verb, gofmt.Flags())


def go_eq(arg1: Any, *others: Any) -> bool:
    arg1 = _indirect_interface(arg1)
    if not others:
        raise FuncError("missing argument for comparison")
    k1 = _kind(arg1)
    for arg in others:
        arg = _indirect_interface(arg)
        k2 = _kind(arg)
        if k1 != k2:
            if arg1 is not MISSING and arg is not MISSING:
                raise FuncError("incompatible types for comparison")
            truth = False
        elif k1:
            truth = arg1 == arg
        else:
            if arg1 is MISSING or arg is MISSING:
                truth = (arg1 is MISSING or arg1 is None) and (arg is MISSING or arg is None)
            elif type(arg1) is not type(arg) and not (arg1 is None or arg is None):
                raise FuncError(f"non-comparable types {_describe(arg1, 's')}: {go_type(arg1)}, "
                                f"{go_type(arg)}: {_describe(arg)}")
            elif arg1 is None or arg is None:
                truth = arg1 is None and arg is None
            else:
                raise FuncError(f"non-comparable type {_describe(arg, 's')}: {go_type(arg)}")
        if truth:
            return True
    return False


def go_ne(arg1: Any, arg2: Any) -> bool:
    return not go_eq(arg1, arg2)


def go_lt(arg1: Any, arg2: Any) -> bool:
    arg1, arg2 = _indirect_interface(arg1), _indirect_interface(arg2)
    k1, k2 = _kind(arg1), _kind(arg2)
    if not k1 or not k2:
        raise FuncError("invalid type for comparison")
    if k1 != k2:
        raise FuncError("incompatible types for comparison")
    if k1 == "bool":
        raise FuncError("invalid type for comparison")
    if k1 == "string":
        return arg1.encode("utf-8", "surrogateescape") < arg2.encode("utf-8", "surrogateescape")
    return arg1 < arg2


def go_le(arg1: Any, arg2: Any) -> bool:
    return go_lt(arg1, arg2) or go_eq(arg1, arg2)


def go_gt(arg1: Any, arg2: Any) -> bool:
    return not go_le(arg1, arg2)


def go_ge(arg1: Any, arg2: Any) -> bool:
    return not go_lt(arg1, arg2)


def go_not(arg: Any) -> bool:
    return not _truth(arg)


def go_len(item: Any) -> int:
    if item is MISSING:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, Iface) and item.value is None or item is None:
        raise FuncError("len of nil pointer")
    item = _indirect_interface(item)
    if isinstance(item, str):
        return len(item.encode("utf-8", "surrogateescape"))
    if isinstance(item, (dict, list)):
        return len(item)
    raise FuncError(f"len of type {go_type(item)}")


def _index_arg(index: Any, cap: int) -> int:
    if index is MISSING:
        raise FuncError("cannot index slice/array with nil")
    if not isinstance(index, int) or isinstance(index, bool):
        raise FuncError(f"cannot index slice/array with type {go_type(index)}")
    if index < 0 or index > cap:
        raise FuncError(f"index out of range: {index}")
    return index


def go_index(item: Any, *indexes: Any) -> Any:
    item = _indirect_interface(item)
    if item is MISSING:
        raise FuncError("index of untyped nil")
    for index in indexes:
        index = _indirect_interface(index)
        item = _indirect_interface(item)
        if item is MISSING or item is None:
            raise FuncError("index of nil pointer")
        if isinstance(item, (list, str)):
            sequence = item.encode("utf-8", "surrogateescape") if isinstance(item, str) else item
            position = _index_arg(index, len(sequence))
            if position == len(sequence):
                raise FuncError(f"index out of range: {position}")
            item = Uint8(sequence[position]) if isinstance(item, str) else Iface(sequence[position])
        elif isinstance(item, dict):
            if index is MISSING:
                raise FuncError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise FuncError(f"value has type {go_type(index)}; should be string")
            item = Iface(item.get(index))
        else:
            raise FuncError(f"can't index item of type {go_type(item)}")
    return item


def go_slice(item: Any, *indexes: Any) -> Any:
    item = _indirect_interface(item)
    if item is MISSING:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise FuncError("cannot 3-index slice a string")
        sequence: Any = item.encode("utf-8", "surrogateescape")
    elif isinstance(item, list):
        sequence = item
    else:
        raise FuncError(f"can't slice item of type {go_type(item)}")
    bounds = [0, len(sequence), len(sequence)]
    for i, index in enumerate(indexes):
        if isinstance(index, Iface):  # slice, unlike index, does not look inside an interface
            raise FuncError("cannot index slice/array with type interface {}")
        bounds[i] = _index_arg(index, len(sequence))
    if bounds[0] > bounds[1]:
        raise FuncError(f"invalid slice index: {bounds[0]} > {bounds[1]}")
    if len(indexes) == 3 and bounds[1] > bounds[2]:
        raise FuncError(f"invalid slice index: {bounds[1]} > {bounds[2]}")
    part = sequence[bounds[0]:bounds[1]]
    return part.decode("utf-8", "surrogateescape") if isinstance(part, bytes) else part


def go_call(name: str, fn: Any, *args: Any) -> Any:
    fn = _indirect_interface(fn)
    if fn is MISSING:
        raise FuncError("call of nil")
    raise FuncError(f"non-function {name} of type {go_type(fn)}")


def _eval_args(args: tuple) -> str:
    """``evalArgs``: one string as it is; otherwise ``fmt.Sprint`` with nil as ``<no value>``."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return gofmt.sprint(*("<no value>" if a is None else a for a in args))


def go_html(*args: Any) -> str:
    text = _eval_args(args)
    table = {'"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;", "\0": "\ufffd"}
    return "".join(table.get(ch, ch) for ch in text)


def go_js(*args: Any) -> str:
    text = _eval_args(args)
    table = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026",
             "=": "\\u003D"}
    out = []
    for ch in text:
        if ch in table:
            out.append(table[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        elif ord(ch) < 0x80 or ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04X}")
    return "".join(out)


def go_urlquery(*args: Any) -> str:
    return quote_plus(_eval_args(args).encode("utf-8", "surrogateescape"), safe="-_.~")


def go_printf(fmt: str, *args: Any) -> str:
    return gofmt.sprintf(fmt, list(args))


def base64decode(value: str) -> str:
    """kubectl's ``base64decode``: ``base64.StdEncoding.DecodeString``, errors in Go's words."""
    try:
        data = _std_decode(value.encode("utf-8", "surrogateescape"))
    except _CorruptInput as err:
        raise FuncError(f"base64 decode failed: illegal base64 data at input byte {err.offset}") from None
    return data.decode("utf-8", "surrogateescape")


class _CorruptInput(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


_B64 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _std_decode(src: bytes) -> bytes:
    """Go's ``Encoding.Decode`` for the padded standard alphabet, quantum by quantum (newlines
    skipped; the offset of a ``CorruptInputError`` as Go computes it)."""
    out = bytearray()
    si = 0
    while True:
        quantum: list[int] = []
        while len(quantum) < 4:
            if si == len(src):
                if not quantum:
                    return bytes(out)
                raise _CorruptInput(si - len(quantum))
            char = src[si]
            si += 1
            if char in _B64:
                quantum.append(_B64[char])
                continue
            if char in b"\r\n":
                continue
            if char != ord("=") or len(quantum) < 2:
                raise _CorruptInput(si - 1)
            if len(quantum) == 2:
                while si < len(src) and src[si] in b"\r\n":
                    si += 1
                if si == len(src):
                    raise _CorruptInput(len(src))
                if src[si] != ord("="):
                    raise _CorruptInput(si - 1)
                si += 1
            while si < len(src) and src[si] in b"\r\n":
                si += 1
            if si < len(src):
                raise _CorruptInput(si)
            bits = 0
            for index, sextet in enumerate(quantum):
                bits |= sextet << (18 - 6 * index)
            out.extend(bits.to_bytes(3, "big")[:len(quantum) - 1])
            return bytes(out)
        bits = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3]
        out.extend(bits.to_bytes(3, "big"))


def exists(item: Any, *indices: Any) -> bool:
    """kubectl's ``exists``: would ``index`` with these arguments find a non-nil value? (With no
    indices it is true even of nil: Go's check sees no interface to look into.)"""
    if not indices:
        return True
    value = item
    for index in indices:
        if value is None:
            return False
        if isinstance(value, (list, str)):
            if not isinstance(index, int) or isinstance(index, bool):
                return False
            sequence = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
            if index < 0 or index >= len(sequence):
                return False
            value = Uint8(sequence[index]) if isinstance(value, str) else sequence[index]
        elif isinstance(value, dict):
            key = "" if index is None else index
            if not isinstance(key, str):
                return False
            value = value.get(key)
        else:
            return False
    return value is not None


FUNCTIONS = {
    "and": Func(None, ("value",), "value"),
    "or": Func(None, ("value",), "value"),
    "not": Func(go_not, ("value",)),
    "call": Func(go_call, ("value",), "value"),
    "html": Func(go_html, (), "any"),
    "js": Func(go_js, (), "any"),
    "urlquery": Func(go_urlquery, (), "any"),
    "index": Func(go_index, ("value",), "value"),
    "slice": Func(go_slice, ("value",), "value"),
    "len": Func(go_len, ("value",)),
    "print": Func(lambda *a: gofmt.sprint(*a), (), "any"),
    "println": Func(lambda *a: gofmt.sprintln(*a), (), "any"),
    "printf": Func(go_printf, ("string",), "any"),
    "eq": Func(go_eq, ("value",), "value"),
    "ne": Func(go_ne, ("value", "value")),
    "lt": Func(go_lt, ("value", "value")),
    "le": Func(go_le, ("value", "value")),
    "gt": Func(go_gt, ("value", "value")),
    "ge": Func(go_ge, ("value", "value")),
    "exists": Func(exists, ("any",), "any"),
    "base64decode": Func(base64decode, ("string",)),
}


# --- the public face ------------------------------------------------------------------------------


class Template:
    """A parsed template (``template.New("output").Funcs(...).Parse(text)``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self.trees = parse(text)
        except RecursionError:
            raise ParseError("template: output:1: max expression depth exceeded") from None

    def execute(self, data: Any, allow_missing_keys: bool = True) -> str:
        """The template run over ``data`` (already :func:`go_value`); raises :class:`ExecError`."""
        state = State(self.text, self.trees, allow_missing_keys)
        state.vars = [["$", data]]
        try:
            state.walk(data, self.trees["output"])
        except RecursionError:
            state.errorf("exceeded maximum template depth (100000)")
        return "".join(state.out)


def execute(text: str, obj: Any, allow_missing_keys: bool = True) -> str:
    """Parse ``text`` and run it over the JSON object ``obj``."""
    return Template(text).execute(go_value(obj), allow_missing_keys)


# --- kubectl's GoTemplatePrinter ---------------------------------------------------------------------

#: The ``-o`` formats GoTemplatePrintFlags answers for (``template*`` are aliases).
FORMATS = ("go-template", "go-template-file", "template", "templatefile")


class PrinterError(ValueError):
    """``ToPrinter``'s refusal; ``str()`` is kubectl's message (without ``error: ``)."""


def load(output_format: str, argument: str) -> Template:
    """``GoTemplatePrintFlags.ToPrinter``: the template of ``-o FORMAT=ARGUMENT`` (a file's text
    for the ``*file`` formats), parsed; :class:`PrinterError` in kubectl's words otherwise."""
    if not argument:
        raise PrinterError("template format specified but no template given")
    text = argument
    if output_format in ("go-template-file", "templatefile"):
        text = _read_template_file(argument)
    try:
        return Template(text)
    except ParseError as err:
        raise PrinterError(f"error parsing template {text}, {err}") from None


def _read_template_file(path: str) -> str:
    from pathlib import Path

    try:
        return Path(path).read_bytes().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        reason = f"open {path}: no such file or directory"
    except IsADirectoryError:
        reason = f"read {path}: is a directory"
    except PermissionError:
        reason = f"open {path}: permission denied"
    except OSError as err:
        reason = f"open {path}: {err.strerror.lower() if err.strerror else 'error'}"
    raise PrinterError(f"error reading --template {path}, {reason}")


def print_object(template: Template, obj: dict, allow_missing_keys: bool = True,
                 raw_json: str | None = None) -> tuple[str, str | None]:
    """``GoTemplatePrinter.PrintObj``: (what is written to stdout, the error or None).

    On an execution error stdout gets what the template wrote, then kubectl's debugging block
    (the template, the object's JSON ``raw_json`` and the map given to the engine), and the
    error reads ``error executing template "...": template: output:1:7: ...``.
    """
    from labkube.kubectl.output import to_json

    data = go_value(obj)
    try:
        return template.execute(data, allow_missing_keys), None
    except ExecError as err:
        raw = raw_json if raw_json is not None else to_json(obj, indent=None)
        debug = (f"Error executing template: {err}. Printing more information for debugging the template:\n"
                 f"\ttemplate was:\n\t\t{template.text}\n"
                 f"\traw data was:\n\t\t{raw}\n"
                 f"\tobject given to template engine was:\n\t\t{gofmt.sprint(data)}\n\n")
        return err.output + debug, f"error executing template {gofmt.quote(template.text)}: {err}"
