"""SetDefaults_ReplicationController, SetObjectDefaults_PodTemplate and the validation of both,
as pure functions (no server): what each default fills and each message says."""

import pytest

from labkube.core.api import defaults, validation


def rc(spec=None, labels=None):
    meta = {"name": "web", "namespace": "default"}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": meta, "spec": spec or {}}


def template(labels=None, **pod_spec):
    meta = {"labels": labels} if labels is not None else {}
    return {"metadata": meta, "spec": {"containers": [{"name": "c", "image": "nginx"}], **pod_spec}}


@pytest.mark.parametrize("obj, selector, labels, replicas", [
    (rc({"template": template({"app": "web"})}), {"app": "web"}, {"app": "web"}, 1),
    (rc({"template": template({"app": "web"}), "selector": {"x": "y"}, "replicas": 0}), {"x": "y"}, {"app": "web"}, 0),
    (rc({"template": template({"app": "web"})}, labels={"team": "a"}), {"app": "web"}, {"team": "a"}, 1),
    (rc({"template": template()}), None, None, 1),
    (rc({}), None, None, 1),
], ids=["selector and labels come from the template",
        "an explicit selector and replicas 0 are kept",
        "the rc's own labels are kept",
        "a template without labels defaults neither",
        "no template: only replicas"])
def test_rc_defaults(obj, selector, labels, replicas):
    defaults.apply_defaults(obj)
    assert obj["spec"].get("selector") == selector
    assert obj["metadata"].get("labels") == labels
    assert obj["spec"]["replicas"] == replicas and obj["status"] == {"replicas": 0}


def test_the_defaulted_selector_is_a_copy_not_the_templates_own_map():
    obj = rc({"template": template({"app": "web"})})
    defaults.apply_defaults(obj)
    obj["spec"]["template"]["metadata"]["labels"]["extra"] = "1"
    assert obj["spec"]["selector"] == {"app": "web"}


def test_a_pod_template_without_a_template_gets_an_empty_defaulted_one():
    obj = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t", "namespace": "default"}}
    defaults.apply_defaults(obj)
    assert obj["template"]["metadata"] == {"creationTimestamp": None}
    assert obj["template"]["spec"]["restartPolicy"] == "Always"
    assert [str(e) for e in validation.validate(obj)] == ["template.spec.containers: Required value"]


def _errors(obj, old=None):
    defaults.apply_defaults(obj)
    if old is not None:
        defaults.apply_defaults(old)
    return [str(e) for e in validation.validate(obj, old)]


@pytest.mark.parametrize("obj, expected", [
    (rc({"template": template({"app": "web"})}), []),
    (rc({"template": template({"app": "web"}), "selector": {"app": "web", "tier": "x"}}),
     ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
      "`selector` does not match template `labels`"]),
    (rc({"template": template({"app": "web"}, restartPolicy="OnFailure")}),
     ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']),
    (rc({"template": template({"app": "web"}), "replicas": -1, "minReadySeconds": -1}),
     ["spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
      "spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
    (rc({"template": template({})}), ["spec.selector: Required value"]),
], ids=["a valid rc", "a selector asking for a label the template lacks", "restartPolicy OnFailure",
        "minReadySeconds is checked before replicas, as ValidateReplicationControllerSpec does",
        "an empty label map leaves the selector empty"])
def test_rc_validation(obj, expected):
    assert _errors(obj) == expected


def test_an_rc_update_checks_status_counts_against_replicas():
    old = rc({"template": template({"app": "web"})})
    new = rc({"template": template({"app": "web"})})
    new["status"] = {"replicas": 1, "fullyLabeledReplicas": 2, "readyReplicas": -1}
    assert _errors(new, old) == [
        "status.readyReplicas: Invalid value: -1: must be greater than or equal to 0",
        "status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas",
        "status.availableReplicas: Invalid value: 0: cannot be greater than readyReplicas",  # 0 > -1, as in Go
    ]
