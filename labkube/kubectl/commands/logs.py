"""``kubectl logs (POD | TYPE/NAME | -l SELECTOR) [-c CONTAINER] [-f] [--previous] [--tail=N] [--timestamps]``.

Mirrors k8s.io/kubectl/pkg/cmd/logs and pkg/polymorphichelpers (kubectl 1.32):

* ``TYPE/NAME`` of a Deployment, ReplicaSet, Job, Service ... picks one pod by the object's
  selector, the most "active" first as kubectl's ``GetFirstPod`` orders them (bound before
  unbound, Running before Pending, ready before not ready, ready longer, fewer restarts,
  older) and says so on stderr when there were several: ``Found 3 pods, using pod/web-abc``;
  a workload with no pod yet is watched up to ``--pod-running-timeout`` (20 s of cluster time)
  for its first one (``error: timed out waiting for the condition``);
  ``--all-pods`` takes every one of them instead, each line prefixed with its source;
* ``-l SELECTOR`` prints every matching pod's logs, each its last 10 lines unless ``--tail``
  is given, and ``No resources found in default namespace.`` on stderr when none match;
* without ``-c`` a pod with several containers uses the ``kubectl.kubernetes.io/default-container``
  annotation or the first container, with kubectl's ``Defaulted container "a" out of: a, b``;
  a container the pod does not have is refused before any request
  (``error: container nope is not valid for pod web``);
* the text comes from the pod's ``log`` subresource, ``Client.pod_logs(name, namespace, *,
  container, previous, tail_lines, timestamps, since_seconds, since_time, limit_bytes)``;
  kubelet's errors come back as API errors (``Error from server (BadRequest): container
  "nginx" in pod "web" is waiting to start: ContainerCreating``);
* the object named is looked up first, as kubectl's builder does, and a missing one reads
  ``error: error from server (NotFound): pods "web" not found in namespace "default"``;
  then the flags are checked (``--limit-bytes must be greater than 0`` ...).

``-f``/``--follow`` streams: see :mod:`labkube.kubectl.commands.logs_follow`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context, resolve_type
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.parse import go_duration_seconds

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"

_USAGE = ("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
          "POD or TYPE/NAME is a required argument for the logs command")

#: ``selectorTail``: without ``--tail``, logs chosen by a selector show each container's last 10 lines.
SELECTOR_TAIL = 10


def run(ctx: Context) -> list[BaseException]:
    """``Complete``, ``Validate`` and ``RunLogs``, in that order (their errors in kubectl's order)."""
    args = ctx.parsed.all_args
    selector = ctx.flags["selector"]
    if not args and not selector:
        raise ctx.usage_error(_USAGE)
    if len(args) == 1 and selector:
        raise ctx.usage_error("only a selector (-l) or a POD name is allowed")
    if len(args) > 2:
        raise ctx.usage_error(_USAGE)
    _pod_running_timeout(ctx)
    options = log_options(ctx, args[1] if len(args) == 2 else ctx.flags["container"])
    if not args:
        pods = ctx.client.list("pods", ctx.namespace, label_selector=selector)["items"]
        if not pods:
            ctx.term.err_line(f"No resources found in {ctx.namespace} namespace.")
        target: Any = pods
    else:
        target = _named_object(ctx, args[0])
    _validate(ctx, options)
    requests = log_requests(ctx, target, options["container"])
    if ctx.flags["follow"]:
        from labkube.kubectl.commands import logs_follow

        return logs_follow.run(ctx, requests, options)
    for pod, container in requests:
        ctx.term.out(prefixed(ctx, pod, container, _read_logs(ctx, pod, container, options)))
    return []


# ---------------------------------------------------------------------------------------
# Flags: ToLogOptions and Validate
# ---------------------------------------------------------------------------------------


def log_options(ctx: Context, container: str) -> dict:
    """``ToLogOptions``: what every log request of the command asks for (``container`` is the
    one named, "" for the default). ``--since-time`` is read here, before any request."""
    flags = ctx.flags
    tail: Optional[int] = None
    if flags["selector"] and flags["tail"] == -1 and not ctx.parsed.given("tail"):
        tail = SELECTOR_TAIL
    elif flags["tail"] != -1:
        tail = flags["tail"]
    since = go_duration_seconds(flags["since"])
    return {"container": container, "tail": tail, "since": since,
            "since_seconds": _round_half_away(since) if since else None,
            "since_time": _since_time(flags["since-time"]) if flags["since-time"] else None,
            "limit_bytes": flags["limit-bytes"] or None}


def _pod_running_timeout(ctx: Context) -> None:
    """``GetPodRunningTimeoutFlag``: how long a workload's first pod is waited for (20 s)."""
    if go_duration_seconds(ctx.flags["pod-running-timeout"]) <= 0:
        raise KubectlError("error: --pod-running-timeout must be higher than zero")


def _validate(ctx: Context, options: dict) -> None:
    """``LogsOptions.Validate``: after the object was read."""
    flags = ctx.flags
    if options["since_time"] and options["since"]:
        raise KubectlError("error: at most one of `sinceTime` or `sinceSeconds` may be specified")
    if flags["all-containers"] and options["container"]:
        raise KubectlError(f"error: --all-containers=true should not be specified with container name "
                           f"{options['container']}")
    if ctx.parsed.given("container") and len(ctx.parsed.all_args) == 2:
        raise KubectlError("error: only one of -c or an inline [CONTAINER] arg is allowed")
    if flags["limit-bytes"] < 0:
        raise KubectlError("error: --limit-bytes must be greater than 0")
    if options["since_seconds"] is not None and options["since_seconds"] < 0:
        raise KubectlError("error: --since must be greater than 0")
    if options["tail"] is not None and options["tail"] < -1:
        raise KubectlError("error: --tail must be greater than or equal to -1")


def _round_half_away(seconds: float) -> int:
    """Go's ``Duration.Round(time.Second)``: halves round away from zero."""
    whole = int(abs(seconds) + 0.5)
    return -whole if seconds < 0 else whole


#: Go's RFC 3339 layout, element by element: (element, digits, lowest, highest, range error).
_RFC3339 = (("2006", 4, 0, 9999, ""), ("-", 0, 0, 0, ""), ("01", 2, 1, 12, "month"), ("-", 0, 0, 0, ""),
            ("02", 2, 1, 31, "day"), ("T", 0, 0, 0, ""), ("15", 2, 0, 23, "hour"), (":", 0, 0, 0, ""),
            ("04", 2, 0, 59, "minute"), (":", 0, 0, 0, ""), ("05", 2, 0, 59, "second"))


def _since_time(text: str) -> str:
    """``util.ParseRFC3339``: the moment, sent as ``metav1.Time`` sends it (whole seconds, UTC);
    a value Go's ``time.Parse`` refuses fails in its words."""
    rest = text
    for element, digits, low, high, name in _RFC3339:
        if digits == 0:
            if not rest.startswith(element):
                raise _time_error(text, rest, element)
            rest = rest[1:]
            continue
        number = rest[:digits]
        if len(number) < digits or not number.isdigit():
            raise _time_error(text, rest, element)
        if not low <= int(number) <= high:
            raise KubectlError(f'error: parsing time "{text}": {name} out of range')
        rest = rest[digits:]
    if rest[:1] == "." and rest[1:2].isdigit():
        rest = rest[1:].lstrip("0123456789")
    zone, rest = _zone(text, rest)
    if rest:
        raise KubectlError(f'error: parsing time "{text}": extra text: "{rest}"')
    try:
        moment = datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:  # 31 February
        raise KubectlError(f'error: parsing time "{text}": day out of range') from None
    return datetime.fromtimestamp(moment.timestamp() - zone, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _zone(text: str, rest: str) -> tuple[int, str]:
    """``Z07:00``: ``Z`` or ``+hh:mm`` / ``-hh:mm``, as seconds east of UTC."""
    if rest[:1] == "Z":
        return 0, rest[1:]
    sign, hours, colon, minutes = rest[:1], rest[1:3], rest[3:4], rest[4:6]
    if sign not in ("+", "-") or colon != ":" or not (hours + minutes).isdigit() or len(hours + minutes) != 4:
        raise _time_error(text, rest, "Z07:00")
    offset = int(hours) * 3600 + int(minutes) * 60
    return (-offset if sign == "-" else offset), rest[6:]


def _time_error(text: str, rest: str, element: str) -> KubectlError:
    layout = "2006-01-02T15:04:05Z07:00"
    return KubectlError(f'error: parsing time "{text}" as "{layout}": cannot parse "{rest}" as "{element}"')


# ---------------------------------------------------------------------------------------
# Which pods and containers: LogsForObject
# ---------------------------------------------------------------------------------------


def _named_object(ctx: Context, text: str) -> Any:
    """The builder's GET of ``POD`` or ``TYPE/NAME``; for a workload the pod(s) it picks."""
    try:
        if ctx.flags["all-pods"] and "/" in text:
            return _all_pods_of(ctx, text)
        return attachable_pod(ctx, text, wait=go_duration_seconds(ctx.flags["pod-running-timeout"]))
    except StatusError as err:
        if err.code == 404:
            raise KubectlError(f"error: error from server (NotFound): {err.message} in namespace "
                               f'"{ctx.namespace}"') from None
        raise


def _all_pods_of(ctx: Context, text: str) -> list[dict]:
    """``--all-pods``: every pod of ``TYPE/NAME``, most active first (``GetPodList``)."""
    kind, _, name = text.partition("/")
    rtype = resolve_type(ctx, kind)
    obj = ctx.client.get(rtype, name, ctx.namespace if rtype.namespaced else None)
    if rtype.kind == "Pod":
        return [obj]
    pods = ctx.client.list("pods", ctx.namespace, label_selector=selector_of(rtype.kind, obj))["items"]
    if not pods:
        raise KubectlError("error: timed out waiting for the condition")
    return sorted(pods, key=_activity_key)


def log_requests(ctx: Context, target: Any, container: str) -> list[tuple[dict, str]]:
    """``LogsForObject``: one (pod, container) per log request, in kubectl's order for one pod
    (init containers, containers, ephemeral containers); pods in the list's order."""
    pods = target if isinstance(target, list) else [target]
    quiet = ctx.flags["all-pods"]  # allPods: no "Defaulted container" line
    requests = []
    for pod in pods:
        if ctx.flags["all-containers"]:
            requests += [(pod, name) for name in _all_containers(pod)]
            continue
        name = container or default_container(ctx, pod, quiet=quiet)
        if name not in _all_containers(pod):
            raise KubectlError(f"error: container {name} is not valid for pod {pod['metadata']['name']}")
        requests.append((pod, name))
    return requests


def _all_containers(pod: dict) -> list[str]:
    spec = pod.get("spec") or {}
    return [c["name"] for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])
            + (spec.get("ephemeralContainers") or [])]


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


