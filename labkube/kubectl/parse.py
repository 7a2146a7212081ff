"""Command-line parsing for ``cluster.kubectl("...")``, as kubectl's cobra/pflag parse it.

Mirrors spf13/pflag (the flag syntax) and kubectl's command tree (which flags each command
takes). The guarantees a student can rely on:

* flags go anywhere among the arguments: ``get -n dev pods`` is ``get pods -n dev``;
* ``--flag=value`` and ``--flag value``; ``-n dev``, ``-ndev`` and ``-n=dev``; boolean short
  flags combine (``-Ao wide``), and only the last one of a group may take a value;
* booleans take ``--flag``, ``--flag=true`` or ``--flag=false`` (never a separate word);
* ``--`` ends the flags (``create deployment web --image=busybox -- sleep 3600``);
* repeated slice flags accumulate, and comma-separated values split (``--verb=get,list``);
* a flag the command does not know fails with pflag's words plus kubectl's usage hint, e.g.
  ``unknown flag: --foo`` / ``See 'kubectl get --help' for usage.``

The parser knows nothing about the cluster: :func:`parse` turns text into a :class:`Parsed`
(the command path, its positional arguments and its flag values) or raises
:class:`labkube.kubectl.errors.KubectlError` with kubectl's message.
"""

from __future__ import annotations

import csv
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from labkube.kubectl.errors import KubectlError

