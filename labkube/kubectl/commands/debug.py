"""``kubectl debug (POD | TYPE/NAME) [--image=IMAGE] [--target=C] [--copy-to=NAME] [-it] [-- COMMAND]``.

Mirrors k8s.io/kubectl/pkg/cmd/debug (debug.go, profiles.go) of kubectl 1.32. Three ways in:

* **an ephemeral container** (``kubectl debug -it web --image=busybox:1.28 --target=web``): a
  container ``debugger-xxxxx`` (``Defaulting debug container name to debugger-8xzrl.``; ``-c``
  names it) is added to the running pod through its ``pods/ephemeralcontainers`` subresource,
  as a strategic merge patch of ``spec.ephemeralContainers``; ``--target`` shares a container's
  process namespace (``Targeting container "web". If you don't see processes ...``);
* **a copy of the pod** (``--copy-to=web-debug``): a new pod with the old one's spec (no
  ephemeral containers, no node unless ``--same-node``), ``--set-image=name=image`` (``*`` for
  all), a debug container added, or with ``--container=web -- sh`` that container's command
  replaced; ``--share-processes`` sets ``shareProcessNamespace`` when given; ``--replace``
  deletes the original;
* **a node** (``kubectl debug node/node-1 --image=busybox``): a pod
  ``node-debugger-node-1-xxxxx`` with one container ``debugger``, ``nodeName`` set, the
  toleration ``operator: Exists``, ``restartPolicy: Never`` and (profiles ``legacy``,
  ``general``, ``sysadmin``) the host's ``/`` mounted at ``/host`` and the host's network,
  PID and IPC namespaces (``Creating debugging pod node-debugger-node-1-xxxxx with container
  debugger on node node-1.``).

``--profile`` (default ``legacy``, which kubectl 1.32 warns is deprecated) shapes the
container: ``general`` adds ``SYS_PTRACE`` (and, for a copy, shares the process namespace and
drops labels, annotations and probes), ``baseline`` clears its securityContext,
``restricted`` runs it as non-root without capabilities, ``netadmin`` adds ``NET_ADMIN`` and
``NET_RAW``, ``sysadmin`` makes it privileged.

**No terminal.** kubectl would attach (``-i``/``-t`` or ``--attach``): it waits for the debug
container to run and connects your terminal to it. labkube's kubectl runs the cluster's clock
until the container runs or has finished (printing ``Warning: container x: ...`` for a waiting
message, as kubectl does); a finished one's output is printed (kubectl falls back to its logs);
a running one gets kubectl's ``If you don't see a command prompt, try pressing enter.`` and
then a ``labkube:`` note saying how to go on: ``kubectl exec POD -c CONTAINER -- COMMAND``. In
the simulated runtime a shell started with ``stdin: true`` (``-i``) waits for its terminal, so
the container stays running for those ``kubectl exec`` commands. ``--env`` variables are set in
the order of their names (kubectl's order is a Go map's: random). ``-f`` and ``--custom`` are not
provided.
"""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING, Any, Optional

from labkube.core.errors import StatusError
from labkube.core.serialization import copy as deep_copy
from labkube.kubectl import parse as _parse
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.parse import _FILENAME, CommandSpec, F

if TYPE_CHECKING:  # the commands package imports this module to register its flags
    from labkube.kubectl.commands import Context

SPEC = CommandSpec("debug", (
    _FILENAME, F("arguments-only", type="bool"), F("attach", type="bool"), F("container", "c"),
    F("copy-to"), F("replace", type="bool"), F("env", type="stringArray"), F("image"),
    F("keep-labels", type="bool"), F("keep-annotations", type="bool"), F("keep-liveness", type="bool"),
    F("keep-readiness", type="bool"), F("keep-startup", type="bool"),
    F("keep-init-containers", type="bool", default=True), F("set-image", type="stringArray"),
    F("image-pull-policy"), F("stdin", "i", type="bool"), F("quiet", "q", type="bool"),
    F("same-node", type="bool"), F("share-processes", type="bool", default=True), F("target"),
    F("tty", "t", type="bool"), F("profile", default="legacy"), F("custom"),
))
_parse.COMMANDS.setdefault(SPEC.path, SPEC)

