"""update and patch: optimistic concurrency, generation, status/spec separation, no-ops."""

import pytest

from labkube.core.api.testing import deployment, new_server, pod
from labkube.core.errors import StatusError



@pytest.fixture
def env():
    return new_server()


def test_a_stale_resource_version_is_a_conflict_with_kubes_message(env):
    first = env.admin.create(deployment())
    env.admin.patch("deploy", "web", {"spec": {"replicas": 3}})
    first["spec"]["replicas"] = 5
    with pytest.raises(StatusError) as err:
        env.admin.update(first)
    assert err.value.code == 409
    assert err.value.message == (
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


def test_an_update_without_resource_version_is_unconditional(env):
    env.admin.create(deployment())
    body = deployment(replicas=7)
    assert env.admin.update(body)["spec"]["replicas"] == 7


def test_updating_a_missing_object_is_not_found(env):
    with pytest.raises(StatusError) as err:
        env.admin.update(deployment())
    assert (err.value.code, err.value.message) == (404, 'deployments.apps "web" not found')


def test_uid_is_immutable(env):
    current = env.admin.create(deployment())
    current["metadata"]["uid"] = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(StatusError) as err:
        env.admin.update(current)
    assert err.value.code == 422
    assert "metadata.uid" in err.value.message and "field is immutable" in err.value.message


def test_creation_timestamp_cannot_be_changed_by_an_update(env):
    current = env.admin.create(deployment())
    env.clock.run(60)
    current["metadata"]["creationTimestamp"] = "2030-01-01T00:00:00Z"
    current["metadata"]["labels"] = {"x": "y"}
    try:
        updated = env.admin.update(current)
    except StatusError as err:  # kube resets it; validation may also refuse the change
        assert "creationTimestamp" in err.value.message
    else:
        assert updated["metadata"]["creationTimestamp"] == "2025-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "change, bumps",
    [
        (lambda d: d["spec"].update(replicas=9), True),
        (lambda d: d["spec"]["template"]["spec"]["containers"][0].update(image="nginx:2"), True),
        (lambda d: d["metadata"].setdefault("labels", {}).update(team="a"), False),
        (lambda d: d["metadata"].setdefault("annotations", {}).update(note="a"), True),
        (lambda d: d.update(status={"replicas": 3}), False),
    ],
    ids=["a spec change bumps", "a template change bumps", "a label change does not",
         "a deployment annotation change bumps (copied to replica sets)",
         "a status change through the main resource does not"],
)
def test_generation_bumps_on_spec_changes_only(env, change, bumps):
    current = env.admin.create(deployment())
    change(current)
    updated = env.admin.update(current)
    assert updated["metadata"]["generation"] == (2 if bumps else 1)


def test_status_changes_through_the_main_resource_are_ignored(env):
    current = env.admin.create(deployment())
    current["status"] = {"replicas": 3}
    assert env.admin.update(current)["status"] == {}


def test_the_status_subresource_changes_status_only(env):
    current = env.admin.create(deployment())
    current["status"] = {"replicas": 2, "observedGeneration": 1}
    current["spec"]["replicas"] = 10
    current["metadata"]["labels"] = {"ignored": "yes"}
    updated = env.admin.update(current, subresource="status")
    assert updated["status"] == {"replicas": 2, "observedGeneration": 1}
    assert updated["spec"]["replicas"] == 2
    assert "labels" not in updated["metadata"]
    assert updated["metadata"]["generation"] == 1


def test_patching_status_through_the_subresource(env):
    env.admin.create(pod())
    patched = env.admin.patch("pods", "web", {"status": {"phase": "Running"}}, subresource="status",
                              patch_type="merge")
    assert patched["status"]["phase"] == "Running"


def test_a_no_op_update_writes_nothing_and_keeps_the_resource_version(env):
    current = env.admin.create(deployment())
    revision = env.store.revision
    again = env.admin.update(current)
    assert again["metadata"]["resourceVersion"] == current["metadata"]["resourceVersion"]
    assert env.store.revision == revision


