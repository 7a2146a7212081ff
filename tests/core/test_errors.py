"""StatusError and FieldError speak kube-apiserver's words."""

import pytest

from labkube.core import errors
from labkube.core.errors import FieldError


@pytest.mark.parametrize(
    "error, text",
    [
        (FieldError.required("spec.selector"), "spec.selector: Required value"),
        (
            FieldError.invalid("spec.replicas", -1, "must be greater than or equal to 0"),
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            FieldError.invalid("metadata.name", "Web", "a lowercase RFC 1123 subdomain"),
            'metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain',
        ),
        (
            FieldError.not_supported("spec.restartPolicy", "Sometimes", ["Always", "Never"]),
            'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never"',
        ),
        (FieldError.duplicate("spec.containers[1].name", "app"),
         'spec.containers[1].name: Duplicate value: "app"'),
        (FieldError.forbidden("spec.nodeName", "may not be set"), "spec.nodeName: Forbidden: may not be set"),
        (FieldError.invalid("spec.paused", True, "bad"), "spec.paused: Invalid value: true: bad"),
        (FieldError.invalid("spec.x", None, "bad"), "spec.x: Invalid value: null: bad"),
    ],
)
def test_field_errors_render_like_go_field_errors(error, text):
    assert str(error) == text


def test_invalid_with_one_cause_names_the_kind_and_the_field():
    err = errors.invalid(
        "Deployment.apps", "web", [FieldError.invalid("spec.replicas", -1, "must be greater than or equal to 0")]
    )
    assert err.code == 422 and err.reason == "Invalid"
    assert err.message == (
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0"
    )
    assert err.causes == [
        {
            "reason": "FieldValueInvalid",
            "message": "Invalid value: -1: must be greater than or equal to 0",
            "field": "spec.replicas",
        }
    ]
    assert err.status["details"] == {
        "name": "web",
        "group": "apps",
        "kind": "Deployment",
        "causes": err.causes,
    }


def test_invalid_with_several_causes_lists_them_in_brackets_once_each():
    err = errors.invalid(
        "Pod",
        "p",
        [FieldError.required("spec.containers"), FieldError.required("spec.containers"),
         FieldError.required("metadata.name")],
    )
    assert err.message == 'Pod "p" is invalid: [spec.containers: Required value, metadata.name: Required value]'


@pytest.mark.parametrize(
    "err, code, reason, message",
    [
        (errors.not_found("pods", "x"), 404, "NotFound", 'pods "x" not found'),
        (errors.already_exists("deployments.apps", "web"), 409, "AlreadyExists",
         'deployments.apps "web" already exists'),
        (errors.conflict("deployments.apps", "web", errors.OPTIMISTIC_LOCK_MESSAGE), 409, "Conflict",
         'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; '
         "please apply your changes to the latest version and try again"),
        (errors.forbidden("pods", "", 'User "alice" cannot list resource "pods" in API group "" in the namespace "default"'),
         403, "Forbidden",
         'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"'),
        (errors.no_kind_match("CronJob", "batch/v1beta1"), 404, "NotFound",
         'no matches for kind "CronJob" in version "batch/v1beta1"'),
        (errors.resource_expired("too old resource version: 1 (5)"), 410, "Expired",
         "too old resource version: 1 (5)"),
    ],
)
def test_status_errors_carry_kube_apiserver_codes_reasons_and_messages(err, code, reason, message):
    assert (err.code, err.reason, err.message) == (code, reason, message)
    status = err.status
    assert status["kind"] == "Status" and status["status"] == "Failure" and status["code"] == code


def test_the_status_handed_out_is_a_copy():
    err = errors.not_found("pods", "x")
    err.status["details"]["name"] = "changed"
    assert err.status["details"]["name"] == "x"
