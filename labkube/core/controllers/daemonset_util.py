"""What a DaemonSet's pod looks like and where it belongs: the pure half of the DaemonSet controller.

Mirrors pkg/controller/daemon/util/daemonset_util.go and the placement checks of
pkg/controller/daemon/daemon_controller.go (Kubernetes 1.32):

* **Placement** (``NodeShouldRunDaemonPod``). A node *should run* a daemon pod when the
  template's ``nodeName`` (if any) is the node, the node matches the template's
  ``nodeSelector`` and required node affinity, and every NoSchedule and NoExecute taint of the
  node is tolerated — by the template's tolerations plus the ones the controller adds. A pod
  already there *should continue running* as long as no NoExecute taint is untolerated: tainting
  a node NoSchedule keeps its daemon pod but stops new ones.
* **The tolerations every daemon pod gets** (``AddOrUpdateDaemonPodTolerations``):
  ``node.kubernetes.io/not-ready`` and ``unreachable`` with effect NoExecute and no
  ``tolerationSeconds`` (a daemon pod is never evicted from a failing node), ``disk-pressure``,
  ``memory-pressure``, ``pid-pressure`` and ``unschedulable`` with NoSchedule (so a cordoned
  node still runs its daemons), and ``network-unavailable`` for host-network pods.
* **The pod template** (``CreatePodTemplate``): those tolerations, plus the labels
  ``pod-template-generation`` (the DaemonSet's template generation) and
  ``controller-revision-hash`` (its current ControllerRevision's hash).
* **Pinning to a node** (``ReplaceDaemonSetPodNodeNameNodeAffinity``): the controller does not
  set ``spec.nodeName``; it requires the node by ``matchFields: metadata.name In [node]`` and
  lets the default scheduler bind the pod, so resources and ports are still checked.
* **Which node a pod is for** (``GetTargetNodeName``): ``spec.nodeName``, or before binding the
  name in that ``matchFields`` term.
* **Up to date** (``IsPodUpdated``): the pod's hash label is the current revision's, or its
  generation label is the DaemonSet's template generation.
* **The revision's data** (``getPatch``): ``{"spec": {"template": {..., "$patch": "replace"}}}``,
  which ``kubectl rollout undo`` applies as a strategic merge patch.
* **Failed-pod back-off** (``flowcontrol.Backoff``, 1 s doubling to 15 min): a node whose daemon
  pod keeps failing is not cleaned up in a hot loop.
* **Status** in ``DaemonSetStatus``'s field order; its first four counters have no
  ``omitempty``, so they show even at 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from labkube.core.api.registry.apps_daemonset import template_generation
from labkube.core.clock import parse_timestamp
from labkube.core.controllers.deployment.util import scaled_value
from labkube.core.controllers.history import POD_REVISION_HASH_LABEL, go_json
from labkube.core.scheduler.helpers import RequiredNodeAffinity, first_untolerated_taint

#: ``extensions.DaemonSetTemplateGenerationKey``.
TEMPLATE_GENERATION_LABEL = "pod-template-generation"
#: ``metav1.ObjectNameField``: the field a node-affinity ``matchFields`` term may name.
OBJECT_NAME_FIELD = "metadata.name"

NO_SCHEDULE, NO_EXECUTE = "NoSchedule", "NoExecute"

#: The tolerations ``AddOrUpdateDaemonPodTolerations`` adds, in its order.
DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", NO_EXECUTE),
    ("node.kubernetes.io/unreachable", NO_EXECUTE),
    ("node.kubernetes.io/disk-pressure", NO_SCHEDULE),
    ("node.kubernetes.io/memory-pressure", NO_SCHEDULE),
    ("node.kubernetes.io/pid-pressure", NO_SCHEDULE),
    ("node.kubernetes.io/unschedulable", NO_SCHEDULE),
)
HOST_NETWORK_TOLERATION = ("node.kubernetes.io/network-unavailable", NO_SCHEDULE)


# -- tolerations and affinity --------------------------------------------------------------------


def _same_toleration(a: dict, b: dict) -> bool:
    """``Toleration.MatchToleration``: same key, operator, value and effect."""
    return all((a.get(field) or "") == (b.get(field) or "") for field in ("key", "operator", "value", "effect"))


def add_or_update_toleration(tolerations: list[dict], toleration: dict) -> list[dict]:
    """``AddOrUpdateTolerationInPodSpec``: replace a matching toleration, or append it."""
    replaced, result = False, []
    for existing in tolerations:
        if _same_toleration(existing, toleration):
            if existing == toleration:
                return tolerations
            result.append(dict(toleration))
            replaced = True
        else:
            result.append(existing)
    if not replaced:
        result.append(dict(toleration))
    return result


def daemon_pod_tolerations(spec: dict) -> list[dict]:
    """The template's tolerations plus the ones every daemon pod gets (a new list)."""
    tolerations = list(spec.get("tolerations") or ())
    wanted = DAEMON_TOLERATIONS + ((HOST_NETWORK_TOLERATION,) if spec.get("hostNetwork") else ())
    for key, effect in wanted:
        tolerations = add_or_update_toleration(tolerations, {"key": key, "operator": "Exists", "effect": effect})
    return tolerations


