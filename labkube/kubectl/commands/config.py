"""``kubectl config``: read and change the kubeconfig -- contexts, users and clusters.

Mirrors k8s.io/kubectl/pkg/cmd/config (1.32), one function per subcommand, with kubectl's
messages (``Context "dev" modified.``, ``Switched to context "dev".``, ``error: no context
exists with the name: "x"``). The kubeconfig is the cluster's (``cluster.kubeconfig``, see
:mod:`labkube.kubectl.commands.kubeconfig`): held in memory, named in messages as the file
``kubeadm init`` writes, ``/etc/kubernetes/admin.conf``.

``view`` never shows a secret unless asked: certificate and key data print as
``DATA+OMITTED`` and tokens and passwords as ``REDACTED``, unless ``--raw`` (``--flatten``
keeps the data, still hiding the secrets).

What labkube leaves out: ``set-cluster`` (labkube has one API server), and the
``set-credentials`` flags that name files or plugins (client certificates, ``--exec-*``,
``--auth-provider``): labkube's API server knows kubeadm's admin certificate and bearer tokens
(``kubectl create token``), so ``--token`` is the way to be someone else. Where kubectl prints a
command's whole help (``use-context`` without a name), labkube points at ``--help`` instead.
"""

from __future__ import annotations

from typing import Any, Callable

from labkube.kubectl.commands import Context, printer_format, render_output
from labkube.kubectl.commands._output import go_json_indent
from labkube.kubectl.commands.kubeconfig import (
    CLUSTER_FIELDS, CONTEXT_FIELDS, DATA_FIELDS, PATH, SECRET_FIELDS, USER_FIELDS, Kubeconfig,
)
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.output import to_yaml
from labkube.kubectl.printers.tabwriter import tabwrite


def run(ctx: Context) -> list[BaseException]:
    subcommand = ctx.parsed.path.split(" ", 1)[1]
    return SUBCOMMANDS[subcommand](ctx, kubeconfig_of(ctx)) or []


def kubeconfig_of(ctx: Context) -> Kubeconfig:
    config = getattr(ctx.cluster, "kubeconfig", None)
    if config is None:
        raise KubectlError("error: kubectl config needs a labkube.Cluster (it holds the kubeconfig)")
    return config


def help_pointer(ctx: Context, error: str = "", exit_code: int = 1) -> KubectlError:
    """Where kubectl prints the command's help (then maybe an error), labkube names ``--help``."""
    ctx.term.line(f"See '{ctx.parsed.command_path} --help' in a real terminal for the full help text.")
    return KubectlError(error, exit_code)


def go_list(words: list[str]) -> str:
    """A string slice as Go's ``%v`` prints it: ``[a b]``."""
    return "[" + " ".join(words) + "]"


# -- view ---------------------------------------------------------------------------------------

VIEW_FORMATS = ("go-template", "go-template-file", "json", "jsonpath", "jsonpath-as-json", "jsonpath-file",
                "name", "template", "templatefile", "yaml")


def view(ctx: Context, config: Kubeconfig) -> None:
    """``kubectl config view``: the kubeconfig (``--minify``: only what the current context
    uses), its data and secrets hidden unless ``--raw``."""
    if ctx.parsed.all_args:
        raise ctx.usage_error(f"unexpected arguments: {go_list(ctx.parsed.all_args)}")
    output = printer_format(ctx.flags["output"] or "yaml")
    if output.split("=", 1)[0] not in VIEW_FORMATS:
        raise KubectlError(f'error: unable to match a printer suitable for the output format "{output}", '
                           f"allowed formats are: {','.join(VIEW_FORMATS)}")
    shown = config.copy()
    if ctx.flags["minify"]:
        shown = _minify(shown, ctx.flags.get("context") or shown.current_context)
    document = shown.to_v1()
    if not ctx.flags["raw"]:
        _hide(document, data=not ctx.flags["flatten"])
    if output == "name":
        ctx.term.line("config/<unknown>")  # a Config has no name
    elif output == "json":
        ctx.term.out(go_json_indent(document, sort_keys=False))
    elif output == "yaml":
        ctx.term.out(to_yaml(document))
    else:
        ctx.term.out(render_output(ctx, [document], output, single=True))


