"""kubectl's verbs, one module each, and what they share.

Mirrors k8s.io/kubectl/pkg/cmd/<verb>: each module has a ``run(ctx)`` that reads the parsed
command line from ``ctx.parsed``, calls the Client (``ctx.client``) and writes to
``ctx.term``. A command returns the errors it collected while going on (kubectl's
``ContinueOnError``: ``get pods a b`` prints ``a`` and then the NotFound for ``b``); a fatal
error is raised.

Shared here: the :class:`Context`, resource-argument parsing (``pods x``, ``pod/x``,
``pods,svc``, ``all``), the namespace rules (``-n``, ``-A``, the ``default`` namespace) and the
"operation" printer (``deployment.apps/web created (dry run)``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.parse import Parsed

DEFAULT_NAMESPACE = "default"

#: command path -> module under labkube.kubectl.commands
_MODULES = {
    "get": "get",
    "describe": "describe",
    "apply": "apply",
    "create": "apply",  # create -f shares apply's file handling
    "create namespace": "create",
    "create serviceaccount": "create",
    "create deployment": "create",
    "create job": "create",
    "create cronjob": "create",
    "create quota": "create",
    "create poddisruptionbudget": "create",
    "create priorityclass": "create",
    "create token": "create_token",
    "create ingress": "create",
    "create configmap": "create",
    "create secret generic": "create",
    "create secret docker-registry": "create",
    "create secret tls": "create",
    **{f"create service {sub}": "create" for sub in ("clusterip", "nodeport", "loadbalancer", "externalname")},
    "create role": "create",
    "create clusterrole": "create",
    "create rolebinding": "create",
    "create clusterrolebinding": "create",
    "delete": "delete",
    "label": "label",
    "annotate": "label",
    "patch": "patch",
    "api-resources": "api_resources",
    "api-versions": "api_resources",
    "auth can-i": "auth",
    "auth whoami": "auth_whoami",
    "explain": "explain",
    "version": "version",
    "cluster-info": "cluster_info",
    "autoscale": "autoscale",
    **{f"config {sub}": "config" for sub in (
        "view", "current-context", "get-contexts", "get-users", "get-clusters", "use-context", "set-context",
        "delete-context", "rename-context", "set-credentials", "delete-user", "delete-cluster", "set", "unset")},
}

from labkube.kubectl.commands._ops_specs import MODULES as _OPS_MODULES  # noqa: E402  (registers flags)
from labkube.kubectl.commands import autoscale_spec as _autoscale_spec  # noqa: E402,F401  (registers flags)
from labkube.kubectl.commands import debug as _debug  # noqa: E402,F401  (registers flags)
from labkube.kubectl.commands._gaps_specs import MODULES as _GAPS_MODULES  # noqa: E402  (registers flags)

_MODULES.update(_OPS_MODULES)
_MODULES["debug"] = "debug"
_MODULES.update(_GAPS_MODULES)


@dataclass
class Context:
    """Everything a command needs: the cluster, the acting client and the terminal."""

    cluster: Any
    client: Any
    registry: Any
    term: Any
    parsed: Parsed
    stdin: str | None
    namespace: str
    #: True when ``-n`` was given (kubectl's ``EnforceNamespace``).
    namespace_explicit: bool

    #: How the API server knows the acting client: "admin", "token" or "as" (see _acting_client).
    identity: str = "admin"

    @classmethod
    def make(cls, cluster: Any, parsed: Parsed, term: Any, stdin: str | None) -> "Context":
        chosen = _kubeconfig_choice(cluster, parsed)
        namespace = parsed.get("namespace") or (chosen.namespace if chosen else "") or DEFAULT_NAMESPACE
        identity, client = _acting_client(cluster, parsed, chosen)
        if identity == "anonymous":
            raise _prompt_for_credentials(term, stdin)
        return cls(
            cluster=cluster,
            client=client,
            registry=_registry_of(cluster),
            term=term,
            parsed=parsed,
            stdin=stdin,
            namespace=namespace,
            namespace_explicit=bool(parsed.get("namespace")),
            identity=identity,
        )

    @property
    def flags(self) -> dict[str, Any]:
        return self.parsed.flags

    def usage_error(self, message: str) -> KubectlError:
        """``cmdutil.UsageErrorf``: the message plus the ``-h`` hint."""
        return KubectlError(f"error: {message}\nSee '{self.parsed.command_path} -h' for help and examples")

    @property
    def clock(self) -> Any:
        return self.cluster.clock


def _registry_of(cluster: Any) -> Any:
    registry = getattr(cluster, "registry", None)
    return registry if registry is not None else cluster.server.registry


def _kubeconfig_choice(cluster: Any, parsed: Parsed) -> Any:
    """The kubeconfig's context, user and cluster for this command (``--context``, ``--user``,
    ``--cluster`` pick others); None for ``kubectl config`` itself, which reads the kubeconfig
    rather than the server, and for a stand-in cluster without one."""
    config = getattr(cluster, "kubeconfig", None)
    if config is None or parsed.path.split(" ")[0] == "config":
        return None
    from labkube.kubectl.commands import kubeconfig
    from labkube.kubectl.parse import COMMANDS

    spec = COMMANDS.get(parsed.path)
    own = {flag.name for flag in spec.flags} if spec else set()  # create rolebinding --user=alice
    overrides = {name: parsed.get(name) for name in ("context", "user", "cluster") if name not in own}
    try:
        return kubeconfig.resolve(config, overrides)
    except kubeconfig.ConfigError as err:
        raise KubectlError(str(err)) from None


def _acting_client(cluster: Any, parsed: Parsed, chosen: Any) -> tuple[str, Any]:
    """Who the command acts as, and how the API server knows it: the kubeconfig user's
    credentials (kubeadm's admin certificate: "admin"; a bearer token: "token"; none at all:
    "anonymous", and no client), ``--token`` instead of them, ``--as`` on top ("as")."""
    user = parsed.get("as")
    groups = parsed.get("as-group")
    if groups and not user:
        raise KubectlError("error: requesting uid, groups or user-extra for  without impersonating a user")
    if parsed.path.split(" ")[0] == "config":  # reads the kubeconfig, never the server
        return "admin", cluster.client
    how, token = ("admin", None)
    if chosen is not None:
        from labkube.kubectl.commands.kubeconfig import identity

        how, token = identity(chosen.user)
    if parsed.get("token") and hasattr(cluster, "as_token"):  # --token: a bearer token's user
        how, token = "token", parsed.get("token")
    if how == "anonymous":
        return how, None
    if user:
        return "as", cluster.as_user(user, groups)
    if how == "token":
        return how, cluster.as_token(token)
    return how, cluster.client


def _prompt_for_credentials(term: Any, stdin: str | None) -> KubectlError:
    """A kubeconfig user with no credentials for an ``https://`` server: client-go asks for a
    username and then a password (``PromptingAuthLoader``). The password is read from a
    terminal only, and ``cluster.kubectl`` has none: kubectl 1.32 fails as it does with its
    input not a terminal."""
    term.out("Please enter Username: ")
    if not (stdin or "").split("\n", 1)[0]:
        return KubectlError("error: EOF")
    term.out("Please enter Password: ")
    return KubectlError("error: error reading input for Password")


def dispatch(ctx: Context) -> list[BaseException]:
    """Run the command ``ctx.parsed.path`` names; return the errors it collected."""
    path = ctx.parsed.path
    # DefaultSubCommandRun's RequireNoArguments; cobra passes the words after "--" on too.
    words = ctx.parsed.all_args
    if path in _GROUPS and words:
        raise KubectlError(f'error: unknown command "{" ".join(words)}"\n'
                           f"See 'kubectl {path} -h' for help and examples")
    if path in _GROUP_HELP:
        raise _subcommand_help(path)
    if ctx.parsed.get("help"):
        raise KubectlError(f"See 'kubectl {path} --help' in a real terminal for the full help text.", 0)
    ctx.client = _validating_client(ctx)
    _check_credentials(ctx)
    module = importlib.import_module(f"labkube.kubectl.commands.{_MODULES[path]}")
    return module.run(ctx) or []


#: Commands whose first failure with a refused ``--token`` is discovery's (checked with the
#: real kubectl 1.32; the others report the request's own 401, ``Unauthorized``).
_DISCOVERY_FIRST = ("get",)


def _check_credentials(ctx: Context) -> None:
    """A bearer token the server refuses: ``kubectl get`` reads discovery first, gets a 401
    whose body it does not decode, and says so."""
    if ctx.identity != "token" or ctx.parsed.path not in _DISCOVERY_FIRST or ctx.flags.get("raw"):
        return
    try:
        ctx.client.user
    except StatusError as err:
        if err.code != 401:
            raise
        raise KubectlError("error: You must be logged in to the server "
                           "(the server has asked for the client to provide credentials)") from None


def _validating_client(ctx: Context) -> Any:
    """The acting client as kubectl's REST client is set up: its writes send the
    ``fieldValidation`` of ``--validate`` (commands without the flag send none: the server's
    default), and the server's warnings are printed on stderr as ``Warning: <text>``, each
    text once per command (``rest.WarningWriterOptions{Deduplicate: true}``)."""
    value = ctx.flags.get("validate")
    directive = validation_directive(value) if value is not None else None
    if not hasattr(ctx.client, "with_field_validation"):  # a test's stand-in for the API
        return ctx.client
    printed: set[str] = set()

    def print_warning(text: str) -> None:
        if text not in printed:
            printed.add(text)
            ctx.term.err_line(f"Warning: {text}")

    return ctx.client.with_field_validation(directive, print_warning)


_PARSE_BOOL_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_PARSE_BOOL_FALSE = ("0", "f", "F", "FALSE", "false", "False")
_VALIDATION_DIRECTIVES = {"strict": "Strict", "warn": "Warn", "ignore": "Ignore"}


def validation_directive(value: str) -> str:
    """``cmdutil.GetValidationDirective``: ``--validate`` -> the ``fieldValidation`` sent.
    A Go boolean (``strconv.ParseBool``) means Strict or Ignore; else strict, warn or ignore."""
    if value in _PARSE_BOOL_TRUE:
        return "Strict"
    if value in _PARSE_BOOL_FALSE:
        return "Ignore"
    if value in _VALIDATION_DIRECTIVES:
        return _VALIDATION_DIRECTIVES[value]
    raise KubectlError(f'error: invalid - validate option "{value}"; must be one of: strict (or true), '
                       "warn, ignore (or false)")


#: Group commands: they only dispatch to their subcommands (``kubectl set image``).
_GROUPS = ("create secret", "create service", "auth", "rollout", "set", "top", "config")

#: What kubectl's ``DefaultSubCommandRun`` prints (to stderr, exit 1) for a bare group command.
_GROUP_HELP = {
    "create secret": 'Create a secret with specified type.\n\n A docker-registry type secret is for accessing a container registry.\n\n A generic type secret indicate an Opaque secret type.\n\n A tls type secret holds TLS certificate and its associated key.\n\nAvailable Commands:\n  docker-registry   Create a secret for use with a Docker registry\n  generic           Create a secret from a local file, directory, or literal value\n  tls               Create a TLS secret\n\nUsage:\n  kubectl create secret (docker-registry | generic | tls) [options]\n\nUse "kubectl create secret <command> --help" for more information about a given command.\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n',
    "create service": 'Create a service using a specified subcommand.\n\nAliases:\nservice, svc\n\nAvailable Commands:\n  clusterip      Create a ClusterIP service\n  externalname   Create an ExternalName service\n  loadbalancer   Create a LoadBalancer service\n  nodeport       Create a NodePort service\n\nUsage:\n  kubectl create service [flags] [options]\n\nUse "kubectl create service <command> --help" for more information about a given command.\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n',
    "config": "See 'kubectl config --help' in a real terminal for the full help text.",
    "auth": 'Inspect authorization.\n\nAvailable Commands:\n  can-i         Check whether an action is allowed\n  reconcile     Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects\n  whoami        Experimental: Check self subject attributes\n\nUsage:\n  kubectl auth [flags] [options]\n\nUse "kubectl auth <command> --help" for more information about a given command.\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n',
}


def _subcommand_help(path: str) -> KubectlError:
    return KubectlError(_GROUP_HELP[path].rstrip("\n"))


# ---------------------------------------------------------------------------------------
# Resources named on the command line
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One resource type named on the command line, with the names asked for (empty = all)."""

    rtype: Any
    names: tuple[str, ...] = ()


