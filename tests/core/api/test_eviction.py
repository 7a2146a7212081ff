"""POST pods/eviction honouring PodDisruptionBudgets, as kube-apiserver 1.32's EvictionREST.

The server here runs no controllers: each test writes the budget's status itself, as the
disruption controller would have."""

import pytest

from labkube.core.api.testing import new_server, pod
from labkube.core.errors import StatusError

VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."


@pytest.fixture
def env():
    return new_server()


def running_pod(env, name, ready=True, labels=None, phase="Running"):
    manifest = pod(name, labels=labels or {"app": "web"})
    manifest["spec"]["nodeName"] = "node-1"
    live = env.admin.create(manifest)
    live["status"] = {"phase": phase, "conditions": [
        {"type": "Ready", "status": "True" if ready else "False", "lastProbeTime": None,
         "lastTransitionTime": "2025-01-01T00:00:00Z"}]}
    return env.admin.update(live, subresource="status")


def budget(env, name="web", allowed=1, healthy=3, desired=2, expected=3, observed=1, selector=None, **spec):
    spec.setdefault("minAvailable", desired)
    live = env.admin.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
                             "spec": {"selector": selector or {"matchLabels": {"app": "web"}}, **spec}})
    live["status"] = {"observedGeneration": observed, "disruptionsAllowed": allowed, "currentHealthy": healthy,
                      "desiredHealthy": desired, "expectedPods": expected}
    return env.admin.update(live, subresource="status")


def get(env, resource, name):
    try:
        return env.admin.get(resource, name, "default")
    except StatusError as err:
        if err.code == 404:
            return None
        raise


def evict(env, name, **body):
    return env.admin._send("create", env.server.resolve("pods"), "default", name, subresource="eviction",
                           body={"apiVersion": "policy/v1", "kind": "Eviction",
                                 "metadata": {"name": name, "namespace": "default"}, **body})


def test_a_pod_no_budget_selects_is_evicted(env):
    running_pod(env, "web-1")
    budget(env, selector={"matchLabels": {"app": "other"}})
    assert evict(env, "web-1")["status"] == "Success"
    assert get(env, "pods", "web-1")["metadata"]["deletionTimestamp"]


def test_an_allowed_eviction_spends_one_disruption_and_records_the_pod(env):
    running_pod(env, "web-1")
    budget(env, allowed=1)
    evict(env, "web-1")
    status = get(env, "poddisruptionbudgets", "web")["status"]
    assert status["disruptionsAllowed"] == 0
    assert list(status["disruptedPods"]) == ["web-1"]
    condition = status["conditions"][0]
    assert (condition["type"], condition["status"], condition["reason"]) == ("DisruptionAllowed", "False",
                                                                             "InsufficientPods")


