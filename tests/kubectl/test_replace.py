"""``kubectl replace``: unit tests of labkube.kubectl.commands.replace and scenarios on a
running cluster (simulated clock, no sleeps).

The byte-for-byte comparisons with the real kubectl 1.32 are in ``test_replace_oracle.py``;
here: what replace does to the cluster (PUT vs apply's patch, the resourceVersion it sends,
dry runs, the annotation), the order documents are handled in, and ``--force`` on running
Pods and Deployments, where the clock must run while kubectl waits for the deletion.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands import replace
from tests.kubectl.replace_cases import LAST_APPLIED, configmap, deployment, pod, yaml_text


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def idle_cluster(*objects):
    """A cluster whose clock does not run: only kubectl's own requests happen."""
    cluster = labkube.Cluster(nodes=0, seed=0)
    for obj in objects:
        cluster.client.create(obj)
    return cluster


def running_cluster(nodes=1):
    cluster = labkube.Cluster(nodes=nodes, seed=0)
    cluster.run(5)  # the namespace's default ServiceAccount exists from here on
    return cluster


def write(name: str, *objects) -> None:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text(yaml_text(*objects))


def live(cluster, resource, name="web"):
    return cluster.client.get(resource, name, "default")


def kubectl_requests(cluster, since: int) -> list[tuple[str, str, str]]:
    user = cluster.client.user.name
    return [(e.verb, e.resource + (f"/{e.subresource}" if e.subresource else ""), e.name)
            for e in cluster.audit(since, user=user)]


# ---------------------------------------------------------------------------------------
# What replace sends
# ---------------------------------------------------------------------------------------


def test_replace_is_a_put_of_the_whole_object_so_fields_left_out_are_gone():
    cluster = idle_cluster(configmap(data={"color": "blue", "size": "L"}))
    write("cm.yaml", configmap(data={"color": "green"}))
    result = run(cluster, "replace -f cm.yaml")
    assert (result.stdout, result.exit_code) == ("configmap/web replaced\n", 0)
    assert live(cluster, "configmaps")["data"] == {"color": "green"}


def test_apply_by_contrast_keeps_what_the_file_never_mentioned():
    """The difference a student meets first: apply merges, replace overwrites."""
    cluster = idle_cluster(configmap(data={"color": "blue", "size": "L"}))
    write("cm.yaml", configmap(data={"color": "green"}))
    run(cluster, "apply -f cm.yaml")
    assert live(cluster, "configmaps")["data"] == {"color": "green", "size": "L"}


def test_a_file_without_resource_version_gets_the_live_one_read_first():
    cluster = idle_cluster(configmap())
    version = live(cluster, "configmaps")["metadata"]["resourceVersion"]
    since = cluster.audit_log.last_seq
    write("cm.yaml", configmap(data={"color": "green"}))
    run(cluster, "replace -f cm.yaml")
    assert kubectl_requests(cluster, since) == [("get", "configmaps", "web"), ("update", "configmaps", "web")]
    assert int(live(cluster, "configmaps")["metadata"]["resourceVersion"]) > int(version)


def test_a_file_with_a_stale_resource_version_is_refused_with_a_conflict_and_no_get():
    cluster = idle_cluster(configmap())
    since = cluster.audit_log.last_seq
    write("cm.yaml", configmap(data={"color": "green"}, resourceVersion="1"))
    result = run(cluster, "replace -f cm.yaml")
    assert result.stderr == (
        'Error from server (Conflict): error when replacing "cm.yaml": Operation cannot be fulfilled '
        'on configmaps "web": the object has been modified; please apply your changes to the latest '
        "version and try again\n")
    assert result.exit_code == 1
    assert kubectl_requests(cluster, since) == [("update", "configmaps", "web")]
    assert live(cluster, "configmaps")["data"] == {"color": "blue"}


def test_replace_never_creates():
    cluster = idle_cluster()
    write("web.yaml", pod())
    result = run(cluster, "replace -f web.yaml")
    assert result.stderr == ('Error from server (NotFound): error when replacing "web.yaml": '
                             'pods "web" not found\n')
    assert cluster.client.list("pods", "default")["items"] == []