def request_options(options: dict, container: str) -> dict:
    """The keyword arguments of one ``Client.pod_logs`` call; the newer ones only when set."""
    kwargs: dict = {"container": container or None, "previous": False, "tail_lines": options["tail"],
                    "timestamps": False}
    for key in ("since_seconds", "since_time", "limit_bytes"):
        if options[key] is not None:
            kwargs[key] = options[key]
    return kwargs


def _read_logs(ctx: Context, pod: dict, container: str, options: dict) -> str:
    meta = pod["metadata"]
    read = getattr(ctx.client, "pod_logs", None)
    if read is None:
        raise KubectlError("error: this cluster's API client cannot read container logs (Client.pod_logs)")
    kwargs = request_options(options, container)
    kwargs.update(previous=ctx.flags["previous"], timestamps=ctx.flags["timestamps"])
    return read(meta["name"], meta["namespace"], **kwargs)


def prefix_of(ctx: Context, pod: dict, container: str) -> str:
    """``addPrefixIfNeeded``: ``[pod/NAME/CONTAINER] `` with ``--prefix`` (or ``--all-pods``)."""
    if not (ctx.flags["prefix"] or ctx.flags["all-pods"]):
        return ""
    return f"[pod/{pod['metadata']['name']}/{container}] "


def prefixed(ctx: Context, pod: dict, container: str, text: str) -> str:
    """Each line (each write of kubectl's line reader) with the source's prefix."""
    prefix = prefix_of(ctx, pod, container)
    if not prefix:
        return text
    return "".join(prefix + line for line in _lines(text))