# ---------------------------------------------------------------------------------------
# Flag specifications
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One pflag flag: its long name, shorthand, type and default."""

    name: str
    short: str = ""
    #: string | bool | int | int32 | int64 | duration | stringSlice | stringArray | mapStringString
    type: str = "string"
    default: Any = None
    #: The value a bare ``--flag`` gets for non-boolean flags (pflag's NoOptDefVal).
    no_opt: str | None = None

    def initial(self) -> Any:
        if self.type in ("stringSlice", "stringArray"):
            return list(self.default or [])
        if self.type == "mapStringString":
            return dict(self.default or {})
        if self.default is not None:
            return self.default
        return {"bool": False, "string": "", "int": 0, "int32": 0, "int64": 0}[self.type]

    @property
    def display(self) -> str:
        """How pflag names the flag in errors: ``-r, --replicas`` or ``--port``."""
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


def F(name: str, short: str = "", type: str = "string", default: Any = None,
      no_opt: str | None = None) -> Flag:
    return Flag(name, short, type, default, no_opt)


#: kubectl's persistent (global) flags that labkube honours or accepts.
GLOBAL_FLAGS = (
    F("namespace", "n"),
    F("as"),
    F("as-group", type="stringArray"),
    F("as-uid"),
    F("token"),
    F("kubeconfig"),
    F("context"),
    F("cluster"),
    F("user"),
    F("request-timeout", default="0"),
    F("v", "v", default="0"),
    F("warnings-as-errors", type="bool"),
    F("help", "h", type="bool"),
)

_OUTPUT = F("output", "o")
_DRY_RUN = F("dry-run", default="none", no_opt="unchanged")
_FILENAME = F("filename", "f", type="stringSlice")
_RECURSIVE = F("recursive", "R", type="bool")
_KUSTOMIZE = F("kustomize", "k")
_SELECTOR = F("selector", "l")
_FIELD_SELECTOR = F("field-selector")
_ALL_NAMESPACES = F("all-namespaces", "A", type="bool")
_FIELD_MANAGER = F("field-manager")
_VALIDATE = F("validate", default="strict", no_opt="strict")
_SAVE_CONFIG = F("save-config", type="bool")
_TEMPLATE = F("template")
_ALLOW_MISSING = F("allow-missing-template-keys", type="bool", default=True)
_SHOW_MANAGED = F("show-managed-fields", type="bool")

_PRINT = (_OUTPUT, _TEMPLATE, _ALLOW_MISSING, _SHOW_MANAGED)
_CREATE_COMMON = (*_PRINT, _DRY_RUN, _VALIDATE, _SAVE_CONFIG, _FIELD_MANAGER)

#: ``kubectl create service``'s port pairs (``port[:targetPort]``).
_TCP = F("tcp", type="stringSlice")
_FROM_SOURCES = (
    F("from-literal", type="stringArray"),
    F("from-file", type="stringSlice"),
    F("from-env-file", type="stringSlice"),
    F("append-hash", type="bool"),
)
_SUBJECTS = (
    F("user", type="stringArray"),
    F("group", type="stringArray"),
    F("serviceaccount", type="stringArray"),
)
_RULES = (
    F("verb", type="stringSlice"),
    F("resource", type="stringSlice"),
    F("resource-name", type="stringArray"),
)


@dataclass(frozen=True)
class CommandSpec:
    """A kubectl command: its path (``create deployment``) and the flags it accepts."""

    path: str
    flags: tuple[Flag, ...] = ()
    #: Commands with children dispatch on the next word (``create``, ``auth``, ``create secret``).
    children: tuple[str, ...] = ()

    @property
    def command_path(self) -> str:
        return f"kubectl {self.path}"


_LABEL_LIKE = (
    F("overwrite", type="bool"), _SELECTOR, _FIELD_SELECTOR, F("all", type="bool"),
    _ALL_NAMESPACES, _FILENAME, _RECURSIVE, _KUSTOMIZE, F("list", type="bool"),
    F("local", type="bool"), *_PRINT, _DRY_RUN, F("resource-version"), _FIELD_MANAGER,
)

COMMANDS: dict[str, CommandSpec] = {
    spec.path: spec
    for spec in (
        CommandSpec("get", (
            *_PRINT, _SELECTOR, _FIELD_SELECTOR, _ALL_NAMESPACES, _FILENAME, _RECURSIVE,
            _KUSTOMIZE, F("show-labels", type="bool"), F("show-kind", type="bool"),
            F("no-headers", type="bool"), F("label-columns", "L", type="stringSlice"),
            F("sort-by"), F("watch", "w", type="bool"), F("watch-only", type="bool"),
            F("ignore-not-found", type="bool"), F("chunk-size", type="int64", default=500),
            F("output-watch-events", type="bool"), F("server-print", type="bool", default=True),
            F("subresource"), F("raw"),
        )),
        CommandSpec("describe", (
            _SELECTOR, _ALL_NAMESPACES, _FILENAME, _RECURSIVE, _KUSTOMIZE,
            F("show-events", type="bool", default=True), F("chunk-size", type="int64", default=500),
        )),
        CommandSpec("apply", (
            *_PRINT, _DRY_RUN, _FILENAME, _RECURSIVE, _KUSTOMIZE, _SELECTOR, _VALIDATE,
            F("overwrite", type="bool", default=True), F("force", type="bool"),
            F("grace-period", type="int", default=-1), F("prune", type="bool"),
            F("all", type="bool"), F("cascade", default="background", no_opt="background"),
            F("server-side", type="bool"), F("force-conflicts", type="bool"),
            F("field-manager", default="kubectl-client-side-apply"), F("wait", type="bool"),
            F("timeout", type="duration", default="0s"), F("record", type="bool"),
        ), children=("view-last-applied", "set-last-applied")),
        CommandSpec("create", (*_CREATE_COMMON, _FILENAME, _RECURSIVE, _KUSTOMIZE, _SELECTOR,
                               F("edit", type="bool"), F("raw"), F("windows-line-endings", type="bool")),
                    children=("namespace", "ns", "deployment", "deploy", "configmap", "cm",
                              "secret", "service", "svc", "serviceaccount", "sa", "role",
                              "clusterrole", "rolebinding", "clusterrolebinding", "job", "quota",
                              "resourcequota", "cronjob", "cj", "priorityclass", "pc",
                              "poddisruptionbudget", "pdb", "token", "ingress", "ing")),
        CommandSpec("create namespace", _CREATE_COMMON),
        CommandSpec("create serviceaccount", _CREATE_COMMON),
        CommandSpec("create deployment", (
            *_CREATE_COMMON, F("image", type="stringSlice"), F("replicas", "r", "int32", 1),
            F("port", type="int32", default=-1),
        )),
        CommandSpec("create job", (*_CREATE_COMMON, F("image"), F("from"))),
        CommandSpec("create cronjob", (*_CREATE_COMMON, F("image"), F("schedule"), F("restart"))),
        CommandSpec("create quota", (*_CREATE_COMMON, F("hard"), F("scopes"))),
        CommandSpec("create poddisruptionbudget", (*_CREATE_COMMON, F("selector"), F("min-available"),
                                                   F("max-unavailable"))),
        CommandSpec("create priorityclass", (
            *_CREATE_COMMON, F("value", type="int32"), F("global-default", type="bool"),
            F("description"), F("preemption-policy", default="PreemptLowerPriority"),
        )),
        CommandSpec("create configmap", (*_CREATE_COMMON, *_FROM_SOURCES)),
        CommandSpec("create ingress", (
            *_CREATE_COMMON, F("class"), F("rule", type="stringArray"), F("default-backend"),
            F("annotation", type="stringArray"),
        )),
        CommandSpec("create token", (
            *_PRINT, F("audience", type="stringArray"), F("duration", type="duration", default="0s"),
            F("bound-object-kind"), F("bound-object-name"), F("bound-object-uid"),
        )),
        CommandSpec("create secret", (), children=("generic", "docker-registry", "tls")),
        CommandSpec("create secret tls", (*_CREATE_COMMON, F("cert"), F("key"), F("append-hash", type="bool"))),
        CommandSpec("create secret docker-registry", (
            *_CREATE_COMMON, F("docker-username"), F("docker-password"), F("docker-email"),
            F("docker-server", default="https://index.docker.io/v1/"), F("from-file", type="stringSlice"),
            F("append-hash", type="bool"),
        )),
        CommandSpec("create service", (), children=("clusterip", "externalname", "loadbalancer",
                                                    "nodeport")),
        CommandSpec("create service clusterip", (*_CREATE_COMMON, _TCP, F("clusterip"))),
        CommandSpec("create service nodeport", (*_CREATE_COMMON, _TCP, F("node-port", type="int"))),
        CommandSpec("create service loadbalancer", (*_CREATE_COMMON, _TCP)),
        CommandSpec("create service externalname", (*_CREATE_COMMON, _TCP, F("external-name"))),
        CommandSpec("create secret generic", (*_CREATE_COMMON, *_FROM_SOURCES, F("type"))),
        CommandSpec("create role", (*_CREATE_COMMON, *_RULES)),
        CommandSpec("create clusterrole", (
            *_CREATE_COMMON, *_RULES, F("non-resource-url", type="stringSlice"),
            F("aggregation-rule", type="mapStringString"),
        )),
        CommandSpec("create rolebinding", (*_CREATE_COMMON, F("role"), F("clusterrole"), *_SUBJECTS)),
        CommandSpec("create clusterrolebinding", (*_CREATE_COMMON, F("clusterrole"), *_SUBJECTS)),
        CommandSpec("delete", (
            _FILENAME, _RECURSIVE, _KUSTOMIZE, _SELECTOR, _FIELD_SELECTOR, _ALL_NAMESPACES,
            F("all", type="bool"), F("cascade", default="background", no_opt="background"),
            F("grace-period", type="int", default=-1), F("force", type="bool"),
            F("now", type="bool"), F("ignore-not-found", type="bool"),
            F("wait", type="bool", default=True), F("timeout", type="duration", default="0s"), _OUTPUT,
            _DRY_RUN, F("interactive", "i", type="bool"), F("raw"),
        )),
        CommandSpec("label", _LABEL_LIKE),
        CommandSpec("annotate", _LABEL_LIKE),
        CommandSpec("patch", (
            F("patch", "p"), F("patch-file"), F("type", default="strategic"), _FILENAME,
            _RECURSIVE, _KUSTOMIZE, *_PRINT, _DRY_RUN, F("local", type="bool"),
            F("subresource"), F("field-manager", default="kubectl-patch"),
        )),
        CommandSpec("api-resources", (
            _OUTPUT, F("namespaced", type="bool", default=True), F("api-group"),
            F("verbs", type="stringSlice"), F("sort-by"), F("no-headers", type="bool"),
            F("cached", type="bool"), F("categories", type="stringSlice"),
        )),
        CommandSpec("api-versions"),
        CommandSpec("auth", (), children=("can-i", "whoami")),
        CommandSpec("auth whoami", (_OUTPUT,)),
        CommandSpec("auth can-i", (
            _ALL_NAMESPACES, F("list", type="bool"), F("no-headers", type="bool"),
            F("quiet", "q", type="bool"), F("subresource"),
        )),
        CommandSpec("explain", (
            F("recursive", type="bool"), F("api-version"), F("output", default="plaintext"),
        )),
        CommandSpec("version", (F("client", type="bool"), _OUTPUT)),
        CommandSpec("cluster-info"),
        # kubectl config (labkube/kubectl/commands/config.py): the kubeconfig's subcommands.
        CommandSpec("config", (), children=(
            "view", "current-context", "get-contexts", "get-users", "get-clusters", "use-context", "use",
            "set-context", "delete-context", "rename-context", "set-credentials", "delete-user",
            "delete-cluster", "set", "unset")),
        CommandSpec("config view", (
            *_PRINT, F("flatten", type="bool"), F("merge", type="bool", default=True),
            F("minify", type="bool"), F("raw", type="bool"),
        )),
        CommandSpec("config current-context"),
        CommandSpec("config get-contexts", (_OUTPUT, F("no-headers", type="bool"))),
        CommandSpec("config get-users"),
        CommandSpec("config get-clusters"),
        CommandSpec("config use-context"),
        # --cluster, --user and --namespace shadow the global flags (and -n with them).
        CommandSpec("config set-context", (F("cluster"), F("current", type="bool"), F("namespace"), F("user"))),
        CommandSpec("config delete-context"),
        CommandSpec("config rename-context"),
        CommandSpec("config set-credentials", (
            F("token"), F("username"), F("password"), F("client-certificate"), F("client-key"),
            F("embed-certs", type="bool"), F("auth-provider"), F("auth-provider-arg", type="stringSlice"),
            F("exec-command"), F("exec-api-version"), F("exec-arg", type="stringSlice"),
            F("exec-env", type="stringArray"), F("exec-interactive-mode"),
            F("exec-provide-cluster-info", type="bool"),
        )),
        CommandSpec("config delete-user"),
        CommandSpec("config delete-cluster"),
        CommandSpec("config set", (F("set-raw-bytes", type="bool"),)),
        CommandSpec("config unset"),
    )
}

#: kubectl's aliases for subcommands.
ALIASES = {"create ns": "create namespace", "create deploy": "create deployment",
           "create cm": "create configmap", "create sa": "create serviceaccount",
           "create svc": "create service", "create resourcequota": "create quota",
           "create cj": "create cronjob", "create pc": "create priorityclass",
           "create pdb": "create poddisruptionbudget", "config use": "config use-context",
           "create ing": "create ingress"}

#: Subcommands real kubectl 1.32 has under a command labkube has, but labkube does not
#: (word -> kubectl's name for it): naming one says so instead of "unknown command".
KUBECTL_SUBCOMMANDS = {
    "auth": {"reconcile": "reconcile"},
    "config": {"set-cluster": "set-cluster"},
    "apply": {"edit-last-applied": "edit-last-applied"},
}

#: The top-level commands real kubectl has (for "unknown command" and its suggestions), in the
#: order kubectl 1.32 adds them to its root command: cobra offers suggestions in that order.
KUBECTL_COMMANDS = (
    "create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale",
    "autoscale", "certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint",
    "describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug", "events",
    "diff", "apply", "patch", "replace", "wait", "kustomize", "label", "annotate", "completion",
    "config", "plugin", "version", "api-versions", "api-resources", "options", "help",
)


# ---------------------------------------------------------------------------------------
# The parse result
# ---------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """A parsed command line: ``path`` (``"create deployment"``), positionals and flag values."""

    path: str
    args: list[str]
    flags: dict[str, Any]
    #: Flags the user actually gave (pflag's ``Changed``).
    changed: set[str] = field(default_factory=set)
    #: Words after ``--`` (a container command for ``create deployment``).
    after_dash: list[str] = field(default_factory=list)

    @property
    def all_args(self) -> list[str]:
        """cobra's ``args``: every positional word, those after ``--`` too. Only the commands
        that ask cobra's ``ArgsLenAtDash`` (exec, run, the create generators' NAME) tell the two
        apart; for the rest ``kubectl label -- pod web a=b`` is ``kubectl label pod web a=b``."""
        return self.args + self.after_dash

    @property
    def command_path(self) -> str:
        return f"kubectl {self.path}"

    def get(self, name: str) -> Any:
        return self.flags[name]

    def given(self, name: str) -> bool:
        return name in self.changed


def split_words(text: str) -> list[str]:
    """Split a command line like a POSIX shell; a leading ``kubectl`` word is dropped."""
    try:
        words = shlex.split(text, comments=False, posix=True)
    except ValueError as exc:  # unbalanced quotes
        raise KubectlError(f"error: {exc}".replace("No closing quotation", "unterminated quoted string")) from None
    if words and words[0] == "kubectl":
        words = words[1:]
    return words


def parse(text: str | list[str]) -> Parsed:
    """Parse a kubectl command line into a :class:`Parsed` (or raise :class:`KubectlError`)."""
    words = split_words(text) if isinstance(text, str) else list(text)
    spec, rest = _find_command(words)
    return fold_template_flag(_parse_flags(spec, rest))


#: The ``-o`` formats that may take their template from ``--template`` (PrintFlags' go-template
#: and jsonpath printers).
TEMPLATE_OUTPUTS = ("go-template", "go-template-file", "template", "templatefile",
                    "jsonpath", "jsonpath-as-json", "jsonpath-file")


def fold_template_flag(parsed: Parsed) -> Parsed:
    """``-o go-template --template=T`` is ``-o go-template=T`` (and ``--template=T`` alone is
    go-template, as ``PrintFlags.ToPrinter`` reads it): fold the flag into ``output`` so every
    printer reads one value. ``-o go-template=X --template=T`` keeps both, which no printer takes."""
    template = parsed.flags.get("template")
    if not template or "output" not in parsed.flags:
        return parsed
    output = parsed.flags["output"] or ""
    if "output" not in parsed.changed:
        output = "go-template"
    if output in TEMPLATE_OUTPUTS:
        parsed.flags["output"] = f"{output}={template}"
        parsed.flags["template"] = ""
    return parsed


def _find_command(words: list[str]) -> tuple[CommandSpec, list[str]]:
    """Walk the command tree along the first non-flag words, as cobra's ``Find`` does."""
    positions = _command_word_positions(words, GLOBAL_FLAGS)
    if not positions:
        raise KubectlError(_root_usage_hint(), exit_code=0 if not words else 1)
    first_index = positions[0]
    name = words[first_index]
    if name not in COMMANDS:
        raise KubectlError(_unknown_command(name))
    spec = COMMANDS[name]
    remaining = words[:first_index] + words[first_index + 1:]
    while spec.children:
        positions = _command_word_positions(remaining, (*GLOBAL_FLAGS, *spec.flags))
        if not positions:
            break
        index = positions[0]
        word = remaining[index]
        path = ALIASES.get(f"{spec.path} {word}", f"{spec.path} {word}")
        missing = KUBECTL_SUBCOMMANDS.get(spec.path, {}).get(word)
        if missing:
            raise KubectlError(_not_provided(f"{spec.path} {missing}"))
        if path not in COMMANDS:
            break
        spec = COMMANDS[path]
        remaining = remaining[:index] + remaining[index + 1:]
    return spec, remaining


