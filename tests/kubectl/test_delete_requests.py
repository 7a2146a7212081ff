"""kubectl delete sends DELETE for named objects without reading them first (the resource
builder's ``RequireObject(false)`` in delete.go): a user may delete what they may not read,
the audit log shows no GET, and a client dry run of a missing name still prints."""

import labkube
from labkube.kubectl import run

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: nginx}]}\n"


def _cluster() -> labkube.Cluster:
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("apply -f -", stdin=POD)
    cluster.run(10)
    return cluster


def test_a_user_who_may_delete_but_not_read_pods_can_delete_one():
    cluster = _cluster()
    cluster.kubectl("create role deleter --verb=delete --resource=pods")
    cluster.kubectl("create rolebinding alice-deletes --role=deleter --user=alice")
    out = run(cluster, "delete pod web --as=alice --wait=false")
    assert (str(out), out.exit_code) == ('pod "web" deleted\n', 0)


def test_the_audit_log_shows_the_delete_and_no_get_before_it():
    cluster = _cluster()
    since = len(cluster.audit())
    cluster.kubectl("delete pod web --wait=false")
    verbs = [(r.verb, r.resource) for r in cluster.audit(since) if r.resource == "pods" and r.name == "web"]
    assert verbs == [("delete", "pods")]


def test_a_missing_name_is_the_deletes_own_not_found():
    out = run(_cluster(), "delete pod nope")
    assert (str(out), out.exit_code) == ('Error from server (NotFound): pods "nope" not found\n', 1)


def test_a_client_dry_run_sends_nothing_so_a_missing_name_still_prints():
    out = run(_cluster(), "delete pod nope --dry-run=client")
    assert (str(out), out.exit_code) == ('pod "nope" deleted (dry run)\n', 0)
