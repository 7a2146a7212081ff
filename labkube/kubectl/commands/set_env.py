"""``kubectl set env RESOURCE/NAME KEY=VALUE ... [KEY-] [--from=configmap/NAME] [--list]``.

Mirrors k8s.io/kubectl/pkg/cmd/set/set_env.go with its helpers (set/env/env_parse.go,
env_resolve.go, set/helper.go), as kubectl 1.32 runs them:

1. ``Complete``: ``--all`` with ``-l`` is refused; the arguments split into resources first,
   then environment changes (``KEY=VALUE`` or ``KEY-``); ``--dry-run`` and ``-o`` are checked.
2. ``Validate``: ``--local`` with ``--dry-run=server``, no resources, ``--list`` with ``-o``,
   ``--keys`` without ``--from``.
3. ``RunEnv``: the changes are parsed (``-e`` values first, then the arguments; ``-e -`` reads
   ``KEY=VALUE`` lines from stdin), ``--from`` adds one ``valueFrom`` reference per key of the
   ConfigMap or Secret (keys sorted here; Go walks them in random order), ``--prefix`` is put
   before every name; then the objects are fetched (or read from ``-f`` with ``--local``).
4. Every object's pod spec (a Pod's own, a Deployment's or ReplicaSet's template) is changed
   in every container the ``-c`` pattern selects (init containers last), and a strategic merge
   patch from the old object to the new one is computed -- all objects first, so ``--list``
   output and warnings come before any change is sent.
5. Each non-empty patch is sent (PATCH, ``application/strategic-merge-patch+json``) and the
   answer printed: ``deployment.apps/web env updated``. The Deployment controller then sees a
   new pod template and rolls out a new ReplicaSet: a new ``rollout history`` revision.

Nothing here waits on the simulated clock; the rollout happens when the cluster runs.

The helpers shared with ``set resources`` (``helper.go``) are in ``_set_helpers``.
"""

from __future__ import annotations

import base64
import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context, check_operation_output, dry_run_strategy
from labkube.kubectl.commands._set_helpers import (
    Failed,
    aggregate,
    calculate_patches,
    error_text,
    fetch_objects,
    pod_spec_of,
    select_containers,
    send_changes,
)
from labkube.kubectl.errors import KubectlError

# ---------------------------------------------------------------------------------------
# env_parse.go
# ---------------------------------------------------------------------------------------

_ENV_ARGUMENT = re.compile(r"^(.+)=(.*)$", re.S)
_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_ENV_NAME_ERROR = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
)


def split_environment_from_resources(args: list[str]) -> tuple[list[str], list[str]] | None:
    """``SplitEnvironmentFromResources``: resources first, then ``K=V`` / ``K-`` (None when
    a resource follows a change)."""
    resources: list[str] = []
    changes: list[str] = []
    for arg in args:
        is_env = bool(_ENV_ARGUMENT.match(arg)) or arg.endswith("-")
        if is_env:
            changes.append(arg)
        elif changes:
            return None
        else:
            resources.append(arg)
    return resources, changes


def env_name_errors(name: str) -> list[str]:
    """``validation.IsEnvVarName``."""
    errors = [] if _ENV_NAME.fullmatch(name) else [_ENV_NAME_ERROR]
    if name == ".":
        errors.append("must not be '.'")
    elif name == "..":
        errors.append("must not be '..'")
    elif name.startswith(".."):
        errors.append("must not start with '..'")
    return errors


def env_var(name: str, value: str) -> dict:
    """A ``v1.EnvVar`` as JSON (an empty value is left out, as Go's ``omitempty`` does)."""
    return {"name": name, "value": value} if value else {"name": name}


def parse_env(specs: list[str], stdin: str | None) -> tuple[list[dict], list[str]]:
    """``ParseEnv``: (variables to set, names to remove), or KubectlError."""
    env: list[dict] = []
    remove: list[str] = []
    for spec in specs:
        if spec == "-":
            env += read_env(stdin or "")
        elif "=" in spec:
            name, _, value = spec.partition("=")
            problems = env_name_errors(name)
            if problems:
                raise KubectlError(f'error: "{name}" is not a valid key name: {";".join(problems)}')
            env.append(env_var(name, value))
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise KubectlError(f"error: unknown environment variable: {spec}")
    set_names = {e["name"] for e in env}
    if any(name in set_names for name in remove):
        raise KubectlError("error: can not both modify and remove the same environment variable in the same command")
    return env, remove