def _command_word_positions(words: list[str], flags: tuple[Flag, ...]) -> list[int]:
    """Indexes of the words that may name a subcommand: cobra's ``stripFlags`` with the flags of
    the command searched so far.

    Every word starting with ``-`` is dropped (``-`` itself too). ``--name`` and ``-x`` without
    ``=`` also drop the word after them, unless the flag is known and needs no value (booleans,
    ``--dry-run``) -- an unknown flag is taken to have one. When such a flag is followed by only
    one word, cobra stops looking: ``create -o svc`` stays ``create``.
    """
    no_value = {f"--{f.name}" for f in flags if _no_opt_value(f) is not None}
    no_value |= {f"-{f.short}" for f in flags if f.short and _no_opt_value(f) is not None}
    positions = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            break
        takes_value = "=" not in word and word not in no_value and (
            word.startswith("--") or (word.startswith("-") and len(word) == 2))
        if takes_value:
            if len(words) - index <= 1:
                break
            index += 1
        elif word and not word.startswith("-"):
            positions.append(index - 1)
    return positions


def _root_usage_hint() -> str:
    return "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/"


#: What to use instead of a real kubectl command labkube's kubectl does not have.
_INSTEAD = {
    "edit": 'change what "kubectl get TYPE NAME -o yaml" prints and "kubectl replace -f -" it, or "kubectl patch"',
    "apply edit-last-applied": 'change what "kubectl apply view-last-applied TYPE NAME" prints and '
                               '"kubectl apply set-last-applied -f -" it',
}


