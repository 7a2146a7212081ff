"""``kubectl describe``: a readable page per object, with its events.

Mirrors k8s.io/kubectl/pkg/cmd/describe. The objects are found as kubectl finds them: by name
(and, when ``describe TYPE NAME`` finds no object of exactly that name, every object whose
name *starts* with it — so ``describe pod web`` shows ``web-7d4b9c-x2x1z``), by ``-l``
selector, or all of a kind in the namespace. Each page comes from the describers in
:mod:`labkube.kubectl.describe`; pages are separated by two blank lines (pages found by
prefix each end with one), and errors print after them.
"""

from __future__ import annotations

from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context, namespace_for, parse_targets
from labkube.kubectl.commands.apply import read_and_map
from labkube.kubectl.errors import KubectlError

_MISSING_TYPE = (
    'error: You must specify the type of resource to describe. Use "kubectl api-resources" for '
    "a complete list of supported resources."
)


def run(ctx: Context) -> list[BaseException]:
    errors: list[BaseException] = []
    found = _find(ctx, errors)
    if _by_prefix(ctx, found, errors):
        return _describe_matching(ctx, ctx.parsed.args[1], errors[0])
    if not found and not errors:
        if ctx.flags["all-namespaces"]:
            ctx.term.err_line("No resources found")
        else:
            ctx.term.err_line(f"No resources found in {ctx.namespace} namespace.")
        return errors
    first = True
    for rtype, obj in found:
        try:
            page = describe_object(ctx, rtype, obj)
        except StatusError as err:
            errors.append(err)
            continue
        ctx.term.out(page if first else "\n\n" + page)
        first = False
    return errors


def _by_prefix(ctx: Context, found: list, errors: list[BaseException]) -> bool:
    """kubectl looks for names starting with NAME only after ``describe TYPE NAME`` (exactly two
    arguments, no ``-f``) found nothing."""
    return (not found and len(errors) == 1 and getattr(errors[0], "code", None) == 404
            and not ctx.flags["filename"] and len(ctx.parsed.args) == 2 and "/" not in ctx.parsed.args[0])


def _describe_matching(ctx: Context, prefix: str, not_found: BaseException) -> list[BaseException]:
    """``DescribeMatchingResources``: every object of the type in the namespace whose name
    starts with ``prefix``, each page followed by a newline; the first error stops it."""
    rtype = parse_targets(ctx, ctx.parsed.args[:1])[0].rtype
    matches = [obj for obj in ctx.client.list(rtype, namespace_for(ctx, rtype))["items"]
               if obj["metadata"]["name"].startswith(prefix)]
    if not matches:
        return [not_found]
    for obj in matches:
        try:
            page = describe_object(ctx, rtype, obj)
        except StatusError as err:
            return [err]
        ctx.term.out(page + "\n")
    return []


def describe_object(ctx: Context, rtype: Any, obj: dict) -> str:
    """One describe page: the object, its events and what kubectl fetches besides it.

    kubectl's describers GET the object again by name, so an object found in a LIST (whose
    items carry no apiVersion and kind) still shows them in the generic describer.
    """
    from labkube.kubectl import describe as describers

    obj = {"apiVersion": rtype.api_version, "kind": rtype.kind, **obj}
    events = _events(ctx, rtype, obj) if ctx.flags["show-events"] else None
    return describers.describe(obj, rtype, events, ctx.clock.now(), _related(ctx, rtype, obj))


def _events(ctx: Context, rtype: Any, obj: dict) -> list[dict]:
    """``SearchEvents``: core/v1 Events whose involvedObject is this object.

    A Node's events are searched twice, as kubectl's NodeDescriber does: the controllers name
    the Node by its uid, the kubelet by its name (its events carry ``uid: node-1``).
    """
    meta = obj.get("metadata") or {}
    events = _search_events(ctx, rtype, meta, meta.get("uid"))
    if (rtype.group, rtype.kind) == ("", "Node"):
        events += _search_events(ctx, rtype, meta, meta.get("name"))
    return events