def read_env(text: str) -> list[dict]:
    """``readEnv``: ``KEY=VALUE`` lines; ``#`` starts a comment; other lines are skipped."""
    env = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        if "=" in line:
            name, _, value = line.partition("=")
            env.append(env_var(name, value))
    return env


# ---------------------------------------------------------------------------------------
# set_env.go
# ---------------------------------------------------------------------------------------


@dataclass
class EnvOptions:
    """What the command line asks for, once parsed (``EnvOptions``)."""

    resources: list[str]
    env_args: list[str]
    strategy: str
    output: str
    env: list[dict] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)


def run(ctx: Context) -> list[BaseException]:
    options = _complete(ctx)
    _validate(ctx, options)
    try:
        return _run_env(ctx, options)
    except Failed as failed:
        return failed.errors


def _complete(ctx: Context) -> EnvOptions:
    if ctx.flags["all"] and ctx.flags["selector"]:
        raise KubectlError("error: cannot set --all and --selector at the same time")
    args = ctx.parsed.all_args
    split = split_environment_from_resources(args)
    if split is None:
        raise KubectlError(f"error: all resources must be specified before environment changes: {' '.join(args)}")
    strategy = dry_run_strategy(ctx)
    output = check_operation_output(ctx)
    return EnvOptions(split[0], split[1], strategy, output)


def _validate(ctx: Context, options: EnvOptions) -> None:
    if ctx.flags["local"] and options.strategy == "server":
        raise KubectlError("error: cannot specify --local and --dry-run=server - did you mean --dry-run=client?")
    if not ctx.flags["filename"] and not options.resources:
        raise KubectlError("error: one or more resources must be specified as <resource> <name> or <resource>/<name>")
    if ctx.flags["list"] and options.output:
        raise KubectlError("error: --list and --output may not be specified together")
    if ctx.flags["keys"] and not ctx.flags["from"]:
        raise KubectlError("error: when specifying --keys, a configmap or secret must be provided with --from")


def _run_env(ctx: Context, options: EnvOptions) -> list[BaseException]:
    options.env, options.remove = parse_env(ctx.flags["env"] + options.env_args, ctx.stdin)
    if ctx.flags["from"]:
        options.env += _env_from(ctx)
    prefix = ctx.flags["prefix"]
    if prefix:
        options.env = [{**e, "name": prefix + e["name"]} for e in options.env]
    local = ctx.flags["local"]
    found = fetch_objects(ctx, options.resources, local=local, selector=ctx.flags["selector"],
                          select_all=ctx.flags["all"])
    changes = calculate_patches(found, lambda rtype, obj: _mutate(ctx, options, rtype, obj))
    if ctx.flags["list"]:
        return []
    errors: list[BaseException] = []
    send_changes(ctx, changes, "env updated", options.strategy, local=local,
                 failure="failed to patch env update to pod template: ", errors=errors,
                 before_print=lambda: _require_changes(options))
    return aggregate(errors)


def _require_changes(options: EnvOptions) -> None:
    """kubectl checks, only after a patch went through, that some change was asked for."""
    if not options.env and not options.env_args:
        raise KubectlError("error: at least one environment variable must be provided")


# -- --from ------------------------------------------------------------------------------