def test_the_evicted_pod_gets_the_disruption_target_condition_before_it_is_deleted(env):
    running_pod(env, "web-1")
    budget(env, allowed=2)
    evict(env, "web-1")
    live = get(env, "pods", "web-1")
    condition = next(c for c in live["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "True", "EvictionByEvictionAPI", "Eviction API: evicting")
    assert live["metadata"]["deletionTimestamp"]


def test_a_budget_with_no_disruption_left_refuses_with_429_and_says_why(env):
    running_pod(env, "web-1")
    budget(env, allowed=0, healthy=2, desired=2)
    with pytest.raises(StatusError) as err:
        evict(env, "web-1")
    assert (err.value.code, err.value.reason, err.value.message) == (429, "TooManyRequests", VIOLATION)
    assert err.value.details == {"causes": [{"reason": "DisruptionBudget",
                                             "message": "The disruption budget web needs 2 healthy pods and has 2 currently"}]}
    assert "deletionTimestamp" not in get(env, "pods", "web-1")["metadata"]
    assert "disruptedPods" not in get(env, "poddisruptionbudgets", "web")["status"]


def test_a_budget_whose_status_trails_its_spec_answers_still_being_processed(env):
    running_pod(env, "web-1")
    budget(env, allowed=1, observed=0)
    with pytest.raises(StatusError) as err:
        evict(env, "web-1")
    assert err.value.code == 429 and err.value.message == VIOLATION
    assert err.value.details == {"retryAfterSeconds": 10, "causes": [
        {"reason": "DisruptionBudget", "message": "The disruption budget web is still being processed by the server."}]}


def test_a_pod_two_budgets_select_cannot_be_evicted(env):
    running_pod(env, "web-1")
    budget(env, "a")
    budget(env, "b")
    with pytest.raises(StatusError) as err:
        evict(env, "web-1")
    assert (err.value.code, err.value.reason, err.value.message) == (
        500, "", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")


@pytest.mark.parametrize("phase", ["Pending", "Succeeded", "Failed"])
def test_pods_that_are_not_running_are_evicted_without_asking_the_budget(env, phase):
    running_pod(env, "web-1", phase=phase)
    budget(env, allowed=0)
    assert evict(env, "web-1")["status"] == "Success"
    assert get(env, "poddisruptionbudgets", "web")["status"]["disruptionsAllowed"] == 0


@pytest.mark.parametrize("policy, healthy, allowed_to_go", [
    (None, 3, True), (None, 1, False), ("IfHealthyBudget", 2, True), ("IfHealthyBudget", 1, False),
    ("AlwaysAllow", 0, True),
], ids=["default policy, the application is healthy", "default policy, the application is not healthy",
        "IfHealthyBudget, enough healthy pods", "IfHealthyBudget, too few healthy pods",
        "AlwaysAllow, even with no healthy pod"])
def test_an_unready_pod_may_go_without_spending_the_budget(env, policy, healthy, allowed_to_go):
    running_pod(env, "web-1", ready=False)
    extra = {"unhealthyPodEvictionPolicy": policy} if policy else {}
    budget(env, allowed=0, healthy=healthy, desired=2, **extra)
    if allowed_to_go:
        assert evict(env, "web-1")["status"] == "Success"
    else:
        with pytest.raises(StatusError) as err:
            evict(env, "web-1")
        assert err.value.code == 429
    assert get(env, "poddisruptionbudgets", "web")["status"]["disruptionsAllowed"] == 0


def test_a_dry_run_checks_the_budget_and_writes_nothing(env):
    running_pod(env, "web-1")
    budget(env, allowed=1)
    before = get(env, "poddisruptionbudgets", "web")["metadata"]["resourceVersion"]
    assert evict(env, "web-1", deleteOptions={"dryRun": ["All"]})["status"] == "Success"
    assert get(env, "poddisruptionbudgets", "web")["metadata"]["resourceVersion"] == before
    live = get(env, "pods", "web-1")
    assert "deletionTimestamp" not in live["metadata"]
    assert all(c["type"] != "DisruptionTarget" for c in live["status"]["conditions"])


def test_a_uid_precondition_that_does_not_match_is_a_conflict_and_nothing_changes(env):
    running_pod(env, "web-1")
    with pytest.raises(StatusError) as err:
        evict(env, "web-1", deleteOptions={"preconditions": {"uid": "someone-else"}})
    assert err.value.code == 409
    assert err.value.message.startswith('Operation cannot be fulfilled on Pod "web-1": the UID in the precondition '
                                        "(someone-else) does not match the UID in record")
    assert "deletionTimestamp" not in get(env, "pods", "web-1")["metadata"]


def test_the_eviction_must_name_the_pod_of_the_url(env):
    running_pod(env, "web-1")
    with pytest.raises(StatusError) as err:
        env.admin._send("create", env.server.resolve("pods"), "default", "web-1", subresource="eviction",
                        body={"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "web-2"}})
    assert (err.value.code, err.value.message) == (400, "name in URL does not match name in Eviction object")


def test_evicting_a_missing_pod_is_not_found(env):
    with pytest.raises(StatusError) as err:
        evict(env, "ghost")
    assert (err.value.code, err.value.message) == (404, 'pods "ghost" not found')


def test_the_grace_period_of_the_delete_options_is_used(env):
    running_pod(env, "web-1")
    evict(env, "web-1", deleteOptions={"gracePeriodSeconds": 5})
    assert get(env, "pods", "web-1")["metadata"]["deletionGracePeriodSeconds"] == 5