PROFILES = ("legacy", "general", "baseline", "restricted", "netadmin", "sysadmin")
LEGACY_WARNING = ('--profile=legacy is deprecated and will be removed in the future. It is recommended to '
                  'explicitly specify a profile, for example "--profile=general".')
PROMPT_HINT = "If you don't see a command prompt, try pressing enter."
#: How long labkube runs the clock for the debug container to start (kubectl waits forever).
ATTACH_WAIT = 300.0
HOST_ROOT = "host-root"

# distribution/reference's ReferenceRegexp (anchored): what kubectl accepts as an image name.
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_NAME_PART = r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?/)?{_NAME_PART}(?:/{_NAME_PART})*"
    r"(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?")


# =====================================================================================
# Options: Complete and Validate
# =====================================================================================
class Options:
    """``DebugOptions`` after ``Complete`` (the flags read) and ``Validate``."""

    def __init__(self, ctx: Context) -> None:
        flags, parsed = ctx.flags, ctx.parsed
        self.ctx = ctx
        self.targets = list(parsed.args)
        self.args = list(parsed.after_dash)
        self.image, self.container, self.copy_to = flags["image"], flags["container"], flags["copy-to"]
        self.target_container, self.profile = flags["target"], flags["profile"]
        self.pull_policy = flags["image-pull-policy"]
        self.interactive, self.tty, self.quiet = flags["stdin"], flags["tty"], flags["quiet"]
        self.attach = flags["attach"] if parsed.given("attach") else (flags["attach"] or self.interactive)
        self.attach_changed = parsed.given("attach")
        self.share_processes = flags["share-processes"] if parsed.given("share-processes") else None
        self.env = [{"name": k, "value": v} for k, v in sorted(_string_to_string(flags["env"], "env").items())]
        self.set_images = _string_to_string(flags["set-image"], "set-image")
        self.keep = {key: flags[f"keep-{key}"] for key in
                     ("labels", "annotations", "liveness", "readiness", "startup", "init-containers")}
        if self.profile not in PROFILES:
            raise KubectlError(f"error: unknown profile: {self.profile}")
        if flags["custom"]:
            raise KubectlError("error: labkube's kubectl debug does not provide --custom")

    def validate(self) -> None:
        """``DebugOptions.Validate``, its checks in kubectl's order."""
        if self.attach and self.attach_changed and not self.image and not self.container:
            raise KubectlError("error: you must specify --container or create a new container using --image "
                               "in order to attach.")
        self._validate_copy_to()
        if self.image and not _REFERENCE.fullmatch(self.image):
            raise KubectlError(f'error: invalid image name "{self.image}": invalid reference format')
        if not self.targets:
            if self.ctx.flags["filename"]:
                raise KubectlError("error: labkube's kubectl debug does not provide -f; name the pod or node")
            raise KubectlError("error: NAME or filename is required for debug")
        if self.pull_policy not in ("Always", "IfNotPresent", "Never", ""):
            raise KubectlError(f"error: invalid image pull policy: {self.pull_policy}")
        for name, image in _go_map_order(self.set_images):
            if not _REFERENCE.fullmatch(image):
                raise KubectlError(f'error: invalid image name "{image}" for container "{name}": '
                                   "invalid reference format")
        if self.target_container:
            if self.copy_to:
                raise KubectlError("error: --target is incompatible with --copy-to. Use --share-processes instead.")
            if not self.quiet:
                self.ctx.term.line(f'Targeting container "{self.target_container}". If you don\'t see processes '
                                   "from this container it may be because the container runtime doesn't "
                                   "support this feature.")
        if self.tty and not self.interactive:
            raise KubectlError("error: -i/--stdin is required for containers with -t/--tty=true")
        if self.profile == "legacy":
            self.ctx.term.err_line(LEGACY_WARNING)

    def _validate_copy_to(self) -> None:
        if self.copy_to:
            if not self.image and not self.set_images and not self.args:
                raise KubectlError("error: you must specify --image, --set-image or command arguments.")
            if self.args and not self.container and not self.image:
                raise KubectlError("error: you must specify an existing container or a new image when "
                                   "specifying args.")
            return
        for flag, wrong in (("replace", self.ctx.flags["replace"]), ("same-node", self.ctx.flags["same-node"]),
                            ("set-image", bool(self.set_images))):
            if wrong:
                raise KubectlError(f"error: --{flag} may only be used with --copy-to.")
        if not self.image:
            raise KubectlError("error: you must specify --image when not using --copy-to.")

    def say(self, text: str) -> None:
        if not self.quiet:
            self.ctx.term.line(text)


