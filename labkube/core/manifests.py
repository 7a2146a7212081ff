"""Reading manifests: YAML or JSON text, files, folders, dicts and lists of them.

Mirrors kubectl's resource builder (k8s.io/cli-runtime/pkg/resource) and the YAML reader of
k8s.io/apimachinery/pkg/util/yaml: a stream is split into documents at ``---`` lines, each
document is parsed on its own (so error line numbers count from the document's first line,
as kubectl's do), empty documents are skipped, and a ``kind: List`` is flattened into its
items.

Errors are :class:`ManifestError` with kubectl's words, e.g.
``error parsing web.yaml: error converting YAML to JSON: yaml: line 3: mapping values are not
allowed in this context``. Nothing is applied when any document fails to parse.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import yaml

from labkube.core import urls
from labkube.core.json_stream import JSONStreamError, decode_stream, looks_like_json

try:  # the C loader is ~10x faster; fall back quietly where libyaml is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class ManifestError(ValueError):
    """A manifest could not be read; the message is kubectl's ``error: ...`` text without ``error: ``."""


class StreamError(ManifestError):
    """A stream could not be parsed; the message is what kubectl prints after
    ``error parsing <source>: `` (``error converting YAML to JSON: yaml: line 3: ...``,
    ``invalid Yaml document separator: foo``, ``json: offset 9: invalid character ...``)."""


@dataclass(frozen=True)
class Manifest:
    """One object read from a source, with where it came from (for kubectl's messages)."""

    obj: dict
    source: str  # a file name, "STDIN", or "" for objects passed from Python


def iter_documents(text: str) -> Iterator[str]:
    """The documents of a YAML stream, as apimachinery's ``YAMLReader`` cuts them.

    Lines are read as Go's ``bufio.Reader.ReadLine`` reads them (``\r\n`` or ``\n`` ends a
    line, and every line gets a ``\n`` back, the last one too). A line starting with ``---``
    ends the document being read and is dropped; at the start of a document it is kept, so
    a file opening with ``---`` counts its error lines from that line, as kubectl does. Only
    spaces or a comment may follow ``---``: anything else raises kubectl's "invalid Yaml
    document separator" after the documents before it.
    """
    lines = text.split("\n")
    if lines[-1] == "":  # the text ended with a line break: no unterminated last line
        lines.pop()
    document: list[str] = []
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1]
        if line.startswith("---"):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                raise StreamError(f"invalid Yaml document separator: {rest}")
            if document:
                yield "".join(document)
                document = []
                continue
        document.append(line + "\n")
    if document:
        yield "".join(document)


def split_documents(text: str) -> list[str]:
    """All documents of a YAML stream (see :func:`iter_documents`)."""
    return list(iter_documents(text))


class _GoLoader(_Loader):
    """The safe loader, resolving scalars as go-yaml v2 does (:func:`go_resolve`): ``y``/``n``
    are booleans, numbers are Go's (not timestamps, not sexagesimals), tags go-yaml has no
    type for (``!foo``) read as the plain node."""


class GoDecodeError(yaml.YAMLError):
    """go-yaml's ``failf`` while decoding (a scalar that does not fit its explicit tag); the
    message is go-yaml's, after ``yaml: `` (``cannot decode !!float `1.5` as a !!int``)."""


# -- go-yaml v2's resolve (goyaml.v2/resolve.go in sigs.k8s.io/yaml, as kubectl 1.32 reads) ---
# Checked against the real kubectl 1.32 (tests/core/test_go_yaml_resolve.py): it has no branch
# for integers beyond 64 bits (newer copies of resolve.go read 0x10000000000000000 as a big.Int;
# kubectl 1.32 keeps the text).
#: ``resolveMap``: the words a plain scalar starting with one of ``yYnNtTfFoO~.+-`` may be.
GO_RESOLVE_MAP: dict[str, tuple[str, Any]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), ("bool", True)),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), ("bool", False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), ("null", None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), ("float", math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), ("float", math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), ("float", -math.inf)),
    "<<": ("merge", "<<"),
}
#: ``resolveTable``: the first characters that make go-yaml look further; any other is a string.
GO_HINTED = frozenset("yYnNtTfFoO~.+-0123456789")
#: The tags ``resolvableTag`` accepts (any other explicit tag keeps the text).
_RESOLVABLE = frozenset(("str", "bool", "int", "float", "null", "timestamp"))
_GO_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")  # yamlStyleFloat
_GO_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_GO_BASES = {"0x": 16, "0o": 8, "0b": 2}
_CORE_TAG = "tag:yaml.org,2002:"


