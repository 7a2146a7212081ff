"""Reading ``-f`` arguments: files, folders (``-R`` for subfolders) and ``-`` for stdin.

Mirrors kubectl's resource builder (k8s.io/cli-runtime/pkg/resource: ``FilenameParam``,
``ExpandPathsToFileVisitors``, ``StreamVisitor``) with kubectl's behaviour on bad input:

* a missing path fails at once: ``the path "web.yaml" does not exist``;
* a folder contributes its ``.json``, ``.yaml`` and ``.yml`` files in name order;
* each file is split into documents as apimachinery's YAMLReader splits it (error lines
  count from the document's first line, as go-yaml's do: see
  :func:`labkube.core.manifests.iter_documents`); a YAML error stops that file, but documents before it and
  other files still count (``ContinueOnError``), and the error reads
  ``error parsing web.yaml: error converting YAML to JSON: yaml: line 3: ...``;
* ``kind: List`` documents are flattened into their items.

:func:`read` returns ``(items, errors)``: what was read, in order, and the errors met.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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
    """:func:`read` one source at a time: ``(items, error)`` per file, in kubectl's order, for
    commands that act on each file's objects before reading the next (every path is checked
    before the first file is read)."""
    sources = _expand(filenames, recursive)
    for name, text in _texts(sources, stdin):
        yield parse_stream(text, name)


def _expand(filenames: list[str], recursive: bool) -> list[str]:
    paths: list[str] = []
    for name in filenames:
        if name == "-":
            paths.append("-")
            continue
        path = Path(name)
        if not path.exists():
            raise KubectlError(f'error: the path "{name}" does not exist')
        if path.is_dir():
            paths.extend(_folder(path, recursive))
        else:
            paths.append(name)
    return paths


def _folder(path: Path, recursive: bool) -> list[str]:
    found = path.rglob("*") if recursive else path.iterdir()
    return sorted(str(p) for p in found if p.is_file() and p.suffix in EXTENSIONS)


def _texts(sources: list[str], stdin: str | None):
    for name in sources:
        if name == "-":
            yield "STDIN", stdin or ""
        else:
            yield name, read_manifest_text(Path(name))


def parse_stream(text: str, source: str) -> tuple[list[Item], Exception | None]:
    """Values of one stream (YAML documents, or JSON values when it opens with ``{``); stops
    at the first error like ``StreamVisitor``, keeping what was read before it."""
    items: list[Item] = []
    try:
        for value in iter_values(text):
            items.extend(Item(obj, source) for obj in _flatten(value, source))
    except StreamError as err:
        return items, PlainError(f"error parsing {source}: {err}")
    except PlainError as err:
        return items, err
    return items, None


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
    """Both set, as strings (a field of another type reads as unset, as in Go's unstructured)."""
    for field in ("apiVersion", "kind"):
        if not isinstance(obj.get(field), str) or not obj[field]:
            raise PlainError(
                f'error validating "{source}": error validating data: {field} not set; if you '
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