def _string_to_string(values: list[str], flag: str) -> dict[str, str]:
    """pflag's ``StringToString``: ``k=v`` or a CSV record of them; later flags add keys."""
    out: dict[str, str] = {}
    for raw in values:
        count = raw.count("=")
        if count == 0:
            raise _flag_error(raw, flag, f"{raw} must be formatted as key=value")
        pairs = [raw.strip('"')] if count == 1 else next(csv.reader([raw]))
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep:
                raise _flag_error(raw, flag, f"{pair} must be formatted as key=value")
            out[key] = value
    return out


def _flag_error(raw: str, flag: str, why: str) -> KubectlError:
    return KubectlError(f'Error: invalid argument "{raw}" for "--{flag}" flag: {why}\n'
                        "See 'kubectl debug --help' for usage.")


def _go_map_order(mapping: dict[str, str]) -> list[tuple[str, str]]:
    """A Go map's iteration is random; labkube goes by key."""
    return sorted(mapping.items())


# =====================================================================================
# Run
# =====================================================================================
def run(ctx: Context) -> list[BaseException]:
    options = Options(ctx)
    options.validate()
    for target in options.targets:
        obj, kind = _visit_target(ctx, target)
        if kind == "Node":
            pod, container = _debug_node(options, obj)
        elif options.copy_to:
            pod, container = _debug_by_copy(options, obj)
        else:
            pod, container = _debug_by_ephemeral_container(options, obj)
        if options.attach and container:
            _attach(options, pod, container)
    return []


def _visit_target(ctx: Context, text: str) -> tuple[dict, str]:
    """The builder's ``ResourceNames("pods", ...)``: ``NAME`` is a pod, ``TYPE/NAME`` any kind;
    only pods and nodes can be debugged."""
    from labkube.kubectl.commands import resolve_type

    if "/" not in text:
        return ctx.client.get("pods", text, ctx.namespace), "Pod"
    kind, _, name = text.partition("/")
    rtype = resolve_type(ctx, kind)
    obj = ctx.client.get(rtype, name, ctx.namespace if rtype.namespaced else None)
    if rtype.kind not in ("Pod", "Node") or rtype.group:
        raise KubectlError(f'error: "{rtype.group}/{rtype.version}, Kind={rtype.kind}" not supported by debug')
    return obj, rtype.kind


