"""The node side: registration, Lease and status heartbeats, pressure conditions, admission."""

import pytest

from labkube.core.api import decode
from labkube.core.clock import parse_timestamp
from tests.core.kubelet.harness import Node, simple_pod


def test_starting_the_kubelet_registers_its_node_ready_with_capacity_and_pod_cidr():
    node = Node(cpu="4", memory="8Gi")
    obj = node.admin.get("nodes", "node-1")
    assert obj["spec"]["podCIDR"] == "10.244.1.0/24"
    assert obj["metadata"]["labels"]["kubernetes.io/hostname"] == "node-1"
    assert obj["status"]["capacity"]["cpu"] == "4"
    assert obj["status"]["allocatable"]["memory"] == "8092Mi"  # 8Gi minus the 100Mi eviction threshold
    assert obj["status"]["nodeInfo"]["containerRuntimeVersion"] == "containerd://1.7.24"
    ready = [c for c in obj["status"]["conditions"] if c["type"] == "Ready"][0]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "True", "KubeletReady", "kubelet is posting ready status")


def test_the_node_lease_is_renewed_every_10_seconds():
    node = Node()
    lease = node.admin.get("leases", "node-1", "kube-node-lease")
    assert lease["spec"]["holderIdentity"] == "node-1"
    assert lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    renewals = []
    for _ in range(4):
        node.run(10)
        renewals.append(node.admin.get("leases", "node-1", "kube-node-lease")["spec"]["renewTime"])
    assert renewals == ["2025-01-01T00:00:10.000000Z", "2025-01-01T00:00:20.000000Z",
                        "2025-01-01T00:00:30.000000Z", "2025-01-01T00:00:40.000000Z"]


def test_node_status_is_reported_every_five_minutes_when_nothing_changes():
    node = Node()
    def heartbeat():
        conditions = node.admin.get("nodes", "node-1")["status"]["conditions"]
        return [c for c in conditions if c["type"] == "Ready"][0]["lastHeartbeatTime"]
    first = heartbeat()
    node.run(290)
    assert heartbeat() == first
    node.run(20)
    assert parse_timestamp(heartbeat()) - parse_timestamp(first) == 300


def test_a_pulled_image_appears_in_the_node_status_at_the_next_update():
    node = Node()
    node.create(simple_pod("web", "nginx:1.14.2"))
    node.run(12)
    images = node.admin.get("nodes", "node-1")["status"]["images"]
    assert images[0]["sizeBytes"] == 44_710_204
    assert "docker.io/library/nginx:1.14.2" in images[0]["names"]


def test_memory_pressure_is_reported_with_the_kubelets_reason_and_keeps_transition_times():
    node = Node()
    node.run(60)
    node.kubelet.set_node_conditions(MemoryPressure=True)
    conditions = {c["type"]: c for c in node.admin.get("nodes", "node-1")["status"]["conditions"]}
    memory = conditions["MemoryPressure"]
    assert (memory["status"], memory["reason"], memory["message"]) == (
        "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available")
    assert memory["lastTransitionTime"] == "2025-01-01T00:01:00Z"
    assert conditions["Ready"]["lastTransitionTime"] == "2025-01-01T00:00:00Z"
    with pytest.raises(ValueError):
        node.kubelet.set_node_conditions(Hungry=True)


def test_a_pod_asking_for_more_cpu_than_the_node_has_is_rejected_out_of_cpu():
    node = Node(cpu="2")
    node.create(simple_pod("big", "nginx", resources={"requests": {"cpu": "3"}}))
    node.run(2)
    status = node.pod("big")["status"]
    assert (status["phase"], status["reason"]) == ("Failed", "OutOfcpu")
    assert status["message"] == ("Pod was rejected: Node didn't have enough resource: cpu, "
                                 "requested: 3000, used: 0, capacity: 2000")
    assert node.reasons("big") == [("OutOfcpu", "Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000")]
    assert node.runtime.list_pod_sandboxes() == []


def test_admission_counts_the_requests_of_pods_already_admitted():
    node = Node(memory="1Gi")
    node.create(simple_pod("one", "nginx", resources={"requests": {"memory": "600Mi"}}))
    node.run(1)
    node.create(simple_pod("two", "nginx", resources={"requests": {"memory": "600Mi"}}))
    node.run(1)
    status = node.pod("two")["status"]
    assert status["reason"] == "OutOfmemory"
    assert status["message"].startswith("Pod was rejected: Node didn't have enough resource: memory, "
                                        "requested: 629145600, used: 629145600, capacity: ")


def test_a_pod_whose_match_fields_name_another_node_is_rejected_node_affinity():
    """The kubelet checks matchFields too (a DaemonSet pod's metadata.name), not only labels."""
    node = Node()
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["some-other-node"]}]}]}}}
    node.create({**simple_pod("elsewhere"), "spec": {**simple_pod("elsewhere")["spec"], "affinity": affinity}})
    node.run(1)
    assert node.pod("elsewhere")["status"]["reason"] == "NodeAffinity"


def test_a_pod_whose_node_selector_does_not_match_is_rejected_node_affinity():
    node = Node()
    node.create({**simple_pod("picky"), "spec": {**simple_pod("picky")["spec"], "nodeSelector": {"disktype": "ssd"}}})
    node.run(1)
    status = node.pod("picky")["status"]
    assert (status["phase"], status["reason"], status["message"]) == (
        "Failed", "NodeAffinity",
        "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector")


