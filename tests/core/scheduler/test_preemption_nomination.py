"""Who may preempt, and the room a preemption made is kept for its preemptor.

Mirrors ``PodEligibleToPreemptOthers`` (pkg/scheduler/framework/plugins/defaultpreemption)
and ``RunFilterPluginsWithNominatedPods`` with the queue's nominator (1.32).
"""

import random

import pytest

from labkube.core.scheduler import Scheduler, Snapshot
from labkube.core.scheduler.nominator import Nominator
from labkube.core.scheduler.plugins.default_preemption import terminating_by_preemption, victim_condition
from tests.core.scheduler.objects import node, pod

DELETED = "2025-01-01T00:00:30Z"


def preempted(name, *, cpu, priority, node_name, reason="PreemptionByScheduler"):
    """A victim the scheduler already marked and deleted: terminating, DisruptionTarget=True."""
    victim = pod(name, cpu=cpu, priority=priority, node_name=node_name, phase="Running")
    victim["metadata"]["deletionTimestamp"] = DELETED
    condition = {**victim_condition("default-scheduler"), "reason": reason}
    victim["status"].setdefault("conditions", []).append(condition)
    return victim


def nominated(name, node_name, **kw):
    waiting = pod(name, **kw)
    waiting["status"]["nominatedNodeName"] = node_name
    return waiting


@pytest.mark.parametrize("name, incoming, existing, message, nominee", [
    ("a pod whose policy is Never does not preempt",
     pod("p", cpu="1", priority=100, preemptionPolicy="Never"),
     [pod("low", cpu="1", priority=0, node_name="n", phase="Running")],
     "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
     None),
    ("a preemptor waits while its earlier victim terminates on its nominated node",
     nominated("p", "n", cpu="1", priority=100),
     [preempted("low", cpu="1", priority=0, node_name="n")],
     "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating "
     "pod on the nominated node.",
     None),
    ("a pod terminating for another reason does not hold the preemptor back",
     nominated("p", "n", cpu="1", priority=100),
     [preempted("low", cpu="1", priority=0, node_name="n", reason="TerminationByKubelet")],
     "0/1 nodes are available: 1 Insufficient cpu.",
     "n"),
    ("a preemptor with no nomination yet preempts",
     pod("p", cpu="1", priority=100),
     [pod("low", cpu="1", priority=0, node_name="n", phase="Running")],
     "0/1 nodes are available: 1 Insufficient cpu.",
     "n"),
])
def test_who_may_preempt(name, incoming, existing, message, nominee):
    result = Scheduler(rng=random.Random(0)).schedule_one(incoming, Snapshot([node("n", cpu="1")], existing))
    assert result.message == message
    assert result.nominated_node_name == nominee


@pytest.mark.parametrize("name, deletion, conditions, expected", [
    ("running pods are not terminating", None, [victim_condition("s")], False),
    ("a deleted pod marked by the scheduler is", DELETED, [victim_condition("s")], True),
    ("a deleted pod without the condition is not", DELETED, [], False),
    ("a DisruptionTarget that is False does not count", DELETED, [{**victim_condition("s"), "status": "False"}],
     False),
])
def test_terminating_by_preemption(name, deletion, conditions, expected):
    victim = pod("v", node_name="n")
    if deletion:
        victim["metadata"]["deletionTimestamp"] = deletion
    victim["status"]["conditions"] = conditions
    assert terminating_by_preemption(victim) is expected


def test_the_victims_condition_names_the_preemptors_scheduler():
    assert victim_condition("default-scheduler") == {
        "type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler",
        "message": "default-scheduler: preempting to accommodate a higher priority pod"}


def _schedule_with_nominee(incoming, nominee_priority):
    """node n has 2 CPUs free; a 1.5-CPU pod of ``nominee_priority`` is nominated to it."""
    scheduler = Scheduler(rng=random.Random(0))
    snapshot = Snapshot([node("n", cpu="2")], [])
    vip = nominated("vip", "n", cpu="1500m", priority=nominee_priority)
    scheduler.nominator.nominate(snapshot.pod_info(vip), "n")
    return scheduler.schedule_one(incoming, snapshot), scheduler


