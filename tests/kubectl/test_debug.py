"""``kubectl debug``: ephemeral containers, copies of a pod, node debugging pods.

The expected lines, usage errors, patches and pod shapes were captured from the real kubectl
1.32 (``kubectl --server ... debug``; its pod creates decoded from the protobuf it sends, its
ephemeral-container PATCH read as sent). Attaching needs a terminal labkube's kubectl does not
have: the container is run until it runs or ends, then its output or a ``labkube:`` note is
printed (see labkube/kubectl/commands/debug.py).
"""

from __future__ import annotations

import json

import pytest

import labkube
from labkube.core.api.client import Client
from labkube.kubectl import run

LEGACY = ('--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly '
          'specify a profile, for example "--profile=general".\n')
PROMPT = "If you don't see a command prompt, try pressing enter.\n"


@pytest.fixture()
def cluster():
    c = labkube.Cluster(nodes=2, seed=5)
    c.kubectl("create namespace dbg")
    c.kubectl("run web --image=nginx --labels=app=web,tier=fe -n dbg")
    c.kubectl("annotate pod web note=hi -n dbg")
    c.run(30)
    return c


def debug(cluster, line):
    return run(cluster, f"debug -n dbg {line}")


def pod(cluster, name):
    return cluster.client.get("pods", name, "dbg")


def generated(text: str, prefix: str) -> str:
    """The name a line ending ``<prefix>xxxxx.`` or ``<prefix>xxxxx ...`` gives."""
    return prefix + text.split(prefix, 1)[1][:5]


# -- usage errors: as the real kubectl 1.32 prints them --------------------------------------------
@pytest.mark.parametrize("line, expected", [
    ("web", "error: you must specify --image when not using --copy-to.\n"),
    ("--image=busybox", "error: NAME or filename is required for debug\n"),
    ("web --image=busybox --copy-to=x --target=web",
     "error: --target is incompatible with --copy-to. Use --share-processes instead.\n"),
    ("web -t --image=busybox", "error: -i/--stdin is required for containers with -t/--tty=true\n"),
    ("web --image=busybox --profile=bogus", "error: unknown profile: bogus\n"),
    ("web --replace --image=busybox", "error: --replace may only be used with --copy-to.\n"),
    ("web --same-node --image=busybox", "error: --same-node may only be used with --copy-to.\n"),
    ("web --set-image=*=busybox --image=busybox", "error: --set-image may only be used with --copy-to.\n"),
    ("web --copy-to=x", "error: you must specify --image, --set-image or command arguments.\n"),
    ("web --copy-to=x -- sh", "error: you must specify an existing container or a new image when specifying args.\n"),
    ("web --attach --copy-to=x --set-image=a=b",
     "error: you must specify --container or create a new container using --image in order to attach.\n"),
    ("web --image=BAD_IMG", 'error: invalid image name "BAD_IMG": invalid reference format\n'),
    ("web --image=busybox --image-pull-policy=Bad", "error: invalid image pull policy: Bad\n"),
    ("web --copy-to=x --set-image=a=BAD", 'error: invalid image name "BAD" for container "a": invalid reference format\n'),
    ("web --image=busybox --env=A=1,B=2 --env C",
     "Error: invalid argument \"C\" for \"--env\" flag: C must be formatted as key=value\n"
     "See 'kubectl debug --help' for usage.\n"),
    ("web --image=busybox --set-image=x",
     "Error: invalid argument \"x\" for \"--set-image\" flag: x must be formatted as key=value\n"
     "See 'kubectl debug --help' for usage.\n"),
])
def test_a_wrong_command_line_fails_as_kubectl_does(cluster, line, expected):
    result = run(cluster, f"debug {line}")
    assert (result.stdout, result.stderr, result.exit_code) == ("", expected, 1)


@pytest.mark.parametrize("line, expected", [
    ("nope --image=busybox", 'Error from server (NotFound): pods "nope" not found\n'),
    ("svc/kubernetes --image=busybox -n default", 'error: "/v1, Kind=Service" not supported by debug\n'),
])
def test_a_target_that_cannot_be_debugged_fails_after_the_warning(cluster, line, expected):
    result = run(cluster, f"debug {line}")
    assert (result.stderr, result.exit_code) == (LEGACY + expected, 1)


