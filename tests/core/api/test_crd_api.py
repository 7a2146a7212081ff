"""CustomResourceDefinitions in the API: defaults, validation, strategy and status writers.

Messages and field paths are kube-apiserver 1.32's (apiextensions-apiserver's validation.go,
defaults.go, the CRD strategy and the naming/establishing controllers).
"""

import copy

import pytest
import yaml

import labkube
from labkube import StatusError
from labkube.core import apiextensions
from labkube.core.api import defaults
from labkube.core.api.registry.apiextensions import CLEANUP_FINALIZER
from labkube.core.api.validation.apiextensions import internal_view
from tests.kubectl.crd_cases import CRONTAB_CRD

PREFIX = 'CustomResourceDefinition.apiextensions.k8s.io "crontabs.stable.example.com" is invalid: '
DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
           "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
           "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
ONE_VERSION = ('[]apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{'
               'Name:"v1", Served:true, Storage:false, Deprecated:false, DeprecationWarning:(*string)(nil), '
               'Schema:(*apiextensions.CustomResourceValidation)(nil), '
               'Subresources:(*apiextensions.CustomResourceSubresources)(nil), '
               'AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), '
               'SelectableFields:[]apiextensions.SelectableField(nil)}}')


@pytest.fixture(scope="module")
def server_cluster():
    with labkube.Cluster(nodes=0, seed=0) as cluster:
        yield cluster


def _crd() -> dict:
    return yaml.safe_load(CRONTAB_CRD)


def _refusal(cluster, change) -> str:
    crd = _crd()
    change(crd)
    with pytest.raises(StatusError) as err:
        cluster.client.create(crd, dry_run=True)
    assert err.value.code == 422
    return err.value.message


def _spec(crd):
    return crd["spec"]


def _names(crd):
    return crd["spec"]["names"]


def _version(crd):
    return crd["spec"]["versions"][0]