def resolve_type(ctx: Context, name: str) -> Any:
    """A kubectl resource name -> ResourceType, or kubectl's "doesn't have a resource type"."""
    try:
        return ctx.registry.resolve(name)
    except StatusError:
        raise KubectlError(f'error: the server doesn\'t have a resource type "{name}"') from None


def expand_types(ctx: Context, text: str) -> list[Any]:
    """``pods,svc`` and categories (``all``) -> resource types, in order, without duplicates."""
    types: list[Any] = []
    for part in text.split(","):
        if not part:
            continue
        found = ctx.registry.category(part) if part == "all" else [resolve_type(ctx, part)]
        for rtype in found:
            if rtype not in types:
                types.append(rtype)
    return types


def parse_targets(ctx: Context, args: list[str], *, selecting: bool = False) -> list[Target]:
    """kubectl's ``ResourceTypeOrNameArgs``: ``TYPE[,TYPE] [NAME...]`` or ``TYPE/NAME...``.

    As cli-runtime's builder does, the words are checked before any type is looked up: first
    their syntax, then (``selecting``: ``-l``, ``--field-selector`` or ``--all`` was given)
    that no name comes with a selector; only then are the types resolved.
    """
    if not args:
        return []
    args = _pair_types_with_names(args)
    if any("/" in arg for arg in args):
        pairs = _slash_pairs(args)
        if selecting:
            raise KubectlError("error: selectors and the all flag cannot be used when passing "
                               "resource/name arguments")
        return [Target(resolve_type(ctx, kind), (name,)) for kind, name in pairs]
    if selecting and len(args) > 1:
        raise KubectlError("error: name cannot be provided when a selector is specified")
    types = expand_types(ctx, args[0])
    names = tuple(args[1:])
    return [Target(rtype, names) for rtype in types]