# -- ephemeral containers ---------------------------------------------------------------------------
def test_an_ephemeral_debug_container_gets_a_generated_name(cluster):
    result = debug(cluster, "web --image=busybox")
    name = generated(result.stdout, "debugger-")
    assert str(result) == LEGACY + f"Defaulting debug container name to {name}.\n"
    (added,) = pod(cluster, "web")["spec"]["ephemeralContainers"]
    assert (added["name"], added["image"], added["terminationMessagePolicy"]) == (name, "busybox", "File")


def test_the_ephemeral_container_patch_is_the_one_kubectl_sends(cluster, monkeypatch):
    sent = []
    original = Client.patch

    def recording(self, resource, name, patch, **kwargs):
        if kwargs.get("subresource") == "ephemeralcontainers":
            sent.append(json.dumps(patch, sort_keys=True, separators=(",", ":")))
        return original(self, resource, name, patch, **kwargs)

    monkeypatch.setattr(Client, "patch", recording)
    first = generated(debug(cluster, "web --image=busybox").stdout, "debugger-")
    debug(cluster, "web --image=busybox:1.28 --target=web -c dbg2 --profile=general -- ps")
    assert sent == [
        '{"spec":{"ephemeralContainers":[{"image":"busybox","name":"%s","resources":{},'
        '"terminationMessagePolicy":"File"}]}}' % first,
        '{"spec":{"$setElementOrder/ephemeralContainers":[{"name":"%s"},{"name":"dbg2"}],'
        '"ephemeralContainers":[{"command":["ps"],"image":"busybox:1.28","name":"dbg2","resources":{},'
        '"securityContext":{"capabilities":{"add":["SYS_PTRACE"]}},"targetContainerName":"web",'
        '"terminationMessagePolicy":"File"}]}}' % first,
    ]
    assert [c["name"] for c in pod(cluster, "web")["spec"]["ephemeralContainers"]] == [first, "dbg2"]


def test_target_says_which_container_it_targets_before_the_warning(cluster):
    result = debug(cluster, "web --image=busybox --target=web -c d")
    assert result.chunks == [
        ("out", 'Targeting container "web". If you don\'t see processes from this container it may be because '
                "the container runtime doesn't support this feature.\n"),
        ("err", LEGACY),
    ]
    assert pod(cluster, "web")["spec"]["ephemeralContainers"][0]["targetContainerName"] == "web"


def test_an_interactive_debug_shell_keeps_running_and_the_note_says_how_to_use_it(cluster):
    result = debug(cluster, "-it web --image=busybox:1.28 --target=web --profile=general")
    name = generated(result.stdout, "debugger-")
    where = f"web -n dbg -c {name}"
    assert result.stderr == PROMPT + (
        f'labkube: there is no terminal to attach here; the container keeps running. Run commands in it with '
        f'"kubectl exec {where} -- ps" and read its output with "kubectl logs {where}".\n')
    (status,) = pod(cluster, "web")["status"]["ephemeralContainerStatuses"]
    assert "running" in status["state"]
    assert "sh" in cluster.kubectl(f"exec {where} -- ps")


def test_a_debug_command_that_ends_prints_its_output(cluster):
    result = debug(cluster, "-i web --image=busybox -c once --profile=general -- echo hello")
    assert (result.stdout, result.stderr) == ("hello\n", "")


def test_quiet_says_nothing_but_the_legacy_warning(cluster):
    result = debug(cluster, "-it -q web --image=busybox --target=web")
    assert result.stdout == ""
    assert result.stderr.startswith(LEGACY + "labkube: there is no terminal")


def test_a_waiting_debug_container_is_warned_about(cluster):
    result = debug(cluster, "-i web --image=nosuch/image:1 -c bad --profile=general")
    assert "Warning: container bad: Back-off pulling image \"nosuch/image:1\"" in result.stderr
    assert "did not start within 300s of cluster time" in result.stderr


# -- copies ------------------------------------------------------------------------------------------
def test_a_legacy_copy_drops_labels_keeps_annotations_and_adds_the_debug_container(cluster):
    result = debug(cluster, "web --image=busybox --copy-to=web-copy")
    name = generated(result.stdout, "debugger-")
    copy = pod(cluster, "web-copy")
    assert "labels" not in copy["metadata"] and copy["metadata"]["annotations"] == {"note": "hi"}
    assert [(c["name"], c["image"]) for c in copy["spec"]["containers"]] == [("web", "nginx"), (name, "busybox")]
    assert "shareProcessNamespace" not in copy["spec"]


