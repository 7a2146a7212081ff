"""``kubectl logs (POD | TYPE/NAME | -l SELECTOR) [-c CONTAINER] [--previous] [--tail=N] [--timestamps]``.

Mirrors k8s.io/kubectl/pkg/cmd/logs and pkg/polymorphichelpers:

* ``TYPE/NAME`` of a Deployment, ReplicaSet, Job, Service ... picks one pod by the object's
  selector, the most "active" first as kubectl's ``GetFirstPod`` orders them (bound before
  unbound, Running before Pending, ready before not ready, ready longer, fewer restarts,
  older) and says so on stderr when there were several: ``Found 3 pods, using pod/web-abc``;
* ``-l SELECTOR`` prints every matching pod's logs, each its last 10 lines unless ``--tail``
  is given, and ``No resources found in default namespace.`` on stderr when none match;
* without ``-c`` a pod with several containers uses the ``kubectl.kubernetes.io/default-container``
  annotation or the first container, with kubectl's ``Defaulted container "a" out of: a, b``;
* the text comes from the pod's ``log`` subresource, ``Client.pod_logs(name, namespace, *,
  container, previous, tail_lines, timestamps)``; kubelet's errors come back as API errors
  (``Error from server (BadRequest): container "nginx" in pod "web" is waiting to start:
  ContainerCreating``).

``-f``/``--follow`` streams forever in kubectl and is refused here: run the clock
(``cluster.run(seconds)``) and call ``logs`` again.
"""

from __future__ import annotations

from labkube.kubectl.commands import Context, resolve_type
from labkube.kubectl.errors import KubectlError

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"

_USAGE = ("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
          "POD or TYPE/NAME is a required argument for the logs command")
FOLLOW_REFUSED = ("error: --follow is not available in labkube's kubectl: there is no stream to "
                  "hold open; advance the cluster clock (cluster.run(seconds)) and run logs again")


#: ``selectorTail``: without ``--tail``, logs chosen by a selector show each container's last 10 lines.
SELECTOR_TAIL = 10


def run(ctx: Context) -> list[BaseException]:
    args = ctx.parsed.all_args
    selector = ctx.flags["selector"]
    if ctx.flags["follow"]:
        raise KubectlError(FOLLOW_REFUSED)
    if not args and not selector:
        raise ctx.usage_error(_USAGE)
    if len(args) == 1 and selector:
        raise ctx.usage_error("only a selector (-l) or a POD name is allowed")
    if len(args) > 2:
        raise ctx.usage_error(_USAGE)
    container = ctx.flags["container"]
    if len(args) == 2:
        if container:
            raise KubectlError("error: only one of -c or an inline [CONTAINER] arg is allowed")
        container = args[1]
    if not args:
        return _logs_of_selected_pods(ctx, selector, container)
    pod = attachable_pod(ctx, args[0])
    _print_pod_logs(ctx, pod, container, ctx.flags["tail"])
    return []


def _logs_of_selected_pods(ctx: Context, selector: str, container: str) -> list[BaseException]:
    """``kubectl logs -l app=web``: every matching pod's logs, one pod after another (in the
    list's order; kubectl's order is a Go map's), each the last 10 lines unless ``--tail``
    says otherwise."""
    pods = ctx.client.list("pods", ctx.namespace, label_selector=selector)["items"]
    if not pods:
        ctx.term.err_line(f"No resources found in {ctx.namespace} namespace.")
        return []
    tail = ctx.flags["tail"] if ctx.parsed.given("tail") else SELECTOR_TAIL
    for pod in pods:
        _print_pod_logs(ctx, pod, container, tail)
    return []


def _print_pod_logs(ctx: Context, pod: dict, container: str, tail: int) -> None:
    if not container and not ctx.flags["all-containers"]:
        container = default_container(ctx, pod)
    containers = _all_containers(pod) if ctx.flags["all-containers"] else [container]
    for name in containers:
        ctx.term.out(_read_logs(ctx, pod, name, tail))


def _read_logs(ctx: Context, pod: dict, container: str, tail: int) -> str:
    meta = pod["metadata"]
    read = getattr(ctx.client, "pod_logs", None)
    if read is None:
        raise KubectlError("error: this cluster's API client cannot read container logs (Client.pod_logs)")
    text = read(meta["name"], meta["namespace"], container=container or None,
                previous=ctx.flags["previous"], tail_lines=tail if tail >= 0 else None,
                timestamps=ctx.flags["timestamps"])
    if ctx.flags["prefix"]:
        prefix = f"[pod/{meta['name']}/{container}] "
        text = "".join(prefix + line for line in text.splitlines(keepends=True))
    return text


def _all_containers(pod: dict) -> list[str]:
    spec = pod.get("spec") or {}
    return [c["name"] for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])]


# ---------------------------------------------------------------------------------------
# Which pod, which container (shared with exec)
# ---------------------------------------------------------------------------------------


def attachable_pod(ctx: Context, text: str) -> dict:
    """``AttachablePodForObject``: a pod by name, or the first pod of ``TYPE/NAME``."""
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
    if not pods:
        raise KubectlError("error: timed out waiting for the condition")
    pods = sorted(pods, key=_activity_key)
    if len(pods) > 1:
        ctx.term.err_line(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}")
    return pods[0]


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


def default_container(ctx: Context, pod: dict) -> str:
    """``FindOrDefaultContainerByName`` without a name: annotation, else the first container."""
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
    if len(containers) > 1 or spec.get("initContainers") or spec.get("ephemeralContainers"):
        ctx.term.err_line(f'Defaulted container "{first}" out of: {all_container_names(pod)}')
    return first


def all_container_names(pod: dict) -> str:
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    names += [f"{c['name']} (ephem)" for c in spec.get("ephemeralContainers") or []]
    names += [f"{c['name']} (init)" for c in spec.get("initContainers") or []]
    return ", ".join(names)
