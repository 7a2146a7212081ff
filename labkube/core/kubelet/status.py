"""The pod status the kubelet reports: phase, conditions, container statuses, IPs.

Mirrors pkg/kubelet/kubelet_pods.go (``generateAPIPodStatus``, ``getPhase``,
``convertToAPIContainerStatuses``), pkg/kubelet/status/generate.go (the conditions) and the
status manager (pkg/kubelet/status/status_manager.go), which writes through the ``pods/status``
subresource only when something changed (the pod worker remembers :func:`status_digest` of
the status it last wrote, not the status itself).

* phase: ``Pending`` while init containers run or any container has never run; ``Running``
  while a container runs (or will be restarted); ``Succeeded`` when every container exited 0
  and none will restart; ``Failed`` when one failed and will not restart;
* conditions, kubelet-owned first: ``PodReadyToStartContainers`` (the sandbox has its network),
  ``Initialized`` (``ContainersNotInitialized``: ``containers with incomplete status: [a b]``),
  ``Ready`` and ``ContainersReady`` (``ContainersNotReady``: ``containers with unready status:
  [web]``; ``PodCompleted`` once the pod succeeded), then the others (``PodScheduled``) as
  they were; ``lastTransitionTime`` moves only when a condition's status flips;
* ``containerStatuses``/``initContainerStatuses`` in spec order with ``state`` (waiting /
  running / terminated), ``lastState``, ``ready``, ``started``, ``restartCount``, ``image``,
  ``imageID``, ``containerID`` (``containerd://…``), ``volumeMounts``;
* ``hostIP(s)``, ``podIP(s)``, ``startTime``; ``qosClass`` and ``nominatedNodeName`` are kept.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Optional

import orjson

from labkube.core.clock import format_timestamp
from labkube.runtime.cri import CONTAINER_CREATED, CONTAINER_RUNNING, ContainerStatus

KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")


@functools.lru_cache(maxsize=4096)
def _timestamp(seconds: int) -> str:
    """:func:`format_timestamp` of a whole second, formatted once: every status of a running
    container repeats its ``startedAt``, and many containers start in the same second."""
    return format_timestamp(seconds)


def terminated_state(cs: ContainerStatus, runtime_name: str) -> dict:
    state = {
        "containerID": f"{runtime_name}://{cs.id}",
        "exitCode": cs.exit_code,
        "finishedAt": format_timestamp(cs.finished_at),
    }
    if cs.message:
        state["message"] = cs.message
    state["reason"] = cs.reason or ("Completed" if cs.exit_code == 0 else "Error")
    state["startedAt"] = format_timestamp(cs.started_at or cs.finished_at)
    return state


def container_status(spec: dict, record, cs: Optional[ContainerStatus], runtime_name: str,
                     default_waiting: str, cached: Optional[tuple[str, str]] = None) -> dict:
    """One entry of containerStatuses for ``record`` (a pod worker's ContainerRecord) and
    ``cs``, its latest container in the runtime. ``cached`` is the reason cache's (reason,
    message) from the last sync's failed start, for a container that will be started again:
    it waits with that reason, and a container that exited moves to ``lastState``."""
    state: dict
    # A copy: the status is handed over to the API server, which normalizes it in place.
    last = {"terminated": dict(record.last_terminated)} if record.last_terminated else {}
    if cs is None or cs.state == CONTAINER_CREATED:
        reason, message = cached or (default_waiting, "")
        state = {"waiting": _waiting(reason, message)}
    elif cs.state == CONTAINER_RUNNING:
        state = {"running": {"startedAt": _timestamp(int(cs.started_at))}}
    elif cached:
        state = {"waiting": _waiting(*cached)}
        last = {"terminated": terminated_state(cs, runtime_name)}
    else:
        state = {"terminated": terminated_state(cs, runtime_name)}
    status = {
        "name": spec["name"],
        "state": state,
        "lastState": last,
        "ready": bool(record.ready and cs is not None and cs.state == CONTAINER_RUNNING),
        "restartCount": record.restart_count,
        "image": cs.image if cs is not None else spec.get("image", ""),
        "imageID": cs.image_ref if cs is not None else "",
    }
    if cs is not None:
        status["containerID"] = f"{runtime_name}://{cs.id}"
    status["started"] = bool(record.started and cs is not None and cs.state == CONTAINER_RUNNING)
    if cs is not None and spec.get("volumeMounts"):  # omitempty: none, no field
        status["volumeMounts"] = _mounts(spec)
    return status


def _waiting(reason: str, message: str) -> dict:
    return {"message": message, "reason": reason} if message else {"reason": reason}


def _mounts(spec: dict) -> list[dict]:
    out = []
    for vm in spec.get("volumeMounts") or []:
        entry = {"name": vm.get("name", ""), "mountPath": vm.get("mountPath", "")}
        if vm.get("readOnly"):
            entry["readOnly"] = True
            entry["recursiveReadOnly"] = "Disabled"
        out.append(entry)
    return out


# -- phase -------------------------------------------------------------------------------------------
def pod_phase(spec: dict, init_statuses: list[dict], statuses: list[dict], rejected: bool) -> str:
    """``getPhase``."""
    if rejected:
        return "Failed"
    policy = spec.get("restartPolicy") or "Always"
    pending_init = 0
    for st in init_statuses:
        term = st["state"].get("terminated")
        if term and term.get("exitCode") == 0:
            continue
        if term and policy == "Never":
            return "Failed"
        last = st["lastState"].get("terminated")
        if st["state"].get("waiting") and last and last.get("exitCode") != 0 and policy == "Never":
            return "Failed"
        pending_init += 1
    if pending_init:
        return "Pending"
    running = waiting = stopped = succeeded = 0
    for st in statuses:
        state = st["state"]
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            if state["terminated"].get("exitCode") == 0:
                succeeded += 1
        elif st["lastState"].get("terminated"):
            stopped += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        if policy == "Never":
            return "Failed"
        return "Running"
    return "Pending"


# -- conditions -----------------------------------------------------------------------------------------
def conditions(old: list[dict], now: str, *, sandbox_ready: bool, phase: str, spec: dict,
               init_statuses: list[dict], statuses: list[dict]) -> list[dict]:
    """The pod's conditions: the kubelet's four, then the others of ``old`` as they were.

    Each condition is built in the order its Go struct serializes (type, status,
    lastProbeTime, lastTransitionTime, reason, message); ``lastTransitionTime`` is ``now``
    unless the condition had the same status before. Every condition is a new dict (the
    others are copied), so the status shares nothing with the informer's pod."""
    ready = _containers_ready(phase, statuses)
    fresh = (
        ("PodReadyToStartContainers", sandbox_ready, "", ""),
        ("Initialized", *_initialized(phase, spec, init_statuses)),
        ("Ready", *ready),
        ("ContainersReady", *ready),
    )
    previous = {c.get("type"): c for c in old} if old else {}
    out = []
    for ctype, ok, reason, message in fresh:
        status = "True" if ok else "False"
        before = previous.get(ctype)
        same = before is not None and before.get("status") == status
        cond = {"type": ctype, "status": status, "lastProbeTime": None,
                "lastTransitionTime": before.get("lastTransitionTime") if same else now}
        if reason:
            cond["reason"] = reason
        if message:
            cond["message"] = message
        out.append(cond)
    out.extend(dict(c) for c in old if c.get("type") not in KUBELET_CONDITIONS)  # copies: see above
    return out


