"""``kubectl label`` and ``kubectl annotate``.

Mirrors k8s.io/kubectl/pkg/cmd/label and pkg/cmd/annotate. Arguments are resources first,
then changes: ``key=value`` sets, ``key-`` removes. Changing a key that already has a
different value needs ``--overwrite`` (kubectl's ``'a' already has a value (b), and
--overwrite is false``). Each object is read, changed and written back with a JSON merge
patch of its labels (or annotations), and kubectl's line is printed: ``pod/x labeled``
(``not labeled`` when nothing changed, ``unlabeled`` when only removals happened) or
``pod/x annotated``; ``label`` first says ``label "k" not found.`` for each key it was asked to
remove and the object lacks.

``--list`` changes nothing on the server: the changes given are made to a copy, and its labels
(or annotations) are printed as ``key=value`` lines; when more than one object may be meant
(a selector, ``--all``, several names) each object's lines come under ``Listing labels for
Kind.group/name:`` and are indented by a space. kubectl prints the pairs in Go's map order,
which changes from run to run; labkube prints them sorted by key, one of the orders kubectl
may print.
"""

from __future__ import annotations

import re
from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    namespace_for,
    parse_targets,
    print_operation,
)
from labkube.kubectl.commands.apply import read_and_map
from labkube.kubectl.errors import KubectlError

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_VALUE_MESSAGE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def split_resources_and_pairs(args: list[str], what: str) -> tuple[list[str], list[str]]:
    """``GetResourcesAndPairs``: resources first, then ``k=v`` / ``k-`` changes."""
    resources: list[str] = []
    pairs: list[str] = []
    for arg in args:
        is_pair = ("=" in arg and not arg.startswith("=")) or (arg.endswith("-") and arg != "-")
        if is_pair:
            pairs.append(arg)
        elif pairs:
            raise KubectlError(f"error: all resources must be specified before {what} changes: {arg}")
        else:
            resources.append(arg)
    return resources, pairs


def parse_label_changes(specs: list[str]) -> tuple[dict[str, str], list[str]]:
    """``parseLabels``: values validated here; keys are the API server's to judge."""
    labels: dict[str, str] = {}
    remove: list[str] = []
    for spec in specs:
        if "=" in spec:
            parts = spec.split("=")
            if len(parts) != 2:
                raise KubectlError(f"error: invalid label spec: {spec}")
            if not _LABEL_VALUE.match(parts[1]):
                raise KubectlError(f'error: invalid label value: "{spec}": {_LABEL_VALUE_MESSAGE}')
            if len(parts[1]) > 63:
                raise KubectlError(f'error: invalid label value: "{spec}": must be no more than 63 characters')
            labels[parts[0]] = parts[1]
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise KubectlError(f"error: unknown label spec: {spec}")
    _no_modify_and_remove(labels, remove)
    return labels, remove


def parse_annotation_changes(specs: list[str]) -> tuple[dict[str, str], list[str]]:
    """``parseAnnotations``: the value is everything after the first ``=``."""
    annotations: dict[str, str] = {}
    remove: list[str] = []
    for spec in specs:
        if "=" in spec:
            key, _, value = spec.partition("=")
            if not key:
                raise KubectlError(f"error: invalid annotation spec: {spec}")
            annotations[key] = value
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise KubectlError(f"error: unknown annotation spec: {spec}")
    return annotations, remove


def _no_modify_and_remove(changes: dict[str, str], remove: list[str]) -> None:
    if any(key in changes for key in remove):
        raise KubectlError("error: can not both modify and remove a label in the same command")


