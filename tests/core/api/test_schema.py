"""The generated field schema: honest to Kubernetes 1.32's OpenAPI definitions, useful for explain."""

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from labkube.core.api import schema
from labkube.core.errors import StatusError

ROOT = Path(__file__).resolve().parents[3]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_schema", ROOT / "tools" / "gen_schema.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_schema"] = module
    spec.loader.exec_module(module)
    return module


def test_the_shipped_schema_matches_a_fresh_generation_from_kubernetes_validate():
    pytest.importorskip("kubernetes_validate")
    generator = _generator()
    assert generator.definitions_file().is_file()
    fresh = generator.build()
    shipped = json.loads(gzip.decompress(schema.DATA_FILE.read_bytes()))
    assert fresh == shipped
    assert shipped["source"] == "kubernetes-validate 1.32.0 (Kubernetes v1.32.0 OpenAPI)"


def test_the_shipped_schema_is_compact():
    assert schema.DATA_FILE.stat().st_size < 200_000


def test_every_core_kind_of_the_registry_has_a_model():
    from labkube.core.api.resources import default_registry

    for rtype in default_registry().all():
        assert schema.has_type(schema.kind_type(rtype.api_version, rtype.kind))


@pytest.mark.parametrize(
    "api_version, kind, model",
    [
        ("v1", "Pod", "core.v1.Pod"),
        ("apps/v1", "Deployment", "apps.v1.Deployment"),
        ("v1", "Event", "core.v1.Event"),
        ("events.k8s.io/v1", "Event", "events.v1.Event"),
        ("coordination.k8s.io/v1", "Lease", "coordination.v1.Lease"),
        ("discovery.k8s.io/v1", "EndpointSlice", "discovery.v1.EndpointSlice"),
    ],
)
def test_a_kind_maps_to_its_openapi_definition(api_version, kind, model):
    assert schema.kind_type(api_version, kind) == model


def test_an_unknown_kind_is_kubectls_no_match_error():
    with pytest.raises(StatusError) as err:
        schema.kind_type("batch/v1beta1", "CronJob")
    assert err.value.message == 'no matches for kind "CronJob" in version "batch/v1beta1"'


@pytest.mark.parametrize(
    "model, field, type_string, ref",
    [
        ("apps.v1.DeploymentSpec", "replicas", "int", ""),
        ("core.v1.PodSpec", "containers", "list[core.v1.Container]", ""),
        ("core.v1.PodSpec", "terminationGracePeriodSeconds", "int64", ""),
        ("core.v1.Toleration", "tolerationSeconds", "int64", ""),
        ("meta.v1.ObjectMeta", "labels", "dict(str, str)", ""),
        ("meta.v1.ObjectMeta", "creationTimestamp", "datetime", "meta.v1.Time"),
        ("core.v1.Event", "eventTime", "datetime", "meta.v1.MicroTime"),
        ("core.v1.ServicePort", "targetPort", "IntOrString", "util.intstr.IntOrString"),
        ("core.v1.ResourceRequirements", "limits", "dict(str, Quantity)", "api.resource.Quantity"),
        ("core.v1.Secret", "data", "dict(str, bytes)", ""),
        ("meta.v1.ManagedFieldsEntry", "fieldsV1", "object", "meta.v1.FieldsV1"),
        ("core.v1.NodeSelectorTerm", "matchExpressions", "list[core.v1.NodeSelectorRequirement]", ""),
    ],
)
def test_field_types_follow_the_openapi_types_and_formats(model, field, type_string, ref):
    info = schema.fields(model)[field]
    assert (info.type, info.ref) == (type_string, ref)


@pytest.mark.parametrize(
    "type_name, go",
    [
        ("core.v1.NodeSelector", "v1.NodeSelector"),
        ("meta.v1.ObjectMeta", "v1.ObjectMeta"),
        ("api.resource.Quantity", "resource.Quantity"),
        ("util.intstr.IntOrString", "intstr.IntOrString"),
        ("events.v1.Event", "v1.Event"),
    ],
)
def test_go_type_names_are_what_reflect_prints(type_name, go):
    assert schema.go_type(type_name) == go


def test_descriptions_and_required_flags_are_carried():
    containers = schema.fields("core.v1.PodSpec")["containers"]
    assert containers.description.startswith("List of containers belonging to the pod.")
    assert containers.required is True
    assert schema.fields("core.v1.PodSpec")["nodeName"].required is False


def test_fields_that_refer_to_a_type_keep_their_description():
    strategy = schema.fields("apps.v1.DeploymentSpec")["strategy"]
    assert strategy.description == "The deployment strategy to use to replace existing pods with new ones."


def test_types_carry_their_own_description():
    assert schema.type_description("core.v1.Pod").startswith(
        "Pod is a collection of containers that can run on a host.")
    assert schema.type_description("meta.v1.Time").startswith("Time is a wrapper around time.Time")


def test_explain_joins_the_field_description_and_its_types_as_kubectl_does():
    explained = schema.explain_path("apps/v1", "Deployment", "spec.strategy")
    assert explained.description == (
        "The deployment strategy to use to replace existing pods with new ones.\n"
        "DeploymentStrategy describes how to replace existing pods with new ones.")


def test_explain_walks_a_path_through_lists_to_the_element_model():
    explained = schema.explain_path("v1", "Pod", "spec.containers")
    assert explained.type == "list[core.v1.Container]"
    assert explained.model == "core.v1.Container"
    assert "image" in [f.name for f in explained.fields]
    assert [f.name for f in explained.fields] == sorted(f.name for f in explained.fields)


def test_explain_of_a_kind_lists_its_top_level_fields():
    explained = schema.explain_path("apps/v1", "Deployment")
    assert [f.name for f in explained.fields] == ["apiVersion", "kind", "metadata", "spec", "status"]


def test_explain_of_a_scalar_has_no_children():
    explained = schema.explain_path("apps/v1", "Deployment", "spec.replicas")
    assert explained.model is None and explained.fields == ()
    assert explained.description.startswith("Number of desired pods.")


@pytest.mark.parametrize("path", ["spec.replica", "spec.nope.replica", "spec.replicas.replica"])
def test_explain_of_a_missing_field_names_the_paths_last_segment_as_kubectl_does(path):
    with pytest.raises(KeyError) as err:
        schema.explain_path("apps/v1", "Deployment", path)
    assert err.value.args[0] == 'field "replica" does not exist'


@pytest.mark.parametrize(
    "type_string, ref, shown",
    [
        ("list[core.v1.Container]", "", "[]Container"),
        ("dict(str, str)", "", "map[string]string"),
        ("dict(str, Quantity)", "api.resource.Quantity", "map[string]Quantity"),
        ("int64", "", "integer"),
        ("meta.v1.ObjectMeta", "", "ObjectMeta"),
        ("IntOrString", "util.intstr.IntOrString", "IntOrString"),
        ("datetime", "meta.v1.Time", "string"),
        ("object", "meta.v1.FieldsV1", "FieldsV1"),
        ("bytes", "", "string"),
    ],
)
def test_types_print_as_kubectl_explain_prints_them(type_string, ref, shown):
    assert schema.kubectl_type(type_string, ref) == shown
