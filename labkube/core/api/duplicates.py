"""Duplicate fields in a request body, found as kube-apiserver's strict decoding finds them.

Mirrors the strict decoders kube-apiserver runs on a write's body when the request's
``fieldValidation`` is ``Strict`` or ``Warn`` (apimachinery's runtime/serializer/json):

* **JSON** goes through sigs.k8s.io/json's ``UnmarshalStrict``: a key given twice in one object
  is ``duplicate field "<path>"``, reported where its second occurrence is read, among the
  ``unknown field`` errors of the same walk (one decode, document order). The path is the
  decoder's field stack: keys joined by ``.`` (map keys too: ``metadata.labels.app``), list
  positions as ``[i]``. Into a kind's Go struct, a key the struct has no field for is unknown,
  not duplicate, and its value is skipped unread; a field kept as raw bytes (RawExtension,
  FieldsV1: type ``object`` in :mod:`.schema`) is not looked into. Into an unstructured map (a
  custom resource, a merge patch) every key of every object is checked.
* **YAML** (``application/yaml``) also goes through go-yaml v2's ``UnmarshalStrict``
  (sigs.k8s.io/yaml ``YAMLToJSONStrict``), which says ``line 12: key "paused" already set in
  map`` -- the line of the repeated key's *value*, in the order go-yaml meets them (inside a
  value before at its key) -- for every mapping, typed or not.

Python's json and PyYAML keep the last value of a repeated key without a word, as Go's decoders
do outside strict mode, so a decoded body cannot tell. :class:`DuplicateSpotter` notices a
repeated key while the body is decoded anyway; only then is the text read again, here.

Neighbours: the HTTP front (:mod:`.http`) reports what these find, and leaves unknown fields to
the decoder (:mod:`.decode`), whose texts :func:`in_document_order` puts in their place.
In-process callers hand over dicts, which cannot repeat a key.

    >>> [text for kind, path, text in json_findings('{"metadata": {"name": "a", "name": "b"}}')]
    ['duplicate field "metadata.name"']
    >>> load_yaml("data:\\n  k: 1\\n  k: 2\\n")[1]
    ['line 3: key "k" already set in map']
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

import yaml

from labkube.core.api import schema
from labkube.core.manifests import StreamError, check_json_encodable, go_yaml_error, go_yaml_loader

#: sigs.k8s.io/json keeps at most this many strict errors (``saveStrictError``).
MAX_STRICT_ERRORS = 100

DUPLICATE, UNKNOWN = "duplicate", "unknown"


class DuplicateSpotter:
    """A ``json.loads`` ``object_pairs_hook`` that builds the same dicts ``json.loads`` would
    (last value wins, first position kept) and remembers whether any key came twice."""

    def __init__(self) -> None:
        self.found = False

    def __call__(self, pairs: list) -> dict:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            self.found = True
        return obj


class _Pairs(list):
    """A JSON object as its (key, value) pairs, repeats kept (a JSON array stays a list)."""


# -- JSON ---------------------------------------------------------------------------------------
def json_findings(text: str, type_name: Optional[str] = None) -> list[tuple[str, tuple, str]]:
    """``(kind, path, text)`` of each strict finding in ``text``, in the decoder's order:
    duplicates (and, into the kind ``type_name``, unknown fields) as one walk meets them;
    untyped (``type_name`` None) every repeated key. The text is the error's."""
    found: list[tuple[str, tuple]] = []
    value = json.loads(text, object_pairs_hook=_Pairs)
    if type_name:
        _walk_type(value, type_name, (), found)
    else:
        _walk_untyped(value, (), found)
    seen: set = set()
    out = []
    for kind, path in found:
        finding = (kind, path, f"{kind} field {_quoted(render_path(path))}")
        if finding[2] not in seen:  # saveStrictError keeps each message once
            seen.add(finding[2])
            out.append(finding)
    return out


def _noting_repeats(pairs: _Pairs, path: tuple, found: list):
    """A map's pairs in order, each key met a second time noted in ``found`` as a duplicate."""
    seen = set()
    for key, item in pairs:
        if key in seen:
            found.append((DUPLICATE, path + (key,)))
        seen.add(key)
        yield key, item