def test_a_general_copy_shares_processes_and_keeps_what_keep_flags_say(cluster):
    debug(cluster, "web --image=busybox:1.28 --copy-to=c2 --profile=general --keep-labels -c dbg -it "
                   "--env=B=2,A=1 -- sh")
    copy = pod(cluster, "c2")
    assert copy["metadata"]["labels"] == {"app": "web", "tier": "fe"} and "annotations" not in copy["metadata"]
    assert copy["spec"]["shareProcessNamespace"] is True
    dbg = copy["spec"]["containers"][1]
    assert (dbg["command"], dbg["env"], dbg["stdin"], dbg["tty"]) == (
        ["sh"], [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], True, True)
    assert dbg["securityContext"] == {"capabilities": {"add": ["SYS_PTRACE"]}}


def test_share_processes_false_is_kept_by_every_profile(cluster):
    debug(cluster, "web --image=busybox --copy-to=c3 --profile=general --share-processes=false")
    assert pod(cluster, "c3")["spec"]["shareProcessNamespace"] is False


def test_a_copy_can_replace_a_containers_command_and_images(cluster):
    result = debug(cluster, "web -it --copy-to=web-debug --container=web --set-image=*=nginx:1.27 -- sh")
    copy = pod(cluster, "web-debug")
    (web,) = copy["spec"]["containers"]
    assert (web["image"], web["command"], web.get("stdin"), web.get("tty")) == ("nginx:1.27", ["sh"], True, True)
    assert result.stderr == LEGACY + PROMPT + (
        'labkube: there is no terminal to attach here; the container keeps running. Run commands in it with '
        '"kubectl exec web-debug -n dbg -c web -- ps" and read its output with "kubectl logs web-debug -n dbg -c web".\n')


def test_replace_deletes_the_original_and_same_node_keeps_its_node(cluster):
    node = pod(cluster, "web")["spec"]["nodeName"]
    debug(cluster, "web --image=busybox --copy-to=twin --replace --same-node")
    assert pod(cluster, "twin")["spec"]["nodeName"] == node
    assert "web" not in cluster.kubectl("get pods -n dbg -o name")


# -- nodes ----------------------------------------------------------------------------------------------
def test_a_node_debugging_pod_runs_in_the_hosts_namespaces_with_its_root_at_host(cluster):
    result = debug(cluster, "node/node-1 --image=busybox")
    name = generated(result.stdout, "node-debugger-node-1-")
    assert (result.stdout, result.stderr) == (
        f"Creating debugging pod {name} with container debugger on node node-1.\n", LEGACY)
    spec = pod(cluster, name)["spec"]
    assert "labels" not in pod(cluster, name)["metadata"]
    assert (spec["nodeName"], spec["restartPolicy"], spec["hostNetwork"], spec["hostPID"], spec["hostIPC"]) == (
        "node-1", "Never", True, True, True)
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert spec["volumes"][0] == {"name": "host-root", "hostPath": {"path": "/", "type": ""}}
    assert {"mountPath": "/host", "name": "host-root"}.items() <= spec["containers"][0]["volumeMounts"][0].items()


def test_a_restricted_node_pod_is_isolated_and_unprivileged(cluster):
    result = debug(cluster, "node/node-2 --image=busybox --profile=restricted -c dd --image-pull-policy=Never")
    name = generated(result.stdout, "node-debugger-node-2-")
    spec = pod(cluster, name)["spec"]
    assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC"))
    assert "host-root" not in [v["name"] for v in spec["volumes"]]
    (container,) = spec["containers"]
    assert (container["name"], container["imagePullPolicy"]) == ("dd", "Never")
    assert container["securityContext"] == {"capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True,
                                            "allowPrivilegeEscalation": False,
                                            "seccompProfile": {"type": "RuntimeDefault"}}


def test_debug_is_deterministic():
    def trace():
        c = labkube.Cluster(nodes=1, seed=9)
        c.kubectl("run web --image=nginx")
        c.run(30)
        out = [str(run(c, line)) for line in ("debug -it web --image=busybox", "debug node/node-1 --image=busybox",
                                              "debug web --image=busybox --copy-to=cp")]
        c.run(10)
        return "".join(out) + c.kubectl("get pods -o yaml")

    assert trace() == trace()
