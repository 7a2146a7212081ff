"""What ``kubectl set selector``, ``set serviceaccount`` and ``set subject`` share: finding the
objects (the server's, or ``--local`` ones read from ``-f``), the typed form kubectl prints a
file's object in, and kubectl's printer, which puts ``---`` between YAML documents.

Mirrors the parts of k8s.io/kubectl/pkg/cmd/set (set_selector.go, set_serviceaccount.go,
set_subject.go) and cli-runtime's builder and YAML printer (kubectl 1.32) these commands use;
the pod-template commands' helpers are in :mod:`._set_helpers`.
"""

from __future__ import annotations

import copy
from typing import Any

from labkube.kubectl.commands import Context, dry_run_suffix, printer_format, render_output
from labkube.kubectl.commands._set_helpers import POD_SPEC_PATHS, Failed, as_typed, fetch_objects
from labkube.kubectl.errors import KubectlError

#: cli-runtime's ``LocalResourceError``: ``--local`` with ``TYPE NAME`` arguments.
LOCAL_ARGUMENTS = (
    "error: you must specify resources by --filename when --local is set.\n"
    "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'"
)


def find_objects(ctx: Context, resources: list[str], *, selector: str = "") -> list[tuple[Any, dict]]:
    """The builder's infos: ``-f`` objects (as read with ``--local``, else the live ones) and the
    ``TYPE NAME``, ``TYPE/NAME``, ``--all`` and ``-l`` arguments. Raises Failed with the
    builder's errors (NotFound ...), all of them, before anything is changed."""
    local = ctx.flags["local"]
    if local and resources:
        raise KubectlError(LOCAL_ARGUMENTS)
    return fetch_objects(ctx, resources, local=local, selector=selector, select_all=ctx.flags["all"])


def printable(obj: dict, local: bool) -> dict:
    """The object as kubectl prints it: a file's object decoded into its Go type (``--local``:
    ``creationTimestamp: null``, a Service's ``targetPort: 0`` and ``status.loadBalancer``)."""
    if not local:
        return obj
    if obj.get("kind") in POD_SPEC_PATHS:
        return as_typed(obj)
    obj = copy.deepcopy(obj)
    meta = obj.setdefault("metadata", {})
    meta.setdefault("creationTimestamp", None)
    if obj.get("kind") == "Service":
        for port in (obj.get("spec") or {}).get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("targetPort", 0)
        obj.setdefault("status", {"loadBalancer": {}})
    return _go_order(obj, _FIELDS.get(obj.get("kind"), _FIELDS["object"]))


#: Go's field order (``-o json`` keeps it) of the kinds these commands print from files.
_META = ("name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
         "labels", "annotations", "ownerReferences", "finalizers")
_FIELDS: dict[str, tuple] = {
    "object": (("kind", None), ("apiVersion", None), ("metadata", _META), ("spec", None), ("status", None)),
    "Service": (("kind", None), ("apiVersion", None), ("metadata", _META), ("spec", (
        ("ports", ("name", "protocol", "appProtocol", "port", "targetPort", "nodePort")), "selector", "clusterIP",
        "clusterIPs", "type", "externalIPs", "sessionAffinity", "loadBalancerIP", "loadBalancerSourceRanges",
        "externalName", "externalTrafficPolicy", "healthCheckNodePort", "publishNotReadyAddresses",
        "sessionAffinityConfig", "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts",
        "loadBalancerClass", "internalTrafficPolicy", "trafficDistribution")), ("status", None)),
    "RoleBinding": (("kind", None), ("apiVersion", None), ("metadata", _META),
                    ("subjects", ("kind", "apiGroup", "name", "namespace")), ("roleRef", ("apiGroup", "kind", "name"))),
}
_FIELDS["ClusterRoleBinding"] = _FIELDS["RoleBinding"]


def _go_order(value: Any, fields: Any) -> Any:
    """``value``'s keys in ``fields``' order (a field is a name or (name, its own fields));
    keys Go would not know stay, last."""
    if isinstance(value, list):
        return [_go_order(item, fields) for item in value]
    if not isinstance(value, dict) or not fields:
        return value
    ordered = {}
    for field in fields:
        name, inner = field if isinstance(field, tuple) else (field, None)
        if name in value:
            ordered[name] = _go_order(value[name], inner)
    ordered.update({key: item for key, item in value.items() if key not in ordered})
    return ordered


class Printer:
    """``PrintFlags.ToPrinter``'s printer for one command: ``kind/name <operation>`` lines, or
    each object in the ``-o`` format (YAML documents after the first start with ``---``)."""

    def __init__(self, ctx: Context, operation: str, strategy: str) -> None:
        self.ctx = ctx
        self.operation = operation
        self.strategy = strategy
        self.output = printer_format(ctx.flags.get("output", ""))
        self.printed = 0

    def print(self, obj: dict) -> None:
        if not self.output:
            name = obj.get("metadata", {}).get("name", "")
            from labkube.kubectl.commands import object_prefix

            self.ctx.term.line(f"{object_prefix(obj)}/{name} {self.operation}{dry_run_suffix(self.strategy)}")
            return
        text = render_output(self.ctx, [obj], self.output, single=True)
        if self.output.lower() == "yaml" and self.printed:
            text = "---\n" + text
        self.printed += 1
        self.ctx.term.out(text)


def send_patch(ctx: Context, rtype: Any, before: dict, after: dict, strategy: str) -> dict:
    """The two-way strategic merge patch from ``before`` to ``after``, sent (a server dry run
    under ``--dry-run=server``); the API server's answer."""
    from labkube.core.api.patch import create_two_way_merge_patch
    from labkube.kubectl.commands import api_dry_run

    meta = before.get("metadata", {})
    patch = create_two_way_merge_patch(before, after, before.get("apiVersion", ""), before.get("kind", ""))
    return ctx.client.patch(rtype, meta.get("name", ""), patch,
                            namespace=meta.get("namespace") if rtype.namespaced else None,
                            patch_type="strategic", dry_run=api_dry_run(strategy))


def print_or_patch(ctx: Context, printer: Printer, rtype: Any, before: dict, after: dict, strategy: str,
                   local: bool, failure: str) -> BaseException | None:
    """Print ``after`` (``--local`` or a client dry run), else send the patch and print the
    API server's answer; a refusal is returned as kubectl reports it, ``failure`` before the
    server's message (``failed to patch ServiceAccountName ...``)."""
    if local or strategy == "client":
        printer.print(printable(after, local))
        return None
    from labkube.core.errors import StatusError
    from labkube.kubectl.errors import PlainError

    try:
        printer.print(send_patch(ctx, rtype, before, after, strategy))
    except StatusError as err:
        return PlainError(f"{failure}{err.message}")
    return None


def record(ctx: Context, obj: dict) -> None:
    """``--record`` (the ChangeCauseRecorder): this command line as ``kubernetes.io/change-cause``."""
    if ctx.flags.get("record"):
        from labkube.kubectl.commands.set_resources import change_cause

        meta = obj.setdefault("metadata", {})
        meta["annotations"] = {**(meta.get("annotations") or {}), "kubernetes.io/change-cause": change_cause(ctx)}


def deprecated_record(ctx: Context) -> None:
    """pflag's notice for the deprecated ``--record``, printed as the flag is parsed."""
    if ctx.parsed.given("record"):
        ctx.term.err_line("Flag --record has been deprecated, --record will be removed in the future")


__all__ = ["Failed", "LOCAL_ARGUMENTS", "Printer", "deprecated_record", "find_objects", "printable", "record",
           "send_patch"]
