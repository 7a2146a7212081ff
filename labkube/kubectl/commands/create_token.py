"""``kubectl create token SA``: ask the API server for a ServiceAccount's token.

Mirrors k8s.io/kubectl/pkg/cmd/create/create_token.go (1.32). kubectl checks its words first
(``Complete``, then ``Validate``): exactly one NAME, the ``-o`` format, ``--duration`` whole
seconds and not negative, no empty ``--audience``, ``--bound-object-name``/``-uid`` only with a
``--bound-object-kind`` of ``Node``, ``Pod`` or ``Secret``, and a name with the kind. Then it
POSTs a TokenRequest to ``serviceaccounts/<name>/token`` as the acting user
(:meth:`Client.create_token`; RBAC wants ``create`` on ``serviceaccounts/token``) and prints
the token alone -- with no newline, as kubectl does when its output is not a terminal (a
notebook cell, a pipe, ``$(kubectl create token ...)``) -- or the TokenRequest in the ``-o``
format. A refusal reads ``error: failed to create token: <the server's message>``.
"""

from __future__ import annotations

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context, check_operation_output, render_output
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.output import to_json
from labkube.kubectl.parse import go_duration_seconds

#: ``boundObjectKindToAPIVersions`` (kubectl 1.32 offers Node too).
BOUND_OBJECT_KINDS = {"Node": "v1", "Pod": "v1", "Secret": "v1"}


def run(ctx: Context) -> list[BaseException]:
    name = _single_name(ctx)
    output = check_operation_output(ctx)  # kubectl's PrintFlags: no table formats
    seconds = _validate(ctx)
    response = _request(ctx, name, seconds)
    if output == "json":  # the typed TokenRequest: Go's field order
        ctx.term.out(to_json(response, sort_keys=False))
    elif output:
        ctx.term.out(render_output(ctx, [response], output, single=True))
    else:
        ctx.term.out(response["status"]["token"])
    return []


def _single_name(ctx: Context) -> str:
    """``NameFromCommandArgs``: one NAME before any ``--``."""
    args = ctx.parsed.args
    if len(args) != 1:
        raise ctx.usage_error(f"exactly one NAME is required, got {len(args)}")
    return args[0]


def _validate(ctx: Context) -> int:
    """``TokenOptions.Validate``, in its order; the requested lifetime in whole seconds."""
    seconds = go_duration_seconds(ctx.flags["duration"] or "0s")
    if seconds < 0:
        raise KubectlError("error: --duration must be greater than or equal to 0")
    if round(seconds * 1e9) % 1_000_000_000:
        raise KubectlError("error: --duration cannot be expressed in units less than seconds")
    if any(not audience for audience in ctx.flags["audience"] or ()):
        raise KubectlError("error: --audience must not be an empty string")
    kind, name, uid = (ctx.flags[f"bound-object-{key}"] or "" for key in ("kind", "name", "uid"))
    if not kind:
        if name:
            raise KubectlError("error: --bound-object-name can only be set if --bound-object-kind is provided")
        if uid:
            raise KubectlError("error: --bound-object-uid can only be set if --bound-object-kind is provided")
    elif kind not in BOUND_OBJECT_KINDS:
        raise KubectlError(f"error: supported --bound-object-kind values are {', '.join(sorted(BOUND_OBJECT_KINDS))}")
    elif not name:
        raise KubectlError("error: --bound-object-name is required if --bound-object-kind is provided")
    return int(round(seconds))


def _request(ctx: Context, name: str, seconds: int) -> dict:
    """The TokenRequest, as the acting user; the server's refusal as kubectl words it."""
    kind = ctx.flags["bound-object-kind"]
    ref = None
    if kind:
        ref = {"kind": kind, "apiVersion": BOUND_OBJECT_KINDS[kind], "name": ctx.flags["bound-object-name"]}
        if ctx.flags["bound-object-uid"]:
            ref["uid"] = ctx.flags["bound-object-uid"]
    try:
        response = ctx.client.create_token(name, ctx.namespace, audiences=ctx.flags["audience"] or None,
                                           expiration_seconds=seconds or None, bound_object_ref=ref)
    except StatusError as err:
        raise KubectlError(f"error: failed to create token: {err.message}") from None
    if not response["status"].get("token"):
        raise KubectlError("error: failed to create token: no token in server response")
    return response
