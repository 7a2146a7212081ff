"""The command-line spec of ``kubectl autoscale`` (flags as autoscale.go declares them in 1.32).

Importing this module registers it in :data:`labkube.kubectl.parse.COMMANDS`.
"""

from __future__ import annotations

from labkube.kubectl import parse as _parse
from labkube.kubectl.parse import _DRY_RUN, _FILENAME, _KUSTOMIZE, _PRINT, _RECURSIVE, _SAVE_CONFIG, CommandSpec, F

SPEC = CommandSpec("autoscale", (
    F("record", type="bool"), *_PRINT, F("min", type="int32", default=-1), F("max", type="int32", default=-1),
    F("cpu-percent", type="int32", default=-1), F("name"), _DRY_RUN, _FILENAME, _RECURSIVE, _KUSTOMIZE,
    _SAVE_CONFIG, F("field-manager", default="kubectl-autoscale"),
))

_parse.COMMANDS.setdefault(SPEC.path, SPEC)
