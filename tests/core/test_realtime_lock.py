"""One simulation at a time: what a notebook does to a real-time cluster happens between two timers.

A real-time cluster fires its timers on the clock's thread, holding the clock's lock. These tests
check that every way in from the notebook's thread -- ``kubectl``, ``apply``, the client, the
failure-injection verbs, the reads of component state, a widget's action -- holds that same lock
(so it can never run in the middle of a scheduler cycle or a kubelet sync), that waiting for
cluster time lets go of it, and that the clock's thread and a caller take turns instead of one
starving the other.

The checks are about who holds the lock, not about timing: each passes or fails the same way
however the threads are scheduled. Where a thread must finish, it is bounded by a generous wall
timeout (a hang fails the test instead of stalling the suite).
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import pytest

import labkube
from labkube.core.clock import RealTimeClock, TurnLock

#: Wall seconds a thread gets to finish before the test calls it hung (never reached when green).
HUNG = 120

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default"},
             "data": {"color": "blue"}}


def finishes(call: Callable[[], Any], within: float = HUNG) -> Any:
    """``call()`` on another thread; its result, or a failure if it has not returned in time."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # re-raised on the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(within)
    assert not thread.is_alive(), f"still running after {within} s of wall time: hung"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@contextmanager
def realtime(speed: float) -> Iterator[labkube.Cluster]:
    """A real-time cluster at ``speed``, closed after the test; after a failure only its clock is
    stopped (a hung thread may still hold the lock that closing takes)."""
    cluster = labkube.Cluster(nodes=2, seed=0, clock="realtime")
    cluster.clock.set_speed(speed)
    try:
        yield cluster
    except BaseException:
        cluster.clock.stop()
        raise
    cluster.close()


def spy(owner: Any, name: str, cluster: labkube.Cluster, seen: list) -> None:
    """Wrap ``owner.name`` to note, on every call, whether the caller holds the clock's lock."""
    original = getattr(owner, name)

    def spied(*args: Any, **kwargs: Any) -> Any:
        seen.append(cluster.clock.lock._is_owned())
        return original(*args, **kwargs)

    setattr(owner, name, spied)


@pytest.fixture(params=["realtime", "simulated"])
def any_cluster(request):
    with labkube.Cluster(nodes=2, seed=0, clock=request.param) as cluster:
        yield cluster


# -- every way in holds the clock's lock -------------------------------------------------------
def _server(cluster):
    return cluster.server, "handle"


def _nodes(method):
    return lambda cluster: (cluster.nodes, method)


def _scheduler(method):
    return lambda cluster: (cluster.components["scheduler"], method)


def _controls(cluster):
    from labkube.widgets.controls import Controls

    return Controls(cluster)


WAYS_IN = [
    ("kubectl", _server, lambda c: c.kubectl("get configmaps")),
    ("kubectl apply", _server, lambda c: c.kubectl("apply -f -", stdin="kind: ConfigMap\napiVersion: v1\n"
                                                                         "metadata: {name: settings}\n")),
    ("apply", _server, lambda c: c.apply(dict(CONFIGMAP))),
    ("client create", _server, lambda c: c.client.create(dict(CONFIGMAP))),
    ("client list", _server, lambda c: c.client.list("pods", "default")),
    ("client can-i", lambda c: (c.server, "authorize"), lambda c: c.client.can_i("get", "pods", "default")),
    ("another user's client", _server, lambda c: c.as_user("alice").get("pods", "web", "default")),
    ("fail_node", _nodes("fail"), lambda c: c.fail_node("node-1")),
    ("partition_node", _nodes("partition"), lambda c: c.partition_node("node-1")),
    ("add_node", _nodes("add"), lambda c: c.add_node("node-9")),
    ("stop_component", _scheduler("stop"), lambda c: c.stop_component("scheduler")),
    ("scheduling_decision", _scheduler("decision"), lambda c: c.scheduling_decision("web")),
    ("events", _server, lambda c: c.events("default")),
    ("audit", lambda c: (c.audit_log, "records"), lambda c: c.audit()),
    ("widget: fail node", _nodes("fail"), lambda c: _controls(c).node_action("fail", "node-1")),
    ("widget: kubectl box", _server, lambda c: _controls(c).run_kubectl("get pods")),
    ("the HTTP front", _server, lambda c: c.apiserver_http.serve("GET", "/api/v1/namespaces/default/pods",
                                                                 user=c.client.user)),
]