def _pair_types_with_names(args: list[str]) -> list[str]:
    """``normalizeMultipleResourcesArgs``: ``pods,svc a b`` is ``pods/a pods/b svc/a svc/b``."""
    types = list(dict.fromkeys(args[0].split(",")))
    if len(args) < 2 or len(types) < 2:
        return args
    return [f"{rtype}/{name}" for rtype in types for name in args[1:]]


def _slash_pairs(args: list[str]) -> list[tuple[str, str]]:
    """``hasCombinedTypeArgs`` and ``splitResourceTypeName``: every word is ``TYPE/NAME``."""
    if not all("/" in arg for arg in args):
        raise KubectlError(
            "error: there is no need to specify a resource type as a separate argument when "
            "passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' "
            "instead of 'kubectl get resource resource/<resource_name>'"
        )
    pairs = []
    for arg in args:
        parts = arg.split("/")
        if len(parts) != 2:
            raise KubectlError("error: arguments in resource/name form may not have more than one slash")
        kind, name = parts
        if not kind or not name or len([k for k in kind.split(",") if k]) != 1:
            raise KubectlError("error: arguments in resource/name form must have a single resource and name")
        pairs.append((kind, name))
    return pairs


def namespace_for(ctx: Context, rtype: Any) -> str | None:
    """The namespace a request about ``rtype`` goes to (None for cluster-scoped kinds)."""
    return ctx.namespace if rtype.namespaced else None


