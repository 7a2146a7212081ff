"""kubectl client-side apply: create, three-way patch, unchanged — checked against real kubectl.

``FakeClient`` below is a TEST DOUBLE (an in-memory dict that applies patches with labkube's
patch functions), not product code; end-to-end tests against the real API server live in the
lead's scenario tests.
"""

import copy
import json
from pathlib import Path

import pytest

from labkube.core import errors
from labkube.core.api.patch import apply_patch
from labkube.core.apply import (
    LAST_APPLIED_ANNOTATION,
    apply_object,
    apply_patch_for,
    last_applied_configuration,
    with_last_applied,
)

GOLDEN = json.loads((Path(__file__).parent / "test_apply_kubectl_golden.json").read_text())


class FakeClient:
    """Test double: get/create/patch over a dict, recording the patches it receives."""

    def __init__(self):
        self.objects = {}
        self.patches = []
        self.version = 0

    def _key(self, rtype, name, namespace):
        return (rtype.plural, namespace, name)

    def get(self, rtype, name, namespace=None):
        try:
            return copy.deepcopy(self.objects[self._key(rtype, name, namespace)])
        except KeyError:
            raise errors.not_found(rtype.qualified_resource, name) from None

    def create(self, obj, namespace=None, dry_run=False):
        from labkube.core.api.resources import default_registry
        rtype = default_registry().for_kind(obj["apiVersion"], obj["kind"])
        stored = copy.deepcopy(obj)
        self.version += 1
        stored["metadata"].update(uid=f"uid-{self.version}", resourceVersion=str(self.version))
        self.objects[self._key(rtype, obj["metadata"]["name"], namespace)] = stored
        return copy.deepcopy(stored)

    def patch(self, rtype, name, patch, *, namespace=None, patch_type="strategic", dry_run=False):
        self.patches.append((patch_type, copy.deepcopy(patch)))
        live = self.get(rtype, name, namespace)
        result = apply_patch(live, patch, patch_type, rtype.api_version, rtype.kind)
        self.version += 1
        result["metadata"]["resourceVersion"] = str(self.version)
        self.objects[self._key(rtype, name, namespace)] = result
        return copy.deepcopy(result)

    def mutate(self, rtype_plural, namespace, name, fn):
        fn(self.objects[(rtype_plural, namespace, name)])


def deployment(image="nginx:1.25", replicas=2, containers=None, labels=None):
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", **({"labels": labels} if labels else {})},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": containers or [{"name": "web", "image": image}]}}},
    }


def spec_of(client):
    return client.objects[("deployments", "default", "web")]["spec"]


def test_a_new_object_is_created_with_the_last_applied_annotation():
    client = FakeClient()
    live, action = apply_object(client, deployment())
    assert action == "created"
    annotation = live["metadata"]["annotations"][LAST_APPLIED_ANNOTATION]
    assert annotation == last_applied_configuration({**deployment(), "metadata": {"name": "web", "namespace": "default"}})
    assert live["metadata"]["namespace"] == "default"


def test_the_last_applied_serialization_is_what_kubectl_writes():
    # Verified with kubectl 1.32 against a recording API server (see the golden file).
    text = last_applied_configuration({"kind": "ConfigMap", "apiVersion": "v1",
                                       "metadata": {"name": "c", "namespace": "default"},
                                       "data": {"b": "x<y", "a": "é"}})
    assert text == ('{"apiVersion":"v1","data":{"a":"é","b":"x\\u003cy"},"kind":"ConfigMap",'
                    '"metadata":{"annotations":{},"name":"c","namespace":"default"}}\n')


def test_applying_the_same_configuration_again_is_unchanged_and_sends_nothing():
    client = FakeClient()
    apply_object(client, deployment())
    live, action = apply_object(client, deployment())
    assert action == "unchanged"
    assert client.patches == []


def test_a_changed_field_is_configured_with_a_strategic_patch():
    client = FakeClient()
    apply_object(client, deployment())
    live, action = apply_object(client, deployment(image="nginx:1.27"))
    assert action == "configured"
    assert client.patches[0][0] == "strategic"
    assert live["spec"]["template"]["spec"]["containers"] == [{"name": "web", "image": "nginx:1.27"}]