# -- ephemeral container ----------------------------------------------------------------------
def _debug_by_ephemeral_container(options: Options, pod: dict) -> tuple[dict, str]:
    """``debugByEphemeralContainer``: PATCH pods/ephemeralcontainers with the new container."""
    name = _debug_container_name(options, pod)
    container = _new_container(options, name)
    if options.target_container:
        container["targetContainerName"] = options.target_container
    _apply_profile(options.profile, "ephemeral", None, container, options)
    _display_warning(options, container, pod)
    existing = (pod.get("spec") or {}).get("ephemeralContainers") or []
    patch_spec: dict[str, Any] = {}
    if existing:  # CreateTwoWayMergePatch keeps the list's order
        patch_spec["$setElementOrder/ephemeralContainers"] = [{"name": c["name"]} for c in existing] + [{"name": name}]
    patch_spec["ephemeralContainers"] = [dict(container, resources={})]
    meta = pod["metadata"]
    result = options.ctx.client.patch("pods", meta["name"], {"spec": patch_spec}, namespace=meta["namespace"],
                                      patch_type="strategic", subresource="ephemeralcontainers")
    return result, name


def _debug_container_name(options: Options, pod: dict) -> str:
    """``computeDebugContainerName``: ``--container``, else ``debugger-`` and five random
    characters that name no container of the pod yet."""
    if options.container:
        return options.container
    taken = _container_names(pod)
    name = ""
    while not name or name in taken:
        name = f"debugger-{options.ctx.clock.random_suffix(5)}"
    options.say(f"Defaulting debug container name to {name}.")
    return name


def _container_names(pod: dict) -> set[str]:
    spec = pod.get("spec") or {}
    return {c["name"] for key in ("containers", "initContainers", "ephemeralContainers")
            for c in spec.get(key) or ()}


def _new_container(options: Options, name: str) -> dict:
    """The debug container of an ephemeral or node debugging session, before its profile."""
    container: dict[str, Any] = {"name": name, "image": options.image}
    container.update(_command(options))
    if options.env:
        container["env"] = options.env
    if options.pull_policy:
        container["imagePullPolicy"] = options.pull_policy
    container["terminationMessagePolicy"] = "File"
    _set_flag(container, "stdin", options.interactive)
    _set_flag(container, "tty", options.tty)
    return container


def _command(options: Options) -> dict:
    if not options.args:
        return {}
    return {"args" if options.ctx.flags["arguments-only"] else "command": list(options.args)}


# -- copy of the pod ----------------------------------------------------------------------------
def _debug_by_copy(options: Options, pod: dict) -> tuple[dict, str]:
    """``debugByCopy``: create the copy, then (``--replace``) delete the original at once."""
    copied, container = _pod_copy(options, pod)
    debug_container = next((c for c in copied["spec"]["containers"] if c["name"] == container), None)
    _display_warning(options, debug_container, copied)
    client, meta = options.ctx.client, copied["metadata"]
    created = client.create(copied, meta["namespace"])
    if options.ctx.flags["replace"]:
        client.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"], grace_period_seconds=0)
    return created, container


def _pod_copy(options: Options, pod: dict) -> tuple[dict, str]:
    """``generatePodCopyWithDebugContainer``: the copy and its debug container's name ("" for
    a ``--set-image``-only copy)."""
    meta = pod["metadata"]
    copy_meta: dict[str, Any] = {"name": options.copy_to, "namespace": meta["namespace"]}
    for key in ("annotations", "labels"):
        if meta.get(key):
            copy_meta[key] = dict(meta[key])
    spec = deep_copy(pod.get("spec") or {})
    spec.pop("ephemeralContainers", None)
    if options.share_processes is not None:
        spec["shareProcessNamespace"] = options.share_processes
    if not options.ctx.flags["same-node"]:
        spec.pop("nodeName", None)
    for c in spec.get("containers") or []:
        image = options.set_images.get(c["name"], options.set_images.get("*", ""))
        if image:
            c["image"] = image
    copied = {"apiVersion": "v1", "kind": "Pod", "metadata": copy_meta, "spec": spec}
    by_name = {c["name"]: c for key in ("containers", "initContainers") for c in spec.get(key) or ()}
    name = options.container
    container = by_name.get(name)
    if container is None:
        if not options.image:
            if options.set_images:
                return copied, ""
            raise KubectlError("error: you must specify image when creating new container")
        name = name or _debug_container_name(options, copied)
        container = {"name": name, "terminationMessagePolicy": "File"}
        spec.setdefault("containers", []).append(container)
    if options.args:
        if options.ctx.flags["arguments-only"]:
            container["args"] = list(options.args)
        else:
            container["command"] = list(options.args)
            container.pop("args", None)
    if options.env:
        container["env"] = options.env
    if options.image:
        container["image"] = options.image
    if options.pull_policy:
        container["imagePullPolicy"] = options.pull_policy
    _set_flag(container, "stdin", options.interactive)
    _set_flag(container, "tty", options.tty)
    _apply_profile(options.profile, "copy", copied, container, options)
    return copied, name


