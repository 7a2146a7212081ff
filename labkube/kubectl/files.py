"""Reading ``-f`` arguments: files, folders (``-R`` for subfolders) and ``-`` for stdin.

Mirrors kubectl's resource builder (k8s.io/cli-runtime/pkg/resource: ``FilenameParam``,
``ExpandPathsToFileVisitors``, ``StreamVisitor``) with kubectl's behaviour on bad input:

* a missing path fails before anything is read: ``the path "web.yaml" does not exist``; a URL
  (``https://k8s.io/examples/...``) is read from a local copy of the documentation's examples
  when its turn comes (see :mod:`labkube.core.urls`)
  (as does ``-f -`` given twice);
* a folder contributes its ``.json``, ``.yaml`` and ``.yml`` files in name order;
* each file is split into documents as apimachinery's YAMLReader splits it (error lines
  count from the document's first line, as go-yaml's do: see
  :func:`labkube.core.manifests.iter_documents`); a YAML error stops that file, but documents before it and
  other files still count (``ContinueOnError``), and the error reads
  ``error parsing web.yaml: error converting YAML to JSON: yaml: line 3: ...``;
* ``kind: List`` documents are flattened into their items;
* each document's ``metadata`` must fit ``ObjectMeta`` (cli-runtime's
  ``metadataValidatingDecoder``): a label read as a boolean (``app: yes``, see
  :mod:`labkube.core.manifests`) or a number refuses that document only, before anything is
  sent: ``unable to decode "web.yaml": json: cannot unmarshal bool into Go struct field
  ObjectMeta.metadata.labels of type string``. The first wrong field counts in the order of
  the JSON kubectl makes of the document: YAML becomes JSON with its keys sorted, a JSON
  stream keeps its own order.

:func:`read` returns ``(items, errors)``: what was read, in order, and the errors met.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from labkube.core.api.decode import object_meta_type_error
from labkube.core.json_stream import looks_like_json
from labkube.core import urls
from labkube.core.manifests import StreamError, iter_values, read_manifest_text
from labkube.kubectl.errors import KubectlError, PlainError

EXTENSIONS = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Item:
    """One object read from ``source`` (the file name as typed, or ``STDIN``)."""

    obj: dict
    source: str


def object_meta(obj: dict) -> dict:
    """An object's metadata as Go's unstructured accessors read it (a copy, for reading): a
    ``metadata`` that is not a map reads as empty, a name or namespace that is not a string as
    unset; the server then refuses the object."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return {}
    return {key: value for key, value in meta.items()
            if key not in ("name", "namespace") or isinstance(value, str)}


def read(filenames: list[str], stdin: str | None, recursive: bool = False) -> tuple[list[Item], list[Exception]]:
    """Read every ``-f`` argument; a missing path raises at once, as kubectl does."""
    items: list[Item] = []
    errors: list[Exception] = []
    for got, error in read_each(filenames, stdin, recursive):
        items.extend(got)
        if error is not None:
            errors.append(error)
    return items, errors


def read_each(filenames: list[str], stdin: str | None, recursive: bool = False):
    """:func:`read` a stretch at a time, in kubectl's order, for commands that act on objects
    before reading on: ``(items, error)`` -- a file's objects up to an error (or its end), then
    that error or None. A document that cannot be decoded ends a stretch and its file goes on;
    a YAML error ends the file. Every path is checked before the first file is read."""
    sources = _expand(filenames, recursive)
    for name, text in _texts(sources, stdin):
        yield from parse_stream(text, name)


#: cli-runtime's ``StdinMultiUseError``: ``-f -`` may be given once.
STDIN_TWICE = "standard input cannot be used for multiple arguments"


def _expand(filenames: list[str], recursive: bool) -> list[str]:
    """The files to read, in order. Like the builder's ``FilenameParam``, every argument is
    looked at first and all the problems are reported together (one as ``error: ...``,
    several a line each): a missing path, ``-`` given more than once."""
    paths: list[str] = []
    problems: list[str] = []
    for name in filenames:
        if name == "-":
            if "-" in paths:
                problems.append(STDIN_TWICE)
            paths.append("-")
            continue
        if urls.is_url(name):  # read when its turn comes, as kubectl's URLVisitor does
            paths.append(name)
            continue
        path = Path(name)
        if not path.exists():
            problems.append(f'the path "{name}" does not exist')
        elif path.is_dir():
            paths.extend(_folder(path, recursive))
        else:
            paths.append(name)
    if problems:
        raise KubectlError(f"error: {problems[0]}" if len(problems) == 1 else "\n".join(problems))
    return paths