def _lines(text: str) -> list[str]:
    """``text`` cut after each newline (only ``\\n`` ends a line for kubectl's reader)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return [line for line in lines if line]


# ---------------------------------------------------------------------------------------
# Which pod, which container (shared with exec)
# ---------------------------------------------------------------------------------------


def attachable_pod(ctx: Context, text: str, *, wait: float = 0.0) -> dict:
    """``AttachablePodForObject``: a pod by name, or the first pod of ``TYPE/NAME``. With
    ``wait`` (``GetFirstPod``'s timeout) a workload with no pod yet is watched that many
    seconds of cluster time for its first pod."""
    if "/" not in text:
        return ctx.client.get("pods", text, ctx.namespace)
    kind, _, name = text.partition("/")
    rtype = resolve_type(ctx, kind)
    obj = ctx.client.get(rtype, name, ctx.namespace if rtype.namespaced else None)
    if rtype.kind == "Pod":
        return obj
    selector = selector_of(rtype.kind, obj)
    listing = ctx.client.list("pods", ctx.namespace, label_selector=selector)
    pods = listing["items"]
    if not pods and wait > 0:
        return _first_pod_to_come(ctx, selector, listing["metadata"]["resourceVersion"], wait)
    if not pods:
        raise KubectlError("error: timed out waiting for the condition")
    pods = sorted(pods, key=_activity_key)
    if len(pods) > 1:
        ctx.term.err_line(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}")
    return pods[0]


def _first_pod_to_come(ctx: Context, selector: str, resource_version: str, timeout: float) -> dict:
    """``GetFirstPod``'s watch: the first pod added (or changed) within ``timeout`` seconds."""
    watch = ctx.client.watch("pods", ctx.namespace, resource_version=resource_version,
                             label_selector=selector)
    found: list[dict] = []

    def arrived() -> bool:
        found.extend(e["object"] for e in watch.poll() if e["type"] in ("ADDED", "MODIFIED"))
        return bool(found)

    try:
        if not ctx.cluster.run_until(arrived, timeout):
            raise KubectlError("error: timed out waiting for the condition")
    finally:
        watch.cancel()
    return found[0]


def selector_of(kind: str, obj: dict) -> str:
    """The label selector kubectl uses to find an object's pods."""
    from labkube.core.api.labels import selector_from_label_selector

    spec = obj.get("spec") or {}
    if kind in ("Service", "ReplicationController"):
        selector = spec.get("selector") or {}
        if not selector:
            raise KubectlError(f"error: invalid {kind.lower()} '{obj['metadata']['name']}': Service is "
                               "defined without a selector" if kind == "Service" else
                               "error: the object has no selector")
        return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
        return str(selector_from_label_selector(spec.get("selector")))
    raise KubectlError(f"error: cannot attach to {kind}: not implemented")


def _ready_since(pod: dict) -> str | None:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready" and cond.get("status") == "True":
            return cond.get("lastTransitionTime") or ""
    return None


def _restarts(pod: dict) -> int:
    return max([c.get("restartCount", 0) for c in (pod.get("status") or {}).get("containerStatuses") or []] or [0])


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def _activity_key(pod: dict) -> tuple:
    """``sort.Reverse(ActivePods)``: the most active pod sorts first."""
    status = pod.get("status") or {}
    ready_since = _ready_since(pod)
    return (
        0 if (pod.get("spec") or {}).get("nodeName") else 1,
        -_PHASE_RANK.get(status.get("phase", ""), 0),
        0 if ready_since is not None else 1,
        ready_since or "",  # ready longer first
        _restarts(pod),
        pod["metadata"].get("creationTimestamp", ""),
    )


def default_container(ctx: Context, pod: dict, *, quiet: bool = False) -> str:
    """``FindOrDefaultContainerByName`` without a name: annotation, else the first container
    (said on stderr unless ``quiet``)."""
    spec = pod.get("spec") or {}
    containers = spec.get("containers") or []
    if not containers:
        raise KubectlError(f"error: pod {pod['metadata']['namespace']}/{pod['metadata']['name']} "
                           "does not have any containers")
    wanted = ((pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION) or "")
    names = [c["name"] for c in containers + (spec.get("initContainers") or [])]
    if wanted and wanted in names:
        return wanted
    first = containers[0]["name"]
    if not quiet and (len(containers) > 1 or spec.get("initContainers") or spec.get("ephemeralContainers")):
        ctx.term.err_line(f'Defaulted container "{first}" out of: {all_container_names(pod)}')
    return first


def all_container_names(pod: dict) -> str:
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    names += [f"{c['name']} (ephem)" for c in spec.get("ephemeralContainers") or []]
    names += [f"{c['name']} (init)" for c in spec.get("initContainers") or []]
    return ", ".join(names)
