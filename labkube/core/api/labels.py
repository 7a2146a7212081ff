"""Label selectors and field selectors, parsed, matched and printed as Kubernetes does.

Mirrors k8s.io/apimachinery/pkg/labels (``labels.Parse``, ``Requirement``, ``Selector.String``),
``metav1.LabelSelectorAsSelector`` and k8s.io/apimachinery/pkg/fields (``fields.ParseSelector``).

Label selector grammar (``kubectl get pods -l ...``)::

    selector    := requirement ("," requirement)*
    requirement := ["!"] KEY
                 | KEY ("=" | "==" | "!=") VALUE
                 | KEY ("in" | "notin") "(" VALUE ("," VALUE)* ")"
                 | KEY (">" | "<") INTEGER

Guarantees: parse errors carry Kubernetes' messages (``unable to parse requirement: found '',
expected: in, notin, =, ==, !=, gt, lt``); ``str()`` is Kubernetes' canonical form
(requirements sorted by key, set values sorted: ``app in (a,b),tier!=db``); matching follows
Kubernetes (``!=``/``notin`` match objects without the label).

    >>> sel = parse_selector("tier notin (db), app=web")
    >>> str(sel), sel.matches({"app": "web"})
    ('app=web,tier notin (db)', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from labkube.core.api.validation.names import is_qualified_name, is_valid_label_value
from labkube.core.errors import go_quote

# selection.Operator values
IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "in", "notin", "=", "==", "!="
EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN = "exists", "!", "gt", "lt"
BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)


class SelectorError(ValueError):
    """A selector that does not parse or validate; ``str()`` is Kubernetes' message."""


