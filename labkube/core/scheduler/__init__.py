"""labkube's scheduler: kube-scheduler's framework, plugins, queue and messages, in Python.

Mirrors kube-scheduler (pkg/scheduler) 1.32. This package decides *where* a pod goes; it
does not talk to the API server. The live scheduler component feeds it:

    snapshot = Snapshot(nodes, pods)           # then add_node/update_pod/... from informers
    scheduler = Scheduler(rng=clock.rng)       # default profile "default-scheduler"
    result = scheduler.schedule_one(pod, snapshot)
    if result.scheduled:
        client.create(result.binding, namespace=ns, subresource=...)  # pods/binding
    else:
        event("FailedScheduling", result.message); queue.add_unschedulable(...)

Modules: framework (Status, CycleState, extension points, the runner), nodeinfo and
snapshot (what the scheduler knows), scheduler (one cycle), queue (what to try next),
cluster_events (which changes may help a pending pod), profile, registry and config (which
plugins, custom plugins, a profile from KubeSchedulerConfiguration), decision (why),
messages (the FailedScheduling text), plugins/ (one module per in-tree plugin).
"""

from labkube.core.scheduler.decision import DecisionRecord
from labkube.core.scheduler.framework import (ERROR, SKIP, SUCCESS, UNSCHEDULABLE,
                                              UNSCHEDULABLE_AND_UNRESOLVABLE, CycleState,
                                              Framework, PreFilterResult, Status)
from labkube.core.scheduler.messages import fit_error_message
from labkube.core.scheduler.nodeinfo import NodeInfo, PodInfo
from labkube.core.scheduler.profile import DEFAULT_SCHEDULER_NAME, PluginSpec, Profile, default_profile
from labkube.core.scheduler.queue import QueuedPodInfo, SchedulingQueue
from labkube.core.scheduler.registry import FunctionPlugin, Registry, function_plugin
from labkube.core.scheduler.scheduler import (FitError, ScheduleResult, Scheduler,
                                              num_feasible_nodes_to_find)
from labkube.core.scheduler.snapshot import Snapshot

__all__ = [
    "CycleState", "DEFAULT_SCHEDULER_NAME", "DecisionRecord", "ERROR", "FitError", "Framework",
    "FunctionPlugin", "NodeInfo", "PluginSpec", "PodInfo", "PreFilterResult", "Profile",
    "QueuedPodInfo", "Registry", "SKIP", "SUCCESS", "ScheduleResult", "Scheduler",
    "SchedulingQueue", "Snapshot", "Status", "UNSCHEDULABLE", "UNSCHEDULABLE_AND_UNRESOLVABLE",
    "default_profile", "fit_error_message", "function_plugin", "num_feasible_nodes_to_find",
]