def go_resolve(tag: str, text: str) -> Any:
    """The value go-yaml v2 decodes a scalar to (into ``interface{}``), as kubectl's JSON then
    holds it. ``tag`` is the explicit tag's short name (``int`` for ``!!int``) or ``""`` for a
    plain scalar. A uint64 beyond int64 becomes a float (kubectl's JSON decoding reads it so);
    a timestamp stays its text. An explicit tag the text does not fit raises
    :class:`GoDecodeError` with go-yaml's words; ``!!float`` takes an int."""
    if tag == "binary":
        return _go_binary(text)
    if tag not in _RESOLVABLE and tag != "":
        return text
    if tag == "str":
        return text
    rtag, value = _go_resolve_untagged(text, timestamps=tag in ("", "timestamp"))
    if tag in ("", rtag):
        return value
    if tag == "float" and rtag == "int" and not isinstance(value, float):  # int64, not uint64
        return float(value)
    raise GoDecodeError(f"cannot decode !!{rtag} `{text}` as a !!{tag}")


def _go_resolve_untagged(text: str, *, timestamps: bool) -> tuple[str, Any]:
    """``resolve``'s search: the map of words, then by the first character: ``.`` a float;
    a digit or sign a timestamp (kept as text), an int, a uint, a float or ``0b`` with a
    sign after it; else (or when nothing fits) the text, a ``str``."""
    if text in GO_RESOLVE_MAP:
        return GO_RESOLVE_MAP[text]
    first = text[:1]
    if first == ".":
        number = _go_parse_float(text) if _GO_DOT_FLOAT.fullmatch(_go_float_digits(text)) else None
        return ("float", number) if number is not None else ("str", text)
    if first and first in "+-0123456789":
        if timestamps and _go_timestamp(text):
            return "timestamp", text
        return _go_resolve_number(text)
    return "str", text


def _go_resolve_number(text: str) -> tuple[str, Any]:
    plain = text.replace("_", "")
    number = _go_parse_int(plain)
    if number is not None:
        return "int", number
    if _GO_FLOAT.fullmatch(plain):
        value = _go_parse_float(plain)
        if value is not None:
            return "float", value
    binary = re.fullmatch(r"0b([-+]?)([01]+)", plain)  # ParseInt(plain[2:], 2, 64): a sign may follow 0b
    if binary:
        value = int(binary.group(2), 2) * (-1 if binary.group(1) == "-" else 1)
        if -(2**63) <= value < 2**63:
            return "int", value
        if not binary.group(1) and value < 2**64:
            return "int", float(value)
    return "str", text


def _go_float_digits(text: str) -> str:
    """``strconv.ParseFloat`` takes an underscore only between two digits (``underscoreOK``):
    the text without such underscores, or with the misplaced one left in (which then fails)."""
    if "_" not in text:
        return text
    if re.search(r"(?<![0-9])_|_(?![0-9])", text):
        return text
    return text.replace("_", "")


def _go_parse_float(plain: str) -> Optional[float]:
    """``strconv.ParseFloat(plain, 64)``; None where Go's call fails: a number too large for a
    float64 (``1e400``) is out of range there, so go-yaml keeps the string."""
    value = float(plain.replace("_", ""))
    return None if value in (math.inf, -math.inf) else value


def _go_parse_int(text: str) -> Optional[float]:
    """``strconv.ParseInt(text, 0, 64)``, then ``ParseUint``; None if neither reads it."""
    digits, sign = (text[1:], text[0]) if text[:1] in ("+", "-") else (text, "")
    base = _GO_BASES.get(digits[:2].lower(), 0)
    if base:
        digits = digits[2:]
    elif digits[:1] == "0" and len(digits) > 1:
        base, digits = 8, digits[1:]
    else:
        base = 10
    if not digits or any(c not in "0123456789abcdef"[:base] for c in digits.lower()):
        return None
    value = int(digits, base) * (-1 if sign == "-" else 1)
    if -(2**63) <= value < 2**63:
        return value
    if not sign and value < 2**64:  # a uint64, which kubectl's JSON decoding then reads as a float64
        return float(value)
    return None


_GO_TIMESTAMP = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d{1,9})?"
                           r"(Z|[-+]\d{2}:\d{2})?)?")