def _search_events(ctx: Context, rtype: Any, meta: dict, uid: str | None) -> list[dict]:
    namespace = meta.get("namespace") or None
    selector = [f"involvedObject.name={meta.get('name', '')}",
                f"involvedObject.namespace={meta.get('namespace', '')}",
                f"involvedObject.kind={rtype.kind}"]
    if uid:
        selector.append(f"involvedObject.uid={uid}")
    try:
        return _list_of(ctx, "events", namespace, field_selector=",".join(selector))
    except StatusError:
        return []


def _list_of(ctx: Context, resource: str, namespace: str | None, **options: Any) -> list[dict]:
    return ctx.client.list(resource, namespace, **options)["items"]


def _maybe(ctx: Context, resource: str, namespace: str | None, **options: Any) -> list[dict] | None:
    """A list kubectl fetches on the side; None when it may not be read or is not served."""
    try:
        ctx.registry.resolve(resource)
    except StatusError:
        return None
    try:
        return _list_of(ctx, resource, namespace, **options)
    except StatusError:
        return None


def _related(ctx: Context, rtype: Any, obj: dict):
    """The other objects the printers' describer for this kind needs (see its docstring)."""
    from labkube.kubectl.describe import Related

    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    kind = (rtype.group, rtype.kind)
    if kind == ("apps", "Deployment"):
        return Related(replica_sets=_maybe(ctx, "replicasets.apps", ns) or ())
    if kind in (("apps", "ReplicaSet"), ("", "PersistentVolumeClaim"), ("apps", "StatefulSet"),
                ("apps", "DaemonSet"), ("", "ReplicationController")):
        return Related(pods=_maybe(ctx, "pods", ns) or ())
    if kind == ("", "Service"):
        return Related(endpoint_slices=_maybe(ctx, "endpointslices.discovery.k8s.io", ns) or ())
    if kind == ("networking.k8s.io", "Ingress"):
        return Related(services=_maybe(ctx, "services", ns) or (),
                       endpoint_slices=_maybe(ctx, "endpointslices.discovery.k8s.io", ns) or ())
    if kind == ("", "Node"):
        return _node_related(ctx, meta.get("name", ""))
    if kind == ("", "ServiceAccount"):
        return Related(secrets=_maybe(ctx, "secrets", ns))
    if kind == ("", "Namespace"):
        return Related(resource_quotas=_maybe(ctx, "resourcequotas", meta.get("name")),
                       limit_ranges=_maybe(ctx, "limitranges", meta.get("name")))
    return Related()


def _node_related(ctx: Context, name: str):
    from labkube.kubectl.describe import Related

    pods = _maybe(ctx, "pods", None, field_selector=f"spec.nodeName={name}")
    try:
        lease = ctx.client.get("leases.coordination.k8s.io", name, "kube-node-lease")
    except StatusError:
        lease = None
    return Related(pods=pods, lease=lease, can_view_pods=pods is not None)


def _find(ctx: Context, errors: list[BaseException]) -> list[tuple[Any, dict]]:
    if ctx.flags["filename"]:
        mapped, read_errors = read_and_map(ctx)
        errors.extend(read_errors)
        found = []
        for item, rtype in mapped:
            meta = item.obj["metadata"]
            found.extend(_by_name(ctx, rtype, meta["name"], errors))
        return found
    if not ctx.parsed.args:
        raise KubectlError(_MISSING_TYPE)
    found = []
    for target in parse_targets(ctx, ctx.parsed.args):
        if target.names:
            for name in target.names:
                found.extend(_by_name(ctx, target.rtype, name, errors))
        else:
            found.extend((target.rtype, obj) for obj in _list(ctx, target.rtype))
    return found


def _list(ctx: Context, rtype: Any) -> list[dict]:
    namespace = None if ctx.flags["all-namespaces"] else namespace_for(ctx, rtype)
    return ctx.client.list(rtype, namespace, label_selector=ctx.flags["selector"] or None)["items"]


def _by_name(ctx: Context, rtype: Any, name: str, errors: list[BaseException]) -> list[tuple[Any, dict]]:
    try:
        return [(rtype, ctx.client.get(rtype, name, namespace_for(ctx, rtype)))]
    except StatusError as err:
        errors.append(err)
        return []
