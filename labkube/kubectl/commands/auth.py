"""``kubectl auth can-i VERB RESOURCE[/NAME]``: may I (or ``--as`` someone) do this?

Mirrors k8s.io/kubectl/pkg/cmd/auth/cani.go, which asks the API server a
SelfSubjectAccessReview; here the question goes to ``Client.can_i`` of the acting client.
Prints ``yes`` (exit 0) or ``no`` (exit 1); ``-q`` prints nothing; ``-A`` asks about all
namespaces. A resource the server does not know is still answered, after kubectl's warning
``Warning: the server doesn't have a resource type 'foo'``.
"""

from __future__ import annotations

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context
from labkube.kubectl.errors import KubectlError


def run(ctx: Context) -> list[BaseException]:
    args = ctx.parsed.all_args
    if ctx.flags["list"]:
        raise KubectlError("error: --list is not supported by labkube yet; ask about one verb and resource")
    if len(args) != 2:
        raise KubectlError(
            "error: you must specify two arguments: verb resource or verb resource/resourceName.\n"
            "See 'kubectl auth can-i -h' for help and examples."
        )
    verb, resource_arg = args
    resource, _, name = resource_arg.partition("/")
    allowed = _ask(ctx, verb, resource, name)
    if not ctx.flags["quiet"]:
        ctx.term.line("yes" if allowed else "no")
    if not allowed:
        raise KubectlError("", exit_code=1)
    return []


def _ask(ctx: Context, verb: str, resource: str, name: str) -> bool:
    namespace = "" if ctx.flags["all-namespaces"] else ctx.namespace
    subresource = ctx.flags["subresource"] or None
    try:
        rtype = ctx.registry.resolve(resource) if resource != "*" else None
    except StatusError:
        ctx.term.err_line(f"Warning: the server doesn't have a resource type '{resource}'")
        rtype = None
    if rtype is None:
        return _ask_raw(ctx, verb, resource, namespace, name, subresource)
    return ctx.client.can_i(verb, rtype, namespace or None, name=name or None, subresource=subresource)


def _ask_raw(ctx: Context, verb: str, resource: str, namespace: str, name: str,
             subresource: str | None) -> bool:
    """A resource the server does not serve (or ``*``): the authorizer still answers, as for a
    SelfSubjectAccessReview naming an arbitrary resource."""
    from labkube.core.api import auth

    plural, _, group = resource.partition(".")
    user = getattr(ctx.client, "user", None) or auth.ANONYMOUS
    attrs = auth.request_attributes(user, verb, plural, namespace=namespace or None,
                                    name=name or None, api_group=group, subresource=subresource)
    return ctx.client.server.authorize(attrs).allowed