def test_a_field_removed_from_the_configuration_is_removed_from_the_live_object():
    client = FakeClient()
    apply_object(client, deployment(labels={"app": "web", "tier": "front"}))
    apply_object(client, deployment(labels={"app": "web"}))
    assert client.objects[("deployments", "default", "web")]["metadata"]["labels"] == {"app": "web"}


def test_a_field_set_by_a_controller_is_kept():
    client = FakeClient()
    apply_object(client, deployment())
    client.mutate("deployments", "default", "web", lambda o: o["spec"].update(
        strategy={"type": "RollingUpdate"}, revisionHistoryLimit=10))
    apply_object(client, deployment(image="nginx:1.27"))
    assert spec_of(client)["strategy"] == {"type": "RollingUpdate"}
    assert spec_of(client)["revisionHistoryLimit"] == 10


def test_a_container_removed_from_the_configuration_is_deleted_by_name():
    client = FakeClient()
    two = [{"name": "web", "image": "nginx"}, {"name": "log", "image": "busybox"}]
    apply_object(client, deployment(containers=two))
    apply_object(client, deployment(containers=two[:1]))
    assert spec_of(client)["template"]["spec"]["containers"] == two[:1]
    assert {"name": "log", "$patch": "delete"} in client.patches[0][1]["spec"]["template"]["spec"]["containers"]


def test_a_container_added_by_someone_else_is_kept():
    client = FakeClient()
    apply_object(client, deployment())
    client.mutate("deployments", "default", "web", lambda o: o["spec"]["template"]["spec"]["containers"].append(
        {"name": "injected", "image": "proxy"}))
    apply_object(client, deployment(image="nginx:1.27"))
    names = [c["name"] for c in spec_of(client)["template"]["spec"]["containers"]]
    assert names == ["web", "injected"]


def test_a_no_op_apply_yields_an_empty_patch():
    obj = with_last_applied({**deployment(), "metadata": {"name": "web", "namespace": "default"}})
    live = copy.deepcopy(obj)
    live["status"] = {"replicas": 2}
    assert apply_patch_for(live, obj) == {}


def test_a_kind_without_strategic_information_falls_back_to_a_json_merge_patch():
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"a": [1]}}
    live = with_last_applied(obj)
    live["status"] = {"ok": True}
    new = with_last_applied({**obj, "spec": {"a": [2]}})
    patch = apply_patch_for(live, new)
    assert patch["spec"] == {"a": [2]} and "status" not in patch


def test_an_error_other_than_not_found_is_passed_through():
    class Broken(FakeClient):
        def get(self, rtype, name, namespace=None):
            raise errors.forbidden("deployments.apps", name, "no")

    with pytest.raises(errors.StatusError) as err:
        apply_object(Broken(), deployment())
    assert err.value.code == 403


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_the_patch_is_the_one_real_kubectl_sends(case):
    """Golden cases recorded from kubectl 1.32 `apply` against a recording fake API server."""
    config = copy.deepcopy(case["config"])
    config["metadata"].setdefault("namespace", "default")
    patch = apply_patch_for(case["live"], with_last_applied(config))
    assert patch == case["patch"]
    assert (patch == {}) == case["kubectl"].endswith("unchanged")


def test_a_conflict_is_retried_after_reading_the_live_object_again():
    class Conflicting(FakeClient):
        conflicts = 2

        def patch(self, rtype, name, patch, *, namespace=None, patch_type="strategic", dry_run=False):
            if self.conflicts:
                self.conflicts -= 1
                raise errors.conflict("deployments.apps", name, errors.OPTIMISTIC_LOCK_MESSAGE)
            return super().patch(rtype, name, patch, namespace=namespace, patch_type=patch_type)

    client = Conflicting()
    apply_object(client, deployment())
    live, action = apply_object(client, deployment(image="x"))
    assert (action, client.conflicts) == ("configured", 0)
