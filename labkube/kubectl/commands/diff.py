"""``kubectl diff -f FILE``: what ``kubectl apply -f FILE`` would change, as a unified diff.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/diff/diff.go (kubectl 1.32). For each object of the
files, in order:

* LIVE is the object as the API server has it now (nothing when it does not exist);
* MERGED is what the API server answers to a *server-side dry run* of the apply: the
  three-way patch client-side apply would send (made from the file without a new
  last-applied-configuration, so that annotation shows as it is now), or, for an object that
  does not exist yet, a dry-run create of the file's object.

Both are printed as YAML without ``metadata.managedFields`` (unless ``--show-managed-fields``);
a Secret's ``data`` values are masked: ``***``, or ``*** (before)`` and ``*** (after)`` for a
value that changes. kubectl writes each into a file ``group.version.Kind.namespace.name`` in two
temporary folders, ``/tmp/LIVE-<random>`` and ``/tmp/MERGED-<random>``, and runs
``diff -u -N`` on the folders: GNU diff prints, for each file that differs (in file-name
order), a ``diff -u -N LIVE/f MERGED/f`` line, the ``---``/``+++`` lines with the files' times,
and the hunks (:mod:`.diff_gnu` computes them as GNU diff does). The fields the server fills
in change with it: a Deployment whose spec changes shows ``generation`` going up by one.

labkube writes no files and runs no program. Deterministic: the folders' random numbers (Go's
``os.MkdirTemp``: a random 32-bit number in decimal) come from a generator seeded from the
cluster's seeded random stream, read without advancing it, and the cluster's clock; the files'
times are the cluster clock's now.

Exit status as kubectl's: 0 no differences, 1 differences, 2 an error (kubectl's
``CheckDiffErr`` adds one to the usual code) -- a flag error too, worded as kubectl's usage
errors are (``error: unknown flag: --foo``, ``See 'kubectl diff -h' for help and examples``;
see :data:`labkube.kubectl.parse.USAGE_FLAG_ERRORS`). ``KUBECTL_EXTERNAL_DIFF`` (another diff
program) is not supported: labkube always prints GNU ``diff -u -N``'s output. Nor are ``-k``
(kustomize), ``--server-side`` (refused as ``apply --server-side`` is) and ``--prune``.
"""

from __future__ import annotations

import copy
import random
from datetime import datetime, timezone
from typing import Any

from labkube.core.apply import LAST_APPLIED_ANNOTATION as LAST_APPLIED
from labkube.core.errors import StatusError
from labkube.kubectl import files
from labkube.kubectl.commands import Context
from labkube.kubectl.commands.apply import SERVER_SIDE_UNSUPPORTED
from labkube.kubectl.commands.diff_gnu import unified_hunks
from labkube.kubectl.errors import KubectlError, PlainError, standard_message

KUSTOMIZE_UNSUPPORTED = (
    "error: labkube's kubectl does not run kustomize (-k): build the manifests with kustomize "
    "first and pass them with -f"
)
PRUNE_UNSUPPORTED = "error: labkube's kubectl diff does not support --prune"

_MASK, _MASK_BEFORE, _MASK_AFTER = "***", "*** (before)", "*** (after)"


def run(ctx: Context) -> list[BaseException]:
    try:
        _complete(ctx)
        versions = _versions(ctx)
    except KubectlError as err:
        raise KubectlError(err.text, exit_code=2) from None
    except (StatusError, PlainError) as err:
        raise KubectlError(_error_text(err), exit_code=2) from None
    text = _diff_folders(ctx, versions)
    ctx.term.out(text)
    if text:
        raise KubectlError("", exit_code=1)
    return []