def _not_provided(path: str) -> str:
    message = f'error: "kubectl {path}" is a kubectl command that labkube does not provide'
    if path in _INSTEAD:
        message += f"; instead, {_INSTEAD[path]}"
    return message


def _unknown_command(name: str) -> str:
    if name in KUBECTL_COMMANDS:  # real kubectl has it; saying "unknown" would mislead
        return _not_provided(name)
    message = f'Error: unknown command "{name}" for "kubectl"'
    suggestions = [c for c in KUBECTL_COMMANDS if c != "help"  # cobra never suggests its help command
                   and (_levenshtein(name, c) <= 2 or c.startswith(name.lower()))]
    if suggestions:
        message += "\n\nDid you mean this?\n" + "".join(f"\t{s}\n" for s in suggestions)
    return message


def _levenshtein(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# ---------------------------------------------------------------------------------------
# pflag's parsing loop
# ---------------------------------------------------------------------------------------


#: Commands that set cobra's ``FlagErrorFunc`` to kubectl's usage error, with their exit status.
#: ``kubectl diff`` does (diff.go): its exit status 1 means "differences found", so a flag error
#: goes through ``CheckDiffErr`` -- ``error: unknown flag: --foo`` / ``See 'kubectl diff -h' for
#: help and examples``, exit 2.
USAGE_FLAG_ERRORS = {"diff": 2}


class _FlagSet:
    def __init__(self, spec: CommandSpec) -> None:
        self.spec = spec
        self.by_name: dict[str, Flag] = {}
        self.by_short: dict[str, Flag] = {}
        for flag in (*GLOBAL_FLAGS, *spec.flags):  # command flags shadow global ones
            shadowed = self.by_name.get(flag.name)
            if shadowed is not None and shadowed.short:  # cobra skips the parent's flag, shorthand too
                self.by_short.pop(shadowed.short, None)
            self.by_name[flag.name] = flag
            if flag.short:
                self.by_short[flag.short] = flag
        self.values = {name: flag.initial() for name, flag in self.by_name.items()}
        self.changed: set[str] = set()

    def fail(self, message: str) -> KubectlError:
        """A flag parse error, as cobra prints it (capital ``Error:``, then where to read more),
        or as the command's own flag-error function prints it (:data:`USAGE_FLAG_ERRORS`)."""
        if self.spec.path in USAGE_FLAG_ERRORS:
            return KubectlError(f"error: {message}\nSee '{self.spec.command_path} -h' for help and examples",
                                exit_code=USAGE_FLAG_ERRORS[self.spec.path])
        return KubectlError(f"Error: {message}\nSee '{self.spec.command_path} --help' for usage.")

    def set(self, flag: Flag, raw: str) -> None:
        value = _convert(flag, raw, self)
        if flag.type in ("stringSlice", "stringArray"):
            if flag.name not in self.changed:
                self.values[flag.name] = []
            self.values[flag.name].extend(value)
        elif flag.type == "mapStringString":
            if flag.name not in self.changed:
                self.values[flag.name] = {}
            self.values[flag.name].update(value)
        else:
            self.values[flag.name] = value
        self.changed.add(flag.name)


def _parse_flags(spec: CommandSpec, words: list[str]) -> Parsed:
    flags = _FlagSet(spec)
    args: list[str] = []
    after_dash: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            after_dash = words[index:]
            break
        if word.startswith("--") and len(word) > 2:
            index = _parse_long(flags, word, words, index)
        elif word.startswith("-") and len(word) > 1:
            index = _parse_short(flags, word, words, index)
        else:
            args.append(word)
    return Parsed(spec.path, args, flags.values, flags.changed, after_dash)


def _parse_long(flags: _FlagSet, word: str, words: list[str], index: int) -> int:
    if word[2] in "-=":  # pflag refuses ``---x`` and ``--=x`` before looking the name up
        raise flags.fail(f"bad flag syntax: {word}")
    name, has_value, value = word[2:].partition("=")
    # kubectl normalises ``--show_labels`` to ``--show-labels`` (with a klog warning).
    flag = flags.by_name.get(name.replace("_", "-"))
    if flag is None:
        raise flags.fail(f"unknown flag: --{name}")
    if has_value:
        flags.set(flag, value)
    elif _no_opt_value(flag) is not None:
        flags.set(flag, _no_opt_value(flag))
    elif index < len(words):
        flags.set(flag, words[index])
        index += 1
    else:
        raise flags.fail(f"flag needs an argument: --{name}")
    return index


def _parse_short(flags: _FlagSet, word: str, words: list[str], index: int) -> int:
    """pflag's parseShortArg: each letter in turn; errors quote the letters still unread."""
    shorthands = word[1:]
    while shorthands:
        letter, rest = shorthands[0], shorthands[1:]
        flag = flags.by_short.get(letter)
        if flag is None:
            raise flags.fail(f"unknown shorthand flag: {_go_quote_byte(letter)} in -{shorthands}")
        if len(shorthands) > 2 and rest.startswith("="):  # -n=dev (but -n= reads "=")
            flags.set(flag, rest[1:])
            return index
        if _no_opt_value(flag) is not None:  # booleans: -Ao wide goes on to the o
            flags.set(flag, _no_opt_value(flag))
            shorthands = rest
            continue
        if rest:
            flags.set(flag, rest)
            return index
        if index < len(words):
            flags.set(flag, words[index])
            return index + 1
        raise flags.fail(f"flag needs an argument: {_go_quote_byte(letter)} in -{shorthands}")
    return index


def _no_opt_value(flag: Flag) -> str | None:
    """pflag's NoOptDefVal: what a flag given without a value means (``true`` for booleans)."""
    return "true" if flag.type == "bool" else flag.no_opt


def _go_quote_byte(char: str) -> str:
    """Go's ``%q`` of the byte pflag reads (``'p'``, ``'\\''``, ``'Ã'`` for the first byte of é)."""
    byte = char.encode()[0]
    if byte in (0x27, 0x5C):
        return "'\\" + chr(byte) + "'"
    if byte < 0x20 or byte == 0x7F:
        return {7: r"'\a'", 8: r"'\b'", 9: r"'\t'", 10: r"'\n'", 11: r"'\v'", 12: r"'\f'",
                13: r"'\r'"}.get(byte, f"'\\x{byte:02x}'")
    if 0x80 <= byte < 0xA0:
        return f"'\\u{byte:04x}'"
    if byte == 0xAD:  # soft hyphen: not printable for Go
        return "'\\u00ad'"
    return f"'{chr(byte)}'"


_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _convert(flag: Flag, raw: str, flags: _FlagSet) -> Any:
    """Convert a flag's text as pflag does (strconv semantics and error texts)."""
    if flag.type == "string":
        return raw
    if flag.type == "bool":
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise flags.fail(
            f'invalid argument "{raw}" for "{flag.display}" flag: strconv.ParseBool: parsing '
            f'"{raw}": invalid syntax'
        )
    if flag.type in ("int", "int32", "int64"):
        try:
            return go_parse_int(raw, 32 if flag.type == "int32" else 64)
        except ValueError as err:
            raise flags.fail(
                f'invalid argument "{raw}" for "{flag.display}" flag: strconv.ParseInt: parsing '
                f'"{raw}": {err}'
            ) from None
    if flag.type == "duration":  # kept as typed; commands read it with go_duration_seconds
        try:
            go_duration_seconds(raw)
        except ValueError as err:
            raise flags.fail(f'invalid argument "{raw}" for "{flag.display}" flag: {err}') from None
        return raw
    if flag.type == "stringSlice":
        return _split_csv(raw)
    if flag.type == "mapStringString":
        return _map_string_string(flag, raw, flags)
    return [raw]  # stringArray


def _map_string_string(flag: Flag, raw: str, flags: _FlagSet) -> dict[str, str]:
    """component-base's MapStringString: ``k=v,k2=v2``, each key and value trimmed."""
    pairs: dict[str, str] = {}
    for part in raw.split(","):
        if not part:
            continue
        key, has_value, value = part.partition("=")
        if not has_value:
            raise flags.fail(f'invalid argument "{raw}" for "{flag.display}" flag: malformed pair, '
                             "expect string=string")
        pairs[key.strip()] = value.strip()
    return pairs


def go_parse_int(text: str, bits: int) -> int:
    """Go's ``strconv.ParseInt(text, 0, bits)``, as pflag reads integer flags: a sign, then
    decimal, ``0x``/``0o``/``0b`` or a leading-``0`` octal (``010`` is 8, ``08`` is refused),
    with ``_`` between digits. ValueError carries Go's reason: ``invalid syntax`` or ``value out
    of range`` (found scanning left to right, so ``99999999999999999999x`` is out of range)."""
    negative = text.startswith("-")
    digits = text[1:] if text[:1] in "+-" else text
    base, body = 10, digits
    if digits.startswith("0"):
        prefix = digits[1:2].lower()
        base, body = ({"x": 16, "o": 8, "b": 2}[prefix], digits[2:]) \
            if len(digits) >= 3 and prefix in "xob" else (8, digits[1:])
    if not digits:
        raise ValueError("invalid syntax")
    limit, value = 1 << bits, 0
    for char in body:
        if char == "_":
            continue
        digit = int(char, 36) if char.isascii() and char.isalnum() else 99
        if digit >= base:
            raise ValueError("invalid syntax")
        value = value * base + digit
        if value >= limit:
            raise ValueError("value out of range")
    if "_" in text and not _underscores_ok(digits):
        raise ValueError("invalid syntax")
    if value > (limit >> 1) - (0 if negative else 1):
        raise ValueError("value out of range")
    return -value if negative else value


def _underscores_ok(digits: str) -> bool:
    """Go's ``underscoreOK``: each ``_`` between digits (a base prefix counts as one)."""
    saw, start = "^", 0
    hexadecimal = False
    if len(digits) >= 2 and digits[0] == "0" and digits[1].lower() in "box":
        saw, start, hexadecimal = "0", 2, digits[1].lower() == "x"
    for char in digits[start:]:
        if char.isascii() and (char.isdigit() or hexadecimal and char.lower() in "abcdef"):
            saw = "0"
        elif char == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration_seconds(text: str) -> float:
    """Go's ``time.ParseDuration`` in seconds (``1m30s``, ``-1.5h``, ``0``); a bad value raises
    ValueError with Go's words (``time: missing unit in duration "5"``)."""
    rest = text[1:] if text[:1] in "+-" else text
    sign = -1.0 if text.startswith("-") else 1.0
    if rest == "0":
        return 0.0
    if not rest:
        raise ValueError(f"time: invalid duration {_go_time_quote(text)}")
    total = 0.0
    while rest:
        number, rest = _leading_number(rest)
        if number is None:
            raise ValueError(f"time: invalid duration {_go_time_quote(text)}")
        unit_length = next((i for i, ch in enumerate(rest) if ch == "." or ch.isascii() and ch.isdigit()), len(rest))
        if unit_length == 0:
            raise ValueError(f"time: missing unit in duration {_go_time_quote(text)}")
        unit, rest = rest[:unit_length], rest[unit_length:]
        if unit not in _DURATION_UNITS:
            raise ValueError(f"time: unknown unit {_go_time_quote(unit)} in duration {_go_time_quote(text)}")
        total += number * _DURATION_UNITS[unit]
    return sign * total


def _leading_number(text: str) -> tuple[float | None, str]:
    """``12``, ``1.5`` or ``.5`` at the start of ``text`` (None when there are no digits)."""
    match = re.match(r"([0-9]*)(?:\.([0-9]*))?", text)
    whole, fraction = match.group(1), match.group(2)
    if not whole and not fraction:
        return None, text
    return float(f"{whole or 0}.{fraction or 0}"), text[match.end():]


def _go_time_quote(text: str) -> str:
    """The time package's quote: bytes past ASCII as ``\\xNN``, quotes and backslashes escaped."""
    out = []
    for byte in text.encode():
        if byte >= 0x80:
            out.append(f"\\x{byte:02x}")
        elif byte in (0x22, 0x5C):
            out.append("\\" + chr(byte))
        else:
            out.append(chr(byte))
    return '"' + "".join(out) + '"'


def _split_csv(raw: str) -> list[str]:
    """pflag's stringSlice reads its value as one CSV record."""
    if raw == "":
        return []
    return next(csv.reader([raw]))
