"""``kubectl auth whoami``: who the API server says you are.

Mirrors k8s.io/kubectl/pkg/cmd/auth/whoami.go (1.32): kubectl creates a SelfSubjectReview
(authentication.k8s.io/v1) and prints the user the server authenticated: a table of
``Username``, ``UID``, ``Groups`` and one ``Extra: <key>`` row per extra key (sorted), values in
Go's ``[a b]`` form, or the review itself in any ``-o`` format of kubectl's PrintFlags (yaml, json, jsonpath, name…). Here the review comes from
``Client.who_am_i`` of the acting client (``--as`` impersonates, as in kubectl).
"""

from __future__ import annotations

from labkube.kubectl.commands import Context, check_operation_output, render_output
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.output import to_json


def run(ctx: Context) -> list[BaseException]:
    if ctx.parsed.all_args:
        raise KubectlError(f'error: unknown command "{" ".join(ctx.parsed.all_args)}" for "kubectl auth whoami"')
    output = check_operation_output(ctx)  # kubectl's PrintFlags: no table formats
    review = ctx.client.who_am_i()
    if output == "json":  # the typed review, not an unstructured object: Go's field order
        ctx.term.out(to_json(review, sort_keys=False))
    elif output:
        ctx.term.out(render_output(ctx, [review], output, single=True))
    else:
        ctx.term.out(table(review["status"]["userInfo"]))
    return []


def table(info: dict) -> str:
    """The ATTRIBUTE/VALUE table, aligned as kubectl's tabwriter aligns it (3 spaces)."""
    rows = [("ATTRIBUTE", "VALUE"), ("Username", info.get("username", ""))]
    if info.get("uid"):
        rows.append(("UID", info["uid"]))
    if info.get("groups"):
        rows.append(("Groups", go_list(info["groups"])))
    for key in sorted(info.get("extra") or {}):
        rows.append((f"Extra: {key}", go_list(info["extra"][key])))
    width = max(len(name) for name, _ in rows) + 3
    return "".join(f"{name.ljust(width)}{value}\n" for name, value in rows)


def go_list(values: list) -> str:
    """A string slice as Go's ``%v`` prints it: ``[a b c]``."""
    return "[" + " ".join(values) + "]"
