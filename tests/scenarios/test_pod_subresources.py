"""pods/log, pods/exec and pods/eviction go through the API server to the pod's kubelet;
the metrics API reports the kubelets' usage. Errors are kube-apiserver's."""

import pytest

import labkube
from labkube import StatusError
from labkube.kubectl import run

TWO = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "two"},
       "spec": {"containers": [{"name": "a", "image": "busybox:1.36", "command": ["sh", "-c", "echo from a; sleep 3600"]},
                               {"name": "b", "image": "busybox:1.36", "command": ["sh", "-c", "echo from b; sleep 3600"]}]}}


@pytest.fixture
def cluster():
    c = labkube.Cluster(nodes=2, seed=0)
    c.apply(TWO)
    c.run(20)
    return c


def test_logs_name_the_container_when_a_pod_has_several(cluster):
    with pytest.raises(StatusError) as err:
        cluster.client.pod_logs("two", "default")
    assert err.value.code == 400
    assert err.value.message == "a container name must be specified for pod two, choose one of: [a b]"
    assert cluster.client.pod_logs("two", "default", container="b") == "from b\n"


def test_logs_of_an_unknown_container_are_refused(cluster):
    with pytest.raises(StatusError, match="container c is not valid for pod two"):
        cluster.client.pod_logs("two", "default", container="c")


def test_logs_of_an_unscheduled_pod_say_it_has_no_host():
    c = labkube.Cluster(nodes=1, seed=0, scheduler=False)
    c.kubectl("run lonely --image=nginx")
    with pytest.raises(StatusError) as err:
        c.client.pod_logs("lonely", "default")
    assert err.value.message == "pod lonely does not have a host assigned"


def test_exec_runs_in_the_container_and_reports_the_exit_code(cluster):
    result = cluster.client.pod_exec("two", "default", ["sh", "-c", "echo hi; exit 4"], container="a")
    assert (result.exit_code, result.stdout) == (4, "hi\n")


def test_exec_that_sleeps_lets_simulated_time_pass(cluster):
    before = cluster.clock.now()
    cluster.client.pod_exec("two", "default", ["sleep", "5"], container="a")
    assert cluster.clock.now() - before >= 5


def test_exec_of_a_missing_executable_is_the_streaming_servers_internal_error(cluster):
    # ServeExec writes an InternalError status on the error stream; kubectl prints its
    # message after "error: " (no "Error from server": it is no API response), exit code 1.
    result = run(cluster, "exec two -c a -- nosuchcmd")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: Internal error occurred: error executing command in container: "
                                    'failed to exec in container: failed to start exec "')
    assert result.stderr.endswith('OCI runtime exec failed: exec failed: unable to start container process: '
                                  'exec: "nosuchcmd": executable file not found in $PATH: unknown\n')
    with pytest.raises(StatusError) as err:  # the Python API raises the same status
        cluster.client.pod_exec("two", "default", ["nosuchcmd"], container="a")
    assert (err.value.code, err.value.reason) == (500, "InternalError")


def test_logs_and_exec_are_authorized_as_subresources(cluster):
    alice = cluster.as_user("alice")
    with pytest.raises(StatusError) as err:
        alice.pod_logs("two", "default", container="a")
    assert err.value.message == (
        'pods "two" is forbidden: User "alice" cannot get resource "pods/log" in API group "" '
        'in the namespace "default"'
    )
    with pytest.raises(StatusError, match='cannot create resource "pods/exec"'):
        alice.pod_exec("two", "default", ["true"], container="a")


def test_a_down_kubelet_cannot_serve_logs(cluster):
    node = cluster.get("pod", "two")["spec"]["nodeName"]
    cluster.fail_node(node)
    with pytest.raises(StatusError) as err:
        cluster.client.pod_logs("two", "default", container="a")
    assert err.value.code == 500 and "dial tcp" in err.value.message


def test_an_eviction_deletes_the_pod_gracefully(cluster):
    status = cluster.client.evict("two", "default")
    assert status["status"] == "Success" and status["code"] == 201
    assert cluster.get("pod", "two")["metadata"]["deletionTimestamp"]
    cluster.run(40)
    assert cluster.list("pods", field_selector="metadata.name=two") == []


def test_the_metrics_api_reports_nodes_and_pods(cluster):
    nodes = cluster.client.node_metrics()
    assert nodes["kind"] == "NodeMetricsList" and [n["metadata"]["name"] for n in nodes["items"]] == ["node-1", "node-2"]
    pods = cluster.client.pod_metrics("default")
    assert [p["metadata"]["name"] for p in pods["items"]] == ["two"]
    assert [c["name"] for c in pods["items"][0]["containers"]] == ["a", "b"]
    assert pods["items"][0]["containers"][0]["usage"]["memory"].endswith("Ki")


@pytest.mark.parametrize("command", ["ls /", ["ls", 5]])
def test_an_exec_command_is_a_list_of_strings_and_anything_else_is_named(cluster, command):
    # a string would otherwise run as its characters ("l", "s", ...)
    with pytest.raises(TypeError, match=r'the command is a list of strings, e\.g\. \["sh", "-c", "ls /"\]'):
        cluster.exec("two", command, container="a")