#: A condition's (status is True, reason, message).
_Condition = tuple[bool, str, str]
_TRUE: _Condition = (True, "", "")


def _initialized(phase: str, spec: dict, init_statuses: list[dict]) -> _Condition:
    if not spec.get("initContainers"):
        return _TRUE
    incomplete = [st["name"] for st in init_statuses
                  if (st["state"].get("terminated") or {}).get("exitCode", -1) != 0]
    if not incomplete:
        return (True, "PodCompleted" if phase == "Succeeded" else "", "")
    return (False, "ContainersNotInitialized",
            f"containers with incomplete status: [{' '.join(incomplete)}]")


def _containers_ready(phase: str, statuses: list[dict]) -> _Condition:
    if phase == "Succeeded":
        return (False, "PodCompleted", "")
    if phase == "Failed":
        return (False, "PodFailed", "")
    unready = [st["name"] for st in statuses if not st["ready"]]
    if unready:
        return (False, "ContainersNotReady",
                f"containers with unready status: [{' '.join(unready)}]")
    return _TRUE


def ordered_status(status: dict) -> dict:
    """Fields in the order the Go struct serializes them."""
    order = ("phase", "conditions", "message", "reason", "nominatedNodeName", "hostIP", "hostIPs",
             "podIP", "podIPs", "startTime", "initContainerStatuses", "containerStatuses", "qosClass")
    out = {k: status[k] for k in order if k in status}
    out.update((k, v) for k, v in status.items() if k not in out)
    return out


def status_digest(status: dict) -> bytes:
    """A short fingerprint of a status: equal statuses (as ``==`` compares dicts) give equal
    digests. The status manager keeps this instead of the last status it wrote."""
    text = orjson.dumps(status, option=orjson.OPT_SORT_KEYS)  # keys sorted: order-blind like ==
    return hashlib.blake2b(text, digest_size=16).digest()