def kind_prefix(rtype: Any) -> str:
    """``deployment.apps`` / ``pod``: how kubectl names a kind in ``kind/name`` output."""
    kind = rtype.kind.lower()
    return f"{kind}.{rtype.group}" if rtype.group else kind


def object_prefix(obj: dict) -> str:
    group = obj.get("apiVersion", "").rpartition("/")[0] if "/" in obj.get("apiVersion", "") else ""
    kind = obj.get("kind", "").lower()
    return f"{kind}.{group}" if group else kind


# ---------------------------------------------------------------------------------------
# --dry-run and the operation printer
# ---------------------------------------------------------------------------------------


def dry_run_strategy(ctx: Context) -> str:
    """``GetDryRunStrategy``: "none", "client" or "server" (kubectl's errors otherwise)."""
    value = ctx.flags.get("dry-run", "none")
    if value in ("none", "client", "server"):
        return value
    if value == "unchanged":  # bare --dry-run: deprecated, means client
        return "client"
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return "client"
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return "none"
    raise KubectlError(f'error: Invalid dry-run value ({value}). Must be "none", "server", or "client".')


def dry_run_suffix(strategy: str) -> str:
    return {"client": " (dry run)", "server": " (server dry run)"}.get(strategy, "")


#: The -o values a mutating command's printer accepts (``PrintFlags`` without tables).
OPERATION_FORMATS = (
    "go-template", "go-template-file", "json", "jsonpath", "jsonpath-as-json", "jsonpath-file",
    "name", "template", "templatefile", "yaml",
)


