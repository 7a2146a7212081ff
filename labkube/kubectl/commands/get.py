"""``kubectl get``: list or read objects and print them as a table or in an ``-o`` format.

Mirrors k8s.io/kubectl/pkg/cmd/get. Under the table is one Client call per kind:
``list(resource, namespace, label_selector=..., field_selector=...)``, or ``get`` for named
objects. kubectl's rules:

* the namespace is ``-n`` or ``default``; ``-A`` lists every namespace and adds NAMESPACE;
* ``get pods,svc``, ``get all`` (the ``all`` category) and ``get pod/x deploy/y`` print one
  table per kind, separated by a blank line, names shown as ``kind/name``;
* nothing found prints ``No resources found in default namespace.`` (or ``No resources
  found``) on stderr; a missing named object prints kubectl's NotFound error after the rest;
* ``--raw PATH`` GETs the path from the API server's HTTP front as the acting user and prints
  the body exactly as it came (``ok`` for ``/healthz``, compact JSON for discovery, the
  indented version.Info for ``/version``); an error status prints as kubectl prints a Status;
* before any request, kubectl's ``Complete`` and ``Validate`` checks run in its order
  (``--raw`` takes no arguments, ``--show-labels`` is for tables, ``--output-watch-events``
  needs ``--watch``); ``-o JSON``, ``-o Yaml`` and ``-o Name`` are read in any case;
* ``-o wide`` adds the wide columns, ``--show-labels`` a LABELS column, ``-L key`` a column
  per label, ``--no-headers`` drops headers; ``-o yaml|json`` prints one object for one named
  object and a ``List`` otherwise.
"""

from __future__ import annotations

import json
import re
from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context,
    Target,
    namespace_for,
    parse_targets,
    printer_format,
    render_output,
)
from labkube.kubectl.commands import _output
from labkube.kubectl.commands._ops import NO_RESOURCES
from labkube.kubectl.commands.apply import read_and_map
from labkube.kubectl.errors import KubectlError

_MISSING_TYPE = (
    'You must specify the type of resource to get. Use "kubectl api-resources" for a complete '
    "list of supported resources.\n\n"
)
_REQUIRED = (
    "error: Required resource not specified.\n"
    'Use "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl '
    "explain pods).\nSee 'kubectl get -h' for help and examples"
)

TABLE_FORMATS = ("", "wide")


def run(ctx: Context) -> list[BaseException]:
    _complete(ctx)
    _validate(ctx)
    watching = ctx.flags["watch"] or ctx.flags["watch-only"]
    if watching and not _arguments(ctx) and not ctx.flags["filename"]:
        raise KubectlError(NO_RESOURCES)  # the builder's complaint, before any watch starts
    if watching:
        from labkube.kubectl.commands import get_watch

        return get_watch.run(ctx)
    if ctx.flags["raw"]:
        return _raw(ctx, ctx.flags["raw"])
    output = printer_format(ctx.flags["output"])
    errors: list[BaseException] = []
    groups, named = _fetch(ctx, errors)
    if ctx.flags["sort-by"]:
        groups = [(rtype, sort_items(items, ctx.flags["sort-by"])) for rtype, items in groups]
    if output in TABLE_FORMATS:
        _print_tables(ctx, groups, errors)
    else:
        from labkube.kubectl.output import with_type

        objs = [with_type(obj, rtype) for rtype, items in groups for obj in items]
        if named and errors and not objs:
            return errors  # a single named object that failed prints only the error
        if objs or not output.startswith("name"):
            ctx.term.out(render_output(ctx, objs, output, single=named and len(objs) == 1))
    return errors


#: What kubectl 1.32 sends as its User-Agent (the server does not pretty-print for it).
USER_AGENT = "kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd"


def _raw(ctx: Context, path: str) -> list[BaseException]:
    """``kubectl get --raw PATH``: GET the path from the API server's HTTP front as this
    user and print the body exactly as it came (no newline added); an error status is
    printed as kubectl prints a Status."""
    front = getattr(ctx.cluster, "apiserver_http", None)
    if front is None:
        raise KubectlError("error: --raw needs a cluster's API server (labkube.Cluster)")
    reply = front.serve("GET", path, {"User-Agent": USER_AGENT, "Accept": "application/json, */*"},
                        user=ctx.client.user)
    if reply.status >= 400:
        raise _status_error(reply)
    ctx.term.out(reply.body.decode("utf-8", errors="replace"))
    return []


def _status_error(reply) -> StatusError:
    """The Status a failed raw GET returned, as the error kubectl prints."""
    try:
        status = json.loads(reply.body)
    except ValueError:
        status = None
    if not isinstance(status, dict) or status.get("kind") != "Status":
        return StatusError(reply.status, "", reply.body.decode("utf-8", errors="replace").strip())
    return StatusError(int(status.get("code") or reply.status), status.get("reason", ""),
                       status.get("message", ""), status.get("details"))


def _arguments(ctx: Context) -> list[str]:
    """The positional words, those after ``--`` included (cobra passes them on as arguments)."""
    return ctx.parsed.all_args


def _complete(ctx: Context) -> None:
    """``GetOptions.Complete``: ``--raw`` takes no arguments; without ``--watch`` a resource
    type (or ``-f``) is required."""
    if ctx.flags["raw"]:
        if _arguments(ctx):
            raise KubectlError("error: arguments may not be passed when --raw is specified")
        return
    watching = ctx.flags["watch"] or ctx.flags["watch-only"]
    if not watching and not _arguments(ctx) and not ctx.flags["filename"]:
        ctx.term.err(_MISSING_TYPE)
        raise KubectlError(_REQUIRED)


