"""batch/v1 Job through the API server: discovery, defaults, the generated selector and
validation with kube-apiserver 1.32's messages."""

import pytest

import labkube
from labkube import StatusError


def job(name="pi", **spec):
    template = spec.pop("template", {"spec": {"containers": [{"name": "c", "image": "busybox"}],
                                              "restartPolicy": "Never"}})
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {**spec, "template": template}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def test_jobs_are_served_in_batch_v1_and_listed_in_the_all_category(cluster):
    rtype = cluster.server.registry.resolve("jobs")
    assert (rtype.api_version, rtype.kind, rtype.namespaced, rtype.short_names) == ("batch/v1", "Job", True, ())
    assert "all" in rtype.categories and rtype.subresources == ("status",)
    assert cluster.server.registry.resolve("jobs.batch") is rtype


@pytest.mark.parametrize("given, expected", [
    ({}, {"completions": 1, "parallelism": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
          "suspend": False, "manualSelector": False, "podReplacementPolicy": "TerminatingOrFailed"}),
    ({"parallelism": 3}, {"parallelism": 3, "completions": None}),
    ({"completions": 4}, {"completions": 4, "parallelism": 1}),
    ({"backoffLimit": 0}, {"backoffLimit": 0}),
], ids=["a bare job runs one pod once with backoff limit 6",
        "parallelism alone leaves completions unset",
        "completions alone gets parallelism 1",
        "an explicit backoff limit of 0 is kept"])
def test_job_defaults(cluster, given, expected):
    live = cluster.apply(job(**given))[0]
    for field, value in expected.items():
        assert live["spec"].get(field) == value, field


def test_the_strategy_generates_the_selector_and_the_four_template_labels(cluster):
    live = cluster.apply(job())[0]
    uid = live["metadata"]["uid"]
    labels = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi",
              "controller-uid": uid, "job-name": "pi"}
    assert live["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert live["spec"]["template"]["metadata"]["labels"] == labels
    assert live["metadata"]["labels"] == labels  # a Job without labels shows its template's
    assert live["metadata"]["generation"] == 1 and live["status"] == {}


def test_a_job_with_its_own_labels_keeps_them(cluster):
    obj = job()
    obj["metadata"]["labels"] = {"team": "a"}
    assert cluster.apply(obj)[0]["metadata"]["labels"] == {"team": "a"}


RESTART_REQUIRED = 'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'


@pytest.mark.parametrize("spec, message", [
    ({"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}, RESTART_REQUIRED),
    ({"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Always"}}},
     RESTART_REQUIRED),
    ({"parallelism": -1}, "spec.parallelism: Invalid value: -1: must be greater than or equal to 0"),
    ({"completions": -2}, "spec.completions: Invalid value: -2: must be greater than or equal to 0"),
    ({"backoffLimit": -1}, "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"),
    ({"activeDeadlineSeconds": -5},
     "spec.activeDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0"),
    ({"ttlSecondsAfterFinished": -1},
     "spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0"),
    ({"completionMode": "Sometimes"},
     'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'),
    ({"podReplacementPolicy": "Never"},
     'spec.podReplacementPolicy: Unsupported value: "Never": supported values: "Failed", "TerminatingOrFailed"'),
    ({"backoffLimitPerIndex": 1},
     "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"),
], ids=["a template without restartPolicy is refused (it would default to Always)",
        "restartPolicy Always is refused",
        "negative parallelism", "negative completions", "negative backoffLimit",
        "negative activeDeadlineSeconds", "negative ttlSecondsAfterFinished",
        "an unknown completion mode", "an unknown pod replacement policy",
        "backoffLimitPerIndex needs Indexed"])
def test_invalid_jobs_are_refused_with_kube_apiservers_message(cluster, spec, message):
    with pytest.raises(StatusError) as err:
        cluster.apply(job("bad", **spec))
    assert err.value.code == 422
    assert err.value.message == f'Job.batch "bad" is invalid: {message}'


def test_a_manual_selector_that_does_not_match_the_template_is_refused(cluster):
    obj = job("manual", manualSelector=True, selector={"matchLabels": {"app": "x"}})
    obj["spec"]["template"]["metadata"] = {"labels": {"app": "y"}}
    with pytest.raises(StatusError) as err:
        cluster.apply(obj)
    assert err.value.message == ('Job.batch "manual" is invalid: spec.template.metadata.labels: Invalid value: '
                                 'map[string]string{"app":"y"}: `selector` does not match template `labels`')


@pytest.mark.parametrize("change, field", [
    (lambda spec: spec.update(completions=3), "spec.completions: Invalid value: 3: field is immutable"),
    (lambda spec: spec.update(completionMode="Indexed"), "spec.completionMode"),
    (lambda spec: spec["template"]["spec"]["containers"][0].update(image="nginx"), "spec.template"),
], ids=["completions", "completionMode", "the pod template"])
def test_immutable_fields_cannot_change_on_update(cluster, change, field):
    live = cluster.apply(job())[0]
    change(live["spec"])
    with pytest.raises(StatusError) as err:
        cluster.client.update(live)
    assert field in err.value.message and "field is immutable" in err.value.message


def test_parallelism_and_suspend_may_change(cluster):
    live = cluster.apply(job(completions=4))[0]
    live["spec"]["parallelism"] = 2
    live["spec"]["suspend"] = True
    updated = cluster.client.update(live)
    assert updated["spec"]["parallelism"] == 2 and updated["metadata"]["generation"] == 2


def test_the_job_controller_and_ttl_controller_have_their_bootstrap_roles(cluster):
    assert cluster.can_i("create", "pods", user="system:serviceaccount:kube-system:job-controller")
    assert cluster.can_i("patch", "jobs", user="system:serviceaccount:kube-system:job-controller")
    assert cluster.can_i("delete", "jobs", user="system:serviceaccount:kube-system:ttl-after-finished-controller")