def test_client_dry_run_sends_nothing_and_server_dry_run_stores_nothing():
    cluster = idle_cluster(configmap())
    write("cm.yaml", configmap(data={"color": "green"}))
    since = cluster.audit_log.last_seq
    assert run(cluster, "replace -f cm.yaml --dry-run=client").stdout == "configmap/web replaced (dry run)\n"
    assert kubectl_requests(cluster, since) == []
    assert run(cluster, "replace -f cm.yaml --dry-run=server").stdout == (
        "configmap/web replaced (server dry run)\n")
    assert live(cluster, "configmaps")["data"] == {"color": "blue"}


def test_save_config_lets_apply_take_over_without_a_warning():
    cluster = idle_cluster(configmap())
    write("cm.yaml", configmap(data={"color": "green"}))
    run(cluster, "replace -f cm.yaml --save-config")
    annotation = live(cluster, "configmaps")["metadata"]["annotations"][LAST_APPLIED]
    assert annotation == ('{"apiVersion":"v1","data":{"color":"green"},"kind":"ConfigMap","metadata":'
                          '{"annotations":{},"name":"web","namespace":"default"}}\n')
    result = run(cluster, "apply -f cm.yaml")
    assert (result.stdout, result.stderr) == ("configmap/web unchanged\n", "")


def test_an_annotation_already_in_the_file_is_refreshed_to_the_new_content():
    cluster = idle_cluster(configmap())
    write("cm.yaml", configmap(data={"color": "green"}, annotations={LAST_APPLIED: '{"stale":true}'}))
    run(cluster, "replace -f cm.yaml")
    annotation = live(cluster, "configmaps")["metadata"]["annotations"][LAST_APPLIED]
    assert '"color":"green"' in annotation and "stale" not in annotation


@pytest.mark.parametrize("save_config,annotations,expect_annotation", [
    (False, None, False),
    (True, None, True),
    (False, {LAST_APPLIED: ""}, False),
    (False, {LAST_APPLIED: "{}"}, True),
], ids=["no flag, no annotation: untouched", "--save-config adds it",
        "an empty annotation is not refreshed", "a present annotation is refreshed"])
def test_with_apply_annotation_follows_create_or_update_annotation(save_config, annotations, expect_annotation):
    obj = configmap(**({"annotations": annotations} if annotations is not None else {}))
    got = replace.with_apply_annotation(obj, save_config)
    value = (got["metadata"].get("annotations") or {}).get(LAST_APPLIED, "")
    assert bool(value and value != "{}") == expect_annotation
    assert got is not obj and obj == configmap(**({"annotations": annotations} if annotations else {}))


def test_a_subresource_put_changes_only_that_part():
    cluster = idle_cluster(deployment(replicas=2))
    write("d.yaml", deployment(replicas=5, image="changed"))
    result = run(cluster, "replace -f d.yaml --subresource=scale")
    assert result.stdout == "scale.autoscaling/web replaced\n"
    spec = live(cluster, "deployments")["spec"]
    assert spec["replicas"] == 5 and spec["template"]["spec"]["containers"][0]["image"] == "nginx"


# ---------------------------------------------------------------------------------------
# One document at a time
# ---------------------------------------------------------------------------------------


def test_a_bad_second_document_leaves_its_object_untouched_and_the_others_still_replaced():
    cluster = idle_cluster(configmap("one"), configmap("two"), configmap("three"))
    Path("all.yaml").write_text(yaml_text(configmap("one", data={"color": "green"}))
                                + "---\n" + yaml_text(configmap("two", data={"replicas": 3}))
                                + "---\n" + yaml_text(configmap("three", data={"color": "red"})))
    result = run(cluster, "replace -f all.yaml")
    assert result.stdout == "configmap/one replaced\nconfigmap/three replaced\n"
    assert result.stderr.startswith('Error from server (BadRequest): error when replacing "all.yaml": ')
    assert result.exit_code == 1
    assert [live(cluster, "configmaps", n)["data"]["color"] for n in ("one", "two", "three")] == [
        "green", "blue", "red"]