def _complete(ctx: Context) -> None:
    """``DiffOptions.Complete``: no arguments, files (not kustomize), flags that go together."""
    args = ctx.parsed.all_args
    if args:
        raise ctx.usage_error(f"Unexpected args: [{' '.join(args)}]")
    filenames, kustomize = ctx.flags["filename"], ctx.flags["kustomize"]
    if not filenames and not kustomize:
        raise KubectlError("error: must specify one of -f and -k")
    if filenames and kustomize:
        raise KubectlError("error: only one of -f or -k can be specified")
    if kustomize:
        raise KubectlError(KUSTOMIZE_UNSUPPORTED)
    if ctx.flags["force-conflicts"] and not ctx.flags["server-side"]:
        raise KubectlError("error: --force-conflicts only works with --server-side")
    if ctx.flags["server-side"]:
        raise KubectlError(SERVER_SIDE_UNSUPPORTED)
    if ctx.flags["prune"]:
        raise KubectlError(PRUNE_UNSUPPORTED)


def _error_text(err: BaseException) -> str:
    if isinstance(err, StatusError):
        from labkube.kubectl.errors import check_err

        return check_err([err])
    text = str(err)
    return text if text.startswith("error: ") else f"error: {text}"


# -- the two versions of each object ---------------------------------------------------------
def _versions(ctx: Context) -> dict[str, tuple[str, str]]:
    """File name -> (LIVE text, MERGED text), for every object of the files (the first error
    ends the command: kubectl's builder here does not continue on errors)."""
    from labkube.kubectl.commands.apply import read_and_map

    mapped, errors = read_and_map(ctx)
    if errors:
        raise errors[0]
    selector = ctx.flags["selector"]
    versions: dict[str, tuple[str, str]] = {}
    for item, rtype in mapped:
        if selector and not _selected(item.obj, selector):
            continue
        live = _live(ctx, item, rtype)
        merged = _merged(ctx, item, rtype, live)
        if live is not None and (live.get("metadata") or {}).get("deletionTimestamp"):
            ctx.term.err_line(f"Warning: Detected changes to resource {files.object_meta(item.obj).get('name', '')} "
                              "which is currently being deleted.")
        versions[file_name(rtype, item.obj)] = _printed(ctx, live, merged)
    return versions


def _selected(obj: dict, selector: str) -> bool:
    from labkube.core.api.labels import SelectorError, parse_selector

    try:
        return parse_selector(selector).matches(files.object_meta(obj).get("labels") or {})
    except SelectorError as err:
        raise KubectlError(f"error: {err}") from None


def file_name(rtype: Any, obj: dict) -> str:
    """``InfoObject.Name``: ``apps.v1.Deployment.default.web``, ``v1.Namespace..dev``."""
    meta = files.object_meta(obj)
    namespace = meta.get("namespace", "") if rtype.namespaced else ""
    group = f"{rtype.group}." if rtype.group else ""
    return f"{group}{rtype.version}.{rtype.kind}.{namespace}.{meta.get('name', '')}"


def _live(ctx: Context, item: files.Item, rtype: Any) -> dict | None:
    meta = files.object_meta(item.obj)
    try:
        return ctx.client.get(rtype, meta.get("name", ""), meta.get("namespace") if rtype.namespaced else None)
    except StatusError as err:
        if err.code == 404:
            return None
        raise


def _merged(ctx: Context, item: files.Item, rtype: Any, live: dict | None) -> dict:
    """``InfoObject.Merged``: a dry-run create, or apply's patch sent as a dry run."""
    from labkube.core.api import patch as patches
    from labkube.core.apply import apply_patch_for

    obj = item.obj
    if live is None:
        return ctx.client.create(copy.deepcopy(obj), dry_run=True)
    patch = apply_patch_for(live, _modified(obj))
    if not patch:
        return live
    patch.setdefault("metadata", {})["resourceVersion"] = live["metadata"].get("resourceVersion", "")
    strategic = patches.has_strategic_info(obj.get("apiVersion", ""), obj.get("kind", ""))
    meta = live["metadata"]
    return ctx.client.patch(rtype, meta["name"], patch, namespace=meta.get("namespace") if rtype.namespaced else None,
                            patch_type="strategic" if strategic else "merge", dry_run=True)