@pytest.mark.parametrize("name, incoming, nominee_priority, node_name, message", [
    ("a lower-priority pod does not take the room kept for a nominated pod",
     pod("replacement", cpu="900m", priority=0), 1000, None,
     "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
     "1 No preemption victims found for incoming pod."),
    ("a pod of higher priority than the nominee is not held back by it",
     pod("urgent", cpu="900m", priority=2000), 1000, "n", ""),
    ("a small pod still fits beside the nominee",
     pod("tiny", cpu="400m", priority=0), 1000, "n", ""),
])
def test_nominated_pods_count_against_their_node(name, incoming, nominee_priority, node_name, message):
    result, _ = _schedule_with_nominee(incoming, nominee_priority)
    assert result.node_name == node_name
    if message:
        assert result.message == message


def test_the_nominee_itself_fits_its_own_room_and_is_forgotten_once_assumed():
    scheduler = Scheduler(rng=random.Random(0))
    snapshot = Snapshot([node("n", cpu="2")], [])
    vip = nominated("vip", "n", cpu="1500m", priority=1000)
    scheduler.nominator.nominate(snapshot.pod_info(vip), "n")
    result = scheduler.schedule_one(vip, snapshot)
    assert result.node_name == "n"
    assert not scheduler.nominator


def test_a_nominator_forgets_a_pod_renominated_elsewhere_or_nowhere():
    nominator = Nominator()
    snapshot = Snapshot([node("a"), node("b")], [])
    waiting = snapshot.pod_info(pod("w", priority=10))
    other = snapshot.pod_info(pod("o", priority=0))
    nominator.nominate(waiting, "a")
    assert nominator.pods_that_count_against("a", other) == [waiting]
    nominator.nominate(waiting, "b")
    assert (nominator.pods_that_count_against("a", other), nominator.node_of(waiting.uid)) == ([], "b")
    nominator.nominate(waiting, "")
    assert not nominator and nominator.node_of(waiting.uid) == ""


def started(name, at, **kw):
    running = pod(name, phase="Running", **kw)
    running["status"]["startTime"] = f"2025-01-01T00:{at:02d}:00Z"
    return running


@pytest.mark.parametrize("name, nodes, existing, incoming, nominee, victims", [
    ("with equal victims, the node whose victims started last is chosen",
     [node("a", cpu="1"), node("b", cpu="1")],
     [started("old", 1, cpu="1", priority=0, node_name="a"), started("new", 9, cpu="1", priority=0, node_name="b")],
     pod("p", cpu="1", priority=10), "b", ["new"]),
    ("with equal victims, the node whose victims started last is chosen, whichever is found first",
     [node("a", cpu="1"), node("b", cpu="1")],
     [started("new", 9, cpu="1", priority=0, node_name="a"), started("old", 1, cpu="1", priority=0, node_name="b")],
     pod("p", cpu="1", priority=10), "a", ["new"]),
    ("fewer victims weigh less than a lower sum of negative priorities",
     [node("a", cpu="2"), node("b", cpu="2")],
     [started("a1", 1, cpu="1", priority=5, node_name="a"), started("a2", 1, cpu="1", priority=-100, node_name="a"),
      started("b1", 1, cpu="2", priority=5, node_name="b")],
     pod("p", cpu="2", priority=10), "b", ["b1"]),
    ("among victims of one priority the earliest started are spared first",
     [node("n", cpu="2")],
     [started("second", 5, cpu="1", priority=0, node_name="n"),
      started("first", 1, cpu="1", priority=0, node_name="n")],
     pod("p", cpu="1", priority=10), "n", ["second"]),
])
def test_preemption_picks_node_and_victims_in_kube_schedulers_order(name, nodes, existing, incoming, nominee, victims):
    result = Scheduler(rng=random.Random(0)).schedule_one(incoming, Snapshot(nodes, existing))
    assert result.nominated_node_name == nominee
    assert [v["metadata"]["name"] for v in result.victims] == victims


def test_a_new_preemption_takes_the_nomination_of_lower_priority_pods_on_its_node():
    nominator = Nominator()
    snapshot = Snapshot([node("a"), node("b")], [])
    low, high, elsewhere = (snapshot.pod_info(pod(n, priority=p)) for n, p in (("low", 5), ("high", 50), ("b", 1)))
    nominator.nominate(low, "a")
    nominator.nominate(high, "a")
    nominator.nominate(elsewhere, "b")
    assert nominator.lower_priority_than("a", 10) == [low]