def test_errors_print_after_the_output_in_document_order():
    cluster = idle_cluster(configmap())
    Path("b.yaml").write_text(yaml_text(configmap("missing"), {"apiVersion": "v1", "kind": "Foo",
                                                                "metadata": {"name": "x"}},
                                        configmap(data={"color": "green"})))
    result = run(cluster, "replace -f b.yaml")
    assert result.stdout == "configmap/web replaced\n"
    assert result.stderr.splitlines()[0].endswith('configmaps "missing" not found')
    assert result.stderr.splitlines()[1].startswith('resource mapping not found for name: "x"')


def test_a_missing_path_stops_everything_before_the_first_object():
    cluster = idle_cluster(configmap())
    write("cm.yaml", configmap(data={"color": "green"}))
    result = run(cluster, "replace -f cm.yaml -f nope.yaml")
    assert (result.stdout, result.stderr) == ("", 'error: the path "nope.yaml" does not exist\n')
    assert live(cluster, "configmaps")["data"] == {"color": "blue"}


def test_a_folder_is_read_in_name_order_and_recursively_with_R():
    cluster = idle_cluster(configmap("a"), configmap("b"), configmap("c"))
    write("d/b.yaml", configmap("b", data={"n": "2"}))
    write("d/a.json", configmap("a", data={"n": "1"}))
    write("d/sub/c.yml", configmap("c", data={"n": "3"}))
    assert run(cluster, "replace -f d").stdout == "configmap/a replaced\nconfigmap/b replaced\n"
    assert run(cluster, "replace -f d -R").stdout == (
        "configmap/a replaced\nconfigmap/b replaced\nconfigmap/c replaced\n")


def test_force_with_a_bad_document_deletes_the_good_ones_and_creates_nothing_as_kubectl_does():
    cluster = idle_cluster(configmap())
    write("b.yaml", configmap(data={"color": "green"}), {"apiVersion": "v1", "kind": "Foo",
                                                         "metadata": {"name": "x"}})
    result = run(cluster, "replace --force -f b.yaml")
    assert result.stdout == 'configmap "web" deleted\n'
    assert result.stderr.startswith('error: resource mapping not found for name: "x"')
    assert cluster.client.list("configmaps", "default")["items"] == []


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command,stderr", [
    ("replace", "error: must specify one of -f and -k"),
    ("replace -f a.yaml -k dir", "error: only one of -f or -k can be specified"),
    ("replace -f a.yaml --grace-period=0", "error: --grace-period must have --force specified"),
    ("replace -f a.yaml --timeout=1m", "error: --timeout must have --force specified"),
    ("replace -f a.yaml --force --dry-run=client", "error: --dry-run can not be used when --force is set"),
    ("replace -f a.yaml --validate=sometimes",
     'error: invalid - validate option "sometimes"; must be one of: strict (or true), warn, ignore (or false)'),
    ("replace -f a.yaml --timeout=soon",
     'Error: invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"\n'
     "See 'kubectl replace --help' for usage."),
    ("replace -f a.yaml --raw=/x -o name", "error: --raw and --output are mutually exclusive"),
    ("replace -f https://example.com/a.yaml --raw=/x", "error: --raw cannot read from a url"),
    ("replace -f a.yaml --raw=x", 'error: --raw must be a valid URL path: parse "x": invalid URI for request'),
    ("replace -f a.yaml --raw=/api/v1/namespaces/default/configmaps/web", replace.RAW_UNSUPPORTED),
    ("replace -k dir", replace.KUSTOMIZE_UNSUPPORTED),
], ids=lambda value: value if value.startswith("replace") else "")
def test_flag_errors_read_as_kubectls(command, stderr):
    cluster = idle_cluster()
    write("a.yaml", configmap())
    result = run(cluster, command)
    assert (result.stdout, result.stderr, result.exit_code) == ("", stderr + "\n", 1)


@pytest.mark.parametrize("raw,problem", [
    ("/api/v1/namespaces/default/pods/web", ""),
    ("https://example.com/api", ""),
    ("pods/web", "invalid URI for request"),
    ("/x%zz", 'invalid URL escape "%zz"'),
    ("/x%4", 'invalid URL escape "%4"'),
    ("/x%41", ""),
])
def test_raw_paths_are_checked_as_url_parse_request_uri_does(raw, problem):
    assert replace._request_uri_problem(raw) == problem


