"""``kubectl explain``: kubectl 1.32's plaintext template, with go-wordwrap's line breaking.

The expected text of the maxSurge case is the head of real ``kubectl explain
deployment.spec.strategy.rollingUpdate.maxSurge`` output (kubectl 1.32 against a v1.32 server).
The other golden texts were printed by the real kubectl 1.32.4 binary against a stand-in API
server that served discovery and an OpenAPI v3 document built from the same Kubernetes 1.32
definitions labkube's schema is generated from (fields referring to a type wrapped in
``allOf`` with the field's description, as kube-apiserver serves them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from labkube.core.api.resources import Registry, default_registry
from labkube.core.clock import SimulatedClock
from labkube.kubectl import run
from labkube.kubectl.commands.explain import indent, wrap


@dataclass
class OfflineCluster:
    registry: Registry = field(default_factory=default_registry)
    clock: SimulatedClock = field(default_factory=lambda: SimulatedClock(seed=0))
    client: Any = None


REAL_MAX_SURGE_HEAD = """GROUP:      apps
KIND:       Deployment
VERSION:    v1

FIELD: maxSurge <IntOrString>


DESCRIPTION:
    The maximum number of pods that can be scheduled above the desired number of
    pods. Value can be an absolute number (ex: 5) or a percentage of desired
    pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is
    calculated from percentage by rounding up. Defaults to 25%. Example: when
"""


def test_a_field_explanation_matches_real_kubectl():
    text = str(run(OfflineCluster(), "explain deployment.spec.strategy.rollingUpdate.maxSurge"))
    assert text.startswith(REAL_MAX_SURGE_HEAD)


REAL_STRATEGY = """GROUP:      apps
KIND:       Deployment
VERSION:    v1

FIELD: strategy <DeploymentStrategy>


DESCRIPTION:
    The deployment strategy to use to replace existing pods with new ones.
    DeploymentStrategy describes how to replace existing pods with new ones.
    
FIELDS:
  rollingUpdate\t<RollingUpdateDeployment>
    Rolling update config params. Present only if DeploymentStrategyType =
    RollingUpdate.

  type\t<string>
    Type of deployment. Can be "Recreate" or "RollingUpdate". Default is
    RollingUpdate.


"""

REAL_PODS_HEAD = """KIND:       Pod
VERSION:    v1

DESCRIPTION:
    Pod is a collection of containers that can run on a host. This resource is
    created by clients and scheduled onto hosts.
    
FIELDS:
  apiVersion\t<string>
    APIVersion defines the versioned schema of this representation of an object.
    Servers should convert recognized schemas to the latest internal value, and
    may reject unrecognized values. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources

  kind\t<string>
"""

REAL_NAMESPACE = """KIND:       Pod
VERSION:    v1

FIELD: namespace <string>


DESCRIPTION:
    Namespace defines the space within which each name must be unique. An empty
    namespace is equivalent to the "default" namespace, but "default" is the
    canonical representation. Not all objects are required to be scoped to a
    namespace - the value of this field for those objects will be empty.
    
    Must be a DNS_LABEL. Cannot be updated. More info:
    https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces
    

"""

REAL_CREATION_TIMESTAMP_TAIL = """    Populated by the system. Read-only. Null for lists. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
    Time is a wrapper around time.Time which supports correct marshaling to YAML
    and JSON.  Wrappers are provided for many of the factory methods that the
    time package offers.
    

"""

REAL_PORTS_RECURSIVE_TAIL = """    https://github.com/kubernetes/kubernetes/issues/108255. Cannot be updated.
    ContainerPort represents a network port in a single container.
    
FIELDS:
  containerPort\t<integer> -required-
  hostIP\t<string>
  hostPort\t<integer>
  name\t<string>
  protocol\t<string>