def _validate(ctx: Context) -> None:
    """``GetOptions.Validate``, in its order."""
    raw, output = ctx.flags["raw"], ctx.flags["output"]
    if raw:
        if ctx.flags["watch"] or ctx.flags["watch-only"] or ctx.flags["selector"]:
            raise KubectlError("error: --raw may not be specified with other flags that filter the "
                               "server request or alter the output")
        if output:
            raise KubectlError("error: --raw and --output are mutually exclusive")
        _check_request_uri(raw)
    if ctx.flags["show-labels"] and output not in ("", "wide"):
        raise KubectlError(f"error: --show-labels option cannot be used with {output} printer")
    if ctx.flags["output-watch-events"] and not (ctx.flags["watch"] or ctx.flags["watch-only"]):
        raise KubectlError("error: --output-watch-events option can only be used with --watch or "
                           "--watch-only")


def _check_request_uri(raw: str) -> None:
    """Go's ``url.ParseRequestURI`` for the common mistakes: a path must start with ``/``."""
    if raw.startswith("/") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", raw):
        return
    reason = "missing protocol scheme" if raw.startswith(":") else "invalid URI for request"
    raise KubectlError(f"error: --raw must be a valid URL path: parse {json.dumps(raw, ensure_ascii=False)}: {reason}")


def _fetch(ctx: Context, errors: list[BaseException]) -> tuple[list[tuple[Any, list[dict]]], bool]:
    """(type, objects) per kind, in the order kubectl prints them; and whether names were given."""
    if ctx.flags["filename"]:
        groups = _from_files(ctx, errors)
        return groups, sum(len(items) for _, items in groups) == 1
    selecting = bool(ctx.flags["selector"] or ctx.flags["field-selector"])
    targets = parse_targets(ctx, _arguments(ctx), selecting=selecting)
    named = len(targets) == 1 and len(targets[0].names) == 1  # kubectl's "single item implied"
    groups: list[tuple[Any, list[dict]]] = []
    for target in targets:
        items = _named(ctx, target, errors) if target.names else _listed(ctx, target)
        _append(groups, target.rtype, items)
    return groups, named


def _append(groups: list[tuple[Any, list[dict]]], rtype: Any, items: list[dict]) -> None:
    if groups and groups[-1][0] == rtype:
        groups[-1][1].extend(items)
    else:
        groups.append((rtype, items))


def _named(ctx: Context, target: Target, errors: list[BaseException]) -> list[dict]:
    found = []
    for name in target.names:
        try:
            found.append(ctx.client.get(target.rtype, name, namespace_for(ctx, target.rtype)))
        except StatusError as err:
            if not (err.code == 404 and ctx.flags["ignore-not-found"]):
                errors.append(err)
    return found


def _listed(ctx: Context, target: Target) -> list[dict]:
    namespace = None if ctx.flags["all-namespaces"] else namespace_for(ctx, target.rtype)
    listing = ctx.client.list(target.rtype, namespace,
                              label_selector=ctx.flags["selector"] or None,
                              field_selector=ctx.flags["field-selector"] or None)
    return listing["items"]


def _from_files(ctx: Context, errors: list[BaseException]) -> list[tuple[Any, list[dict]]]:
    mapped, read_errors = read_and_map(ctx)
    errors.extend(read_errors)
    groups: list[tuple[Any, list[dict]]] = []
    for item, rtype in mapped:
        meta = item.obj["metadata"]
        target = Target(rtype, (meta["name"],))
        _append(groups, rtype, _named(ctx, target, errors))
    return groups


def _print_tables(ctx: Context, groups: list[tuple[Any, list[dict]]], errors: list[BaseException]) -> None:
    text = _output.tables(ctx, groups)
    if text:
        ctx.term.out(text)
    elif not errors and not ctx.flags["ignore-not-found"]:
        ctx.term.err_line(_nothing_found(ctx, [rtype for rtype, _ in groups]))


def sort_items(items: list[dict], expression: str) -> list[dict]:
    """``--sort-by=.metadata.name``: order by a JSONPath value as kubectl's sorter does -- Go's
    unstable ``sort.Sort`` with its ``Less`` (see :mod:`labkube.kubectl.gosort`)."""
    from labkube.core.api.quantity import parse_quantity
    from labkube.kubectl.gosort import MISSING, go_sort, value_less
    from labkube.kubectl.jsonpath import JSONPathError, find_results, relaxed

    try:
        path = relaxed(expression)
    except JSONPathError as err:
        raise KubectlError(f"error: {err}") from None

    def first_value(obj: dict):
        try:
            results = find_results(path, obj, allow_missing_keys=True)
        except JSONPathError:
            results = []
        return results[0][0] if results and results[0] else MISSING

    keyed = go_sort([(first_value(obj), obj) for obj in items],
                    lambda a, b: value_less(a[0], b[0], parse_quantity))
    return [obj for _, obj in keyed]


def _nothing_found(ctx: Context, types: list[Any]) -> str:
    """get.go's ``allResourcesNamespaced``: the namespace is named unless ``-A`` or a kind asked
    for is cluster-scoped (each kind's list comes back as one Table, whose mapping says its scope)."""
    if ctx.flags["all-namespaces"] or not all(rtype.namespaced for rtype in types):
        return "No resources found"
    return f"No resources found in {ctx.namespace} namespace."