def test_a_boolean_cascade_still_works_with_kubectls_deprecation_warning():
    cluster = idle_cluster(configmap())
    write("cm.yaml", configmap(data={"color": "green"}))
    result = run(cluster, "replace -f cm.yaml --cascade=false")
    assert result.stderr == ("warning: --cascade=false is deprecated (boolean value) and can be replaced "
                             "with --cascade=orphan.\n")
    assert result.stdout == "configmap/web replaced\n"


@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: ConfigMap\nmetadata: [a, b]\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 7}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, resourceVersion: 5}\ndata: {a: b}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: 3}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: web-\n",
    "apiVersion: v1\nkind: List\nitems: [1, 2]\n",
    "- just\n- a list\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: null\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: null\n",
    "{{{{",
    "",
])
@pytest.mark.parametrize("flags", ["", "--force", "--dry-run=client -o yaml", "--dry-run=server",
                                   "--subresource=status", "--save-config"])
def test_odd_files_get_kubectls_errors_never_a_traceback(text, flags):
    cluster = idle_cluster(configmap())
    Path("odd.yaml").write_text(text)
    result = run(cluster, f"replace -f odd.yaml {flags}")
    assert "Traceback" not in str(result)
    assert result.exit_code in (0, 1)


# ---------------------------------------------------------------------------------------
# Scenarios on a running cluster
# ---------------------------------------------------------------------------------------


def test_replacing_a_deployments_image_rolls_it_out():
    """``kubectl get deploy -o yaml``, change the image, ``kubectl replace -f``: the template
    changed, so the Deployment controller rolls out a new ReplicaSet."""
    cluster = running_cluster(nodes=2)
    run(cluster, "create deployment web --image=nginx:1.26 --replicas=3")
    cluster.run(60)
    text = run(cluster, "get deployment web -o yaml").stdout
    Path("web.yaml").write_text(text.replace("image: nginx:1.26", "image: nginx:1.27"))
    assert run(cluster, "replace -f web.yaml").stdout == "deployment.apps/web replaced\n"
    status = run(cluster, "rollout status deployment/web")
    assert status.stdout.endswith('deployment "web" successfully rolled out\n')
    pods = cluster.client.list("pods", "default", label_selector="app=web")["items"]
    running = [p for p in pods if "deletionTimestamp" not in p["metadata"]]
    assert [p["spec"]["containers"][0]["image"] for p in running] == ["nginx:1.27"] * 3
    replica_sets = cluster.client.list("replicasets", "default")["items"]
    assert sorted(rs["spec"]["replicas"] for rs in replica_sets) == [0, 3]


def test_the_saved_file_is_stale_after_the_rollout_and_replace_says_conflict():
    cluster = running_cluster()
    run(cluster, "create deployment web --image=nginx --replicas=1")
    cluster.run(30)
    Path("web.yaml").write_text(run(cluster, "get deployment web -o yaml").stdout)
    run(cluster, "scale deployment web --replicas=2")
    cluster.run(5)
    result = run(cluster, "replace -f web.yaml")
    assert "Error from server (Conflict)" in result.stderr and "the object has been modified" in result.stderr
    assert live(cluster, "deployments")["spec"]["replicas"] == 2


def test_a_pods_image_may_change_in_place_but_not_its_other_fields():
    cluster = running_cluster()
    run(cluster, "run web --image=nginx:1.26")
    cluster.run(30)
    text = run(cluster, "get pod web -o yaml").stdout
    uid = live(cluster, "pods")["metadata"]["uid"]
    result = run(cluster, "replace -f -", stdin=text.replace("image: nginx:1.26", "image: nginx:1.27"))
    assert result.stdout == "pod/web replaced\n"
    assert live(cluster, "pods")["metadata"]["uid"] == uid
    text = run(cluster, "get pod web -o yaml").stdout
    result = run(cluster, "replace -f -", stdin=text.replace("restartPolicy: Always", "restartPolicy: Never"))
    assert result.stderr.startswith('The Pod "web" is invalid: spec: Forbidden: pod updates may not change '
                                    "fields other than `spec.containers[*].image`")
    assert result.exit_code == 1