def node_name_affinity(affinity: Optional[dict], node_name: str) -> dict:
    """``ReplaceDaemonSetPodNodeNameNodeAffinity``: require exactly this node, keep the rest."""
    terms = [{"matchFields": [{"key": OBJECT_NAME_FIELD, "operator": "In", "values": [node_name]}]}]
    affinity = affinity or {}
    node_affinity = affinity.get("nodeAffinity") or {}
    required = dict(node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    required["nodeSelectorTerms"] = terms
    # Go's field order: nodeAffinity first, and within it the required selector first.
    node_affinity = {"requiredDuringSchedulingIgnoredDuringExecution": required,
                     **{k: v for k, v in node_affinity.items()
                        if k != "requiredDuringSchedulingIgnoredDuringExecution"}}
    return {"nodeAffinity": node_affinity, **{k: v for k, v in affinity.items() if k != "nodeAffinity"}}


def target_node_name(pod: dict) -> Optional[str]:
    """``GetTargetNodeName``: the node a daemon pod is bound to, or pinned to before binding."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return spec["nodeName"]
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution")) or {}
    for term in required.get("nodeSelectorTerms") or ():
        for req in term.get("matchFields") or ():
            if req.get("key") == OBJECT_NAME_FIELD and req.get("operator") == "In":
                values = req.get("values") or ()
                return values[0] if len(values) == 1 else None
    return None


# -- the pod template -----------------------------------------------------------------------------


def create_pod_template(template: dict, generation: Optional[int], hash_: str) -> dict:
    """``CreatePodTemplate``: the daemon tolerations and the generation and hash labels."""
    meta = dict(template.get("metadata") or {})
    labels = dict(meta.get("labels") or {})
    if generation is not None:
        labels[TEMPLATE_GENERATION_LABEL] = str(generation)
    if hash_:
        labels[POD_REVISION_HASH_LABEL] = hash_
    meta["labels"] = dict(sorted(labels.items()))  # a Go map prints sorted
    spec = dict(template.get("spec") or {})
    spec["tolerations"] = daemon_pod_tolerations(spec)
    return {"metadata": meta, "spec": spec}


def ds_template_generation(ds: dict) -> Optional[int]:
    """``GetTemplateGeneration``: the annotation's number, None when it is missing or not one."""
    annotations = ds["metadata"].get("annotations") or {}
    if "deprecated.daemonset.template.generation" not in annotations:
        return None
    generation = template_generation(ds)
    return generation if str(generation) == annotations["deprecated.daemonset.template.generation"] else None


def is_pod_updated(pod: dict, hash_: str, generation: Optional[int]) -> bool:
    """``IsPodUpdated``: the current revision's hash, or (for old pods) the template generation."""
    labels = pod["metadata"].get("labels") or {}
    template_matches = generation is not None and labels.get(TEMPLATE_GENERATION_LABEL) == str(generation)
    hash_matches = bool(hash_) and labels.get(POD_REVISION_HASH_LABEL) == hash_
    return hash_matches or template_matches


def daemon_set_patch(ds: dict) -> dict:
    """``getPatch``: the patch that restores the template, as the JSON Go would write (sorted)."""
    template = dict((ds.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return json.loads(go_json({"spec": {"template": template}}))


# -- placement --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """``NodeShouldRunDaemonPod`` for one DaemonSet, prepared once and asked for many nodes."""

    node_name: str
    affinity: RequiredNodeAffinity
    tolerations: tuple

    @classmethod
    def of(cls, ds: dict) -> "Placement":
        template = (ds.get("spec") or {}).get("template") or {}
        spec = template.get("spec") or {}
        return cls(spec.get("nodeName") or "", RequiredNodeAffinity({"spec": spec}),
                   tuple(daemon_pod_tolerations(spec)))

    def should_run(self, node: dict) -> tuple[bool, bool]:
        """(should run a new pod, should keep a running pod) on ``node``."""
        name = node["metadata"]["name"]
        if self.node_name and self.node_name != name:
            return False, False
        if not self.affinity.matches(node["metadata"].get("labels") or {}, name):
            return False, False
        taints = (node.get("spec") or {}).get("taints") or ()
        if first_untolerated_taint(taints, self.tolerations, (NO_EXECUTE, NO_SCHEDULE)) is None:
            return True, True
        return False, first_untolerated_taint(taints, self.tolerations, (NO_EXECUTE,)) is None


# -- rolling update numbers ---------------------------------------------------------------------------


def _rolling_update(ds: dict) -> Optional[dict]:
    strategy = (ds.get("spec") or {}).get("updateStrategy") or {}
    if strategy.get("type") != "RollingUpdate":
        return None
    return strategy.get("rollingUpdate")


def surge_count(ds: dict, number_to_schedule: int) -> int:
    """``SurgeCount``: maxSurge of the nodes to schedule, rounded up (0 unless RollingUpdate)."""
    rolling = _rolling_update(ds)
    if rolling is None or rolling.get("maxSurge") is None:
        return 0
    return scaled_value(rolling["maxSurge"], number_to_schedule, True)


def unavailable_count(ds: dict, number_to_schedule: int) -> int:
    """``UnavailableCount``: maxUnavailable of the nodes to schedule, rounded up."""
    rolling = _rolling_update(ds)
    if rolling is None:
        return 0
    return scaled_value(rolling.get("maxUnavailable", 0), number_to_schedule, True)


def allows_surge(ds: dict) -> bool:
    """``AllowsSurge``."""
    try:
        return surge_count(ds, 1) > 0
    except ValueError:
        return False


def pod_order(pod: dict) -> tuple:
    """``podByCreationTimestampAndPhase``: bound pods first, then oldest, then by name."""
    meta = pod["metadata"]
    stamp = meta.get("creationTimestamp")
    return (0 if (pod.get("spec") or {}).get("nodeName") else 1,
            parse_timestamp(stamp) if stamp else 0.0, meta.get("name", ""))


# -- failed pod back-off ------------------------------------------------------------------------------


class Backoff:
    """``flowcontrol.Backoff`` without jitter: per key, ``initial`` doubling up to ``maximum``;
    an entry untouched for twice the maximum starts over."""

    def __init__(self, initial: float = 1.0, maximum: float = 15 * 60.0) -> None:
        self.initial = initial
        self.maximum = maximum
        self._entries: dict[str, tuple[float, float]] = {}  # key -> (delay, last update)

    def _expired(self, now: float, last_update: float) -> bool:
        return now - last_update > 2 * self.maximum

    def in_backoff_since_update(self, key: str, now: float) -> bool:
        entry = self._entries.get(key)
        if entry is None or self._expired(now, entry[1]):
            return False
        return now - entry[1] < entry[0]

    def get(self, key: str) -> float:
        entry = self._entries.get(key)
        return entry[0] if entry is not None else 0.0

    def next(self, key: str, now: float) -> None:
        entry = self._entries.get(key)
        if entry is None or self._expired(now, entry[1]):
            delay = self.initial
        else:
            delay = min(entry[0] * 2, self.maximum)
        self._entries[key] = (delay, now)

    def gc(self, now: float) -> None:
        """Forget entries that have expired (``Backoff.GC``)."""
        for key in [k for k, (_delay, last) in self._entries.items() if self._expired(now, last)]:
            del self._entries[key]


# -- status ---------------------------------------------------------------------------------------------

#: ``DaemonSetStatus`` in Go's field order; the first four are always shown.
STATUS_FIELDS = ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady",
                 "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
                 "collisionCount", "conditions")
ALWAYS_SHOWN = frozenset(STATUS_FIELDS[:4])


def ordered_status(status: dict) -> dict:
    """A status in Go's field order, the omitempty fields dropped when zero."""
    return {name: status.get(name, 0) for name in STATUS_FIELDS
            if name in ALWAYS_SHOWN or status.get(name)}
