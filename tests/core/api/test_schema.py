"""The generated field schema: honest to the installed client, and useful for explain."""

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


def test_the_shipped_schema_matches_a_fresh_generation_from_the_installed_client():
    pytest.importorskip("kubernetes")
    fresh = _generator().build()
    shipped = json.loads(gzip.decompress(schema.DATA_FILE.read_bytes()))
    assert fresh == shipped


def test_every_core_kind_of_the_registry_has_a_model():
    from labkube.core.api.resources import default_registry

    for rtype in default_registry().all():
        assert schema.has_type(schema.kind_type(rtype.api_version, rtype.kind))


@pytest.mark.parametrize(
    "api_version, kind, model",
    [
        ("v1", "Pod", "V1Pod"),
        ("apps/v1", "Deployment", "V1Deployment"),
        ("v1", "Event", "CoreV1Event"),
        ("events.k8s.io/v1", "Event", "EventsV1Event"),
        ("coordination.k8s.io/v1", "Lease", "V1Lease"),
        ("discovery.k8s.io/v1", "EndpointSlice", "V1EndpointSlice"),
    ],
)
def test_a_kind_maps_to_its_client_model(api_version, kind, model):
    assert schema.kind_type(api_version, kind) == model


def test_an_unknown_kind_is_kubectls_no_match_error():
    with pytest.raises(StatusError) as err:
        schema.kind_type("batch/v1beta1", "CronJob")
    assert err.value.message == 'no matches for kind "CronJob" in version "batch/v1beta1"'


@pytest.mark.parametrize(
    "model, field, type_string",
    [
        ("V1DeploymentSpec", "replicas", "int"),
        ("V1PodSpec", "containers", "list[V1Container]"),
        ("V1PodSpec", "terminationGracePeriodSeconds", "int64"),
        ("V1ObjectMeta", "labels", "dict(str, str)"),
        ("V1ObjectMeta", "creationTimestamp", "datetime"),
        ("V1ServicePort", "targetPort", "IntOrString"),
        ("V1ResourceRequirements", "limits", "dict(str, Quantity)"),
        ("V1Secret", "data", "dict(str, bytes)"),
        ("V1ManagedFieldsEntry", "fieldsV1", "object"),
    ],
)
def test_field_types_come_from_the_client_with_the_formats_it_dropped_restored(model, field, type_string):
    assert schema.fields(model)[field].type == type_string


def test_descriptions_and_required_flags_are_carried():
    containers = schema.fields("V1PodSpec")["containers"]
    assert containers.description.startswith("List of containers belonging to the pod.")
    assert containers.required is True
    assert schema.fields("V1PodSpec")["nodeName"].required is False


def test_explain_walks_a_path_through_lists_to_the_element_model():
    explained = schema.explain_path("v1", "Pod", "spec.containers")
    assert explained.type == "list[V1Container]"
    assert explained.model == "V1Container"
    assert "image" in [f.name for f in explained.fields]
    assert [f.name for f in explained.fields] == sorted(f.name for f in explained.fields)


def test_explain_of_a_kind_lists_its_top_level_fields():
    explained = schema.explain_path("apps/v1", "Deployment")
    assert [f.name for f in explained.fields] == ["apiVersion", "kind", "metadata", "spec", "status"]


def test_explain_of_a_scalar_has_no_children():
    explained = schema.explain_path("apps/v1", "Deployment", "spec.replicas")
    assert explained.model is None and explained.fields == ()
    assert explained.description.startswith("Number of desired pods.")


def test_explain_of_a_missing_field_names_it_as_kubectl_does():
    with pytest.raises(KeyError) as err:
        schema.explain_path("apps/v1", "Deployment", "spec.replica")
    assert err.value.args[0] == 'field "replica" does not exist'


@pytest.mark.parametrize(
    "type_string, shown",
    [
        ("list[V1Container]", "[]Container"),
        ("dict(str, str)", "map[string]string"),
        ("dict(str, Quantity)", "map[string]Quantity"),
        ("int64", "integer"),
        ("V1ObjectMeta", "ObjectMeta"),
        ("IntOrString", "IntOrString"),
        ("datetime", "string"),
    ],
)
def test_types_print_as_kubectl_explain_prints_them(type_string, shown):
    assert schema.kubectl_type(type_string) == shown