@pytest.mark.parametrize("target, act", [(t, a) for _, t, a in WAYS_IN], ids=[w[0] for w in WAYS_IN])
def test_a_call_from_the_notebook_reaches_the_cluster_holding_the_clocks_lock(any_cluster, target, act):
    owner, name = target(any_cluster)
    seen: list = []
    spy(owner, name, any_cluster, seen)
    try:
        act(any_cluster)
    except labkube.StatusError:
        pass  # a refusal (a pod that does not exist) reached the server all the same
    assert seen and all(seen), f"{name} ran without the clock's lock: {seen}"


def test_a_widget_action_and_the_panels_refresh_after_it_are_one_turn():
    from labkube.widgets.controls import Controls

    with labkube.Cluster(nodes=2, seed=0, clock="realtime") as cluster:
        controls = Controls(cluster)
        before = cluster.clock.lock.served
        controls.node_action("fail", "node-1")  # fail_node, then the drop-downs list nodes and pods
        assert cluster.clock.lock.served - before == 1
        assert controls.last_output == "node/node-1: fail"


def test_the_notebooks_requests_hold_the_lock_while_the_clocks_thread_fires_timers():
    """The clock's thread runs (speed 100) while the notebook creates and lists: whatever the
    interleaving, the server never serves the notebook without the lock, and every timer fires
    holding it."""
    with realtime(speed=100) as cluster:
        notebook, clock_thread = [], []
        original = cluster.server.handle

        def handle(request):
            on_clock = threading.current_thread() is cluster.clock._thread
            (clock_thread if on_clock else notebook).append(cluster.clock.lock._is_owned())
            return original(request)

        cluster.server.handle = handle
        for i in range(20):
            cluster.kubectl(f"create deployment web-{i} --image=nginx")
            cluster.client.list("pods", "default")
        finishes(lambda: cluster.run(5))  # let the controllers catch up on the clock's thread
    assert notebook and all(notebook)
    assert clock_thread and all(clock_thread)


# -- waiting for cluster time lets go of the lock -----------------------------------------------
def test_waiting_for_cluster_time_lets_go_of_the_lock_however_deeply_it_is_held():
    clock = RealTimeClock(seed=0, speed=100)
    fired = threading.Event()
    clock.call_later(5, fired.set)
    clock.start()

    def wait_holding_the_lock_twice() -> tuple:
        with clock.lock, clock.lock:  # a kubectl command that waits, inside a facade verb
            found = clock.run_until(fired.is_set, timeout=600)  # the clock's thread fires it
            held = clock.lock._is_owned()
            clock.lock.release()
            held_twice = clock.lock._is_owned()  # taken back as deeply as before
            clock.lock.acquire()
        return found, held, held_twice

    try:
        assert finishes(wait_holding_the_lock_twice) == (True, True, True)
    finally:
        clock.stop()


def test_kubectl_wait_rollout_status_get_watch_and_exec_complete_on_a_real_time_cluster():
    with realtime(speed=50) as cluster:
        cluster.kubectl("create deployment web --image=nginx --replicas=2")
        rolled = finishes(lambda: cluster.kubectl("rollout status deployment/web --timeout=300s"))
        assert 'deployment "web" successfully rolled out' in rolled
        waited = finishes(lambda: cluster.kubectl(
            "wait --for=condition=Available deployment/web --timeout=300s"))
        assert waited.strip() == "deployment.apps/web condition met"
        watched = finishes(lambda: cluster.kubectl("get deployment web -w --request-timeout=5s"))
        assert re.match(r"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2/2\s", watched)
        pod = cluster.list("pods", label_selector="app=web")[0]["metadata"]["name"]
        result = finishes(lambda: cluster.exec(pod, ["sh", "-c", "sleep 3; echo done"]))
        assert (result.exit_code, result.stdout) == (0, "done\n")