def test_a_stopped_kubelet_leaves_containers_running_and_a_restarted_one_adopts_them():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    cid = node.container("web")["containerID"]
    node.kubelet.stop()
    node.run(60)
    lease = node.admin.get("leases", "node-1", "kube-node-lease")
    assert lease["spec"]["renewTime"] == "2025-01-01T00:00:10.000000Z"
    assert [c.state for c in node.runtime.list_containers()] == ["running"]
    node.kubelet.start()
    node.run(5)
    assert node.container("web")["containerID"] == cid
    assert node.container("web")["restartCount"] == 0
    assert node.pod("web")["status"]["podIP"] == "10.244.1.2"
    node.create(simple_pod("two", "nginx"))
    node.run(5)
    assert node.pod("two")["status"]["podIP"] == "10.244.1.3"


def test_a_kubelet_looks_for_sandboxes_to_adopt_once_at_start_not_for_every_new_pod():
    node = Node(start=False)
    asked = []
    listing = node.runtime.list_pod_sandboxes
    node.runtime.list_pod_sandboxes = lambda: asked.append(1) or listing()
    node.kubelet.start()
    for name in ("a", "b", "c"):
        node.create(simple_pod(name, "nginx"))
    node.run(10)
    assert len(asked) == 1
    assert [node.pod(n)["status"]["phase"] for n in "abc"] == ["Running"] * 3
    node.kubelet.stop()
    node.kubelet.start()  # a restarted kubelet looks again, and adopts what it finds
    node.run(5)
    assert len(asked) == 2 + 3  # once at start, then once per pod it had a sandbox for
    assert [node.container(n)["restartCount"] for n in "abc"] == [0, 0, 0]


def test_killing_all_containers_stops_every_sandbox_like_a_dead_machine():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    node.kubelet.stop()
    node.kubelet.kill_all_containers()
    states = [(c.state, c.exit_code) for c in node.runtime.list_containers()]
    assert states == [("exited", 137)]
    assert node.pod("web")["status"]["phase"] == "Running"  # nobody left to report otherwise


def test_crash_container_kills_the_process_and_the_restart_policy_restarts_it():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    node.kubelet.crash_container("default", "web", "app")
    node.run(1)
    cs = node.container("web")
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["exitCode"] == 137


def test_a_starting_kubelet_records_the_node_events_kubectl_describe_node_shows():
    node = Node()
    events = [(e["reason"], e["message"]) for e in node.events()
              if e["involvedObject"]["kind"] == "Node"]
    assert events == [
        ("Starting", "Starting kubelet."),
        ("NodeHasSufficientMemory", "Node node-1 status is now: NodeHasSufficientMemory"),
        ("NodeHasNoDiskPressure", "Node node-1 status is now: NodeHasNoDiskPressure"),
        ("NodeHasSufficientPID", "Node node-1 status is now: NodeHasSufficientPID"),
        ("NodeAllocatableEnforced", "Updated Node Allocatable limit across pods"),
        ("NodeReady", "Node node-1 status is now: NodeReady"),
    ]
    node.kubelet.set_node_conditions(DiskPressure=True)
    assert node.events()[-1]["message"] == "Node node-1 status is now: NodeHasDiskPressure"


def test_after_the_machine_comes_back_the_kubelet_recreates_the_sandbox_and_counts_a_restart():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    node.kubelet.stop()
    node.kubelet.kill_all_containers()
    node.run(60)
    node.kubelet.start()
    node.run(5)
    cs = node.container("web")
    assert list(cs["state"]) == ["running"]
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["exitCode"] == 137
    assert ("SandboxChanged", "Pod sandbox changed, it will be killed and re-created.") in node.reasons("web")


@pytest.mark.parametrize("times", [1, 2])
def test_conditions_someone_else_changed_are_set_right_at_the_next_heartbeat(times):
    node = Node()
    node.run(30)

    def ready():
        conditions = node.admin.get("nodes", "node-1")["status"]["conditions"]
        return [c for c in conditions if c["type"] == "Ready"][0]["status"]

    for _ in range(times):  # the kubelet must notice each new version of its Node, not only the first
        obj = node.admin.get("nodes", "node-1")
        for condition in obj["status"]["conditions"]:
            if condition["type"] == "Ready":
                condition["status"] = "Unknown"
        node.admin.update(obj, subresource="status")
        node.run(0)
        assert ready() == "Unknown"
        node.run(10)
        assert ready() == "True"


@pytest.mark.parametrize("memory, capacity, allocatable", [
    ("8Gi", "8Gi", "8092Mi"),                  # whole GiB, and 100Mi less for eviction
    ("8145948Ki", "8145948Ki", "8043548Ki"),   # a real machine's odd amount stays in Ki
])
def test_node_memory_is_reported_as_go_prints_a_quantity_so_the_server_rewrites_nothing(
        memory, capacity, allocatable, monkeypatch):
    walked = []
    reference = decode.reference_decode
    monkeypatch.setattr(decode, "reference_decode", lambda obj, rtype, *how: (walked.append(rtype.kind), reference(obj, rtype, *how))[1])
    node = Node(memory=memory)
    node.run(301)  # registration, then the 5-minute status report
    status = node.admin.get("nodes", "node-1")["status"]
    assert (status["capacity"]["memory"], status["allocatable"]["memory"]) == (capacity, allocatable)
    assert status["capacity"]["ephemeral-storage"] == "100Gi"
    assert "Node" not in walked  # canonical already: the strict decoder's fast pass takes it
