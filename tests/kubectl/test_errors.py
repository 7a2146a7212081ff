"""Errors print as kubectl's CheckErr prints them (k8s.io/kubectl/pkg/cmd/util/helpers.go).

The end-to-end versions of these, compared with the real kubectl, are in
``test_commands_oracle.py``; here each rule is checked on its own.
"""

from __future__ import annotations

import pytest
import yaml

from labkube.core import errors as e
from labkube.core.errors import FieldError
from labkube.kubectl.errors import KubectlError, PlainError, check_err, go_yaml_error, with_source

REPLICAS = FieldError.invalid("spec.replicas", -1, "must be greater than or equal to 0")
IMAGE = FieldError.required("spec.template.spec.containers[0].image")

CASES = [
    ("a NotFound names its reason", [e.not_found("pods", "x")],
     'Error from server (NotFound): pods "x" not found'),
    ("an AlreadyExists from a file names the file",
     [with_source("creating", "web.yaml", e.already_exists("deployments.apps", "web"))],
     'Error from server (AlreadyExists): error when creating "web.yaml": deployments.apps "web" already exists'),
    ("an Invalid with one cause is one line from its details",
     [e.invalid("Deployment.apps", "web", [REPLICAS])],
     'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n'),
    ("an Invalid with several causes is a bulleted list",
     [e.invalid("Deployment.apps", "web", [REPLICAS, IMAGE])],
     'The Deployment "web" is invalid: \n'
     "* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n"
     "* spec.template.spec.containers[0].image: Required value\n"),
    ("an Invalid ignores the source prefix (it prints from details)",
     [with_source("creating", "web.yaml", e.invalid("Deployment.apps", "web", [REPLICAS]))],
     'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n'),
    ("duplicate causes print once",
     [e.invalid("Pod", "p", [IMAGE, IMAGE])],
     'The Pod "p" is invalid: spec.template.spec.containers[0].image: Required value\n'),
    ("a Forbidden carries the authorizer's sentence",
     [e.forbidden("pods", "", 'User "alice" cannot list resource "pods" in API group "" in the namespace "default"')],
     'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"'),
    ("a Conflict", [e.conflict("deployments.apps", "web", e.OPTIMISTIC_LOCK_MESSAGE)],
     'Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "web": '
     "the object has been modified; please apply your changes to the latest version and try again"),
    ("a BadRequest", [e.bad_request("the body of the request was in an unknown format")],
     "Error from server (BadRequest): the body of the request was in an unknown format"),
    ("a client-side error alone gets error:", [PlainError("error parsing a.yaml: boom")],
     "error: error parsing a.yaml: boom"),
    ("a KubectlError prints as written", [KubectlError("error: the path \"x\" does not exist")],
     'error: the path "x" does not exist'),
    ("several errors print one a line, client-side ones bare",
     [e.not_found("pods", "a"), PlainError("error parsing b.yaml: boom")],
     'Error from server (NotFound): pods "a" not found\nerror parsing b.yaml: boom'),
    ("an Invalid among several prints its message, not its details",
     [e.not_found("pods", "a"), e.invalid("Deployment.apps", "web", [REPLICAS])],
     'Error from server (NotFound): pods "a" not found\n'
     'Error from server (Invalid): Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: '
     "must be greater than or equal to 0"),
]


@pytest.mark.parametrize("errors,text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_errors_print_like_kubectl(errors, text):
    assert check_err(errors) == text


YAML_CASES = [
    ("a mapping value in the wrong place (scanner: mark line + 1)",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   labels: a\n",
     "yaml: line 5: mapping values are not allowed in this context"),
    ("an unterminated quote", 'a: 1\nb: "x\n', "yaml: line 3: found unexpected end of stream"),
    ("a tab used for indentation", "a:\n\tb: 1\n", "yaml: line 2: found character that cannot start any token"),
    ("a bad block mapping (parser: mark line, 0-based)",
     "a:\n  b: 1\n c: 2\n", "yaml: line 2: did not find expected key"),
    ("an unclosed flow sequence", "a: [1, 2\n", "yaml: line 1: did not find expected ',' or ']'"),
    ("an unclosed flow mapping", "k: v\nk2: {a: 1\n", "yaml: line 2: did not find expected ',' or '}'"),
    ("an error on the first line has no position", "a: b: c\n",
     "yaml: mapping values are not allowed in this context"),
    ("a missing colon", "a: 1\nb\nc: 2\n", "yaml: line 3: could not find expected ':'"),
    ("an undefined alias", "a: *nothing\n", "yaml: unknown anchor 'nothing' referenced"),
]


@pytest.mark.parametrize("text,message", [c[1:] for c in YAML_CASES], ids=[c[0] for c in YAML_CASES])
def test_yaml_errors_read_like_go_yaml(text, message):
    with pytest.raises(yaml.YAMLError) as caught:
        yaml.safe_load(text)
    assert go_yaml_error(caught.value) == message
