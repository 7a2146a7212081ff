"""The command-line specs of ``set selector``, ``set serviceaccount`` (``set sa``), ``set subject``,
``diff``, ``apply view-last-applied`` and ``apply set-last-applied``, added to the parser's tree.

Flags as kubectl 1.32 declares them (names, shorthands, types and defaults as
``kubectl <command> --help`` lists them; ``set selector``'s ``--recursive`` defaults to true,
as its ResourceBuilderFlags do, and it and ``set serviceaccount`` take the deprecated
``--record``). Importing this module registers them in :data:`labkube.kubectl.parse.COMMANDS`.
"""

from __future__ import annotations

from labkube.kubectl import parse as _parse
from labkube.kubectl.parse import _DRY_RUN, _FILENAME, _KUSTOMIZE, _PRINT, _RECURSIVE, _SELECTOR, CommandSpec, F

_SET_COMMON = (*_PRINT, _DRY_RUN, F("all", type="bool"), F("local", type="bool"), _FILENAME,
               F("field-manager", default="kubectl-set"))

SPECS = (
    CommandSpec("set selector", (
        *_SET_COMMON, F("recursive", "R", type="bool", default=True), F("resource-version"),
        F("record", type="bool"),
    )),
    CommandSpec("set serviceaccount", (*_SET_COMMON, _RECURSIVE, _KUSTOMIZE, F("record", type="bool"))),
    CommandSpec("set subject", (
        *_SET_COMMON, _RECURSIVE, _KUSTOMIZE, _SELECTOR, F("user", type="stringArray"),
        F("group", type="stringArray"), F("serviceaccount", type="stringArray"),
    )),
    CommandSpec("diff", (
        F("concurrency", type="int", default=1), F("field-manager", default="kubectl-client-side-apply"),
        _FILENAME, F("force-conflicts", type="bool"), _KUSTOMIZE, F("prune", type="bool"),
        F("prune-allowlist", type="stringArray"), _RECURSIVE, _SELECTOR, F("server-side", type="bool"),
        F("show-managed-fields", type="bool"),
    )),
    CommandSpec("apply view-last-applied", (
        F("all", type="bool"), _FILENAME, _KUSTOMIZE, F("output", "o", default="yaml"), _RECURSIVE, _SELECTOR,
    )),
    CommandSpec("apply set-last-applied", (
        *_PRINT, F("create-annotation", type="bool"), _DRY_RUN, _FILENAME,
    )),
)

ALIASES = {"set sa": "set serviceaccount"}

#: command path -> module under labkube.kubectl.commands
MODULES = {
    "set selector": "set_selector",
    "set serviceaccount": "set_serviceaccount",
    "set subject": "set_subject",
    "diff": "diff",
    "apply view-last-applied": "apply_last_applied",
    "apply set-last-applied": "apply_last_applied",
}


def register() -> None:
    """Add the specs to the parser's tree (idempotent)."""
    for spec in SPECS:
        _parse.COMMANDS.setdefault(spec.path, spec)
    for alias, path in ALIASES.items():
        _parse.ALIASES.setdefault(alias, path)


register()
