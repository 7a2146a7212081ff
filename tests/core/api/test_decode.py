"""Strict decoding refuses unknown fields and wrong types with kube-apiserver's texts."""

import copy
from pathlib import Path

import pytest
import yaml

from labkube.core.api import decode, defaults, validation
from labkube.core.api.resources import default_registry
from labkube.core.errors import StatusError

REGISTRY = default_registry()
CONFORMANCE = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "k8s-docs"
NODE_AFFINITY = "pods/pod-with-node-affinity.yaml"
REGEX = "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def _decode(obj):
    decode.strict_decode(obj, REGISTRY.for_kind(obj["apiVersion"], obj["kind"]))


def deploy(spec):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec}


def pod(spec, meta=None):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta or {"name": "web"}, "spec": spec}


def ctr(**fields):
    return {"containers": [{"name": "web", "image": "nginx", **fields}]}


D = 'Deployment in version "v1" cannot be handled as a Deployment: '
P = 'Pod in version "v1" cannot be handled as a Pod: '

CASES = [
    ("a misspelled field is unknown", deploy({"replica": 3}),
     D + 'strict decoding error: unknown field "spec.replica"'),
    ("every unknown field is listed, with list indices in the path",
     deploy({"replica": 3, "template": {"spec": {"containers": [{"name": "a", "imagee": "x"}]}}}),
     D + 'strict decoding error: unknown field "spec.replica", '
         'unknown field "spec.template.spec.containers[0].imagee"'),
    ("field names are case sensitive", pod({"Containers": []}),
     P + 'strict decoding error: unknown field "spec.Containers"'),
    ("an unknown top-level field is reported without a prefix",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "date": {}},
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "date"'),
    ("a string where an int32 belongs", deploy({"replicas": "3"}),
     D + "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
    ("a fractional number where an int32 belongs", pod(ctr(ports=[{"containerPort": 80.5}])),
     P + "json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort "
         "of type int32"),
    ("a number where a label value belongs", pod(ctr(), {"name": "web", "labels": {"tier": 1}}),
     P + "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
    ("a string where the containers list belongs", pod({"containers": "nginx"}),
     P + "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"),
    ("a string where a container belongs", pod({"containers": ["nginx"]}),
     P + "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container"),
    ("a list where the node selector struct belongs (the docs' malformed example)",
     pod({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"weight": 1}]}},
          **ctr()}),
     P + "json: cannot unmarshal array into Go struct field NodeAffinity.spec.affinity.nodeAffinity."
         "requiredDuringSchedulingIgnoredDuringExecution of type v1.NodeSelector"),
    ("a bool where an IntOrString belongs",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
      "spec": {"ports": [{"port": 80, "targetPort": True}]}},
     'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal bool into Go struct field '
     "ServicePort.spec.ports.targetPort of type int32"),
    ("a string where a bool belongs", pod({"hostNetwork": "yes", **ctr()}),
     P + "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool"),
    ("an int64 field out of range", pod({"terminationGracePeriodSeconds": 2**63, **ctr()}),
     P + f"json: cannot unmarshal number {2**63} into Go struct field PodSpec.spec.terminationGracePeriodSeconds "
         "of type int64"),
    ("a malformed quantity", pod(ctr(resources={"limits": {"cpu": "1x"}})),
     P + f"quantities must match the regular expression {REGEX}"),
    ("a quantity given as a list", pod(ctr(resources={"limits": {"memory": [1]}})),
     P + f"quantities must match the regular expression {REGEX}"),
    ("secret data that is not base64",
     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": "abc!"}},
     'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3'),
    ("a wrong type wins over unknown fields", deploy({"replica": 3, "replicas": "3"}),
     D + "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
    ("a wrong type in the status is refused too",
     {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "status": {"replicas": "1"}},
     D + "json: cannot unmarshal string into Go struct field DeploymentStatus.status.replicas of type int32"),
]


@pytest.mark.parametrize("name, obj, message", CASES, ids=[c[0] for c in CASES])
def test_a_bad_body_is_a_400_with_kube_apiservers_text(name, obj, message):
    with pytest.raises(StatusError) as err:
        _decode(copy.deepcopy(obj))
    assert err.value.code == 400
    assert err.value.reason == "BadRequest"
    assert err.value.message == message