def _set_flag(container: dict, key: str, value: bool) -> None:
    if value:
        container[key] = True
    else:
        container.pop(key, None)


# -- node -----------------------------------------------------------------------------------------
def _debug_node(options: Options, node: dict) -> tuple[dict, str]:
    """``generateNodeDebugPod`` and create it in the current namespace."""
    container_name = options.container or "debugger"
    node_name = node["metadata"]["name"]
    pod_name = f"node-debugger-{node_name}-{options.ctx.clock.random_suffix(5)}"
    options.say(f"Creating debugging pod {pod_name} with container {container_name} on node {node_name}.")
    container = _new_container(options, container_name)
    pod = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": pod_name},
        "spec": {"containers": [container], "nodeName": node_name, "restartPolicy": "Never",
                 "tolerations": [{"operator": "Exists"}]},
    }
    _apply_profile(options.profile, "node", pod, container, options)
    created = options.ctx.client.create(pod, options.ctx.namespace)
    return created, container_name


# -- profiles (profiles.go) ------------------------------------------------------------------------
def _apply_profile(profile: str, style: str, pod: Optional[dict], container: dict, options: Options) -> None:
    """What ``--profile`` changes: ``style`` is ``ephemeral``, ``copy`` or ``node`` (for an
    ephemeral container ``pod`` is None: only the container changes)."""
    if profile in ("baseline", "restricted") or (profile == "general" and style == "node"):
        container.pop("securityContext", None)
    if profile == "restricted":
        context = container.setdefault("securityContext", {})
        context["runAsNonRoot"] = True
        context["capabilities"] = {"drop": ["ALL"]}
        context["allowPrivilegeEscalation"] = False
        context["seccompProfile"] = {"type": "RuntimeDefault"}
    if profile == "general" and style != "node":
        _add_capabilities(container, "SYS_PTRACE")
    if profile == "netadmin":
        _add_capabilities(container, "NET_ADMIN", "NET_RAW")
    if profile == "sysadmin":
        container.setdefault("securityContext", {})["privileged"] = True
    if style == "node" and profile in ("legacy", "general", "sysadmin", "netadmin"):
        if profile != "netadmin":
            _mount_root_partition(pod, container)
        pod["spec"].update(hostNetwork=True, hostPID=True, hostIPC=True)
    if style == "copy":
        _copy_profile(profile, pod, options)


def _copy_profile(profile: str, pod: dict, options: Options) -> None:
    """A copy: legacy drops the labels; the others drop what ``--keep-*`` does not keep and
    share the process namespace (unless ``--share-processes`` said otherwise)."""
    meta, spec = pod["metadata"], pod["spec"]
    if profile == "legacy":
        meta.pop("labels", None)
        return
    keep = options.keep
    if not keep["labels"]:
        meta.pop("labels", None)
    if not keep["annotations"]:
        meta.pop("annotations", None)
    for c in spec.get("containers") or []:
        for key, probe in (("liveness", "livenessProbe"), ("readiness", "readinessProbe"),
                           ("startup", "startupProbe")):
            if not keep[key]:
                c.pop(probe, None)
    if not keep["init-containers"]:
        spec.pop("initContainers", None)
    spec.setdefault("shareProcessNamespace", True)


