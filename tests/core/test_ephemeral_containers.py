"""Ephemeral containers: the pods/ephemeralcontainers subresource, its rules, and the kubelet.

Messages and paths are kube-apiserver 1.32's (ValidatePodEphemeralContainersUpdate,
validateEphemeralContainers, ValidatePodCreate); the kubelet starts an ephemeral container
before the others and never again (kuberuntime_manager.go's computePodActions / SyncPod).
"""

from __future__ import annotations

import pytest

import labkube
from labkube.core.api import auth
from labkube.core.errors import StatusError

EPHEMERAL = "ephemeralcontainers"


@pytest.fixture()
def cluster():
    c = labkube.Cluster(nodes=1, seed=7)
    c.kubectl("create namespace eph")
    c.kubectl("run app --image=nginx -n eph")
    c.run(30)
    return c


def add(client, *containers, patch_type="strategic", name="app"):
    return client.patch("pods", name, {"spec": {"ephemeralContainers": list(containers)}},
                        namespace="eph", patch_type=patch_type, subresource=EPHEMERAL)


def message(call) -> str:
    with pytest.raises(StatusError) as caught:
        call()
    return str(caught.value)


def debugger(name="debugger", **fields):
    return {"name": name, "image": "busybox:1.28", **fields}


# -- the subresource ------------------------------------------------------------------------------
def test_a_patch_of_the_subresource_adds_a_defaulted_ephemeral_container(cluster):
    pod = add(cluster.client, debugger(targetContainerName="app"))
    (added,) = pod["spec"]["ephemeralContainers"]
    assert added == {"name": "debugger", "image": "busybox:1.28", "targetContainerName": "app",
                     "imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
                     "terminationMessagePolicy": "File", "resources": {}}


def test_a_get_of_the_subresource_is_the_pod(cluster):
    add(cluster.client, debugger())
    reply = cluster.apiserver_http.serve("GET", "/api/v1/namespaces/eph/pods/app/ephemeralcontainers", {},
                                         user=auth.ADMIN)
    pod = reply.json()
    assert (pod["kind"], pod["metadata"]["name"]) == ("Pod", "app")
    assert pod["spec"]["ephemeralContainers"][0]["name"] == "debugger"


def test_a_put_to_the_subresource_changes_only_the_ephemeral_containers(cluster):
    pod = cluster.client.get("pods", "app", "eph")
    pod["metadata"]["labels"] = {"changed": "yes"}
    pod["spec"]["containers"][0]["image"] = "httpd"
    pod["spec"]["ephemeralContainers"] = [debugger()]
    updated = cluster.client.update(pod, subresource=EPHEMERAL)
    assert updated["metadata"]["labels"] == {"run": "app"}
    assert updated["spec"]["containers"][0]["image"] == "nginx"
    assert [c["name"] for c in updated["spec"]["ephemeralContainers"]] == ["debugger"]


def test_discovery_lists_the_subresource_as_kube_apiserver_does(cluster):
    entries = {e["name"]: e for e in cluster.apiserver_http.api_resources("", "v1")}
    assert entries["pods/ephemeralcontainers"] == {
        **entries["pods/ephemeralcontainers"], "kind": "Pod", "verbs": ["get", "patch", "update"]}


@pytest.mark.parametrize("containers, expected", [
    ([debugger(name="app")],
     'Pod "app" is invalid: spec.ephemeralContainers[0].name: Duplicate value: "app"'),
    ([debugger(targetContainerName="nope")],
     'Pod "app" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "nope"'),
    ([debugger(ports=[{"containerPort": 80}])],
     'Pod "app" is invalid: spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral '
     "Container"),
    ([debugger(resources={"limits": {"cpu": "1"}}, readinessProbe={"exec": {"command": ["true"]}},
               lifecycle={"preStop": {"exec": {"command": ["true"]}}})],
     'Pod "app" is invalid: [spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral '
     "Container, spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral "
     "Container, spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container]"),
    ([debugger(restartPolicy="Always")],
     'Pod "app" is invalid: spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an '
     "Ephemeral Container"),
    ([debugger(), debugger()],
     'Pod "app" is invalid: spec.ephemeralContainers[1].name: Duplicate value: "debugger"'),
    ([{"name": "Bad_Name", "image": "busybox"}],
     'Pod "app" is invalid: spec.ephemeralContainers[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 '
     "label must consist of lower case alphanumeric characters or '-', and must start and end with an "
     "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
    ([{"name": "noimage"}],
     'Pod "app" is invalid: spec.ephemeralContainers[0].image: Required value'),
])
def test_an_ephemeral_container_is_validated_as_kube_apiserver_does(cluster, containers, expected):
    assert message(lambda: add(cluster.client, *containers)) == expected
    assert "ephemeralContainers" not in cluster.client.get("pods", "app", "eph")["spec"]  # nothing half-applied


def test_existing_ephemeral_containers_may_not_be_removed(cluster):
    add(cluster.client, debugger())
    assert message(lambda: add(cluster.client, patch_type="merge")) == (
        'Pod "app" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" '
        "may not be removed\n")


def test_existing_ephemeral_containers_may_not_be_changed(cluster):
    add(cluster.client, debugger())
    text = message(lambda: add(cluster.client, debugger(image="busybox:1.36"), patch_type="merge"))
    assert text.startswith('Pod "app" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral '
                           'containers "debugger" may not be changed\n')


def test_a_strategic_patch_with_a_new_name_adds_to_the_list(cluster):
    add(cluster.client, debugger("one"))
    pod = add(cluster.client, debugger("two"))
    assert sorted(c["name"] for c in pod["spec"]["ephemeralContainers"]) == ["one", "two"]


def test_a_pod_cannot_be_created_with_ephemeral_containers(cluster):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}], "ephemeralContainers": [debugger()]}}
    assert message(lambda: cluster.client.create(pod, "eph")) == (
        'Pod "p" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create')