def _minify(config: Kubeconfig, context: str) -> Kubeconfig:
    if not context:
        raise KubectlError("error: current-context must exist in order to minify")
    if context not in config.contexts:
        raise KubectlError(f"error: cannot locate context {context}")
    config.current_context = context
    return config.minified()


def _hide(document: dict, *, data: bool) -> None:
    """``ShortenConfig`` (data -> ``DATA+OMITTED``) and ``RedactSecrets`` (-> ``REDACTED``)."""
    for section, key in (("clusters", "cluster"), ("users", "user")):
        for entry in document[section] or []:
            fields = entry[key]
            for name in fields:
                if data and name in DATA_FIELDS:
                    fields[name] = "DATA+OMITTED"
                elif name in SECRET_FIELDS:
                    fields[name] = "REDACTED"


# -- reading entries ----------------------------------------------------------------------------


def current_context(ctx: Context, config: Kubeconfig) -> None:
    if not config.current_context:
        raise KubectlError("error: current-context is not set")
    ctx.term.line(config.current_context)


GET_CONTEXTS_HEADER = "CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n"


def get_contexts(ctx: Context, config: Kubeconfig) -> list[BaseException]:
    """``kubectl config get-contexts [NAME...]``: a table, ``*`` marking the current one."""
    output = ctx.flags["output"]
    if output not in ("", "name"):
        raise KubectlError(f"error: --output {output} is not available in kubectl config get-contexts; "
                           "resetting to default output format")
    wanted = ctx.parsed.all_args
    names = [name for name in sorted(config.contexts) if not wanted or name in wanted]
    if output == "name":
        ctx.term.out("".join(f"{name}\n" for name in names))
    else:
        rows = "" if ctx.flags["no-headers"] else GET_CONTEXTS_HEADER
        for name in names:
            context = config.contexts[name]
            mark = "*" if name == config.current_context else ""
            rows += "\t".join((mark, name, context.get("cluster", ""), context.get("user", ""),
                               context.get("namespace", ""))) + "\n"
        ctx.term.out(tabwrite(rows, minwidth=6, padding=3))
    missing = [name for name in wanted if name not in config.contexts]
    if len(missing) == 1:
        raise KubectlError(f"error: context {missing[0]} not found")
    if missing:
        raise KubectlError("\n".join(f"context {name} not found" for name in missing))
    return []


def get_users(ctx: Context, config: Kubeconfig) -> None:
    ctx.term.out("NAME\n" + "".join(f"{name}\n" for name in sorted(config.users)))


def get_clusters(ctx: Context, config: Kubeconfig) -> None:
    ctx.term.out("NAME\n" + "".join(f"{name}\n" for name in sorted(config.clusters)))


# -- contexts -----------------------------------------------------------------------------------


def use_context(ctx: Context, config: Kubeconfig) -> None:
    args = ctx.parsed.all_args
    if len(args) != 1:
        raise help_pointer(ctx, f"error: Unexpected args: {go_list(args)}")
    if args[0] not in config.contexts:
        raise KubectlError(f'error: no context exists with the name: "{args[0]}"')
    config.current_context = args[0]
    ctx.term.line(f'Switched to context "{args[0]}".')