def _spec_props(crd):
    return _version(crd)["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]


INVALID = [
    ("a name that is not plural.group",
     lambda c: c["metadata"].update(name="crontab.stable.example.com"),
     'CustomResourceDefinition.apiextensions.k8s.io "crontab.stable.example.com" is invalid: metadata.name: '
     'Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group'),
    ("a scope that is neither Namespaced nor Cluster",
     lambda c: _spec(c).update(scope="Global"),
     PREFIX + 'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'),
    ("no scope",
     lambda c: _spec(c).pop("scope"),
     PREFIX + "spec.scope: Required value"),
    ("a group without a dot",
     lambda c: (_spec(c).update(group="example"), c["metadata"].update(name="crontabs.example")),
     'CustomResourceDefinition.apiextensions.k8s.io "crontabs.example" is invalid: spec.group: Invalid value: '
     '"example": should be a domain with at least one dot'),
    ("no version marked as storage",
     lambda c: _version(c).update(storage=False),
     PREFIX + f"[spec.versions: Invalid value: {ONE_VERSION}: must have exactly one version marked as storage "
     "version, status.storedVersions: Invalid value: []string(nil): must have at least one stored version]"),
    ("no versions at all",
     lambda c: _spec(c).update(versions=[]),
     PREFIX + "[spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{}: must have "
     "exactly one version marked as storage version, status.storedVersions: Invalid value: []string(nil): "
     "must have at least one stored version]"),
    ("a version without a schema",
     lambda c: _version(c).pop("schema"),
     PREFIX + "spec.versions[0].schema.openAPIV3Schema: Required value"),
    ("a version name that is not a DNS label",
     lambda c: _version(c).update(name="V1"),
     PREFIX + f'[spec.versions[0].name: Invalid value: "V1": {DNS1035}, spec.version: Invalid value: "V1": '
     f"{DNS1035}]"),
    ("a kind that is not a DNS label once lower-cased",
     lambda c: _names(c).update(kind="Cron_Tab", listKind="CronTabList"),
     PREFIX + 'spec.names.kind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: '
     + DNS1035),
    ("a listKind equal to the kind",
     lambda c: _names(c).update(listKind="CronTab"),
     PREFIX + 'spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same'),
    ("a short name that is not a DNS label",
     lambda c: _names(c).update(shortNames=["c t"]),
     PREFIX + f'spec.names.shortNames[0]: Invalid value: "c t": {DNS1035}'),
    ("a schema field without a type (one version: the schema is the top-level validation)",
     lambda c: _spec_props(c)["image"].pop("type"),
     PREFIX + "spec.validation.openAPIV3Schema.properties[spec].properties[image].type: Required value: "
     "must not be empty for specified object fields"),
    ("a printer column of an unknown type and a path without a leading dot",
     lambda c: _version(c).update(additionalPrinterColumns=[{"name": "X", "type": "str", "jsonPath": "spec.x"}]),
     PREFIX + '[spec.additionalPrinterColumns[0].type: Invalid value: "str": must be one of '
     'boolean,date,integer,number,string, spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": '
     "must be a simple json path starting with .]"),
    ("a scale subresource whose spec replicas are not under .spec",
     lambda c: _version(c).update(subresources={"scale": {"specReplicasPath": ".status.replicas",
                                                          "statusReplicasPath": ".status.replicas"}}),
     PREFIX + 'spec.subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json '
     "path under .spec"),
    ("preserveUnknownFields: true",
     lambda c: _spec(c).update(preserveUnknownFields=True),
     PREFIX + "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set "
     "x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"),
    ("a protected group without the approval annotation",
     lambda c: (_spec(c).update(group="stable.k8s.io"), c["metadata"].update(name="crontabs.stable.k8s.io")),
     'CustomResourceDefinition.apiextensions.k8s.io "crontabs.stable.k8s.io" is invalid: '
     "metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval "
     'annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111'),
]


@pytest.mark.parametrize("change, message", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_an_invalid_crd_is_refused_with_the_apiextensions_message(server_cluster, change, message):
    assert _refusal(server_cluster, change) == message


def test_the_pages_crd_is_valid_and_defaulted_as_v1_defaults_it():
    crd = _crd()
    del crd["spec"]["names"]["singular"]
    defaults.apply_defaults(crd)
    assert crd["spec"]["names"]["singular"] == "crontab"
    assert crd["spec"]["names"]["listKind"] == "CronTabList"
    assert crd["spec"]["conversion"] == {"strategy": "None"}
    assert crd["status"] == {"storedVersions": ["v1"]}


def test_a_new_crd_starts_with_empty_accepted_names_and_its_storage_version(server_cluster):
    created = server_cluster.client.create(_crd(), dry_run=True)
    assert created["status"] == {"acceptedNames": {"plural": "", "kind": ""}, "storedVersions": ["v1"]}
    assert created["metadata"]["generation"] == 1


def test_identical_per_version_schemas_move_to_the_top_level_as_the_internal_crd_holds_them():
    crd = _crd()
    second = copy.deepcopy(_version(crd))
    second.update(name="v2", storage=False)
    crd["spec"]["versions"].append(second)
    view = internal_view(crd["spec"])
    assert view.validation == _version(crd)["schema"] and not view.per_version_schema
    second["schema"] = {"openAPIV3Schema": {"type": "object"}}
    assert internal_view(crd["spec"]).per_version_schema


def test_an_update_keeps_the_status_and_bumps_the_generation_on_spec_change_only():
    with labkube.Cluster(nodes=0, seed=0) as cluster:
        cluster.apply(CRONTAB_CRD)
        live = cluster.get("crd", "crontabs.stable.example.com")
        live["metadata"]["labels"] = {"team": "a"}
        live["status"] = {}
        relabelled = cluster.client.update(live)
        assert relabelled["metadata"]["generation"] == 1
        assert relabelled["status"]["storedVersions"] == ["v1"]
        relabelled["spec"]["names"]["shortNames"] = ["ct", "cts"]
        assert cluster.client.update(relabelled)["metadata"]["generation"] == 2


def test_the_plural_and_group_can_never_change_and_the_kind_not_once_established():
    with labkube.Cluster(nodes=0, seed=0) as cluster:
        cluster.apply(CRONTAB_CRD)
        live = cluster.get("crd", "crontabs.stable.example.com")
        live["spec"]["names"]["kind"] = "CronTable"
        live["spec"]["names"]["listKind"] = "CronTableList"
        with pytest.raises(StatusError) as err:
            cluster.client.update(live)
        assert err.value.message == PREFIX + 'spec.names.kind: Invalid value: "CronTable": field is immutable'


def test_the_first_delete_adds_the_cleanup_finalizer_and_the_terminating_condition():
    with labkube.Cluster(nodes=0, seed=0) as cluster:
        cluster.apply(CRONTAB_CRD)
        cluster.apiextensions.stop()  # nobody cleans up: the CRD stays as the delete left it
        deleted = cluster.client.delete("crd", "crontabs.stable.example.com")
        assert deleted["metadata"]["finalizers"] == [CLEANUP_FINALIZER]
        assert deleted["metadata"]["deletionTimestamp"]
        terminating = [c for c in deleted["status"]["conditions"] if c["type"] == "Terminating"]
        assert [(c["status"], c["reason"], c["message"]) for c in terminating] == [(
            "True", "InstanceDeletionPending",
            "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon")]


# -- the naming controller's decisions -----------------------------------------------------


def _accepted(names: dict, group="stable.example.com") -> dict:
    return {"spec": {"group": group}, "status": {"acceptedNames": names}}


NAMING = [
    ("names nobody holds are accepted",
     [], ("True", "NoConflicts", "no conflicts found"), ("False", "Installing", "the initial names have been accepted")),
    ("a plural another CRD of the group holds",
     [_accepted({"plural": "crontabs", "kind": "Other", "listKind": "OtherList"})],
     ("False", "PluralConflict", '"crontabs" is already in use'),
     ("False", "NotAccepted", "not all names are accepted")),
    ("a short name held as another CRD's singular",
     [_accepted({"plural": "others", "singular": "ct", "kind": "Other", "listKind": "OtherList"})],
     ("False", "ShortNamesConflict", '"ct" is already in use'),
     ("False", "NotAccepted", "not all names are accepted")),
    ("the same names in another group",
     [_accepted({"plural": "crontabs", "singular": "crontab", "shortNames": ["ct"], "kind": "CronTab",
                 "listKind": "CronTabList"}, group="other.example.com")],
     ("True", "NoConflicts", "no conflicts found"), ("False", "Installing", "the initial names have been accepted")),
]


@pytest.mark.parametrize("others, names_accepted, established", [c[1:] for c in NAMING], ids=[c[0] for c in NAMING])
def test_the_naming_controller_accepts_names_unless_another_crd_of_the_group_holds_them(
        others, names_accepted, established):
    crd = _crd()
    defaults.apply_defaults(crd)
    crd["status"]["acceptedNames"] = {"plural": "", "kind": ""}
    _accepted_names, got_accepted, got_established = apiextensions.calculate_names(crd, [crd, *others])
    assert (got_accepted, got_established) == (names_accepted, established)


def test_accepted_names_are_written_in_gos_field_order_without_empty_optional_fields():
    crd = _crd()
    defaults.apply_defaults(crd)
    crd["status"]["acceptedNames"] = {"plural": "", "kind": ""}
    names, _, _ = apiextensions.calculate_names(crd, [crd])
    assert list(names) == ["plural", "singular", "shortNames", "kind", "listKind"]