def _walk_untyped(value: Any, path: tuple, found: list) -> None:
    if isinstance(value, _Pairs):
        for key, item in _noting_repeats(value, path, found):
            _walk_untyped(item, path + (key,), found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk_untyped(item, path + (i,), found)


def _walk_type(value: Any, type_string: str, path: tuple, found: list) -> None:
    """One value decoded into a field of ``type_string`` (a :mod:`.schema` type string)."""
    if type_string.startswith("list["):
        if isinstance(value, list) and not isinstance(value, _Pairs):
            for i, item in enumerate(value):
                _walk_type(item, type_string[5:-1], path + (i,), found)
    elif type_string.startswith("dict(str, "):
        if isinstance(value, _Pairs):
            for key, item in _noting_repeats(value, path, found):
                _walk_type(item, type_string[10:-1], path + (key,), found)
    elif type_string not in schema.SCALARS and isinstance(value, _Pairs):
        _walk_struct(value, type_string, path, found)


def _walk_struct(pairs: _Pairs, type_name: str, path: tuple, found: list) -> None:
    fields = schema.fields(type_name)
    seen = set()
    for key, item in pairs:
        info = fields.get(key)
        if info is None:  # nowhere to put it: unknown, and its value skipped
            found.append((UNKNOWN, path + (key,)))
            continue
        if key in seen:
            found.append((DUPLICATE, path + (key,)))
        seen.add(key)
        _walk_type(item, info.type, path + (key,), found)


def render_path(path: tuple) -> str:
    """A field stack as sigs.k8s.io/json writes it: ``spec.containers[0].image``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else step
    return out


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


_STEP = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


def _parsed_path(text: str) -> tuple:
    """The steps of a path as :mod:`.decode` writes it (``a.b[0]``; a map key as ``[key]``)."""
    steps: list = []
    for bracketed, name in _STEP.findall(text):
        steps.append(name if name else (int(bracketed) if bracketed.isdigit() else bracketed))
    return tuple(steps)


def in_document_order(texts: list[str], findings: list[tuple[str, tuple, str]]) -> list[str]:
    """``texts`` (strict errors: this module's duplicates and the decoder's unknown fields)
    in the order one decode meets them; an unknown field the walk did not see goes last.
    Each text once, at most :data:`MAX_STRICT_ERRORS`."""
    rank = {text: i for i, (_, _, text) in enumerate(findings)}
    rank.update({("path", path): i for i, (kind, path, _) in enumerate(findings) if kind == UNKNOWN})

    def position(text: str) -> int:
        if text in rank:
            return rank[text]
        if text.startswith('unknown field "') and text.endswith('"'):
            return rank.get(("path", _parsed_path(text[15:-1])), len(findings))
        return len(findings)

    unique = list(dict.fromkeys(texts))
    return sorted(unique, key=position)[:MAX_STRICT_ERRORS]


# -- YAML ---------------------------------------------------------------------------------------
def load_yaml(text: str) -> tuple[Any, list[str]]:
    """A YAML body as sigs.k8s.io/yaml converts it (go-yaml v2 types, the last value of a
    repeated key), and go-yaml's strict errors for its repeated keys. A syntax error raises
    :class:`~labkube.core.manifests.StreamError` in kubectl's and the server's words."""
    loader = go_yaml_loader(text)
    try:
        node = loader.get_single_node()
        found: list[str] = []
        if node is not None:
            _yaml_walk(loader, node, found, set())
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        raise StreamError(f"error converting YAML to JSON: {go_yaml_error(err, text)}") from None
    finally:
        loader.dispose()
    check_json_encodable(value)
    return value, found


def _yaml_walk(loader: Any, node: yaml.Node, found: list, active: set) -> None:
    if id(node) in active:  # an alias inside its own anchor: go-yaml refuses it elsewhere
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            _yaml_walk(loader, value_node, found, active)  # go-yaml decodes the value first
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = loader.construct_object(key_node, deep=True)
            identity = (type(key).__name__, repr(key))
            if identity in seen:
                found.append(f"line {value_node.start_mark.line + 1}: key {_go_syntax(key)} already set in map")
            seen.add(identity)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _yaml_walk(loader, item, found, active)
    active.discard(id(node))


def _go_syntax(value: Any) -> str:
    """``fmt.Sprintf("%#v", key)`` of a YAML key go-yaml decoded into ``interface{}``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return _quoted(str(value))


def yaml_strict_error(lines: list[str]) -> str:
    """go-yaml's ``TypeError`` of its strict errors, as a Strict refusal lists it."""
    return "yaml: unmarshal errors:\n  " + "\n  ".join(lines)