def _env_from(ctx: Context) -> list[dict]:
    """One ``valueFrom`` variable per key of the ``--from`` ConfigMap or Secret (``--keys``
    picks keys); a key whose name changes gets a warning (``key db-host transferred to
    DB_HOST``)."""
    if ctx.flags["local"]:
        sources = fetch_objects(ctx, [], local=True, selector="", select_all=False)
    else:
        sources = fetch_objects(ctx, [ctx.flags["from"]], local=False,
                                selector=ctx.flags["selector"], select_all=ctx.flags["all"])
    keys = ctx.flags["keys"]
    env = []
    for rtype, source in sources:
        if rtype.kind not in ("ConfigMap", "Secret") or rtype.group:
            raise KubectlError("error: unsupported resource specified in --from")
        reference = "configMapKeyRef" if rtype.kind == "ConfigMap" else "secretKeyRef"
        for key in sorted(source.get("data") or {}):
            if keys and key not in keys:
                continue
            name = re.sub(r"[^a-zA-Z0-9_]", "_", key).upper()
            if name != key:
                ctx.term.err_line(f"Warning: key {key} transferred to {name}")
            env.append({"name": name, "valueFrom": {reference: {
                "key": key, "name": source.get("metadata", {}).get("name", "")}}})
    return env


# -- the change to one object ---------------------------------------------------------------


def _mutate(ctx: Context, options: EnvOptions, rtype: Any, obj: dict) -> bool:
    """Set and remove the variables in the selected containers; ``--list`` prints them."""
    spec = pod_spec_of(rtype, obj)
    pattern = ctx.flags["containers"]
    containers = select_containers(spec, pattern)
    name = obj.get("metadata", {}).get("name", "")
    if not containers:
        ctx.term.err_line(f'Warning: {rtype.kind}/{name} does not have any containers matching "{pattern}"')
        return True
    unresolved = False
    for container in containers:
        if not ctx.flags["overwrite"]:
            _check_no_overwrites(container.get("env") or [], options.env)
        updated = update_env(container.get("env") or [], options.env, options.remove)
        if updated:
            container["env"] = updated
        else:
            container.pop("env", None)
        if ctx.flags["list"]:
            unresolved |= _list_env(ctx, rtype, obj, container)
    if unresolved:
        raise ValueError("failed to retrieve valueFrom references")
    return True


def _check_no_overwrites(existing: list[dict], env: list[dict]) -> None:
    for new in env:
        current = next((e for e in existing if e.get("name") == new["name"]), None)
        if current is not None and current.get("value", "") != new.get("value", ""):
            raise ValueError(f"'{current['name']}' already has a value ({current.get('value', '')}), "
                             "and --overwrite is false")


def update_env(existing: list[dict], env: list[dict], remove: list[str]) -> list[dict]:
    """``updateEnv``: keep the order of the existing variables, replace those set again,
    drop the removed ones, and add the new ones at the end (first setting of a name wins)."""
    covered = set(remove)
    out = []
    for current in existing:
        name = current.get("name")
        if name in covered:
            continue
        newer = next((e for e in env if e["name"] == name), None)
        if newer is not None:
            covered.add(name)
            out.append(copy.deepcopy(newer))
        else:
            out.append(current)
    for new in env:
        if new["name"] not in covered:
            covered.add(new["name"])
            out.append(copy.deepcopy(new))
    return out


# -- --list and --resolve ----------------------------------------------------------------------


def _list_env(ctx: Context, rtype: Any, obj: dict, container: dict) -> bool:
    """Print a container's variables (``# Deployment web, container nginx``); references
    show where they come from, or with ``--resolve`` their values. True when some reference
    could not be resolved (its error goes to stderr)."""
    name = obj.get("metadata", {}).get("name", "")
    ctx.term.out(f"# {rtype.kind} {name}, container {container.get('name', '')}\n")
    failures: dict[str, list[str]] = {}
    cache: dict[tuple[str, str], dict] = {}
    for var in container.get("env") or []:
        source = var.get("valueFrom")
        if not source:
            ctx.term.out(f"{var.get('name', '')}={var.get('value', '')}\n")
            continue
        if ctx.flags["resolve"]:
            try:
                value = _resolve(ctx, source, obj, container, cache)
            except (ValueError, StatusError) as err:
                failures.setdefault(error_text(err), []).append(var.get("name", ""))
            else:
                ctx.term.out(f"{var.get('name', '')}={value}\n")
                continue
        ctx.term.out(f"# {var.get('name', '')} from {reference_text(source)}\n")
    lines = sorted(f"error retrieving reference for {', '.join(sorted(names))}: {text}"
                   for text, names in failures.items())
    for line in lines:
        ctx.term.err_line(line)
    return bool(failures)


