"""Custom resources through the API server: decoding, defaulting, validation, scale views."""

import pytest
import yaml

import labkube
from labkube import StatusError
from tests.kubectl.crd_cases import CRONTAB_CRD

SCALED = CRONTAB_CRD.replace("""                replicas:
                  type: integer
""", """                replicas:
                  type: integer
            status:
              type: object
              properties:
                replicas:
                  type: integer
                selector:
                  type: string
      subresources:
        status: {}
        scale:
          specReplicasPath: .spec.replicas
          statusReplicasPath: .status.replicas
          labelSelectorPath: .status.selector
""")


@pytest.fixture(scope="module")
def cluster():
    with labkube.Cluster(nodes=0, seed=0) as c:
        c.apply(SCALED)
        c.settle()
        yield c


def _crontab(name="c", **fields):
    return {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": name},
            "spec": {"cronSpec": "* * * * *"}, **fields}


REFUSED = [
    ("a metadata field of the wrong type",
     _crontab(metadata={"name": "c", "labels": "app"}),
     'CronTab in version "v1" cannot be handled as a CronTab: json: cannot unmarshal string into Go struct '
     "field ObjectMeta.metadata.labels of type map[string]string"),
    ("an unknown metadata field",
     _crontab(metadata={"name": "c", "labelz": {"a": "b"}}),
     'CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field '
     '"metadata.labelz"'),
    ("an unknown top-level field",
     _crontab(extra=1),
     'CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "extra"'),
]


@pytest.mark.parametrize("obj, message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_body_the_strict_decoder_refuses_is_a_bad_request(cluster, obj, message):
    with pytest.raises(StatusError) as err:  # fieldValidation=Strict, as kubectl sends it
        cluster.client.with_field_validation("Strict").create(obj, "default")
    assert (err.value.code, err.value.message) == (400, message)


def test_a_name_that_is_not_a_dns_subdomain_is_invalid(cluster):
    with pytest.raises(StatusError) as err:
        cluster.client.create(_crontab(name="Bad_Name"), "default")
    assert err.value.message.startswith(
        'CronTab.stable.example.com "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase '
        "RFC 1123 subdomain")


def test_a_value_of_the_wrong_type_is_invalid_for_the_schema_and_for_the_scale_subresource(cluster):
    with pytest.raises(StatusError) as err:
        cluster.client.create(_crontab(spec={"replicas": "three"}), "default")
    assert err.value.message == (
        'CronTab.stable.example.com "c" is invalid: [spec.replicas: Invalid value: "string": spec.replicas in '
        'body must be of type integer: "string", spec.replicas: Invalid value: 0: .spec.replicas accessor error: '
        "three is of the type string, expected int64]")


def test_the_scale_view_reads_the_crds_paths(cluster):
    cluster.client.create(_crontab(name="scaled", spec={"replicas": 2}), "default")
    live = cluster.client.get("crontabs", "scaled", "default")
    live["status"] = {"replicas": 1, "selector": "app=cron"}
    cluster.client.update(live, subresource="status")
    scale = cluster.client.get("crontabs", "scaled", "default", subresource="scale")
    assert (scale["kind"], scale["spec"], scale["status"]) == (
        "Scale", {"replicas": 2}, {"replicas": 1, "selector": "app=cron"})


def test_a_scale_update_writes_the_spec_replicas_path_and_bumps_the_generation(cluster):
    cluster.client.create(_crontab(name="rescaled", spec={"replicas": 1}), "default")
    scale = cluster.client.get("crontabs", "rescaled", "default", subresource="scale")
    scale["spec"]["replicas"] = 4
    cluster.client.update(scale, subresource="scale", resource="crontabs")
    live = cluster.client.get("crontabs", "rescaled", "default")
    assert (live["spec"]["replicas"], live["metadata"]["generation"]) == (4, 2)


def test_a_crontab_is_stored_under_its_group_and_plural(cluster):
    cluster.client.create(_crontab(name="stored"), "default")
    assert cluster.store.get("/registry/stable.example.com/crontabs/default/stored") is not None


def test_the_crd_yaml_round_trips_through_the_strict_decoder(cluster):
    crd = yaml.safe_load(SCALED)
    crd["metadata"]["name"] = "other.stable.example.com"
    crd["spec"]["names"] = {"plural": "other", "kind": "Other"}
    assert cluster.client.create(crd, dry_run=True)["spec"]["names"]["singular"] == "other"