def set_context(ctx: Context, config: Kubeconfig) -> None:
    """``kubectl config set-context NAME|--current``: the given fields only (``--namespace=``
    clears the namespace); a new name makes a new context."""
    args = ctx.parsed.all_args
    if len(args) > 1:
        raise help_pointer(ctx, f"error: Unexpected args: {go_list(args)}")
    name = args[0] if args else ""
    if ctx.flags["current"]:
        if name:
            raise KubectlError("error: you cannot specify both a context name and --current")
        if not config.current_context:
            raise KubectlError("error: no current context is set")
        name = config.current_context
    if not name:
        raise KubectlError("error: you must specify a non-empty context name or --current")
    existed = name in config.contexts
    context = config.contexts.setdefault(name, {"cluster": "", "user": ""})
    for flag in ("cluster", "user", "namespace"):
        if ctx.parsed.given(flag):
            _put(context, flag, ctx.flags[flag])
    ctx.term.line(f'Context "{name}" {"modified" if existed else "created"}.')


def delete_context(ctx: Context, config: Kubeconfig) -> None:
    args = ctx.parsed.all_args
    if len(args) != 1:
        raise help_pointer(ctx, exit_code=0)
    name = args[0]
    if name not in config.contexts:
        raise KubectlError(f"error: cannot delete context {name}, not in {PATH}")
    if name == config.current_context:  # kubectl leaves current-context naming it
        ctx.term.err_line('warning: this removed your active context, use "kubectl config use-context" '
                          "to select a different one")
    del config.contexts[name]
    ctx.term.line(f"deleted context {name} from {PATH}")


def rename_context(ctx: Context, config: Kubeconfig) -> None:
    args = ctx.parsed.all_args
    if len(args) != 2:
        raise help_pointer(ctx, f"error: Unexpected args: {go_list(args)}")
    old, new = args
    if old not in config.contexts:
        raise KubectlError(f'error: cannot rename the context "{old}", it\'s not in {PATH}')
    if new in config.contexts:
        raise KubectlError(f'error: cannot rename the context "{old}", the context "{new}" already exists in {PATH}')
    config.contexts[new] = config.contexts.pop(old)
    if config.current_context == old:
        config.current_context = new
    ctx.term.line(f'Context "{old}" renamed to "{new}".')


# -- users and clusters -------------------------------------------------------------------------

#: set-credentials flags labkube's API server has no use for (it knows no certificate files
#: and runs no credential plugins).
NOT_PROVIDED_CREDENTIALS = ("client-certificate", "client-key", "embed-certs", "auth-provider", "auth-provider-arg",
                            "exec-command", "exec-api-version", "exec-arg", "exec-env", "exec-interactive-mode",
                            "exec-provide-cluster-info")


def set_credentials(ctx: Context, config: Kubeconfig) -> None:
    """``kubectl config set-credentials NAME --token=...``: a bearer token or basic-auth
    fields; setting one kind clears the other, as kubectl does."""
    args = ctx.parsed.all_args
    if len(args) != 1:
        raise help_pointer(ctx, f"error: unexpected args: {go_list(args)}")
    given = [flag for flag in NOT_PROVIDED_CREDENTIALS if ctx.parsed.given(flag)]
    if given:
        raise KubectlError(f'error: "kubectl config set-credentials --{given[0]}" is a kubectl option that labkube '
                           "does not provide; labkube's API server knows kubeadm's admin certificate and bearer "
                           'tokens: use --token (e.g. from "kubectl create token")')
    token = ctx.flags["token"] if ctx.parsed.given("token") else None
    basic = {flag: ctx.flags[flag] for flag in ("username", "password") if ctx.parsed.given(flag)}
    if token and any(basic.values()):
        raise KubectlError("error: you cannot specify more than one authentication method at the same time: "
                           "--token, --username/--password")
    user = config.users.setdefault(args[0], {})
    if token is not None:
        _put(user, "token", token)
    for flag, value in basic.items():
        _put(user, flag, value)
    if token:
        _put(user, "username", "")
        _put(user, "password", "")
    elif any(basic.values()):
        _put(user, "token", "")
    ctx.term.line(f'User "{args[0]}" set.')


def _put(entry: dict, key: str, value: str) -> None:
    """Set a field; an empty string removes an optional one (Go's ``omitempty``)."""
    if value or key in ("cluster", "user"):  # v1.Context always has these two
        entry[key] = value
    else:
        entry.pop(key, None)


