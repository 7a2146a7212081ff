"""PodDisruptionBudgets end to end: ``kubectl drain`` honours a budget, as kubectl 1.32 and
kube-apiserver's eviction subresource do, and preemption spares the pods a budget protects.

A 3-replica Deployment with ``minAvailable: 2`` runs on two nodes, two of its pods on one of
them. Draining that node evicts one pod at once; the other eviction is refused (429) and
retried every 5 s until the first pod's replacement is Ready on the other node, then it goes.
"""

import pytest

import labkube
from labkube.core.clock import parse_timestamp
from labkube.kubectl import run

WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
       "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}}
BUDGET = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
          "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}}
RETRY = ('error when evicting pods/"{}" -n "default" (will retry after 5s): '
         "Cannot evict pod as it would violate the pod's disruption budget.")


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=2, seed=0) as c:
        c.apply(WEB)
        c.apply(BUDGET)
        c.run(30)
        yield c


def pods_by_node(cluster):
    by_node: dict[str, list[str]] = {}
    for pod in cluster.client.list("pods", "default")["items"]:
        by_node.setdefault(pod["spec"].get("nodeName", ""), []).append(pod["metadata"]["name"])
    return {node: sorted(names) for node, names in by_node.items()}


def ready_since(pod):
    return next(parse_timestamp(c["lastTransitionTime"]) for c in pod["status"]["conditions"]
                if c["type"] == "Ready" and c["status"] == "True")


def test_drain_evicts_one_pod_and_waits_for_its_replacement_before_the_second(cluster):
    node, (first, second) = next((n, p) for n, p in pods_by_node(cluster).items() if len(p) == 2)
    # The node's CoreDNS pod goes too: no budget covers it, so its eviction is accepted at once.
    dns = next(p["metadata"]["name"] for p in cluster.client.list(
        "pods", "kube-system", label_selector="k8s-app=kube-dns")["items"] if p["spec"]["nodeName"] == node)
    proxy = next(p["metadata"]["name"] for p in cluster.client.list(
        "pods", "kube-system", label_selector="k8s-app=kube-proxy")["items"] if p["spec"]["nodeName"] == node)
    started = cluster.clock.now()
    result = run(cluster, f"drain {node} --ignore-daemonsets")
    assert result.exit_code == 0
    dns_lines = [line for line in result.stdout.splitlines() if dns in line]
    assert dns_lines == [f"evicting pod kube-system/{dns}", f"pod/{dns} evicted"]
    lines = [line for line in result.stdout.splitlines() if dns not in line]
    assert lines[:4] == [f"node/{node} cordoned", f"evicting pod default/{first}", f"evicting pod default/{second}",
                         f"pod/{first} evicted"]
    assert lines[-2:] == [f"pod/{second} evicted", f"node/{node} drained"]
    warning, *retries = result.stderr.splitlines()
    assert warning == f"Warning: ignoring DaemonSet-managed Pods: kube-system/{proxy}", "kube-proxy stays"
    assert retries and set(retries) == {RETRY.format(second)}
    assert lines.count(f"evicting pod default/{second}") == len(retries) + 1  # printed before every attempt
    # The second eviction succeeded only once the first pod's replacement was Ready.
    accepted = [e for e in cluster.audit(verb="create", resource="pods/eviction") if e.name == second and e.code == 201]
    first_replacement = min((p for p in cluster.client.list("pods", "default")["items"]
                             if parse_timestamp(p["metadata"]["creationTimestamp"]) >= started),
                            key=lambda p: p["metadata"]["creationTimestamp"])
    assert len(accepted) == 1 and parse_timestamp(accepted[0].timestamp) >= ready_since(first_replacement)
    assert node not in pods_by_node(cluster)


def test_the_budget_never_lets_fewer_than_two_pods_be_ready_during_the_drain(cluster):
    node = next(n for n, p in pods_by_node(cluster).items() if len(p) == 2)
    lowest = []

    def ready_count():
        pods = cluster.client.list("pods", "default")["items"]
        return sum(1 for p in pods if not p["metadata"].get("deletionTimestamp") and any(
            c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions") or ()))

    def probe():
        lowest.append(ready_count())
        cluster.clock.call_later(0.5, probe, name="ready pods probe")

    probe()
    assert run(cluster, f"drain {node} --ignore-daemonsets").exit_code == 0
    assert len(lowest) > 10 and min(lowest) >= 2


def test_a_drain_with_a_timeout_gives_up_with_kubectls_message(cluster):
    cluster.client.patch("poddisruptionbudgets", "web", {"spec": {"minAvailable": 3}}, namespace="default")
    cluster.run(2)
    node, pods = next((n, p) for n, p in pods_by_node(cluster).items() if len(p) == 2)
    result = run(cluster, f"drain {node} --ignore-daemonsets --timeout=12s")
    assert result.exit_code == 1
    errors = result.stderr.splitlines()[1:]  # after the warning that kube-proxy's pod is left
    assert errors[:2] == [RETRY.format(pods[0]), RETRY.format(pods[1])]
    # kubectl checks its deadline after printing "evicting pod", at the next attempt (15 s).
    assert result.stdout.splitlines().count(f"evicting pod default/{pods[0]}") == 4
    failure = (f'error when evicting pods/"{pods[0]}" -n "default": global timeout reached: 12s, '
               f'error when evicting pods/"{pods[1]}" -n "default": global timeout reached: 12s')
    assert errors[-8:] == [
        f'There are pending pods in node "{node}" when an error occurred: [{failure}]',
        f"pod/{pods[0]}", f"pod/{pods[1]}",
        f'error: unable to drain node "{node}" due to error: [{failure}], continuing command...',
        "There are pending nodes to be drained:", f" {node}", *failure.split(", ")]


def test_a_pod_two_budgets_select_fails_the_drain_at_once(cluster):
    cluster.apply({**BUDGET, "metadata": {"name": "web-too"}})
    cluster.run(2)
    node, pods = next((n, p) for n, p in pods_by_node(cluster).items() if len(p) == 2)
    result = run(cluster, f"drain {node} --ignore-daemonsets")
    assert result.exit_code == 1
    assert (f'error when evicting pods/"{pods[0]}" -n "default": This pod has more than one PodDisruptionBudget, '
            "which the eviction subresource does not support.") in result.stderr


def test_preemption_spares_the_pods_a_budget_protects():
    with labkube.Cluster(nodes=2, seed=0) as cluster:
        for name, value in (("high", 1000), ("medium", 10)):
            cluster.apply({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                           "metadata": {"name": name}, "value": value})
        # Without the budget node-1 would be chosen: its victim has the lower priority.
        for app, node, klass in (("db", "node-1", None), ("web", "node-2", "medium")):
            extra = {"priorityClassName": klass} if klass else {}
            cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": app, "labels": {"app": app}},
                           "spec": {**extra, "nodeName": node, "containers": [{"name": "c", "image": "nginx",
                                                                       "resources": {"requests": {"cpu": "1500m"}}}]}})
        cluster.apply({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "db"},
                       "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "db"}}}})
        cluster.run(10)
        cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "urgent"},
                       "spec": {"priorityClassName": "high", "containers": [
                           {"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "1500m"}}}]}})
        cluster.run(60)
        urgent = cluster.client.get("pods", "urgent", "default")
        assert urgent["spec"].get("nodeName") == "node-2"
        assert [p["metadata"]["name"] for p in cluster.client.list("pods", "default")["items"]] == ["db", "urgent"]