def _folder(path: Path, recursive: bool) -> list[str]:
    found = path.rglob("*") if recursive else path.iterdir()
    return sorted(str(p) for p in found if p.is_file() and p.suffix in EXTENSIONS)


def _texts(sources: list[str], stdin: str | None):
    for name in sources:
        if name == "-":
            yield "STDIN", stdin or ""
        elif urls.is_url(name):
            try:
                yield name, urls.read_url(name)
            except urls.URLReadError as err:
                raise KubectlError(f"error: {err}") from None
        else:
            yield name, read_manifest_text(Path(name))


def parse_stream(text: str, source: str) -> list[tuple[list[Item], Exception | None]]:
    """Values of one stream (YAML documents, or JSON values when it opens with ``{``), as
    stretches ``(items, error)`` (see :func:`read_each`). Like ``StreamVisitor``, a parse or
    validation error stops the stream, keeping what was read before it; a document whose
    metadata cannot be decoded is an error in its place and the stream goes on."""
    stretches: list[tuple[list[Item], Exception | None]] = []
    items: list[Item] = []
    as_json = looks_like_json(text)
    try:
        for value in iter_values(text):
            objects = _flatten(value, source)
            problem = _metadata_problem(value, as_json)
            if problem:
                stretches.append((items, PlainError(f'unable to decode "{source}": {problem}')))
                items = []
                continue
            items.extend(Item(obj, source) for obj in objects)
    except StreamError as err:
        return stretches + [(items, PlainError(f"error parsing {source}: {err}"))]
    except PlainError as err:
        return stretches + [(items, err)]
    return stretches + [(items, None)]


def _metadata_problem(value: dict, as_json: bool) -> str | None:
    """``metadataValidatingDecoder``: the document's own ``metadata`` (a List's, not its
    items') decoded into ``ObjectMeta``, its keys in the order of the JSON kubectl decodes."""
    metadata = value.get("metadata")
    return object_meta_type_error(metadata if as_json else sorted_keys(metadata))


def sorted_keys(value):
    """A value as Go's ``json.Marshal`` writes a map: every map's keys sorted (sigs.k8s.io/yaml's
    JSON of a YAML document, an unstructured object)."""
    if isinstance(value, dict):
        return {key: sorted_keys(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [sorted_keys(item) for item in value]
    return value


def _flatten(value, source: str) -> list[dict]:
    if not isinstance(value, dict):
        raise PlainError(
            f'error validating "{source}": error validating data: invalid object to validate; '
            "if you choose to ignore these errors, turn validation off with --validate=false"
        )
    value = _json_safe(value)
    if value.get("kind") == "List" or (
        str(value.get("kind", "")).endswith("List") and isinstance(value.get("items"), list)
    ):
        out: list[dict] = []
        for item in value.get("items") or []:
            out.extend(_flatten(item, source))
        return out
    _check_type_meta(value, source)
    return [value]


def _check_type_meta(obj: dict, source: str) -> None:
    """Both set, as strings: kubectl's validation names each one that is missing (``apiVersion
    not set``) or not a string (``kind isn't string type``), several as ``[a, b]``."""
    problems = []
    for field in ("apiVersion", "kind"):
        value = obj.get(field)
        if value is not None and value != "" and not isinstance(value, str):
            problems.append(f"{field} isn't string type")
        elif not value:
            problems.append(f"{field} not set")
    if problems:
        shown = problems[0] if len(problems) == 1 else f"[{', '.join(problems)}]"
        raise PlainError(
            f'error validating "{source}": error validating data: {shown}; if you '
            "choose to ignore these errors, turn validation off with --validate=false"
        )


def _json_safe(value):
    """YAML timestamps and non-string keys become JSON strings, as sigs.k8s.io/yaml does."""
    if isinstance(value, dict):
        return {_key(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if hasattr(value, "isoformat") and not isinstance(value, str):
        text = value.isoformat()
        return text.replace("+00:00", "Z") if "T" in text else text
    return value


def _key(key) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else json.dumps(key)
