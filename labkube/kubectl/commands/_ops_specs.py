"""The command-line specs of kubectl's operations verbs, added to the parser's command tree.

Mirrors the flag sets kubectl 1.32 declares for ``scale``, ``rollout <sub>``, ``set image|env|resources``,
``expose``, ``run``, ``logs``, ``exec``, ``cordon``, ``uncordon``, ``drain``, ``taint``,
``top node|pod``, ``wait``, ``events``, ``replace``, ``port-forward`` and ``proxy`` (names,
shorthands, types and defaults as in k8s.io/kubectl/pkg/cmd/<verb>).
Importing this module registers them in :data:`labkube.kubectl.parse.COMMANDS` (and their
aliases: ``top nodes``, ``top po`` ...), so the parser knows their flags and words.
"""

from __future__ import annotations

from labkube.kubectl import parse as _parse
from labkube.kubectl.parse import (
    _ALL_NAMESPACES,
    _DRY_RUN,
    _FIELD_SELECTOR,
    _FILENAME,
    _KUSTOMIZE,
    _PRINT,
    _RECURSIVE,
    _SAVE_CONFIG,
    _SELECTOR,
    CommandSpec,
    F,
)

_FILES = (_FILENAME, _RECURSIVE, _KUSTOMIZE)

SPECS = (
    CommandSpec("scale", (
        *_FILES, _SELECTOR, F("all", type="bool"), F("replicas", type="int", default=-1),
        F("current-replicas", type="int", default=-1), F("resource-version"),
        F("timeout", type="duration", default="0s"), *_PRINT, _DRY_RUN,
    )),
    CommandSpec("rollout", (), children=("status", "history", "undo", "restart", "pause", "resume")),
    CommandSpec("rollout status", (
        *_FILES, _SELECTOR, F("watch", "w", type="bool", default=True),
        F("revision", type="int64"), F("timeout", type="duration", default="0s"),
    )),
    CommandSpec("rollout history", (*_FILES, _SELECTOR, F("revision", type="int64"), *_PRINT)),
    CommandSpec("rollout undo", (*_FILES, _SELECTOR, F("to-revision", type="int64"), *_PRINT, _DRY_RUN)),
    CommandSpec("rollout restart", (*_FILES, _SELECTOR, *_PRINT, F("field-manager", default="kubectl-rollout"))),
    CommandSpec("rollout pause", (*_FILES, _SELECTOR, *_PRINT, F("field-manager", default="kubectl-rollout"))),
    CommandSpec("rollout resume", (*_FILES, _SELECTOR, *_PRINT, F("field-manager", default="kubectl-rollout"))),
    CommandSpec("set", (), children=("env", "image", "resources", "selector", "serviceaccount", "sa", "subject")),
    CommandSpec("set env", (
        *_FILES, F("containers", "c", default="*"), F("from"), F("prefix"),
        F("env", "e", type="stringArray"), F("keys", type="stringSlice"), F("list", type="bool"),
        F("resolve", type="bool"), F("local", type="bool"), F("all", type="bool"),
        F("overwrite", type="bool", default=True), F("field-manager", default="kubectl-set"),
        _SELECTOR, *_PRINT, _DRY_RUN,
    )),
    CommandSpec("set resources", (
        *_PRINT, F("record", type="bool"), *_FILES, F("all", type="bool"), _SELECTOR,
        F("containers", "c", default="*"), F("local", type="bool"), _DRY_RUN, F("limits"),
        F("requests"), F("field-manager", default="kubectl-set"),
    )),
    CommandSpec("set image", (
        *_FILES, _SELECTOR, F("all", type="bool"), F("local", type="bool"), *_PRINT, _DRY_RUN,
        F("field-manager", default="kubectl-set"),
    )),
    CommandSpec("expose", (
        *_FILES, *_PRINT, _DRY_RUN, _SAVE_CONFIG, F("field-manager", default="kubectl-expose"),
        F("protocol"), F("port"), F("type"), F("load-balancer-ip"), F("selector"),
        F("labels", "l"), F("target-port"), F("external-ip"), F("name"),
        F("session-affinity"), F("cluster-ip"), F("overrides"), F("override-type", default="merge"),
    )),
    CommandSpec("run", (
        *_PRINT, _DRY_RUN, _SAVE_CONFIG, F("field-manager", default="kubectl-run"),
        F("image"), F("image-pull-policy"), F("port"), F("labels", "l"), F("restart", default="Always"),
        F("env", type="stringArray"), F("annotations", type="stringArray"), F("command", type="bool"),
        F("overrides"), F("override-type", default="merge"), F("rm", type="bool"),
        F("stdin", "i", type="bool"), F("tty", "t", type="bool"), F("attach", type="bool"),
        F("quiet", "q", type="bool"), F("expose", type="bool"), F("privileged", type="bool"),
        F("pod-running-timeout", type="duration", default="1m0s"), F("leave-stdin-open", type="bool"),
        F("cascade", default="background", no_opt="background"), F("grace-period", type="int", default=-1),
        F("force", type="bool"), F("timeout", type="duration", default="0s"), F("wait", type="bool"),
    )),
    CommandSpec("logs", (
        F("container", "c"), F("previous", "p", type="bool"), F("tail", type="int64", default=-1),
        F("timestamps", type="bool"), F("follow", "f", type="bool"), F("since", type="duration", default="0s"),
        F("since-time"), F("limit-bytes", type="int64"), F("all-containers", type="bool"),
        F("all-pods", type="bool"), _SELECTOR, F("prefix", type="bool"),
        F("max-log-requests", type="int", default=5), F("pod-running-timeout", type="duration", default="20s"),
        F("ignore-errors", type="bool"), F("insecure-skip-tls-verify-backend", type="bool"),
    )),
    CommandSpec("exec", (
        F("container", "c"), F("stdin", "i", type="bool"), F("tty", "t", type="bool"),
        F("quiet", "q", type="bool"), _FILENAME, F("pod-running-timeout", type="duration", default="1m0s"),
    )),
    CommandSpec("cordon", (_SELECTOR, _DRY_RUN)),
    CommandSpec("uncordon", (_SELECTOR, _DRY_RUN)),
    CommandSpec("drain", (
        F("force", type="bool"), F("ignore-daemonsets", type="bool"),
        F("delete-emptydir-data", type="bool"),
        F("grace-period", type="int", default=-1), F("timeout", type="duration", default="0s"), _SELECTOR,
        F("pod-selector"), F("disable-eviction", type="bool"),
        F("skip-wait-for-delete-timeout", type="int"), F("chunk-size", type="int64", default=500),
        _DRY_RUN,
    )),
    CommandSpec("taint", (
        F("all", type="bool"), F("overwrite", type="bool"), _SELECTOR, *_PRINT, _DRY_RUN,
        F("validate", default="strict", no_opt="strict"), F("field-manager", default="kubectl-taint"),
    )),
    CommandSpec("top", (), children=("node", "pod", "nodes", "no", "pods", "po")),
    CommandSpec("top node", (
        _SELECTOR, F("sort-by"), F("no-headers", type="bool"),
        F("use-protocol-buffers", type="bool", default=True), F("show-capacity", type="bool"),
    )),
    CommandSpec("top pod", (
        _ALL_NAMESPACES, _SELECTOR, _FIELD_SELECTOR, F("sort-by"), F("containers", type="bool"),
        F("no-headers", type="bool"),
        F("use-protocol-buffers", type="bool", default=True),
    )),
    CommandSpec("wait", (
        F("all", type="bool"), _ALL_NAMESPACES, *_PRINT, _FIELD_SELECTOR, _FILENAME,
        F("recursive", "R", type="bool", default=True), F("for"), F("local", type="bool"),
        _SELECTOR, F("timeout", type="duration", default="30s"),
    )),
    CommandSpec("events", (
        _ALL_NAMESPACES, *_PRINT, F("chunk-size", type="int64", default=500), F("for"),
        F("no-headers", type="bool"), F("types", type="stringSlice"), F("watch", "w", type="bool"),
    )),
    CommandSpec("replace", (
        *_FILES, *_PRINT, _DRY_RUN, _SAVE_CONFIG, F("cascade", default="background", no_opt="background"),
        F("field-manager", default="kubectl-replace"), F("force", type="bool"),
        F("grace-period", type="int", default=-1), F("raw"), F("subresource"),
        F("timeout", type="duration", default="0s"), F("validate", default="strict", no_opt="strict"),
        F("wait", type="bool"),
    )),
    CommandSpec("port-forward", (
        F("address", type="stringSlice", default=["localhost"]),
        F("pod-running-timeout", type="duration", default="1m0s"),
    )),
    CommandSpec("proxy", (
        F("www", "w"), F("www-prefix", "P", default="/static/"), F("api-prefix", default="/"),
        F("accept-paths", default="^.*"),
        F("reject-paths", default="^/api/.*/pods/.*/exec,^/api/.*/pods/.*/attach"),
        F("accept-hosts", default="^localhost$,^127\\.0\\.0\\.1$,^\\[::1\\]$"),
        F("reject-methods", default="^$"), F("port", "p", type="int", default=8001),
        F("address", default="127.0.0.1"), F("disable-filter", type="bool"), F("unix-socket", "u"),
        F("keepalive", type="duration", default="0s"),
    )),
)

ALIASES = {"top nodes": "top node", "top no": "top node", "top pods": "top pod", "top po": "top pod"}


def register() -> None:
    """Add the specs to the parser's tree (idempotent)."""
    for spec in SPECS:
        _parse.COMMANDS.setdefault(spec.path, spec)
    for alias, path in ALIASES.items():
        _parse.ALIASES.setdefault(alias, path)


register()

#: command path -> module under labkube.kubectl.commands
MODULES = {
    "scale": "scale",
    "rollout": "rollout",
    "rollout status": "rollout",
    "rollout history": "rollout",
    "rollout undo": "rollout",
    "rollout restart": "rollout",
    "rollout pause": "rollout",
    "rollout resume": "rollout",
    "set": "set_image",
    "set image": "set_image",
    "set env": "set_env",
    "set resources": "set_resources",
    "expose": "expose",
    "run": "run_pod",
    "logs": "logs",
    "exec": "exec_",
    "cordon": "drain",
    "uncordon": "drain",
    "drain": "drain",
    "taint": "taint",
    "top": "top",
    "top node": "top",
    "top pod": "top",
    "wait": "wait",
    "events": "events",
    "replace": "replace",
    "port-forward": "port_forward",
    "proxy": "proxy",
}

