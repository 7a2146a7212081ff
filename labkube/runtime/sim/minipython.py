"""A tiny, safe Python for ``python3 -c '…'`` in simulated containers.

Kubernetes examples often give a Job a few lines of Python: read ``JOB_COMPLETION_INDEX`` from
the environment, print something, sleep, exit with a code. The simulated runtime cannot run real
Python (it must be deterministic, sandboxed and on the cluster clock), so this module walks the
script's syntax tree (``ast``) and understands a small subset, on the simulated clock:

* statements: ``import`` of ``os``, ``sys``, ``time``, ``math``; assignments (``x = …``,
  ``x += …``, tuple unpacking), ``if``/``elif``/``else``, ``for … in …`` (ranges, lists,
  strings), ``while`` (bounded: 1,000 iterations per simulated second without a sleep),
  ``break``, ``continue``, ``pass``, expression statements;
* expressions: numbers, strings (f-strings too), ``True``/``False``/``None``, lists, tuples,
  dicts, arithmetic, comparisons, ``and``/``or``/``not``, conditional expressions, indexing and
  slicing, calls of ``print`` (``sep``, ``end``, ``file=sys.stderr``, ``flush``), ``int``,
  ``str``, ``float``, ``len``, ``range``, ``abs``, ``min``, ``max``, ``sum``, ``sorted``,
  string methods (``upper``, ``lower``, ``strip``, ``split``, ``join``, ``format``,
  ``startswith``, ``endswith``, ``replace``), ``os.environ.get``, ``os.environ[…]``,
  ``os.getenv``, ``sys.exit``, ``sys.argv``, ``time.sleep`` (simulated seconds),
  ``time.time`` (the cluster clock), ``math.sqrt``/``floor``/``ceil``/``pi``.

An error Python would raise at run time (``KeyError`` for a missing variable, ``ZeroDivisionError``
…) ends the process with Python's traceback text and exit code 1; ``sys.exit(n)`` exits with
``n`` (a string argument is printed to stderr and exits 1). Anything outside the subset stops
with ``python3: the simulated python does not support …`` and exit code 2, instead of
pretending: nothing is ever passed to the real interpreter.
"""

from __future__ import annotations

import ast
import math
import operator
import traceback
from typing import Any, Iterator

from labkube.runtime.sim.process import Proc, ProgramGen, Sleep

BUSY_LOOP_BATCH = 100  # iterations without a sleep before a loop yields 0.1 s
MODULES = ("os", "sys", "time", "math")

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not}
_BUILTINS = {"int": int, "str": str, "float": float, "len": len, "abs": abs, "min": min, "max": max,
             "sum": sum, "sorted": sorted, "bool": bool, "list": list, "range": range}
_STR_METHODS = ("upper", "lower", "strip", "split", "join", "format", "startswith", "endswith",
                "replace", "rstrip", "lstrip", "splitlines")


class Unsupported(Exception):
    """The script uses Python this module does not model."""


class PyError(Exception):
    """A Python exception at run time: its class name and message."""

    def __init__(self, kind: str, message: str, line: int) -> None:
        super().__init__(message)
        self.kind, self.message, self.line = kind, message, line


class Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Module:
    """A stand-in for an imported module: the names the subset offers."""

    def __init__(self, name: str) -> None:
        self.name = name


class _Stderr:
    pass


STDERR = _Stderr()