# ---------------------------------------------------------------------------
# Requirements and selectors
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: dict) -> bool:
        op = self.operator
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            return self.key in labels and labels[self.key] in self.values
        if op in (NOT_IN, NOT_EQUALS):
            return self.key not in labels or labels[self.key] not in self.values
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        return self._compare(labels)

    def _compare(self, labels: dict) -> bool:
        if self.key not in labels:
            return False
        try:
            have, want = int(labels[self.key]), int(self.values[0])
        except ValueError:
            return False
        return have > want if self.operator == GREATER_THAN else have < want

    def __str__(self) -> str:
        op = self.operator
        head = ("!" if op == DOES_NOT_EXIST else "") + self.key
        if op in (EXISTS, DOES_NOT_EXIST):
            return head
        symbol = {IN: " in ", NOT_IN: " notin ", GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
        values = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if op in (IN, NOT_IN):
            values = f"({values})"
        return head + symbol + values


@dataclass(frozen=True)
class Selector:
    """A conjunction of requirements; the empty selector matches everything."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False  # labels.Nothing(): a nil LabelSelector matches no object

    def matches(self, labels: dict | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def empty(self) -> bool:
        return not self.nothing and not self.requirements

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


EVERYTHING = Selector()
NOTHING = Selector(nothing=True)


def _field_invalid(path: str, value, detail: str) -> str:
    """``field.Invalid(...).Error()``: Go prints ``"<path>: "`` even when the path is empty."""
    shown = go_quote(value) if isinstance(value, str) else _go_string_slice(value)
    return f"{path}: Invalid value: {shown}: {detail}"


def _go_string_slice(values) -> str:
    return "[]string{" + ", ".join(go_quote(v) for v in values) + "}"


def new_requirement(key: str, operator: str, values) -> Requirement:
    """``labels.NewRequirement``: validate and build one requirement."""
    values = list(values)
    errs = []
    key_errs = is_qualified_name(key)
    if key_errs:
        errs.append(_field_invalid("key", key, "; ".join(key_errs)))
    if operator in (IN, NOT_IN) and not values:
        errs.append(_field_invalid("values", values,
                                   "for 'in', 'notin' operators, values set can't be empty"))
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS) and len(values) != 1:
        errs.append(_field_invalid("values", values,
                                   "exact-match compatibility requires one single value"))
    elif operator in (EXISTS, DOES_NOT_EXIST) and values:
        errs.append(_field_invalid("values", values,
                                   "values set must be empty for exists and does not exist"))
    elif operator in (GREATER_THAN, LESS_THAN):
        errs.extend(_gt_lt_errors(values))
    for i, value in enumerate(values):
        value_errs = is_valid_label_value(value)
        if value_errs:
            errs.append(_field_invalid(f"values[{i}][{key}]", value, "; ".join(value_errs)))
    if errs:
        raise SelectorError(errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]")
    return Requirement(key, operator, tuple(values))


def _gt_lt_errors(values: list[str]) -> list[str]:
    errs = []
    if len(values) != 1:
        errs.append(_field_invalid("values", values,
                                   "for 'Gt', 'Lt' operators, exactly one value is required"))
    for i, value in enumerate(values):
        try:
            int(value)
        except ValueError:
            errs.append(_field_invalid(f"values[{i}]", value,
                                       "for 'Gt', 'Lt' operators, the value must be an integer"))
    return errs


def _sorted(requirements) -> tuple[Requirement, ...]:
    return tuple(sorted(requirements, key=lambda r: r.key))


# ---------------------------------------------------------------------------
# The lexer and parser (labels.Lexer, labels.Parser)
# ---------------------------------------------------------------------------

_IDENT, _END, _COMMA, _OPEN, _CLOSE, _ERROR = "ident", "end", ",", "(", ")", "error"
_TOKENS = {")": _CLOSE, ",": _COMMA, "!": DOES_NOT_EXIST, "==": DOUBLE_EQUALS, "=": EQUALS,
           ">": GREATER_THAN, "in": IN, "<": LESS_THAN, "!=": NOT_EQUALS, "notin": NOT_IN,
           "(": _OPEN}
_SPECIAL = frozenset("=!(),><")
_SPACE = frozenset(" \t\r\n")


def _lex(text: str) -> list[tuple[str, str]]:
    items, pos, end = [], 0, len(text)
    while True:
        while pos < end and text[pos] in _SPACE:
            pos += 1
        if pos >= end or text[pos] == "\0":
            items.append((_END, ""))
            return items
        if text[pos] in _SPECIAL:
            token, pos = _lex_symbol(text, pos)
        else:
            start = pos
            while pos < end and text[pos] not in _SPECIAL and text[pos] not in _SPACE \
                    and text[pos] != "\0":
                pos += 1
            word = text[start:pos]
            token = (_TOKENS.get(word, _IDENT), word)
        items.append(token)
        if token[0] == _ERROR:
            items.append((_END, ""))
            return items


def _lex_symbol(text: str, pos: int) -> tuple[tuple[str, str], int]:
    buffer, last, end = "", None, len(text)
    while pos < end and text[pos] in _SPECIAL:
        buffer += text[pos]
        if buffer in _TOKENS:
            last = (_TOKENS[buffer], buffer)
            pos += 1
        elif last is not None:
            break
        else:
            pos += 1
    if last is None:
        return (_ERROR, f"error expected: keyword found '{buffer}'"), pos
    return last, pos


class _Parser:
    def __init__(self, text: str):
        self.items = _lex(text)
        self.pos = 0

    def lookahead(self, values_context: bool = True) -> tuple[str, str]:
        tok, lit = self.items[self.pos]
        if values_context and tok in (IN, NOT_IN):
            tok = _IDENT
        return tok, lit

    def consume(self, values_context: bool = True) -> tuple[str, str]:
        item = self.lookahead(values_context)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        requirements = []
        while True:
            tok, lit = self.lookahead()
            if tok == _END:
                return requirements
            if tok not in (_IDENT, DOES_NOT_EXIST):
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self.requirement())
            except SelectorError as err:
                raise SelectorError(f"unable to parse requirement: {err}") from None
            tok, lit = self.consume()
            if tok == _END:
                return requirements
            if tok != _COMMA:
                raise SelectorError(f"found '{lit}', expected: ',' or 'end of string'")
            tok2, lit2 = self.lookahead()
            if tok2 not in (_IDENT, DOES_NOT_EXIST):
                raise SelectorError(f"found '{lit2}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        key, operator = self.key_and_operator()
        if operator in (EXISTS, DOES_NOT_EXIST):
            return new_requirement(key, operator, [])
        operator = self.operator()
        values = self.values() if operator in (IN, NOT_IN) else self.exact_value()
        return new_requirement(key, operator, sorted(values))

    def key_and_operator(self) -> tuple[str, str | None]:
        operator = None
        tok, lit = self.consume()
        if tok == DOES_NOT_EXIST:
            operator = DOES_NOT_EXIST
            tok, lit = self.consume()
        if tok != _IDENT:
            raise SelectorError(f"found '{lit}', expected: identifier")
        key_errs = is_qualified_name(lit)
        if key_errs:
            raise SelectorError(_field_invalid("", lit, "; ".join(key_errs)))
        if self.lookahead()[0] in (_END, _COMMA) and operator is None:
            operator = EXISTS
        return lit, operator

    def operator(self) -> str:
        tok, lit = self.consume(values_context=False)
        if tok in BINARY_OPERATORS:
            return tok
        raise SelectorError(f"found '{lit}', expected: {', '.join(BINARY_OPERATORS)}")

    def values(self) -> set[str]:
        tok, lit = self.consume()
        if tok != _OPEN:
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok in (_IDENT, _COMMA):
            found = self.identifiers()
            if self.consume()[0] != _CLOSE:
                raise SelectorError(f"found '{lit}', expected: ')'")
            return found
        if tok == _CLOSE:
            self.consume()
            return {""}
        raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")

    def identifiers(self) -> set[str]:
        found: set[str] = set()
        while True:
            tok, lit = self.consume()
            if tok == _IDENT:
                found.add(lit)
                tok2, lit2 = self.lookahead()
                if tok2 == _CLOSE:
                    return found
                if tok2 != _COMMA:
                    raise SelectorError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:
                if not found:
                    found.add("")
                tok2, _ = self.lookahead()
                if tok2 == _CLOSE:
                    found.add("")
                    return found
                if tok2 == _COMMA:
                    self.consume()
                    found.add("")
            else:
                raise SelectorError(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self) -> set[str]:
        tok, _ = self.lookahead()
        if tok in (_END, _COMMA):
            return {""}
        tok, lit = self.consume()
        if tok == _IDENT:
            return {lit}
        raise SelectorError(f"found '{lit}', expected: identifier")


@lru_cache(maxsize=1024)
def parse_selector(text: str) -> Selector:
    """``labels.Parse``: a selector from ``kubectl -l`` text; raise SelectorError if invalid.
    (Selectors are immutable, so one parse serves every request with the same text.)"""
    return Selector(_sorted(_Parser(text).parse()))


def selector_from_set(labels: dict) -> Selector:
    """``labels.SelectorFromSet``: ``key=value`` for every entry."""
    return Selector(_sorted(new_requirement(k, EQUALS, [v]) for k, v in labels.items()))


_LABEL_SELECTOR_OPS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def selector_from_label_selector(label_selector: dict | None) -> Selector:
    """``metav1.LabelSelectorAsSelector``: None matches nothing, ``{}`` matches everything."""
    if label_selector is None:
        return NOTHING
    match_labels = label_selector.get("matchLabels") or {}
    expressions = label_selector.get("matchExpressions") or []
    requirements = [new_requirement(k, EQUALS, [v]) for k, v in match_labels.items()]
    for expr in expressions:
        operator = expr.get("operator", "")
        if operator not in _LABEL_SELECTOR_OPS:
            raise SelectorError(f"{go_quote(operator)} is not a valid label selector operator")
        requirements.append(new_requirement(expr.get("key", ""), _LABEL_SELECTOR_OPS[operator],
                                            list(expr.get("values") or [])))
    return Selector(_sorted(requirements))


def format_label_selector(label_selector: dict | None) -> str:
    """``metav1.FormatLabelSelector``: what kubectl prints (``<none>`` for an empty selector)."""
    if label_selector is None:
        return "<none>"
    try:
        text = str(selector_from_label_selector(label_selector))
    except SelectorError:
        return "<error>"
    return text or "<none>"


# ---------------------------------------------------------------------------
# Field selectors (fields.ParseSelector)
# ---------------------------------------------------------------------------

_FIELD_OPERATORS = ("!=", "==", "=")


@dataclass(frozen=True)
class FieldTerm:
    field: str
    operator: str  # "=" or "!="
    value: str

    def matches(self, fields: dict) -> bool:
        have = fields.get(self.field, "")
        return (have == self.value) if self.operator == "=" else (have != self.value)

    def __str__(self) -> str:
        return f"{self.field}{self.operator}{escape_field_value(self.value)}"


@dataclass(frozen=True)
class FieldSelector:
    terms: tuple[FieldTerm, ...] = ()

    def matches(self, fields: dict) -> bool:
        return all(t.matches(fields) for t in self.terms)

    def empty(self) -> bool:
        return not self.terms

    def requires(self, field: str) -> str | None:
        """The value an exact ``field=value`` term requires, if any (``RequiresExactMatch``)."""
        for term in self.terms:
            if term.field == field and term.operator == "=":
                return term.value
        return None

    def __str__(self) -> str:
        return ",".join(str(t) for t in self.terms)


def escape_field_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def unescape_field_value(value: str) -> str:
    if "\\" not in value and "=" not in value and "," not in value:
        return value
    out, escaped = [], False
    for ch in value:
        if escaped:
            if ch not in "\\,=":
                raise SelectorError(f"invalid field selector: invalid escape sequence: \\{ch}")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            raise SelectorError(f"invalid field selector: unescaped character in value: {ch}")
        else:
            out.append(ch)
    if escaped:
        raise SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(text: str) -> list[str]:
    terms, start, escaped = [], 0, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    for i in range(len(term)):
        for op in _FIELD_OPERATORS:
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


@lru_cache(maxsize=1024)
def parse_field_selector(text: str) -> FieldSelector:
    """``fields.ParseSelector``: ``metadata.name=web,status.phase!=Running`` (immutable, so
    one parse serves every request with the same text: a kubelet's watch of one ConfigMap is
    authorized and then matched by the same selector)."""
    terms = []
    for part in sorted(_split_terms(text)):
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
        lhs, op, rhs = split
        terms.append(FieldTerm(lhs, "!=" if op == "!=" else "=", unescape_field_value(rhs)))
    return FieldSelector(tuple(terms))


# ---------------------------------------------------------------------------
# Label key/value checks (for callers that validate user input)
# ---------------------------------------------------------------------------


def label_key_errors(key: str) -> list[str]:
    """Messages for an invalid label key (``IsQualifiedName``); empty when valid."""
    return is_qualified_name(key)


def label_value_errors(value: str) -> list[str]:
    """Messages for an invalid label value (``IsValidLabelValue``); empty when valid."""
    return is_valid_label_value(value)
