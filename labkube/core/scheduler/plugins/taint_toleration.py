"""TaintToleration: taints repel pods that do not tolerate them.

Mirrors pkg/scheduler/framework/plugins/tainttoleration.

* Filter: the node's first ``NoSchedule`` or ``NoExecute`` taint the pod does not tolerate
  rejects it, UnschedulableAndUnresolvable, ``node(s) had untolerated taint {key: value}``.
* Score: the number of ``PreferNoSchedule`` taints the pod does not tolerate (only its
  tolerations with effect PreferNoSchedule or no effect count); normalized in reverse, so
  the node with the fewest such taints scores 100.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import UNSCHEDULABLE_AND_UNRESOLVABLE, Status, repeated_score
from labkube.core.scheduler.helpers import first_untolerated_taint, tolerates
from labkube.core.scheduler.plugins.normalize import default_normalize_list, default_normalize_score

NAME = "TaintToleration"
PRE_SCORE_STATE_KEY = "PreScore" + NAME
_FILTER_EFFECTS = ("NoSchedule", "NoExecute")


def untolerated_taint_reason(taint: dict) -> str:
    return f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value') or ''}}}"


class TaintToleration:
    name = NAME

    def filter(self, state, pod, node):
        if not node.taints:
            return None
        taint = first_untolerated_taint(node.taints, pod.tolerations, _FILTER_EFFECTS)
        if taint is None:
            return None
        return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, untolerated_taint_reason(taint), plugin=NAME)

    def filter_nodes(self, state, pod, nodes):
        if state.snapshot is not None and not state.snapshot.tainted_nodes:
            return [None] * len(nodes)
        return [None if not n.taints else self.filter(state, pod, n) for n in nodes]

    def pre_score(self, state, pod, nodes):
        prefer = [t for t in pod.tolerations if (t.get("effect") or "PreferNoSchedule") == "PreferNoSchedule"]
        state.write(PRE_SCORE_STATE_KEY, prefer)
        return None

    def score(self, state, pod, node):
        tolerations = state.read(PRE_SCORE_STATE_KEY)
        return sum(1 for taint in node.taints
                   if taint.get("effect") == "PreferNoSchedule" and not tolerates(tolerations, taint))

    def score_nodes(self, state, pod, nodes):
        if state.snapshot is not None and not state.snapshot.tainted_nodes:
            return repeated_score(0, len(nodes))
        return [0 if not n.taints else self.score(state, pod, n) for n in nodes]

    def normalize_score(self, state, pod, scores):
        default_normalize_score(scores, reverse=True)
        return None

    def normalize_score_list(self, state, pod, scores: list) -> list:
        """:meth:`normalize_score` over a list (the framework's fast path)."""
        return default_normalize_list(scores, reverse=True)

    def events_to_register(self):
        return [("Node", "Add"), ("Node", "UpdateNodeTaint"), ("Pod", "UpdatePodToleration")]


def new(args=None, handle=None) -> TaintToleration:
    return TaintToleration()