def _modified(obj: dict) -> dict:
    """``GetModifiedConfiguration(obj, annotate=false)``: the file's object, its annotations
    present (``{}`` at least) and without a last-applied-configuration."""
    modified = copy.deepcopy(obj)
    meta = modified.setdefault("metadata", {})
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    meta["annotations"] = annotations
    return modified


def _printed(ctx: Context, live: dict | None, merged: dict) -> tuple[str, str]:
    """Both versions as the files hold them: YAML, managedFields left out, Secrets masked."""
    from labkube.kubectl.output import to_yaml

    if not ctx.flags["show-managed-fields"]:
        live, merged = _without_managed_fields(live), _without_managed_fields(merged)
    if merged.get("apiVersion") == "v1" and merged.get("kind") == "Secret":
        live, merged = _masked(live, merged)
        return ("null\n" if live is None else to_yaml(live)), to_yaml(merged)
    return ("" if live is None else to_yaml(live)), to_yaml(merged)


def _without_managed_fields(obj: dict | None) -> dict | None:
    if obj is None or "managedFields" not in (obj.get("metadata") or {}):
        return obj
    obj = copy.deepcopy(obj)
    del obj["metadata"]["managedFields"]
    return obj


def _masked(live: dict | None, merged: dict) -> tuple[dict | None, dict]:
    """The Masker: every ``data`` value hidden; a key in both whose value changes is marked."""
    before = dict((live or {}).get("data") or {})
    after = dict(merged.get("data") or {})
    for key in before:
        if key in after:
            if before[key] != after[key]:
                before[key], after[key] = _MASK_BEFORE, _MASK_AFTER
                continue
            after[key] = _MASK
        before[key] = _MASK
    for key in after:
        if key not in before:
            after[key] = _MASK
    if live is not None and "data" in live:
        live = {**live, "data": before}
    if "data" in merged:
        merged = {**merged, "data": after}
    return live, merged


# -- the folders and GNU diff's output -------------------------------------------------------
def temp_folders(ctx: Context) -> tuple[str, str]:
    """``/tmp/LIVE-<n>`` and ``/tmp/MERGED-<n>``: Go's ``os.MkdirTemp`` names, drawn from a
    generator seeded by the cluster's random stream (not advanced) and its clock."""
    peek = random.Random()
    peek.setstate(ctx.clock.rng.getstate())
    rng = random.Random(peek.getrandbits(64) ^ int(ctx.clock.now() * 1_000_000_000))
    return f"/tmp/LIVE-{rng.getrandbits(32)}", f"/tmp/MERGED-{rng.getrandbits(32)}"


def _file_time(ctx: Context) -> str:
    """A file's modification time as GNU diff prints it (``%Y-%m-%d %H:%M:%S.%N %z``)."""
    now = ctx.clock.now()
    seconds = int(now // 1)
    nanos = int(round((now - seconds) * 1_000_000_000))
    stamp = datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp}.{nanos:09d} +0000"


def _diff_folders(ctx: Context, versions: dict[str, tuple[str, str]]) -> str:
    """``diff -u -N LIVE MERGED`` on the two folders (files in byte order of their names)."""
    live_dir, merged_dir = temp_folders(ctx)
    when = _file_time(ctx)
    out: list[str] = []
    for name in sorted(versions, key=lambda n: n.encode()):
        before, after = versions[name]
        if before == after:
            continue
        live_path, merged_path = f"{live_dir}/{name}", f"{merged_dir}/{name}"
        out.append(f"diff -u -N {live_path} {merged_path}\n--- {live_path}\t{when}\n+++ {merged_path}\t{when}\n")
        out.append(unified_hunks(before.splitlines(True), after.splitlines(True)))
    return "".join(out)