def force_pod_setup():
    """A running busybox Pod whose ``sleep`` (PID 1) ignores SIGTERM: it takes its whole 30 s
    grace period to stop, as on a real node."""
    cluster = running_cluster()
    run(cluster, "run web --image=busybox -- sleep 3600")
    cluster.run(30)
    text = run(cluster, "get pod web -o yaml").stdout
    Path("web.yaml").write_text(text.replace('- "3600"', '- "7200"'))
    return cluster


def test_replace_force_deletes_waits_for_the_pod_to_go_then_creates_it_again():
    cluster = force_pod_setup()
    old_uid = live(cluster, "pods")["metadata"]["uid"]
    assert "Forbidden" in run(cluster, "replace -f web.yaml").stderr  # args may not change in place
    start = cluster.clock.now()
    result = run(cluster, "replace --force -f web.yaml")
    assert (result.stdout, result.stderr, result.exit_code) == ('pod "web" deleted\npod/web replaced\n', "", 0)
    assert cluster.clock.now() - start == 30.0  # the grace period, polled once a second
    new = live(cluster, "pods")
    assert new["metadata"]["uid"] != old_uid and new["spec"]["containers"][0]["args"] == ["sleep", "7200"]
    cluster.run(10)
    assert live(cluster, "pods")["status"]["phase"] == "Running"


def test_replace_force_times_out_while_the_pod_is_terminating_and_creates_nothing():
    cluster = force_pod_setup()
    start = cluster.clock.now()
    result = run(cluster, "replace --force --timeout=5s -f web.yaml")
    assert (result.stdout, result.stderr, result.exit_code) == (
        'pod "web" deleted\n', "error: timed out waiting for the condition\n", 1)
    assert cluster.clock.now() - start == 5.0
    cluster.run(60)
    assert cluster.client.list("pods", "default")["items"] == []  # deleted, never re-created


def test_replace_force_with_grace_period_zero_means_one_second_and_waits():
    cluster = force_pod_setup()
    start = cluster.clock.now()
    result = run(cluster, "replace --force --grace-period=0 -f web.yaml")
    assert result.stdout == 'pod "web" deleted\npod/web replaced\n'
    assert cluster.clock.now() - start <= 2.0
    assert live(cluster, "pods")["spec"]["containers"][0]["args"] == ["sleep", "7200"]


def test_replace_force_orphan_leaves_the_pods_to_be_adopted_by_the_new_deployment():
    cluster = running_cluster()
    run(cluster, "create deployment web --image=nginx --replicas=2")
    cluster.run(30)
    pods_before = sorted(p["metadata"]["name"] for p in cluster.client.list("pods", "default")["items"])
    Path("web.yaml").write_text(run(cluster, "get deployment web -o yaml").stdout)
    result = run(cluster, "replace --force --cascade=orphan -f web.yaml")
    assert result.stdout == 'deployment.apps "web" deleted\ndeployment.apps/web replaced\n'
    cluster.run(30)
    pods_after = sorted(p["metadata"]["name"] for p in cluster.client.list("pods", "default")["items"])
    assert pods_after == pods_before  # no pod was replaced: the old ReplicaSet was adopted
    assert len(cluster.client.list("replicasets", "default")["items"]) == 1


def test_the_same_seed_gives_the_same_output():
    def story():
        cluster = force_pod_setup()
        outputs = [str(run(cluster, "replace --force -f web.yaml -o yaml"))]
        cluster.run(5)
        outputs.append(str(run(cluster, "get pod web -o yaml")))
        return outputs

    assert story() == story()


def test_the_yaml_printed_by_force_is_the_new_object():
    cluster = force_pod_setup()
    result = run(cluster, "replace --force -f web.yaml -o yaml")
    printed = yaml.safe_load(result.stdout.split("\n", 1)[1])
    assert result.stdout.startswith('pod "web" deleted\n')
    assert printed["metadata"]["uid"] == live(cluster, "pods")["metadata"]["uid"]