def _go_timestamp(text: str) -> bool:
    """``parseTimestamp``: one of go-yaml's layouts (``2006-1-2``, with ``T``/``t`` and a zone,
    or with a space and none), with a real date and time."""
    found = _GO_TIMESTAMP.fullmatch(text)
    if not found:
        return False
    year, month, day, separator, hour, minute, second, zone = found.groups()
    if separator is not None and (zone is None) != (separator == " "):
        return False  # a zone goes with T/t, a space with none
    try:
        datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return False
    return zone in (None, "Z") or (int(zone[1:3]) < 24 and int(zone[4:]) < 60)


def _go_binary(text: str) -> str:
    """``!!binary``: base64 (line breaks ignored) decoded to a string, as Go's ``string(data)``
    then reads in JSON (bytes that are not UTF-8 become U+FFFD)."""
    try:
        data = base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise GoDecodeError("!!binary value contains invalid base64 data") from None
    return data.decode("utf-8", errors="replace")


def _go_node(loader: Any, node: yaml.Node) -> Any:
    """Every node whose tag is one of YAML's own (``!!int``), a local one (``!foo``) or none
    PyYAML knows: a mapping or sequence keeps its shape whatever its tag, as go-yaml ignores
    tags there; a scalar's text goes through :func:`go_resolve` (a tag go-yaml has no type
    for keeps the text)."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_yaml_map(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_yaml_seq(node)
    tag = node.tag[len(_CORE_TAG):] if node.tag.startswith(_CORE_TAG) else "local"
    return go_resolve(tag, loader.construct_scalar(node))


#: A plain scalar go-yaml's ``resolve`` reads its own way: any starting with one of its hinted
#: characters, and the empty one (null). Any other plain scalar is a string to both; ``<<``
#: keeps PyYAML's merge tag, so that merge keys merge as go-yaml's do.
_GO_PLAIN_TAG = "tag:labkube.dev,2026:go-plain"
_GoLoader.yaml_implicit_resolvers = {
    **{first: [(_GO_PLAIN_TAG, re.compile(r".*", re.S))] for first in [*GO_HINTED, ""]},
    "<": list(_GoLoader.yaml_implicit_resolvers.get("<", [])),
}
_GoLoader.add_constructor(_GO_PLAIN_TAG, lambda loader, node: go_resolve("", loader.construct_scalar(node)))
for _name in ("str", "bool", "int", "float", "null", "timestamp", "binary", "merge", "value",
              "map", "seq", "omap", "pairs", "set"):
    _GoLoader.add_constructor(_CORE_TAG + _name, _go_node)
_GoLoader.add_constructor(None, _go_node)
_GoLoader.add_multi_constructor("!", lambda loader, _suffix, node: _go_node(loader, node))


def go_yaml_loader(doc: str) -> Any:
    """A loader reading ``doc`` as :func:`load_document` does, for readers that need its nodes
    and where each one stands (:mod:`labkube.core.api.duplicates`)."""
    return _GoLoader(doc)


def load_document(doc: str) -> Any:
    """One document as sigs.k8s.io/yaml reads it; a syntax error raises :class:`StreamError`
    worded as go-yaml words it (``yaml: line 3: could not find expected ':'``)."""
    try:
        value = yaml.load(doc, Loader=_GoLoader)
        check_json_encodable(value)
    except yaml.YAMLError as err:
        raise StreamError(f"error converting YAML to JSON: {go_yaml_error(err, doc)}") from None
    except RecursionError:  # an alias inside its own anchor makes a value that contains itself
        raise StreamError(f"error converting YAML to JSON: yaml: {_recursion_problem(doc)}") from None
    return value


def _recursion_problem(doc: str) -> str:
    """go-yaml's words for a document too deep to decode: ``anchor 'x' value contains itself``
    for the first anchored node found inside itself (its ``&x`` opens the node's text). A
    document only nested deeper than Python's recursion allows gets labkube's own words."""
    lines = doc.split("\n")
    on_path: set[int] = set()

    def inside_itself(node: yaml.Node) -> Optional[yaml.Node]:
        if id(node) in on_path:
            return node
        on_path.add(id(node))
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) else [])
        for child in children:
            found = inside_itself(child)
            if found is not None:
                return found
        on_path.discard(id(node))
        return None

    try:
        node = inside_itself(yaml.compose(doc, Loader=_GoLoader))
    except RecursionError:
        node = None
    if node is not None:
        mark = node.start_mark
        anchor = re.match(r"&([^\s,\[\]{}]+)", lines[mark.line][mark.column:])
        if anchor:
            return f"anchor '{anchor.group(1)}' value contains itself"
    return "labkube cannot read a document nested this deeply"


def check_json_encodable(value: Any) -> None:
    """sigs.k8s.io/yaml hands go-yaml's value to ``json.Marshal``, which refuses ``.inf``,
    ``-.inf`` and ``.nan``: raise its error for the first one it meets (maps are encoded in
    key order) as :class:`StreamError`, ``json: unsupported value: +Inf``."""
    bad = _first_non_finite(value)
    if bad is not None:
        shown = "NaN" if bad != bad else ("+Inf" if bad > 0 else "-Inf")
        raise StreamError(f"error converting YAML to JSON: json: unsupported value: {shown}")


def _first_non_finite(value: Any) -> Optional[float]:
    if isinstance(value, float):
        return value if value != value or value in (math.inf, -math.inf) else None
    if isinstance(value, dict):
        items = [value[key] for key in sorted(value, key=str)]
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        found = _first_non_finite(item)
        if found is not None:
            return found
    return None


def iter_values(text: str) -> Iterator[Any]:
    """The values of a manifest stream in order, as apimachinery's ``YAMLOrJSONDecoder``
    delivers them: a stream opening with ``{`` is read as JSON values one after another
    (:mod:`labkube.core.json_stream`), any other as YAML documents. Empty documents and
    ``null`` are skipped; the first syntax error raises :class:`StreamError` after the values
    before it."""
    if looks_like_json(text):
        try:
            yield from (value for value in decode_stream(text) if value is not None)
        except JSONStreamError as err:
            raise StreamError(str(err)) from None
        return
    for doc in iter_documents(text):
        value = load_document(doc) if doc.strip() else None
        if value is not None:
            yield value


#: PyYAML's wording -> libyaml's (which go-yaml ports and kubectl users see). Only the pure
#: Python loader needs it: libyaml's bindings already use libyaml's words.
_PROBLEMS = (
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    ("found character", "found character that cannot start any token"),
    ("found undefined tag handle", "found undefined tag handle"),
    ("could not find expected ':'", "could not find expected ':'"),
    ("found unexpected end of stream", "found unexpected end of stream"),
    ("found unknown escape character", "found unknown escape character"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("found a tab character that violates indentation",
     "found a tab character that violates indentation"),
)

#: For "expected <block end>" the words depend on what was being parsed.
_BLOCK_END = {
    "while parsing a block mapping": "did not find expected key",
    "while parsing a block collection": "did not find expected '-' indicator",
    "while parsing a flow mapping": "did not find expected ',' or '}'",
    "while parsing a flow sequence": "did not find expected ',' or ']'",
}

_ALIAS_NAME = re.compile(r"\*([^\s,\[\]{}]+)")


def go_yaml_error(err: yaml.YAMLError, doc: str = "") -> str:
    """Render a YAML error as go-yaml does: ``yaml: line N: <libyaml's words>``.

    go-yaml's position rule (yaml.go ``parser.fail``): a scanner error reports the problem
    mark's line + 1, a parser error the problem mark's 0-based line; a mark on the first line
    falls back to the context mark, and a zero line prints no position at all. ``doc`` (the
    document's text) lets an undefined alias be named, as go-yaml names it.
    """
    if isinstance(err, GoDecodeError):
        return f"yaml: {err}"
    if isinstance(err, yaml.reader.ReaderError):
        return "yaml: control characters are not allowed"
    problem = getattr(err, "problem", None) or ""
    context = getattr(err, "context", None) or ""
    if isinstance(err, yaml.composer.ComposerError) and "undefined alias" in problem:
        return f"yaml: unknown anchor '{_alias_name(err, doc, problem)}' referenced"
    if isinstance(err, yaml.constructor.ConstructorError) and "base64" in problem:
        return "yaml: !!binary value contains invalid base64 data"
    words = _libyaml_words(problem, context)
    line = _go_line(err)
    where = f"line {line}: " if line else ""
    return f"yaml: {where}{words}"


def _alias_name(err: yaml.YAMLError, doc: str, problem: str) -> str:
    """The alias's name: PyYAML's pure loader says it; libyaml's only marks where it is."""
    if problem.startswith("found undefined alias "):
        return problem.rsplit(" ", 1)[-1].strip("'")
    mark = getattr(err, "problem_mark", None)
    lines = doc.split("\n")
    if mark is not None and mark.line < len(lines):
        found = _ALIAS_NAME.match(lines[mark.line][mark.column:])
        if found:
            return found.group(1)
    return ""


def _libyaml_words(problem: str, context: str) -> str:
    if problem.startswith("expected <block end>") or problem.startswith("expected <block"):
        return _BLOCK_END.get(context, "did not find expected key")
    for pyyaml, libyaml in _PROBLEMS:
        if problem.startswith(pyyaml):
            return libyaml
    return problem or "unknown problem parsing YAML content"


def _go_line(err: yaml.YAMLError) -> int:
    problem_mark = getattr(err, "problem_mark", None)
    context_mark = getattr(err, "context_mark", None)
    scanner = isinstance(err, yaml.scanner.ScannerError)
    if problem_mark is not None and problem_mark.line != 0:
        return problem_mark.line + (1 if scanner else 0)
    if context_mark is not None and context_mark.line != 0:
        return context_mark.line
    return 0


def parse_text(text: str, source: str = "STDIN") -> list[dict]:
    """Parse YAML or JSON text into objects (documents in order, ``List`` flattened)."""
    objects: list[dict] = []
    try:
        for value in iter_values(text):
            objects.extend(_flatten(value, source))
    except StreamError as err:
        raise ManifestError(f"error parsing {source}: {err}") from None
    return objects


def _flatten(value: Any, source: str) -> Iterable[dict]:
    if not isinstance(value, dict):
        raise ManifestError(
            f"error validating {_quote(source)}: error validating data: invalid object to validate"
        )
    value = _json_safe(value)
    if value.get("kind") == "List" or (
        str(value.get("kind", "")).endswith("List") and isinstance(value.get("items"), list)
    ):
        for item in value.get("items") or []:
            yield from _flatten(item, source)
        return
    _check_type_meta(value, source)
    yield value


def _check_type_meta(obj: dict, source: str) -> None:
    """kubectl refuses documents without kind or apiVersion before talking to the server."""
    where = _quote(source or "STDIN")
    if not isinstance(obj.get("kind"), str) or not obj["kind"]:  # another type reads as unset
        shown = json.dumps(obj, separators=(",", ":"), sort_keys=True)
        raise ManifestError(f"unable to decode {where}: Object 'Kind' is missing in '{shown}'")
    if not isinstance(obj.get("apiVersion"), str) or not obj["apiVersion"]:
        raise ManifestError(
            f"error validating {where}: error validating data: apiVersion not set; if you "
            "choose to ignore these errors, turn validation off with --validate=false"
        )


def _quote(text: str) -> str:
    return json.dumps(text)


def _json_safe(value: Any) -> Any:
    """YAML can produce dates and non-string keys; Kubernetes JSON cannot. Convert like sigs.k8s.io/yaml."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, bool) else ("true" if k else "false"): _json_safe(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if hasattr(value, "isoformat") and not isinstance(value, str):
        text = value.isoformat()
        return text.replace("+00:00", "Z") if "T" in text else text
    return value


def load(source: Any, *, recursive: bool = False) -> list[Manifest]:
    """Read objects from YAML/JSON text, a path (file or folder), a documentation URL
    (``https://k8s.io/examples/...``, see :mod:`labkube.core.urls`), a dict, or a list of those."""
    if isinstance(source, dict):
        return [Manifest(obj, "") for obj in _flatten(json.loads(json.dumps(source)), "")]
    if isinstance(source, (list, tuple)):
        manifests: list[Manifest] = []
        for item in source:
            manifests.extend(load(item, recursive=recursive))
        return manifests
    if isinstance(source, str) and "\n" not in source and urls.is_url(source.strip()):
        try:
            text = urls.read_url(source.strip())
        except urls.URLReadError as err:
            raise ManifestError(str(err)) from None
        return [Manifest(obj, source.strip()) for obj in parse_text(text, source.strip())]
    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        return _load_path(Path(source), recursive)
    if isinstance(source, str):
        return [Manifest(obj, "STDIN") for obj in parse_text(source, "STDIN")]
    raise ManifestError(f"cannot read manifests from a {type(source).__name__}")


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and ":" not in text.split("/")[-1] and os.path.exists(text)


def _load_path(path: Path, recursive: bool) -> list[Manifest]:
    if not path.exists():
        raise ManifestError(f'the path "{path}" does not exist')
    if path.is_dir():
        files = sorted(
            p for p in (path.rglob("*") if recursive else path.iterdir())
            if p.is_file() and p.suffix in (".yaml", ".yml", ".json")
        )
        manifests: list[Manifest] = []
        for file in files:
            manifests.extend(_load_path(file, recursive))
        return manifests
    return [Manifest(obj, str(path)) for obj in parse_text(read_manifest_text(path), str(path))]


def read_manifest_text(path: Path) -> str:
    """A manifest file's text as kubectl reads it: UTF-8, each invalid byte read as U+FFFD."""
    return path.read_bytes().decode("utf-8", errors="replace")