# -- taking turns ----------------------------------------------------------------------------------
def _wait_until(lock: TurnLock, condition: Callable[[], bool]) -> None:
    with lock._turns:
        assert lock._turns.wait_for(condition, HUNG)


def test_a_caller_waiting_for_the_lock_goes_before_the_clocks_thread_takes_it_again():
    lock = TurnLock(threading.RLock(), handoff=HUNG)
    order: list[str] = []
    held, go = threading.Event(), threading.Event()

    def clock_thread() -> None:  # fires a timer, lets go and at once wants the lock back
        lock.clock_acquire()
        held.set()
        go.wait(HUNG)
        lock.release()
        lock.clock_acquire()
        order.append("clock")
        lock.release()

    def caller() -> None:
        with lock:
            order.append("caller")

    clock = threading.Thread(target=clock_thread)
    clock.start()
    assert held.wait(HUNG)
    waiting = threading.Thread(target=caller)
    waiting.start()
    _wait_until(lock, lambda: lock._callers == 1)
    go.set()
    clock.join(HUNG)
    waiting.join(HUNG)
    assert order == ["caller", "clock"]


def test_a_caller_arriving_while_the_clocks_thread_waits_lets_it_go_first():
    lock = TurnLock(threading.RLock(), handoff=HUNG)
    order: list[str] = []

    def clock_thread() -> None:
        lock.clock_acquire()
        order.append("clock")
        lock.release()

    lock.acquire()  # the notebook is in the middle of a call
    clock = threading.Thread(target=clock_thread)
    clock.start()
    _wait_until(lock, lambda: lock._clock_waiting)
    lock.release()  # the call ends, and the next one begins at once
    with lock:
        order.append("caller")
    clock.join(HUNG)
    assert order == ["clock", "caller"]


def test_a_turn_lock_is_reentrant_and_counts_only_first_takes():
    lock = TurnLock(threading.RLock())
    with lock:
        with lock:
            assert lock._is_owned()
        assert lock._is_owned()
    assert not lock._is_owned()
    assert lock.served == 1


def test_a_simulated_clock_keeps_its_plain_lock():
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    assert type(cluster.clock.lock) is type(threading.RLock())


# -- a bounded stress ----------------------------------------------------------------------------
PYTHON_ERROR = re.compile(r"^[A-Z]\w*(Error|Exception): ")


def test_hundreds_of_notebook_calls_against_a_fast_real_time_cluster_raise_nothing_in_either_thread(monkeypatch):
    thread_errors: list = []
    monkeypatch.setattr(threading, "excepthook", lambda args: thread_errors.append(args.exc_value))
    with realtime(speed=100) as cluster:
        fired_on_clock = []
        cluster.clock.after_each.append(lambda: fired_on_clock.append(1))

        def calls() -> int:
            done = 0
            for i in range(40):
                cluster.kubectl(f"create deployment web-{i} --image=nginx --replicas=2")
                cluster.apply({**CONFIGMAP, "metadata": {"name": f"cm-{i}", "namespace": "default"}})
                cluster.kubectl("get pods -o wide")
                cluster.client.list("replicasets", "default")
                cluster.kubectl(f"scale deployment web-{i} --replicas=1")
                cluster.events("default")
                done += 6
                if i % 10 == 9:
                    cluster.kubectl(f"delete deployment web-{i - 5} --wait=false")
                    done += 1
                if i == 19:
                    cluster.fail_node("node-2")
                if i == 29:
                    cluster.recover_node("node-2")
            return done

        assert finishes(calls) == 244
        assert finishes(lambda: cluster.kubectl(
            "wait --for=condition=Available deployment/web-39 --timeout=600s")).strip() == \
            "deployment.apps/web-39 condition met"
        assert cluster.clock._thread is not None and cluster.clock._thread.is_alive()
        crashes = [e for e in cluster.errors.entries if PYTHON_ERROR.match(e.message)]
    assert thread_errors == []
    assert crashes == []
    assert fired_on_clock, "the clock's thread fired no timer while the notebook was busy"
