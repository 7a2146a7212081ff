"""The pod status the kubelet writes: its fields and its conditions in the order kube-apiserver
serializes them, whatever shortcuts build them."""

import pytest

from labkube.core.clock import format_timestamp
from labkube.core.kubelet import status as podstatus
from labkube.core.kubelet.env import ContainerConfigError, field_value
from tests.core.kubelet.harness import Node, simple_pod

NOW = "2025-01-01T00:01:00Z"
BEFORE = "2025-01-01T00:00:00Z"


def _ready(names):
    return [{"name": n, "ready": True, "state": {"running": {}}} for n in names]


def test_conditions_come_in_struct_order_kubelet_owned_first_then_the_others_as_they_were():
    scheduled = {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                 "lastTransitionTime": BEFORE}
    out = podstatus.conditions([scheduled], NOW, sandbox_ready=True, phase="Running",
                               spec={}, init_statuses=[], statuses=_ready(["app"]))
    assert [c["type"] for c in out] == ["PodReadyToStartContainers", "Initialized", "Ready",
                                        "ContainersReady", "PodScheduled"]
    assert all(list(c) == ["type", "status", "lastProbeTime", "lastTransitionTime"] for c in out)
    assert out[-1] == scheduled and out[-1] is not scheduled  # as it was, but a copy


def test_a_condition_keeps_its_transition_time_until_its_status_flips():
    old = [{"type": "Ready", "status": "False", "lastProbeTime": None, "lastTransitionTime": BEFORE,
            "reason": "ContainersNotReady", "message": "containers with unready status: [app]"},
           {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": None,
            "lastTransitionTime": BEFORE}]
    unready = [{"name": "app", "ready": False, "state": {"waiting": {}}}]
    out = {c["type"]: c for c in podstatus.conditions(
        old, NOW, sandbox_ready=True, phase="Pending", spec={}, init_statuses=[], statuses=unready)}
    assert out["Ready"] == old[0]
    assert list(out["Ready"]) == ["type", "status", "lastProbeTime", "lastTransitionTime", "reason",
                                  "message"]
    assert out["PodReadyToStartContainers"]["lastTransitionTime"] == BEFORE
    flipped = {c["type"]: c for c in podstatus.conditions(
        old, NOW, sandbox_ready=True, phase="Running", spec={}, init_statuses=[],
        statuses=_ready(["app"]))}
    assert flipped["Ready"] == {"type": "Ready", "status": "True", "lastProbeTime": None,
                                "lastTransitionTime": NOW}


@pytest.mark.parametrize("phase, init, expected", [
    ("Pending", [{"name": "a", "state": {"running": {}}}, {"name": "b", "state": {"waiting": {}}}],
     ("False", "ContainersNotInitialized", "containers with incomplete status: [a b]")),
    ("Running", [{"name": "a", "state": {"terminated": {"exitCode": 0}}}], ("True", None, None)),
    ("Succeeded", [{"name": "a", "state": {"terminated": {"exitCode": 0}}}],
     ("True", "PodCompleted", None)),
])
def test_initialized_names_the_init_containers_not_yet_done(phase, init, expected):
    spec = {"initContainers": [{"name": st["name"]} for st in init]}
    out = {c["type"]: c for c in podstatus.conditions(
        [], NOW, sandbox_ready=True, phase=phase, spec=spec, init_statuses=init, statuses=[])}
    cond = out["Initialized"]
    assert (cond["status"], cond.get("reason"), cond.get("message")) == expected


def test_the_written_status_has_the_go_field_order_and_keeps_the_fields_others_own():
    node = Node(start=False)
    node.create(simple_pod("web", "nginx"))
    node.admin.patch("pods", "web", {"status": {"nominatedNodeName": "node-1",
                                                "resize": "Proposed"}},
                     namespace="default", subresource="status")
    node.kubelet.start()
    node.run(10)
    status = node.pod("web")["status"]
    assert list(status) == ["phase", "conditions", "nominatedNodeName", "hostIP", "hostIPs",
                            "podIP", "podIPs", "startTime", "containerStatuses", "qosClass",
                            "resize"]
    assert status["phase"] == "Running" and status["resize"] == "Proposed"


def test_a_running_container_reports_when_it_started_to_the_second():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    started = node.container("web")["state"]["running"]["startedAt"]
    assert started == format_timestamp(node.runtime.list_containers()[0].started_at)


POD = {"metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "labels": {"b": "2", "a": "x\"y"}},
       "spec": {"nodeName": "node-1", "serviceAccountName": "default"},
       "status": {"hostIP": "172.18.0.2", "hostIPs": [{"ip": "172.18.0.2"}, {"ip": "fd00::2"}],
                  "podIP": "10.244.1.2", "podIPs": [{"ip": "10.244.1.2"}]}}


@pytest.mark.parametrize("path, value", [
    ("metadata.name", "web"), ("metadata.namespace", "shop"), ("metadata.uid", "u-1"),
    ("spec.nodeName", "node-1"), ("spec.serviceAccountName", "default"),
    ("status.hostIP", "172.18.0.2"), ("status.podIP", "10.244.1.2"),
    ("status.hostIPs", "172.18.0.2,fd00::2"), ("status.podIPs", "10.244.1.2"),
    ("metadata.labels['a']", 'x"y'), ("metadata.labels['none']", ""),
    ("metadata.labels", 'a="x\\"y"\nb="2"'), ("metadata.annotations", ""),
])
def test_downward_api_fields_read_the_pod(path, value):
    assert field_value(POD, path) == value


def test_a_field_the_downward_api_does_not_offer_is_a_config_error():
    with pytest.raises(ContainerConfigError, match="unsupported fieldPath: spec.hostname"):
        field_value(POD, "spec.hostname")
    assert field_value({"metadata": {}}, "metadata.name") == ""


def _containers(value, found=None):
    """The ids of every dict and list inside ``value`` (itself included)."""
    found = set() if found is None else found
    if isinstance(value, (dict, list)):
        found.add(id(value))
        for item in (value.values() if isinstance(value, dict) else value):
            _containers(item, found)
    return found


def test_the_computed_status_shares_no_dict_or_list_with_the_informer_s_pod_or_the_records():
    # write_status hands the status over to the API server, which normalizes it in place:
    # nothing in it may belong to the informer's cached pod or to the worker's records.
    node = Node()
    pod = simple_pod("crash", "busybox:1.28", command=["sh", "-c", "exit 1"])
    node.create(pod)
    node.run(30)
    conditions = node.pod("crash")["status"]["conditions"] + [
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2025-01-01T00:00:00Z"}]
    node.admin.patch("pods", "crash", {"status": {"conditions": conditions}}, namespace="default",
                     subresource="status")  # a condition the scheduler owns: the kubelet keeps it
    node.run(1)
    worker = next(iter(node.kubelet.workers.values()))
    record = next(iter(worker.records.values()))
    assert record.last_terminated is not None  # a restarted container: lastState is kept
    assert "PodScheduled" in [c["type"] for c in worker.pod["status"]["conditions"]]
    owned_elsewhere = _containers(worker.pod) | _containers(record.last_terminated)
    assert not _containers(worker.compute_status()) & owned_elsewhere