def _delete_entry(kind: str) -> Callable[[Context, Kubeconfig], None]:
    def delete(ctx: Context, config: Kubeconfig) -> None:
        args = ctx.parsed.all_args
        if not args:
            raise ctx.usage_error(f"{kind} to delete is required")
        entries = config.section(f"{kind}s")
        if args[0] not in entries:
            raise KubectlError(f"error: cannot delete {kind} {args[0]}, not in {PATH}")
        del entries[args[0]]
        ctx.term.line(f"deleted {kind} {args[0]} from {PATH}")
    return delete


# -- set and unset ------------------------------------------------------------------------------

#: The fields ``kubectl config set`` may change here, per section.
SETTABLE = {"contexts": CONTEXT_FIELDS, "users": ("token", "username", "password")}
KNOWN_FIELDS = {"contexts": CONTEXT_FIELDS, "users": USER_FIELDS, "clusters": CLUSTER_FIELDS}


def set_property(ctx: Context, config: Kubeconfig) -> None:
    """``kubectl config set PROPERTY VALUE`` for ``current-context`` and the fields of contexts
    (``contexts.NAME.namespace``) and users (``users.NAME.token``)."""
    args = ctx.parsed.all_args
    if len(args) != 2:
        raise help_pointer(ctx, f"error: Unexpected args: {go_list(args)}")
    path, value = args
    steps = path.split(".")
    if steps == ["current-context"]:
        config.current_context = value
    elif len(steps) == 3 and steps[0] in KNOWN_FIELDS and steps[2] in SETTABLE.get(steps[0], ()):
        defaults = {"cluster": "", "user": ""} if steps[0] == "contexts" else {}
        _put(config.section(steps[0]).setdefault(steps[1], defaults), steps[2], value)
    elif steps[0] in KNOWN_FIELDS or steps[0] == "preferences":
        raise KubectlError(f'error: "kubectl config set {path}" is not something labkube provides: it sets '
                           "current-context, contexts.NAME.cluster|user|namespace and users.NAME.token")
    else:
        raise KubectlError(f"error: unable to parse {steps[0]} after [] at api.Config")
    ctx.term.line(f'Property "{path}" set.')


def unset_property(ctx: Context, config: Kubeconfig) -> None:
    """``kubectl config unset PROPERTY``: ``current-context``, a section, an entry or a field."""
    args = ctx.parsed.all_args
    if len(args) != 1:
        raise help_pointer(ctx, f"error: Unexpected args: {go_list(args)}")
    path = args[0]
    steps = path.split(".")
    if steps == ["current-context"]:
        config.current_context = ""
    elif steps[0] not in KNOWN_FIELDS:
        raise KubectlError(f"error: unable to parse {steps[0]} after [] at api.Config")
    elif len(steps) == 1:
        config.section(steps[0]).clear()
    elif len(steps) == 2:
        config.section(steps[0]).pop(steps[1], None)
    elif steps[1] not in config.section(steps[0]):
        raise KubectlError(f"error: current map key `{steps[1]}` is invalid")
    else:
        entry = config.section(steps[0])[steps[1]]
        if ".".join(steps[2:]) in entry:
            _put(entry, ".".join(steps[2:]), "")
    ctx.term.line(f'Property "{path}" unset.')


SUBCOMMANDS: dict[str, Callable[[Context, Kubeconfig], Any]] = {
    "view": view,
    "current-context": current_context,
    "get-contexts": get_contexts,
    "get-users": get_users,
    "get-clusters": get_clusters,
    "use-context": use_context,
    "set-context": set_context,
    "delete-context": delete_context,
    "rename-context": rename_context,
    "set-credentials": set_credentials,
    "delete-user": _delete_entry("user"),
    "delete-cluster": _delete_entry("cluster"),
    "set": set_property,
    "unset": unset_property,
}