def printer_format(output: str) -> str:
    """The ``-o`` value as kubectl's printers read it: ``json``, ``yaml`` and ``name`` in any
    case (``-o JSON``); every other format (``jsonpath=...``, ``wide``) exactly as typed."""
    return output.lower() if output.lower() in ("json", "yaml", "name") else output


def check_operation_output(ctx: Context) -> str:
    """Validate ``-o`` for create/apply/label/patch; kubectl refuses table formats there."""
    output = printer_format(ctx.flags.get("output", ""))
    if not output:
        return ""
    base = output.split("=", 1)[0]
    from labkube.kubectl.commands._output import GO_TEMPLATE_FORMATS, go_template_of

    stale_template = base in GO_TEMPLATE_FORMATS and bool(ctx.flags.get("template"))  # -o go-template=X --template=Y
    if base not in OPERATION_FORMATS or stale_template:
        raise KubectlError(
            f'error: unable to match a printer suitable for the output format "{output}", allowed '
            f"formats are: {','.join(OPERATION_FORMATS)}"
        )
    if base in GO_TEMPLATE_FORMATS and ctx.parsed.path.split(" ")[0] not in LAZY_PRINTERS:
        go_template_of(ctx, output)  # ToPrinter in Complete: a bad template stops the command first
    return output


#: Commands whose printer kubectl builds only when it prints (``o.ToPrinter = func(operation)``):
#: a bad ``-o go-template`` fails after the change is made (checked with the real kubectl 1.32).
LAZY_PRINTERS = ("label", "apply", "patch", "rollout", "autoscale")


def render_output(ctx: Context, objs: list[dict], output: str, *, single: bool) -> str:
    """Objects in a non-table ``-o`` format (``output`` already through :func:`printer_format`);
    ``single`` prints one object rather than a List."""
    from labkube.kubectl.commands import _output

    base, _, template = output.partition("=")
    if base != "jsonpath-as-json":
        return _output.render_objects(ctx, objs, output, single=single)
    from labkube.kubectl.jsonpath import JSONPathError
    from labkube.kubectl.printers.jsonpath_json import jsonpath_as_json

    document = objs[0] if single and len(objs) == 1 else _output.as_list(objs)
    try:
        return jsonpath_as_json(document, template, ctx.flags.get("allow-missing-template-keys", True))
    except JSONPathError as err:
        raise KubectlError(f"error: {err}") from None


def print_operation(ctx: Context, obj: dict, operation: str, strategy: str = "none") -> None:
    """``deployment.apps/web created`` or the object in the ``-o`` format."""
    output = printer_format(ctx.flags.get("output", ""))
    if output:
        ctx.term.out(render_output(ctx, [obj], output, single=True))
        return
    name = obj.get("metadata", {}).get("name", "")
    ctx.term.line(f"{object_prefix(obj)}/{name} {operation}{dry_run_suffix(strategy)}")


def api_dry_run(strategy: str) -> bool:
    return strategy == "server"