@pytest.mark.parametrize(
    "written, stored",
    [({"cpu": 0.5, "memory": "1.5Gi"}, {"cpu": "500m", "memory": "1536Mi"}),
     ({"cpu": 2, "memory": "128Mi"}, {"cpu": "2", "memory": "128Mi"}),
     ({"cpu": " 100m "}, {"cpu": "100m"})],
)
def test_quantities_are_stored_in_canonical_form(written, stored):
    obj = pod(ctr(resources={"limits": written}))
    _decode(obj)
    assert obj["spec"]["containers"][0]["resources"]["limits"] == stored


def test_null_fields_are_dropped_as_a_go_round_trip_drops_them():
    obj = pod({"nodeName": None, **ctr()}, {"name": "web", "labels": None})
    _decode(obj)
    assert "nodeName" not in obj["spec"] and "labels" not in obj["metadata"]


@pytest.mark.parametrize("name, obj, path, stored", [
    ("a null container is an empty Container", pod({"containers": [None]}), ("spec", "containers"), [{}]),
    ("a null string in a list is an empty string", pod(ctr(command=[None, "sleep"])),
     ("spec", "containers", 0, "command"), ["", "sleep"]),
    ("a null label value is an empty string", pod(ctr(), {"name": "web", "labels": {"app": None}}),
     ("metadata", "labels"), {"app": ""}),
    ("a null quantity is zero", pod(ctr(resources={"requests": {"cpu": None}})),
     ("spec", "containers", 0, "resources", "requests"), {"cpu": "0"}),
    ("a null int in a list is zero", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                                      "spec": {**ctr(), "securityContext": {"supplementalGroups": [None, 5]}}},
     ("spec", "securityContext", "supplementalGroups"), [0, 5]),
])
def test_null_items_of_lists_and_maps_become_the_go_zero_value(name, obj, path, stored):
    # encoding/json leaves a null slice element or map value at its type's zero value; the
    # server then stores (and validates) that, instead of carrying a null into the kubelet.
    _decode(obj)
    value = obj
    for key in path:
        value = value[key]
    assert value == stored


def test_a_null_container_is_refused_by_validation_as_an_empty_one():
    obj = pod({"containers": [None]})
    _decode(obj)
    defaults.apply_defaults(obj)
    problems = validation.validate(obj, None)
    assert {(p.field, p.type) for p in problems} >= {("spec.containers[0].name", "Required"),
                                                      ("spec.containers[0].image", "Required")}


def test_int_or_string_takes_either_form_and_whole_floats_are_ints():
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
           "spec": {"ports": [{"port": 80.0, "targetPort": "http"}, {"port": 81, "targetPort": 8081}]}}
    _decode(obj)
    assert obj["spec"]["ports"][0]["port"] == 80


def _documents():
    for path in sorted(CONFORMANCE.rglob("*.yaml")):
        for index, doc in enumerate(yaml.safe_load_all(path.read_text())):
            if doc and any(r.api_version == doc.get("apiVersion") and r.kind == doc.get("kind")
                           for r in REGISTRY.all()):
                yield pytest.param(path.relative_to(CONFORMANCE).as_posix(), doc,
                                   id=f"{path.relative_to(CONFORMANCE)}#{index}")


DOCUMENTS = list(_documents()) if CONFORMANCE.is_dir() else []


@pytest.mark.skipif(not DOCUMENTS, reason="conformance corpus not present")
@pytest.mark.parametrize("relative, doc", DOCUMENTS)
def test_every_core_document_of_the_kubernetes_docs_is_accepted(relative, doc):
    doc = copy.deepcopy(doc)
    rtype = REGISTRY.for_kind(doc["apiVersion"], doc["kind"])
    if rtype.namespaced:
        doc.setdefault("metadata", {}).setdefault("namespace", "default")
    if relative == NODE_AFFINITY:
        with pytest.raises(StatusError) as err:
            decode.strict_decode(doc, rtype)
        assert err.value.message == (
            'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal array into Go struct '
            "field NodeAffinity.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution "
            "of type v1.NodeSelector")
        return
    decode.strict_decode(doc, rtype)
    defaults.apply_defaults(doc)
    if doc["kind"] == "Job":  # the Job strategy generates the selector from the uid on create
        from labkube.core.api.registry.batch import generate_selector
        doc["metadata"]["uid"] = "00000000-0000-4000-8000-000000000000"
        generate_selector(doc)
    assert [str(e) for e in validation.validate(doc)] == []


def test_the_corpus_holds_many_core_documents():
    if not CONFORMANCE.is_dir():
        pytest.skip("conformance corpus not present")
    assert len(DOCUMENTS) >= 50
