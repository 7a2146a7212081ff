"""batch/v1 CronJob through the API server: discovery, SetDefaults_CronJob, the strategy, and
validation with kube-apiserver 1.32's field paths and messages."""

import copy

import pytest

import labkube
from labkube import StatusError


def cron_job(name="hello", **spec):
    job_spec = spec.pop("job_spec", {})
    template = spec.pop("template", {"spec": {"containers": [{"name": "c", "image": "busybox"}],
                                              "restartPolicy": "OnFailure"}})
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "*/1 * * * *", **spec,
                     "jobTemplate": {"spec": {**job_spec, "template": template}}}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def test_cronjobs_are_served_in_batch_v1_as_cj_in_the_all_category(cluster):
    rtype = cluster.server.registry.resolve("cj")
    assert (rtype.api_version, rtype.kind, rtype.namespaced, rtype.short_names) == ("batch/v1", "CronJob", True, ("cj",))
    assert "all" in rtype.categories and rtype.subresources == ("status",)
    assert cluster.server.registry.resolve("cronjobs.batch") is rtype


def test_batch_v1beta1_cronjobs_are_still_refused_as_kubernetes_1_32_does(cluster):
    obj = cron_job()
    obj["apiVersion"] = "batch/v1beta1"
    with pytest.raises(StatusError) as err:
        cluster.client.create(obj, "default")
    assert err.value.message == 'no matches for kind "CronJob" in version "batch/v1beta1"'


def test_a_bare_cronjob_gets_the_defaults_of_set_defaults_cronjob(cluster):
    live = cluster.client.create(cron_job(), "default")
    spec = live["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"], spec["successfulJobsHistoryLimit"],
            spec["failedJobsHistoryLimit"]) == ("Allow", False, 3, 1)
    assert "startingDeadlineSeconds" not in spec and "timeZone" not in spec


def test_only_the_pod_template_inside_the_job_template_is_defaulted(cluster):
    spec = cluster.client.create(cron_job(), "default")["spec"]["jobTemplate"]
    assert spec["metadata"] == {"creationTimestamp": None}
    assert set(spec["spec"]) == {"template"}  # no completions, parallelism or backoffLimit yet
    pod_spec = spec["spec"]["template"]["spec"]
    assert (pod_spec["dnsPolicy"], pod_spec["terminationGracePeriodSeconds"]) == ("ClusterFirst", 30)
    assert pod_spec["containers"][0]["imagePullPolicy"] == "Always"


def test_given_values_are_kept(cluster):
    live = cluster.client.create(cron_job(concurrencyPolicy="Forbid", suspend=True, successfulJobsHistoryLimit=0,
                                          failedJobsHistoryLimit=5, startingDeadlineSeconds=30,
                                          timeZone="Europe/Paris"), "default")
    assert {k: live["spec"][k] for k in ("concurrencyPolicy", "suspend", "successfulJobsHistoryLimit",
                                         "failedJobsHistoryLimit", "startingDeadlineSeconds", "timeZone")} == {
        "concurrencyPolicy": "Forbid", "suspend": True, "successfulJobsHistoryLimit": 0,
        "failedJobsHistoryLimit": 5, "startingDeadlineSeconds": 30, "timeZone": "Europe/Paris"}


def test_create_resets_status_and_starts_at_generation_one(cluster):
    obj = cron_job()
    obj["status"] = {"lastScheduleTime": "2025-01-01T00:00:00Z"}
    live = cluster.client.create(obj, "default")
    assert live["status"] == {} and live["metadata"]["generation"] == 1


def test_a_spec_change_bumps_the_generation_and_keeps_status(cluster):
    live = cluster.client.create(cron_job(), "default")
    live["status"] = {"lastScheduleTime": "2025-01-01T00:00:00Z"}
    status = cluster.client.update(copy.deepcopy(live), subresource="status")
    assert status["status"] == {"lastScheduleTime": "2025-01-01T00:00:00Z"}
    status["spec"]["suspend"] = True
    status["status"] = {}
    updated = cluster.client.update(status)
    assert updated["metadata"]["generation"] == 2
    assert updated["status"] == {"lastScheduleTime": "2025-01-01T00:00:00Z"}


def test_the_status_subresource_cannot_change_the_spec(cluster):
    live = cluster.client.create(cron_job(), "default")
    live["spec"]["schedule"] = "@hourly"
    live["status"] = {"lastScheduleTime": "2025-01-01T00:00:00Z"}
    written = cluster.client.update(live, subresource="status")
    assert written["spec"]["schedule"] == "*/1 * * * *"
    assert written["metadata"]["generation"] == 1