def test_a_plain_pod_update_cannot_add_ephemeral_containers(cluster):
    text = message(lambda: cluster.client.patch("pods", "app", {"spec": {"ephemeralContainers": [debugger()]}},
                                                namespace="eph"))
    assert text.startswith('Pod "app" is invalid: spec: Forbidden: pod updates may not change fields other than')


def test_rbac_names_the_subresource_and_edit_does_not_grant_it(cluster):
    cluster.kubectl("create rolebinding dev-edit --clusterrole=edit --user=dev -n eph")
    dev = cluster.as_user("dev")
    assert message(lambda: add(dev, debugger())) == (
        'pods "app" is forbidden: User "dev" cannot patch resource "pods/ephemeralcontainers" in API group "" '
        'in the namespace "eph"')
    cluster.kubectl("create role debugger --verb=patch --resource=pods/ephemeralcontainers -n eph")
    cluster.kubectl("create rolebinding dev-debug --role=debugger --user=dev -n eph")
    assert add(dev, debugger())["spec"]["ephemeralContainers"][0]["name"] == "debugger"


# -- the kubelet --------------------------------------------------------------------------------------
def test_the_kubelet_starts_an_ephemeral_container_and_reports_its_status(cluster):
    add(cluster.client, debugger(command=["sleep", "3600"]))
    cluster.run(5)
    pod = cluster.client.get("pods", "app", "eph")
    (status,) = pod["status"]["ephemeralContainerStatuses"]
    assert status["name"] == "debugger" and "running" in status["state"]
    assert status["ready"] is False and "started" not in status and status["restartCount"] == 0
    assert list(pod["status"]).index("ephemeralContainerStatuses") == list(pod["status"]).index("qosClass") + 1
    reasons = [(e["reason"], e["message"]) for e in cluster.client.list("events", "eph")["items"]
               if e["involvedObject"].get("fieldPath") == "spec.ephemeralContainers{debugger}"]
    assert reasons == [("Pulling", 'Pulling image "busybox:1.28"'), ("Pulled", reasons[1][1]),
                       ("Created", "Created container debugger"), ("Started", "Started container debugger")]


def test_an_ephemeral_container_is_never_restarted_and_does_not_count_for_readiness(cluster):
    add(cluster.client, debugger(command=["sh", "-c", "exit 3"]))
    cluster.run(120)
    pod = cluster.client.get("pods", "app", "eph")
    (status,) = pod["status"]["ephemeralContainerStatuses"]
    assert status["state"]["terminated"]["exitCode"] == 3 and status["restartCount"] == 0
    conditions = {c["type"]: c["status"] for c in pod["status"]["conditions"]}
    assert conditions["Ready"] == conditions["ContainersReady"] == "True"
    assert pod["status"]["phase"] == "Running"
    assert cluster.kubectl("get pod app -n eph --no-headers").split()[1] == "1/1"


def test_exec_and_logs_reach_an_ephemeral_container(cluster):
    add(cluster.client, debugger(stdin=True, tty=True))
    cluster.run(5)
    assert "sh" in cluster.kubectl("exec app -n eph -c debugger -- ps")
    add(cluster.client, debugger("echo", command=["echo", "hello"]))
    cluster.run(5)
    assert cluster.kubectl("logs app -n eph -c echo") == "hello\n"


def test_a_shell_without_stdin_exits_and_one_with_stdin_waits_for_its_terminal(cluster):
    add(cluster.client, debugger("closed"), debugger("open", stdin=True))
    cluster.run(5)
    states = {s["name"]: next(iter(s["state"])) for s in
              cluster.client.get("pods", "app", "eph")["status"]["ephemeralContainerStatuses"]}
    assert states == {"closed": "terminated", "open": "running"}


def test_ephemeral_containers_are_deterministic():
    def trace():
        c = labkube.Cluster(nodes=1, seed=11)
        c.kubectl("run app --image=nginx")
        c.run(30)
        c.client.patch("pods", "app", {"spec": {"ephemeralContainers": [debugger(stdin=True)]}},
                       namespace="default", subresource=EPHEMERAL)
        c.run(10)
        return c.kubectl("get pod app -o yaml") + c.kubectl("describe pod app")

    assert trace() == trace()


def test_a_restarted_kubelet_adopts_an_ephemeral_container_that_ended_and_does_not_run_it_again(cluster):
    add(cluster.client, debugger(command=["echo", "once"]))
    cluster.run(5)
    node = cluster.client.get("pods", "app", "eph")["spec"]["nodeName"]
    kubelet = cluster.nodes.machines[node].kubelet
    kubelet.stop()
    kubelet.start()
    cluster.run(30)
    (status,) = cluster.client.get("pods", "app", "eph")["status"]["ephemeralContainerStatuses"]
    assert status["state"]["terminated"]["reason"] == "Completed"
    assert cluster.kubectl("logs app -n eph -c debugger") == "once\n"
    started = [e for e in cluster.client.list("events", "eph")["items"]
               if e["reason"] == "Started" and e["involvedObject"].get("fieldPath") == "spec.ephemeralContainers{debugger}"]
    assert [e.get("count", 1) for e in started] == [1]


def test_an_ephemeral_container_that_could_not_start_stays_terminated(cluster):
    add(cluster.client, debugger(command=["nosuchcommand"]))
    cluster.run(60)
    (status,) = cluster.client.get("pods", "app", "eph")["status"]["ephemeralContainerStatuses"]
    assert status["state"]["terminated"]["reason"] == "StartError" and status["restartCount"] == 0