def reference_text(source: dict) -> str:
    """``GetEnvVarRefString``."""
    if source.get("configMapKeyRef"):
        ref = source["configMapKeyRef"]
        return f"configmap {ref.get('name', '')}, key {ref.get('key', '')}"
    if source.get("secretKeyRef"):
        ref = source["secretKeyRef"]
        return f"secret {ref.get('name', '')}, key {ref.get('key', '')}"
    if source.get("fieldRef"):
        return f"field path {source['fieldRef'].get('fieldPath', '')}"
    if source.get("resourceFieldRef"):
        ref = source["resourceFieldRef"]
        prefix = f"{ref['containerName']}/" if ref.get("containerName") else ""
        return f"resource field {prefix}{ref.get('resource', '')}"
    return "invalid valueFrom"


def _resolve(ctx: Context, source: dict, obj: dict, container: dict, cache: dict) -> str:
    """``GetEnvVarRefValue``: a reference's value (ValueError/StatusError when it has none)."""
    for reference, kind, words in (("secretKeyRef", "secrets", "secret"),
                                   ("configMapKeyRef", "configmaps", "config map")):
        ref = source.get(reference)
        if ref:
            holder = cache.get((kind, ref.get("name", "")))
            if holder is None:
                holder = ctx.client.get(kind, ref.get("name", ""), ctx.namespace)
                cache[(kind, ref.get("name", ""))] = holder
            data = holder.get("data") or {}
            if ref.get("key") not in data:
                raise ValueError(f"key {ref.get('key', '')} not found in {words} {ref.get('name', '')}")
            value = data[ref["key"]]
            return base64.b64decode(value).decode("utf-8", "replace") if kind == "secrets" else value
    if source.get("fieldRef"):
        return field_path_value(obj, source["fieldRef"].get("fieldPath", ""))
    if source.get("resourceFieldRef"):
        return resource_field_value(source["resourceFieldRef"], container)
    raise ValueError("invalid valueFrom")


def field_path_value(obj: dict, path: str) -> str:
    """``extractFieldPathAsString`` for the metadata fields a reference may name."""
    meta = obj.get("metadata") or {}
    subscripted = re.fullmatch(r"(.+?)\['(.*)'\]", path, re.S)
    if subscripted:
        field_name, key = subscripted.groups()
        if field_name in ("metadata.annotations", "metadata.labels"):
            return (meta.get(field_name.split(".")[1]) or {}).get(key, "")
        raise ValueError(f'fieldPath "{path}" does not support subscript')
    if path in ("metadata.annotations", "metadata.labels"):
        values = meta.get(path.split(".")[1]) or {}
        import json

        return "\n".join(f"{k}={json.dumps(values[k], ensure_ascii=False)}" for k in sorted(values))
    if path in ("metadata.name", "metadata.namespace", "metadata.uid"):
        return str(meta.get(path.split(".")[1], ""))
    raise ValueError(f"unsupported fieldPath: {path}")


def resource_field_value(ref: dict, container: dict) -> str:
    """``extractContainerResourceValue``: the container's request or limit in units of the
    divisor, rounded up (an unset value reads as 0)."""
    from labkube.core.api.quantity import parse_quantity

    resource = ref.get("resource", "")
    section, _, name = resource.partition(".")
    known = name in ("cpu", "memory", "ephemeral-storage") or name.startswith("hugepages-")
    if section not in ("limits", "requests") or not known:
        raise ValueError(f"Unsupported container resource : {resource}")
    try:
        divisor = parse_quantity(str(ref.get("divisor") or "0"))
        if divisor.is_zero():
            divisor = parse_quantity("1")
        value = parse_quantity(str(((container.get("resources") or {}).get(section) or {}).get(name, "0")))
    except (ValueError, StatusError) as err:
        raise ValueError(str(err)) from None
    if name == "cpu":
        return str(math.ceil(value.milli / divisor.milli))
    return str(math.ceil(value.value() / divisor.value()))