def test_patch_applies_to_the_current_object_and_bumps_the_resource_version(env):
    created = env.admin.create(pod())
    patched = env.admin.patch("pods", "web", {"metadata": {"labels": {"tier": "front"}}})
    assert patched["metadata"]["labels"] == {"tier": "front"}
    assert int(patched["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


@pytest.mark.parametrize("patch_type, body", [
    ("merge", {"spec": {"replicas": 4}}),
    ("strategic", {"spec": {"replicas": 4}}),
    ("json", [{"op": "replace", "path": "/spec/replicas", "value": 4}]),
])
def test_every_patch_type_reaches_the_object(env, patch_type, body):
    env.admin.create(deployment())
    assert env.admin.patch("deploy", "web", body, patch_type=patch_type)["spec"]["replicas"] == 4


def test_a_patch_with_a_stale_resource_version_is_a_conflict(env):
    env.admin.create(deployment())
    with pytest.raises(StatusError) as err:
        env.admin.patch("deploy", "web", {"metadata": {"resourceVersion": "1"}, "spec": {"replicas": 4}},
                        patch_type="merge")
    assert err.value.code == 409


def test_patching_a_missing_object_is_not_found(env):
    with pytest.raises(StatusError) as err:
        env.admin.patch("pods", "ghost", {"metadata": {"labels": {"a": "b"}}})
    assert err.value.message == 'pods "ghost" not found'


def test_a_patch_that_produces_an_unknown_field_is_refused(env):
    env.admin.create(deployment())
    revision = env.store.revision
    with pytest.raises(StatusError) as err:
        env.admin.with_field_validation("Strict").patch("deploy", "web", {"spec": {"replica": 4}},
                                                         patch_type="merge")
    assert 'unknown field "spec.replica"' in err.value.message
    assert env.store.revision == revision


def test_dry_run_update_leaves_the_store_unchanged(env):
    current = env.admin.create(deployment())
    revision = env.store.revision
    current["spec"]["replicas"] = 9
    result = env.admin.update(current, dry_run=True)
    assert result["spec"]["replicas"] == 9
    assert env.store.revision == revision
    assert env.admin.get("deploy", "web")["spec"]["replicas"] == 2


def test_a_failed_update_leaves_the_store_revision_unchanged(env):
    current = env.admin.create(deployment())
    revision = env.store.revision
    current["spec"]["replicas"] = -1
    with pytest.raises(StatusError) as err:
        env.admin.update(current)
    assert err.value.code == 422
    assert env.store.revision == revision


def test_removing_the_last_finalizer_of_a_deleted_object_deletes_it(env):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "finalizers": ["example.com/hold"]}}
    env.admin.create(body)
    held = env.admin.delete("configmaps", "cm")
    assert held["metadata"]["deletionTimestamp"] and held["metadata"]["deletionGracePeriodSeconds"] == 0
    env.admin.patch("configmaps", "cm", {"metadata": {"finalizers": None}}, patch_type="merge")
    with pytest.raises(StatusError) as err:
        env.admin.get("configmaps", "cm")
    assert err.value.code == 404


def test_an_update_cannot_remove_a_deletion_timestamp(env):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "finalizers": ["example.com/hold"]}}
    env.admin.create(body)
    held = env.admin.delete("configmaps", "cm")
    del held["metadata"]["deletionTimestamp"]
    held["data"] = {"a": "b"}
    updated = env.admin.update(held)
    assert updated["metadata"]["deletionTimestamp"]


def test_concurrent_patches_from_threads_lose_no_update(env):
    """Each patch either lands or fails visibly with 409 Conflict (kube-apiserver also gives up
    after a bounded number of compare-and-swap retries); a client that retries loses nothing."""
    import threading

    env.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "counter"}})

    def patch_until_it_lands(body):
        for _ in range(100):
            try:
                return env.admin.patch("configmaps", "counter", body, patch_type="merge")
            except StatusError as err:
                assert err.code == 409  # a lost race is reported, never swallowed
        raise AssertionError("a patch never landed")

    def worker(n):
        for i in range(25):
            patch_until_it_lands({"data": {f"t{n}-{i}": "x"}})

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(env.admin.get("configmaps", "counter")["data"]) == 100


def test_a_conflicting_update_leaves_the_store_revision_unchanged(env):
    stale = env.admin.create(deployment())
    env.admin.patch("deploy", "web", {"spec": {"replicas": 3}})
    revision = env.store.revision
    stale["spec"]["replicas"] = 1
    with pytest.raises(StatusError):
        env.admin.update(stale)
    assert env.store.revision == revision