def run(ctx: Context) -> list[BaseException]:
    what = "label" if ctx.parsed.path == "label" else "annotation"
    field = "labels" if what == "label" else "annotations"
    strategy = dry_run_strategy(ctx)
    if what == "annotation":  # annotate builds its printer in Complete, label only when printing
        check_operation_output(ctx)
    resources, pairs = split_resources_and_pairs(ctx.parsed.all_args, what)
    parse = parse_label_changes if what == "label" else parse_annotation_changes
    changes, remove = parse(pairs)
    if what == "label" and ctx.flags["list"] and ctx.flags["output"]:
        raise KubectlError("error: --list and --output may not be specified together")
    _validate(ctx, what, strategy, resources, changes, remove)
    if what == "label":
        check_operation_output(ctx)
    errors: list[BaseException] = []
    single = _single_item_implied(ctx, resources)
    for rtype, obj in _objects(ctx, resources, errors):
        try:
            if ctx.flags["list"]:
                _list_one(ctx, rtype, obj, field, changes, remove, single)
                continue
            _change_one(ctx, rtype, obj, field, changes, remove, strategy)
        except (StatusError, KubectlError) as err:
            errors.append(err)
    return errors


def _validate(ctx: Context, what: str, strategy: str, resources: list[str],
              changes: dict[str, str], remove: list[str]) -> None:
    """``LabelOptions.Validate`` / ``AnnotateOptions.Validate``, in their order."""
    flags = ctx.flags
    if flags["all"] and flags["selector"]:
        raise KubectlError("error: cannot set --all and --selector at the same time")
    if flags["all"] and flags["field-selector"]:
        raise KubectlError("error: cannot set --all and --field-selector at the same time")
    files = ("-f pod.yaml", "--filename=pod.json") if what == "label" else ("-f rsrc.yaml", "--filename=rsrc.json")
    if flags["local"]:
        if strategy == "server":
            raise KubectlError("error: cannot specify --local and --dry-run=server - did you mean --dry-run=client?")
        if resources:
            raise KubectlError(f"error: can only use local files by {files[0]} or {files[1]} when --local=true is set")
        if not flags["filename"] and not flags.get("kustomize"):
            raise KubectlError(f"error: one or more files must be specified as {files[0]} or {files[1]}")
    elif not resources and not flags["filename"] and not flags.get("kustomize"):
        raise KubectlError("error: one or more resources must be specified as <resource> <name> or <resource>/<name>")
    if not changes and not remove and not flags["list"]:
        raise KubectlError(f"error: at least one {what} update is required")
    if what == "annotation":
        both = [key for key in remove if key in changes]
        if both:
            raise KubectlError("error: can not both modify and remove the following annotation(s) in the "
                               f"same command: {', '.join(both)}")


def _single_item_implied(ctx: Context, resources: list[str]) -> bool:
    """cli-runtime's ``IntoSingleItemImplied``: one name (``deploy web``, ``deploy/web``) and no
    selector, or a file path (not ``-``, not ``--recursive``) given with ``-f``."""
    if ctx.flags["filename"]:
        return not ctx.flags["recursive"] and any(name != "-" for name in ctx.flags["filename"])
    selecting = ctx.flags["selector"] or ctx.flags["all"] or ctx.flags["field-selector"]
    if selecting:
        return False
    names = resources[1:] if resources and "/" not in resources[0] else resources
    return len(names) == 1 and "," not in resources[0]


def _objects(ctx: Context, resources: list[str], errors: list[BaseException]):
    """The objects named by arguments, ``-f``, ``-l`` or ``--all`` (``--local``: the files' own)."""
    if ctx.flags["filename"] and ctx.flags["local"]:
        yield from _as_read(ctx, errors)
        return
    if ctx.flags["filename"]:
        mapped, read_errors = read_and_map(ctx)
        errors.extend(read_errors)
        for item, rtype in mapped:
            meta = item.obj["metadata"]
            yield from _get(ctx, rtype, meta["name"], meta.get("namespace"), errors)
        return
    if not resources:
        raise KubectlError("error: one or more resources must be specified as <resource> <name> or <resource>/<name>")
    targets = parse_targets(ctx, resources)
    selecting = bool(ctx.flags["selector"] or ctx.flags["all"] or ctx.flags["field-selector"])
    if any(t.names for t in targets) and selecting:
        raise KubectlError("error: name cannot be provided when a selector is specified")
    for target in targets:
        namespace = namespace_for(ctx, target.rtype)
        if target.names:
            for name in target.names:
                yield from _get(ctx, target.rtype, name, namespace, errors)
        elif selecting:
            ns = None if ctx.flags["all-namespaces"] else namespace
            listing = ctx.client.list(target.rtype, ns, label_selector=ctx.flags["selector"] or None,
                                      field_selector=ctx.flags["field-selector"] or None)
            for item in listing["items"]:  # a list's items come without their kind
                yield target.rtype, {"apiVersion": target.rtype.api_version, "kind": target.rtype.kind, **item}
        else:
            raise KubectlError("error: resource(s) were provided, but no name was specified")