def _add_capabilities(container: dict, *names: str) -> None:
    context = container.setdefault("securityContext", {})
    context.setdefault("capabilities", {}).setdefault("add", []).extend(names)


def _mount_root_partition(pod: dict, container: dict) -> None:
    pod["spec"].setdefault("volumes", []).append({"name": HOST_ROOT, "hostPath": {"path": "/"}})
    container.setdefault("volumeMounts", []).append({"mountPath": "/host", "name": HOST_ROOT})


def _display_warning(options: Options, container: Optional[dict], pod: dict) -> None:
    """``displayWarning``: a non-root pod and a profile that grants capabilities."""
    if container is None:
        return
    run_as = ((pod.get("spec") or {}).get("securityContext") or {}).get("runAsUser")
    if not run_as:
        return
    context = container.get("securityContext")
    if context is None or context.get("runAsUser") == 0:
        return
    if not context.get("privileged") and not (context.get("capabilities") or {}).get("add"):
        return
    options.ctx.term.err_line(
        "Warning: Non-root user is configured for the entire target Pod, and some capabilities granted by debug "
        'profile may not work. Please consider using "--custom" with a custom profile that specifies '
        '"securityContext.runAsUser: 0".')


# =====================================================================================
# Attach, as far as a notebook can
# =====================================================================================
def _attach(options: Options, pod: dict, container: str) -> None:
    """``handleAttachPod``: wait for the container to run or finish; a finished one's logs
    are printed; a running one cannot be attached here, so say how to reach it."""
    meta = pod["metadata"]
    status = _wait_for_container(options, meta["namespace"], meta["name"], container)
    ctx = options.ctx
    if status is None:
        ctx.term.err_line(f"labkube: container {container} of pod {meta['name']} did not start within "
                          f"{int(ATTACH_WAIT)}s of cluster time (kubectl would go on waiting); see "
                          f"\"kubectl describe pod {meta['name']}{_namespace_flag(ctx)}\".")
        return
    if "terminated" in (status.get("state") or {}):
        ctx.term.out(ctx.client.pod_logs(meta["name"], meta["namespace"], container=container))
        return
    if not options.quiet:
        ctx.term.err_line(PROMPT_HINT)
    where = f"{meta['name']}{_namespace_flag(ctx)} -c {container}"
    ctx.term.err_line(
        f"labkube: there is no terminal to attach here; the container keeps running. Run commands in it "
        f"with \"kubectl exec {where} -- ps\" and read its output with \"kubectl logs {where}\".")


def _namespace_flag(ctx: Context) -> str:
    return f" -n {ctx.namespace}" if ctx.namespace != "default" else ""


def _wait_for_container(options: Options, namespace: str, pod_name: str, container: str) -> Optional[dict]:
    """``waitForContainer``: run the clock until the container's status is running or
    terminated; each waiting message is printed once (``Warning: container x: ...``)."""
    ctx = options.ctx
    seen: list[str] = []
    found: list[Optional[dict]] = [None]

    def ready() -> bool:
        try:
            pod = ctx.client.get("pods", pod_name, namespace)
        except StatusError as err:
            if err.code == 404:
                raise
            return False
        status = _container_status(pod, container)
        if status is None:
            return False
        state = status.get("state") or {}
        if "running" in state or "terminated" in state:
            found[0] = status
            return True
        message = (state.get("waiting") or {}).get("message")
        if message and message not in seen and not options.quiet:
            seen.append(message)
            ctx.term.err_line(f"Warning: container {container}: {message}")
        return False

    if not ready():
        ctx.cluster.run_until(ready, ATTACH_WAIT)
    return found[0]


def _container_status(pod: dict, name: str) -> Optional[dict]:
    status = pod.get("status") or {}
    for key in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"):
        for entry in status.get(key) or ():
            if entry.get("name") == name:
                return entry
    return None