class Interpreter:
    def __init__(self, proc: Proc, argv: list[str]) -> None:
        self.proc = proc
        self.argv = argv
        self.names: dict[str, Any] = {}
        self.unslept = 0
        self.line = 0

    # -- statements --------------------------------------------------------------------------
    def run(self, body: list[ast.stmt]) -> Iterator:
        for stmt in body:
            self.line = stmt.lineno
            method = getattr(self, "_s_" + type(stmt).__name__, None)
            if method is None:
                raise Unsupported(f"{type(stmt).__name__} statements (line {stmt.lineno})")
            yield from method(stmt)

    def _s_Import(self, node: ast.Import) -> Iterator:
        for alias in node.names:
            if alias.name not in MODULES:
                raise PyError("ModuleNotFoundError", f"No module named '{alias.name}'", node.lineno)
            self.names[alias.asname or alias.name] = _Module(alias.name)
        return
        yield  # pragma: no cover

    def _s_Expr(self, node: ast.Expr) -> Iterator:
        yield from self.eval(node.value)

    def _s_Pass(self, node: ast.Pass) -> Iterator:
        return
        yield  # pragma: no cover

    def _s_Assign(self, node: ast.Assign) -> Iterator:
        value = yield from self.eval(node.value)
        for target in node.targets:
            self._assign(target, value)

    def _s_AugAssign(self, node: ast.AugAssign) -> Iterator:
        if not isinstance(node.target, ast.Name):
            raise Unsupported(f"augmented assignment to {type(node.target).__name__} (line {node.lineno})")
        current = self._name(node.target.id)
        value = yield from self.eval(node.value)
        self.names[node.target.id] = self._binop(node.op, current, value)

    def _assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = list(value)
            if len(values) != len(target.elts):
                raise PyError("ValueError", f"too many values to unpack (expected {len(target.elts)})"
                              if len(values) > len(target.elts) else
                              f"not enough values to unpack (expected {len(target.elts)}, got {len(values)})",
                              self.line)
            for elt, item in zip(target.elts, values):
                self._assign(elt, item)
        else:
            raise Unsupported(f"assignment to {type(target).__name__} (line {self.line})")

    def _s_If(self, node: ast.If) -> Iterator:
        test = yield from self.eval(node.test)
        yield from self.run(node.body if test else node.orelse)

    def _s_For(self, node: ast.For) -> Iterator:
        items = yield from self.eval(node.iter)
        for item in list(items):
            self._assign(node.target, item)
            if (yield from self._iteration(node.body)):
                return
        yield from self.run(node.orelse)

    def _s_While(self, node: ast.While) -> Iterator:
        while (yield from self.eval(node.test)):
            if (yield from self._iteration(node.body)):
                return
        yield from self.run(node.orelse)

    def _iteration(self, body: list[ast.stmt]) -> Iterator:
        """One pass of a loop's body; True when it ended with ``break`` (the loop and its
        ``else`` are done)."""
        try:
            yield from self.run(body)
        except _Break:
            return True
        except _Continue:
            pass
        yield from self._throttle()
        return False

    def _s_Break(self, node: ast.Break) -> Iterator:
        raise _Break()
        yield  # pragma: no cover

    def _s_Continue(self, node: ast.Continue) -> Iterator:
        raise _Continue()
        yield  # pragma: no cover

    def _throttle(self) -> Iterator:
        self.unslept += 1
        if self.unslept >= BUSY_LOOP_BATCH:
            self.unslept = 0
            yield Sleep(0.1)

    # -- expressions -------------------------------------------------------------------------
    def eval(self, node: ast.expr) -> Iterator:
        method = getattr(self, "_e_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(f"{type(node).__name__} expressions (line {getattr(node, 'lineno', self.line)})")
        return (yield from method(node))

    def _e_Constant(self, node: ast.Constant) -> Iterator:
        return node.value
        yield  # pragma: no cover

    def _e_Name(self, node: ast.Name) -> Iterator:
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        return self._name(node.id)
        yield  # pragma: no cover

    def _name(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        if name in _BUILTINS or name == "print":
            return ("builtin", name)
        raise PyError("NameError", f"name '{name}' is not defined", self.line)

    def _values(self, nodes) -> Iterator:
        values = []
        for node in nodes:
            values.append((yield from self.eval(node)) if node is not None else None)
        return values

    def _e_List(self, node: ast.List) -> Iterator:
        return (yield from self._values(node.elts))

    def _e_Tuple(self, node: ast.Tuple) -> Iterator:
        return tuple((yield from self._values(node.elts)))

    def _e_Dict(self, node: ast.Dict) -> Iterator:
        result = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                raise Unsupported(f"dict unpacking (line {self.line})")
            result[(yield from self.eval(key))] = yield from self.eval(value)
        return result

    def _e_JoinedStr(self, node: ast.JoinedStr) -> Iterator:
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                item = yield from self.eval(value.value)
                spec = (yield from self.eval(value.format_spec)) if value.format_spec is not None else ""
                if value.conversion == ord("r"):
                    item = repr(item)
                parts.append(format(item, spec))
            else:
                parts.append((yield from self.eval(value)))
        return "".join(parts)

    def _e_BinOp(self, node: ast.BinOp) -> Iterator:
        left = yield from self.eval(node.left)
        right = yield from self.eval(node.right)
        return self._binop(node.op, left, right)

    def _binop(self, op: ast.operator, left: Any, right: Any) -> Any:
        fn = _BINOPS.get(type(op))
        if fn is None:
            raise Unsupported(f"the {type(op).__name__} operator (line {self.line})")
        try:
            return fn(left, right)
        except ZeroDivisionError as err:
            raise PyError("ZeroDivisionError", str(err), self.line)
        except TypeError as err:
            raise PyError("TypeError", str(err), self.line)

    def _e_UnaryOp(self, node: ast.UnaryOp) -> Iterator:
        value = yield from self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        raise Unsupported(f"the {type(node.op).__name__} operator (line {self.line})")

    def _e_BoolOp(self, node: ast.BoolOp) -> Iterator:
        value = None
        for operand in node.values:
            value = yield from self.eval(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def _e_Compare(self, node: ast.Compare) -> Iterator:
        left = yield from self.eval(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = yield from self.eval(comparator)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError as err:
                raise PyError("TypeError", str(err), self.line)
            left = right
        return True

    def _e_IfExp(self, node: ast.IfExp) -> Iterator:
        test = yield from self.eval(node.test)
        return (yield from self.eval(node.body if test else node.orelse))

    def _e_Subscript(self, node: ast.Subscript) -> Iterator:
        container = yield from self.eval(node.value)
        if isinstance(node.slice, ast.Slice):
            parts = yield from self._values((node.slice.lower, node.slice.upper, node.slice.step))
            return container[slice(*parts)]
        key = yield from self.eval(node.slice)
        if container == ("environ",):
            return self._environ(key)
        try:
            return container[key]
        except KeyError:
            raise PyError("KeyError", repr(key), self.line)
        except IndexError as err:
            raise PyError("IndexError", str(err), self.line)

    def _environ(self, key: str) -> str:
        if key not in self.proc.env:
            raise PyError("KeyError", repr(key), self.line)
        return self.proc.env[key]

    def _e_Attribute(self, node: ast.Attribute) -> Iterator:
        owner = yield from self.eval(node.value)
        if isinstance(owner, _Module):
            return self._module_attribute(owner, node.attr)
        if owner == ("environ",) and node.attr == "get":
            return ("environ.get",)
        if isinstance(owner, str) and node.attr in _STR_METHODS:
            return ("str", owner, node.attr)
        raise Unsupported(f"the attribute .{node.attr} (line {self.line})")

    def _module_attribute(self, module: _Module, attr: str) -> Any:
        known = {
            ("os", "environ"): ("environ",), ("os", "getenv"): ("os.getenv",),
            ("sys", "exit"): ("sys.exit",), ("sys", "argv"): list(self.argv), ("sys", "stderr"): STDERR,
            ("sys", "stdout"): None, ("time", "sleep"): ("time.sleep",), ("time", "time"): ("time.time",),
            ("math", "sqrt"): ("math", math.sqrt), ("math", "floor"): ("math", math.floor),
            ("math", "ceil"): ("math", math.ceil), ("math", "pi"): math.pi,
        }
        if (module.name, attr) not in known:
            raise Unsupported(f"{module.name}.{attr} (line {self.line})")
        return known[(module.name, attr)]

    def _e_Call(self, node: ast.Call) -> Iterator:
        fn = yield from self.eval(node.func)
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                args.extend((yield from self.eval(arg.value)))
            else:
                args.append((yield from self.eval(arg)))
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise Unsupported(f"**kwargs (line {self.line})")
            kwargs[keyword.arg] = yield from self.eval(keyword.value)
        return (yield from self._call(fn, args, kwargs))

    def _call(self, fn: Any, args: list, kwargs: dict) -> Iterator:
        if fn == ("builtin", "print"):
            self._print(args, kwargs)
            return None
        if isinstance(fn, tuple) and fn and fn[0] == "builtin":
            try:
                return _BUILTINS[fn[1]](*args, **kwargs)
            except (ValueError, TypeError) as err:
                raise PyError(type(err).__name__, str(err), self.line)
        if fn == ("environ.get",) or fn == ("os.getenv",):
            return self.proc.env.get(args[0], args[1] if len(args) > 1 else kwargs.get("default"))
        if fn == ("sys.exit",):
            code = args[0] if args else 0
            if code is None:
                raise Exit(0)
            if isinstance(code, int) and not isinstance(code, bool):
                raise Exit(code & 0xFF)
            self.proc.err.write(f"{code}\n")
            raise Exit(1)
        if fn == ("time.sleep",):
            yield Sleep(float(args[0]))
            return None
        if fn == ("time.time",):
            return self.proc.host.now()
        if isinstance(fn, tuple) and fn[0] == "math":
            return fn[1](*args)
        if isinstance(fn, tuple) and fn[0] == "str":
            return getattr(fn[1], fn[2])(*args, **kwargs)
        raise Unsupported(f"calling {fn!r} (line {self.line})")

    def _print(self, args: list, kwargs: dict) -> None:
        sep = kwargs.get("sep", " ")
        end = kwargs.get("end", "\n")
        out = self.proc.err if kwargs.get("file") is STDERR else self.proc.out
        out.write((" " if sep is None else sep).join(_py_str(a) for a in args) + ("\n" if end is None else end))


def _py_str(value: Any) -> str:
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    return str(value)


def run_script(proc: Proc, source: str, argv: list[str]) -> ProgramGen:
    """``python3 -c SOURCE``: run the script; its exit status."""
    try:
        tree = ast.parse(source, "<string>")
    except SyntaxError as err:  # CPython's own words and caret line for a -c script
        proc.err.write("".join(traceback.format_exception_only(type(err), err)))
        return 1
    interpreter = Interpreter(proc, argv)
    try:
        yield from interpreter.run(tree.body)
    except Exit as done:
        return done.code
    except PyError as err:
        proc.err.write(f'Traceback (most recent call last):\n  File "<string>", line {err.line}, in <module>\n'
                       f"{err.kind}: {err.message}\n")
        return 1
    except (_Break, _Continue):
        proc.err.write("SyntaxError: 'break' outside loop\n")
        return 1
    except Unsupported as what:
        proc.err.write(f"python3: the simulated python does not support {what}\n")
        return 2
    return 0