def _as_read(ctx: Context, errors: list[BaseException]):
    """``--local``: the files' objects as they are written (no namespace filled in)."""
    from labkube.kubectl.commands._set_helpers import _from_files

    yield from _from_files(ctx, True, errors)


def _get(ctx: Context, rtype: Any, name: str, namespace: str | None, errors: list[BaseException]):
    try:
        yield rtype, ctx.client.get(rtype, name, namespace if rtype.namespaced else None)
    except StatusError as err:
        errors.append(err)


def _list_one(ctx: Context, rtype: Any, obj: dict, field: str, changes: dict[str, str],
              remove: list[str], single: bool) -> None:
    """``--list``: the object's labels (annotations) with the changes made locally, never sent."""
    current = dict((obj.get("metadata") or {}).get(field) or {})
    if not ctx.flags["overwrite"]:
        _check_overwrites(field, current, changes)
    updated = {k: v for k, v in current.items() if k not in remove}
    updated.update(changes)
    indent = ""
    if not single:
        indent = " "
        what = "labels" if field == "labels" else "annotations"
        ctx.term.line(f"Listing {what} for {rtype.kind}.{rtype.group}/{obj['metadata']['name']}:")
    for key in sorted(updated):
        ctx.term.line(f"{indent}{key}={updated[key]}")


def _change_one(ctx: Context, rtype: Any, obj: dict, field: str, changes: dict[str, str],
                remove: list[str], strategy: str) -> None:
    meta = obj.setdefault("metadata", {})
    current = dict(meta.get(field) or {})
    if field == "labels" and strategy != "client" and not ctx.flags["local"]:
        for key in remove:  # kubectl says so before it changes anything
            if key not in current:
                ctx.term.line(f'label "{key}" not found.')
    if not ctx.flags["overwrite"]:
        _check_overwrites(field, current, changes)
    updated = dict(current)
    for key in remove:
        updated.pop(key, None)
    updated.update(changes)
    patch = _merge_patch(current, updated)
    result = obj
    if patch and strategy != "client" and not ctx.flags["local"]:
        result = ctx.client.patch(rtype, meta["name"], {"metadata": {field: patch}},
                                  namespace=meta.get("namespace") if rtype.namespaced else None,
                                  patch_type="merge", dry_run=api_dry_run(strategy))
    elif patch:
        meta[field] = updated
    print_operation(ctx, result, _operation(field, current, updated, ctx.flags["overwrite"]), strategy)


def _check_overwrites(field: str, current: dict[str, str], changes: dict[str, str]) -> None:
    clashes = [(k, current[k]) for k, v in changes.items() if k in current and current[k] != v]
    if not clashes:
        return
    if field == "labels":
        messages = [f"'{k}' already has a value ({v}), and --overwrite is false" for k, v in clashes]
        text = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
        raise KubectlError(f"error: {text}")
    listed = "; ".join(f"'{k}' already has a value ({v})" for k, v in clashes)
    raise KubectlError(
        f"error: --overwrite is false but found the following declared annotation(s): {listed}"
    )


def _merge_patch(current: dict[str, str], updated: dict[str, str]) -> dict[str, Any]:
    patch: dict[str, Any] = {k: v for k, v in updated.items() if current.get(k) != v}
    patch.update({k: None for k in current if k not in updated})
    return patch


def _operation(field: str, current: dict, updated: dict, overwrite: bool) -> str:
    if field == "annotations":
        return "annotated"
    if current == updated:
        return "not labeled"
    if not overwrite and len(updated) < len(current):
        return "unlabeled"
    return "labeled"