INVALID = [
    ("a missing schedule is required",
     {"schedule": ""}, "spec.schedule: Required value"),
    ("four fields",
     {"schedule": "* * * *"}, 'spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'),
    ("a six-field schedule with seconds",
     {"schedule": "0 * * * * *"},
     'spec.schedule: Invalid value: "0 * * * * *": expected exactly 5 fields, found 6: [0 * * * * *]'),
    ("minute 61",
     {"schedule": "61 * * * *"}, 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'),
    ("an unknown descriptor",
     {"schedule": "@reboot"}, 'spec.schedule: Invalid value: "@reboot": unrecognized descriptor: @reboot'),
    ("TZ in a new schedule",
     {"schedule": "TZ=Europe/Paris 0 9 * * *"},
     'spec.schedule: Invalid value: "TZ=Europe/Paris 0 9 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'),
    ("CRON_TZ in a new schedule",
     {"schedule": "CRON_TZ=UTC 0 9 * * *"},
     'spec.schedule: Invalid value: "CRON_TZ=UTC 0 9 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'),
    ("an unknown time zone",
     {"timeZone": "Mars/Olympus_Mons"}, 'spec.timeZone: Invalid value: "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons'),
    ("a zone name with a space",
     {"timeZone": "America/New York"}, 'spec.timeZone: Invalid value: "America/New York": unknown time zone America/New York'),
    ("an empty time zone",
     {"timeZone": ""}, 'spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'),
    ("Local is not explicit",
     {"timeZone": "Local"},
     'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'),
    ("a negative starting deadline",
     {"startingDeadlineSeconds": -1}, "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0"),
    ("an unknown concurrency policy",
     {"concurrencyPolicy": "Queue"},
     'spec.concurrencyPolicy: Unsupported value: "Queue": supported values: "Allow", "Forbid", "Replace"'),
    ("a negative successful history limit",
     {"successfulJobsHistoryLimit": -1},
     "spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0"),
    ("a negative failed history limit",
     {"failedJobsHistoryLimit": -2}, "spec.failedJobsHistoryLimit: Invalid value: -2: must be greater than or equal to 0"),
    ("a job template that restarts always",
     {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}},
     'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'),
    ("a negative backoff limit in the job template",
     {"job_spec": {"backoffLimit": -1}}, "spec.jobTemplate.spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"),
    ("a manual selector in the job template",
     {"job_spec": {"manualSelector": True}},
     'spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"'),
]


@pytest.mark.parametrize("spec, detail", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_cronjobs_are_refused_with_kube_apiservers_words(cluster, spec, detail):
    before = cluster.store.revision
    with pytest.raises(StatusError) as err:
        cluster.client.create(cron_job("bad", **spec), "default")
    assert err.value.code == 422
    assert err.value.message == f'CronJob.batch "bad" is invalid: {detail}'
    assert cluster.store.revision == before


def test_a_selector_in_the_job_template_is_refused_because_it_will_be_generated(cluster):
    with pytest.raises(StatusError) as err:
        cluster.client.create(cron_job("bad", job_spec={"selector": {"matchLabels": {"a": "b"}}}), "default")
    assert "spec.jobTemplate.spec.selector: Invalid value: " in err.value.message
    assert err.value.message.endswith("`selector` will be auto-generated")


@pytest.mark.parametrize("schedule", ["@hourly", "@every 1h30m", "0 0 * * ?", "*/5 9-17 * JAN-jun mon,wed,FRI",
                                      "0 0 30 2 *"], ids=[
    "a descriptor", "every with a duration", "question mark", "names, ranges and steps",
    "February 30th parses (the controller reports it)"])
def test_schedules_robfig_cron_parses_are_accepted(cluster, schedule):
    assert cluster.client.create(cron_job("ok", schedule=schedule), "default")["spec"]["schedule"] == schedule


def test_a_new_cronjob_name_has_at_most_52_characters(cluster):
    cluster.client.create(cron_job("a" * 52), "default")
    with pytest.raises(StatusError) as err:
        cluster.client.create(cron_job("b" * 53), "default")
    assert err.value.message == (f'CronJob.batch "{"b" * 53}" is invalid: metadata.name: '
                                 f'Invalid value: "{"b" * 53}": must be no more than 52 characters')


def test_a_changed_time_zone_is_validated_on_update(cluster):
    live = cluster.client.create(cron_job(timeZone="Europe/Paris"), "default")
    live["spec"]["timeZone"] = "Nowhere/City"
    with pytest.raises(StatusError) as err:
        cluster.client.update(copy.deepcopy(live))
    assert err.value.message.endswith('spec.timeZone: Invalid value: "Nowhere/City": unknown time zone Nowhere/City')


def test_deleting_a_cronjob_through_the_api_deletes_its_jobs_by_default(cluster):
    owner = cluster.client.create(cron_job(suspend=True), "default")
    ref = {"apiVersion": "batch/v1", "kind": "CronJob", "name": "hello", "uid": owner["metadata"]["uid"],
           "controller": True}
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "manual", "ownerReferences": [ref]},
           "spec": owner["spec"]["jobTemplate"]["spec"]}
    cluster.client.create(job, "default")
    cluster.client.delete("cronjobs", "hello", "default")  # no propagationPolicy: DeleteDependents
    cluster.run(5)
    assert cluster.client.list("jobs", "default")["items"] == []