"""

GOLDEN = [
    ("a field that refers to a type shows both descriptions and the type's fields",
     "explain deployment.spec.strategy", REAL_STRATEGY, "all"),
    ("a kind shows its own description", "explain pods", REAL_PODS_HEAD, "head"),
    ("paragraph breaks in a description are kept", "explain pods.metadata.namespace",
     REAL_NAMESPACE, "all"),
    ("a time field is a string described by Time", "explain po.metadata.creationTimestamp",
     REAL_CREATION_TIMESTAMP_TAIL, "tail"),
    ("recursive lists the element type's field names",
     "explain deploy.spec.template.spec.containers.ports --recursive",
     REAL_PORTS_RECURSIVE_TAIL, "tail"),
    ("a group-qualified resource is matched before the field path",
     "explain deployments.apps.spec.strategy", REAL_STRATEGY, "all"),
    ("a missing field is reported by the path's last segment (real kubectl prints the header "
     "to stdout first)",
     "explain pods.spec.nope.deeper", 'error: field "deeper" does not exist\n', "tail"),
]


@pytest.mark.parametrize("command,expected,part", [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN])
def test_explain_prints_what_real_kubectl_prints(command, expected, part):
    text = str(run(OfflineCluster(), command))
    if part == "head":
        assert text.startswith(expected)
    elif part == "tail":
        assert text.endswith(expected)
    else:
        assert text == expected


@pytest.mark.parametrize(
    "path,shown",
    [
        ("pods.metadata", "<ObjectMeta>"),
        ("pods.spec.containers", "<[]Container>"),
        ("pods.metadata.labels", "<map[string]string>"),
        ("svc.spec.ports.targetPort", "<IntOrString>"),
        ("pods.spec.overhead", "<map[string]Quantity>"),
        ("pods.metadata.managedFields.fieldsV1", "<FieldsV1>"),
        ("secrets.data", "<map[string]string>"),
        ("events.eventTime", "<string>"),
    ],
)
def test_field_types_are_printed_as_kubectls_type_guess(path, shown):
    text = str(run(OfflineCluster(), f"explain {path}"))
    assert f"\nFIELD: {path.rsplit('.', 1)[1]} {shown}\n" in text


def test_a_kind_explanation_lists_fields_with_types_and_required_marks():
    text = str(run(OfflineCluster(), "explain pods.spec"))
    assert text.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: spec <PodSpec>\n\n\nDESCRIPTION:\n")
    assert "\nFIELDS:\n  activeDeadlineSeconds\t<integer>\n" in text
    assert "\n  containers\t<[]Container> -required-\n" in text


def test_core_kinds_have_no_group_line_and_named_groups_do():
    assert str(run(OfflineCluster(), "explain configmaps")).startswith("KIND:       ConfigMap\n")
    assert str(run(OfflineCluster(), "explain deploy")).startswith("GROUP:      apps\nKIND:       Deployment\n")


def test_recursive_lists_nested_names_only():
    text = str(run(OfflineCluster(), "explain deployment.spec.selector --recursive"))
    assert "\n  matchExpressions\t<[]LabelSelectorRequirement>\n    key\t<string> -required-\n" in text


def test_unknown_resource_and_field_are_errors():
    assert str(run(OfflineCluster(), "explain flurbs")) == 'error: the server doesn\'t have a resource type "flurbs"\n'
    assert str(run(OfflineCluster(), "explain pods.spec.nope")).endswith('error: field "nope" does not exist\n')


WRAPS = [
    ("short text is untouched", "hello world", 76, "hello world"),
    ("breaks at the last space that fits", "aaa bbb ccc", 7, "aaa bbb\nccc"),
    ("a word longer than the limit stays whole", "tiny enormousword x", 5, "tiny\nenormousword\nx"),
    ("existing newlines are kept", "one\ntwo", 76, "one\ntwo"),
    ("the space at a break is dropped", "ab cd", 2, "ab\ncd"),
]


@pytest.mark.parametrize("text,limit,expected", [w[1:] for w in WRAPS], ids=[w[0] for w in WRAPS])
def test_wrap_follows_go_wordwrap(text, limit, expected):
    assert wrap(text, limit) == expected


def test_indent_pads_every_line_like_sprig():
    assert indent("a\nb\n", 4) == "    a\n    b\n    "
