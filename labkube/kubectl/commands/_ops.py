"""Helpers the operations verbs share (scale, rollout, set image, expose, drain, taint ...).

Mirrors pieces of kubectl's resource builder and cmdutil: resolving ``TYPE NAME`` /
``TYPE/NAME`` / ``-f FILE`` / ``-l SELECTOR`` into objects (``resource.Builder``), Go's
``time.ParseDuration`` for ``--timeout``, and the "bare group command" help text.
"""

from __future__ import annotations

from typing import Any, Iterator

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context, namespace_for, parse_targets
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.parse import go_duration_seconds

NO_RESOURCES = (
    "error: You must provide one or more resources by argument or filename.\n"
    "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
    "   '<resource> <name>'\n   '<resource>'"
)


def group_help(path: str) -> KubectlError:
    """What a bare ``kubectl rollout`` / ``set`` / ``top`` prints (stream and text), exit 1."""
    from labkube.kubectl.commands._group_help import GROUP_HELP

    stream, text = GROUP_HELP[path]
    return KubectlError(text.rstrip("\n"), exit_code=1) if stream == "err" else _StdoutHelp(text)


class _StdoutHelp(KubectlError):
    """Help that cobra writes to stdout (``kubectl rollout``), still exiting 1."""

    def __init__(self, text: str) -> None:
        super().__init__("", exit_code=1)
        self.stdout_text = text


def raise_group_help(ctx: Context, path: str) -> None:
    err = group_help(path)
    if isinstance(err, _StdoutHelp):
        ctx.term.out(err.stdout_text)
        raise KubectlError("", exit_code=1)
    raise err


def resource_objects(ctx: Context, args: list[str], errors: list[BaseException], *,
                     allow_selector: bool = True) -> Iterator[tuple[Any, dict]]:
    """(type, live object) for each resource named by arguments, ``-f`` or ``-l``/``--all``."""
    if ctx.flags.get("filename"):
        from labkube.kubectl.commands.apply import read_and_map

        mapped, read_errors = read_and_map(ctx)
        errors.extend(read_errors)
        for item, rtype in mapped:
            meta = item.obj["metadata"]
            ns = (meta.get("namespace") or ctx.namespace) if rtype.namespaced else None
            yield from _get(ctx, rtype, meta["name"], ns, errors)
        return
    selector = ctx.flags.get("selector", "") if allow_selector else ""
    # These verbs pass --all as ResourceTypeOrNameArgs' allowEmptySelector: it lists a bare
    # TYPE and is ignored beside names (it is not a selector, unlike delete's and label's).
    select_all = bool(ctx.flags.get("all"))
    targets = parse_targets(ctx, args, selecting=bool(selector))
    if not targets:
        raise KubectlError(NO_RESOURCES)
    for target in targets:
        namespace = namespace_for(ctx, target.rtype)
        if target.names:
            for name in target.names:
                yield from _get(ctx, target.rtype, name, namespace, errors)
        elif selector or select_all:
            listing = ctx.client.list(target.rtype, namespace, label_selector=selector or None)
            for item in listing["items"]:
                yield target.rtype, item
        else:
            raise KubectlError("error: resource(s) were provided, but no name was specified")


def _get(ctx: Context, rtype: Any, name: str, namespace: str | None, errors: list[BaseException]):
    try:
        yield rtype, ctx.client.get(rtype, name, namespace)
    except StatusError as err:
        errors.append(err)


def typed(obj: dict, rtype: Any) -> dict:
    """The object with its kind and apiVersion (list items come without them)."""
    return {"apiVersion": rtype.api_version, "kind": rtype.kind, **obj}


def parse_duration(text: str, flag: str) -> float:
    """Go's ``time.ParseDuration`` (seconds), with pflag's error for a bad value (the parser
    refuses bad values of duration flags already; this guards values set some other way)."""
    try:
        return go_duration_seconds(text)
    except ValueError as err:
        raise KubectlError(f'Error: invalid argument "{text}" for "--{flag}" flag: {err}') from None


def format_duration(seconds: float) -> str:
    """Go's ``Duration.String`` for whole seconds (``30s``, ``1m0s``, ``1h0m0s``)."""
    whole = int(seconds)
    if whole == 0:
        return "0s"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"
