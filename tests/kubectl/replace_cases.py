"""``kubectl replace`` cases whose output is compared byte-for-byte with the real kubectl 1.32.

Each case: ``stem``, ``command``, the ``files`` it reads (name -> text; ``stdin`` for ``-f -``),
and the ``objects`` the cluster holds first. ``capture_replace.py`` runs the real kubectl
against an oracle server whose object requests a labkube cluster answers;
``test_replace_oracle.py`` runs labkube's kubectl on an identical cluster. Both build the
cluster with :func:`make_cluster`, so the API server's answers are the same in both runs and
the goldens pin down what kubectl does with them.
"""

from __future__ import annotations

import copy


def configmap(name="web", data=None, **meta):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "default", **meta},
            "data": {"color": "blue"} if data is None else data}


def pod(name="web", image="nginx", **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": image}], **spec}}


def deployment(name="web", image="nginx", replicas=2):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app", "image": image}]}}}}


def yaml_text(*objects) -> str:
    """Objects as a multi-document YAML file (as a student would write it)."""
    import yaml

    return "---\n".join(yaml.safe_dump(o, sort_keys=False) for o in objects)


def make_cluster(case: dict):
    """A labkube cluster holding the case's objects (no nodes: pods stay unscheduled, so a
    graceful delete removes them at once, as kube-apiserver does for a pod never bound)."""
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.client.create({"apiVersion": "v1", "kind": "ServiceAccount",
                           "metadata": {"name": "default", "namespace": "default"}})
    for obj in case.get("objects", []):
        cluster.client.create(copy.deepcopy(obj))
    return cluster


def case_files(case: dict, cluster) -> dict[str, str]:
    """The case's files, plus those made from the live cluster as a student makes them:
    ``live_files`` maps a file name to (kubectl command, old text, new text) -- the command's
    output with one edit, like ``kubectl get pod web -o yaml | sed 's/old/new/' > web.yaml``."""
    from labkube.kubectl import run

    files = dict(case.get("files", {}))
    for name, (command, old, new) in case.get("live_files", {}).items():
        text = run(cluster, command).stdout
        if old not in text:
            raise ValueError(f"{case['stem']}: {old!r} is not in the output of {command!r}")
        files[name] = text.replace(old, new, 1)
    return files


WEB_CM = configmap()
WEB_CM_GREEN = configmap(data={"color": "green"})
WEB_POD = pod()
FOO = {"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "x"}}
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
DEV = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}}

CASES = [
    # -- replace: PUT --------------------------------------------------------------------------
    {"stem": "configmap", "objects": [WEB_CM], "files": {"cm.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f cm.yaml"},
    {"stem": "deployment_name_output", "objects": [deployment()],
     "files": {"d.yaml": yaml_text(deployment(image="nginx:1.27"))}, "command": "replace -f d.yaml -o name"},
    {"stem": "yaml_output", "objects": [WEB_CM], "files": {"cm.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f cm.yaml -o yaml"},
    {"stem": "jsonpath_output", "objects": [WEB_CM], "files": {"cm.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f cm.yaml -o jsonpath={.data.color}"},
    {"stem": "stdin", "objects": [WEB_CM], "stdin": yaml_text(WEB_CM_GREEN), "command": "replace -f -"},
    {"stem": "json_file_list", "objects": [WEB_CM, configmap("two")],
     "files": {"list.json": __import__("json").dumps({"apiVersion": "v1", "kind": "List", "items": [
         WEB_CM_GREEN, configmap("two", data={"size": "L"})]})},
     "command": "replace -f list.json"},
    {"stem": "pod_image_from_live_yaml", "objects": [WEB_POD],
     "live_files": {"web.yaml": ("get pod web -o yaml", "image: nginx", "image: nginx:1.27")},
     "command": "replace -f web.yaml"},
    {"stem": "pod_image_from_live_yaml_stdin_json", "objects": [WEB_POD],
     "live_files": {"-": ("get pod web -o yaml", "image: nginx", "image: nginx:1.27")},
     "command": "replace -f - -o json"},
    {"stem": "cluster_scoped_ignores_namespace_flag", "objects": [DEV],
     "files": {"ns.yaml": yaml_text({"apiVersion": "v1", "kind": "Namespace",
                                     "metadata": {"name": "dev", "labels": {"team": "a"}}})},
     "command": "replace -f ns.yaml -n other"},
    {"stem": "folder", "objects": [WEB_CM, configmap("two")],
     "files": {"d/a.yaml": yaml_text(WEB_CM_GREEN), "d/notes.txt": "not a manifest",
               "d/sub/b.yaml": yaml_text(configmap("two", data={"size": "L"}))},
     "command": "replace -f d"},
    {"stem": "folder_recursive", "objects": [WEB_CM, configmap("two")],
     "files": {"d/a.yaml": yaml_text(WEB_CM_GREEN), "d/notes.txt": "not a manifest",
               "d/sub/b.yaml": yaml_text(configmap("two", data={"size": "L"}))},
     "command": "replace -f d -R"},
    {"stem": "empty_file", "files": {"e.yaml": ""}, "command": "replace -f e.yaml"},
    # -- the server says no ------------------------------------------------------------------------
    {"stem": "not_found", "files": {"web.yaml": yaml_text(WEB_POD)}, "command": "replace -f web.yaml"},
    {"stem": "stale_resource_version_conflict", "objects": [WEB_CM],
     "files": {"cm.yaml": yaml_text(configmap(data={"color": "green"}, resourceVersion="1"))},
     "command": "replace -f cm.yaml"},
    {"stem": "pod_spec_change_forbidden", "objects": [WEB_POD],
     "files": {"web.yaml": yaml_text(pod(restartPolicy="Never"))}, "command": "replace -f web.yaml"},
    {"stem": "invalid_then_not_found", "objects": [WEB_CM],
     "files": {"b.yaml": yaml_text(configmap(data={"color": "green"}, labels={"a b": "c"}), configmap("zz"))},
     "command": "replace -f b.yaml"},
    {"stem": "unknown_field", "objects": [WEB_CM],
     "files": {"b.yaml": yaml_text(configmap(data={"color": "green"}, bogus="x"))}, "command": "replace -f b.yaml"},
    {"stem": "wrong_type", "objects": [WEB_CM],
     "files": {"b.yaml": yaml_text(configmap(data={"replicas": 3}))}, "command": "replace -f b.yaml"},
    # -- one document at a time ------------------------------------------------------------------
    {"stem": "second_document_missing", "objects": [WEB_CM],
     "files": {"both.yaml": yaml_text(WEB_CM_GREEN, configmap("other"))}, "command": "replace -f both.yaml"},
    {"stem": "errors_in_document_order", "objects": [WEB_CM],
     "files": {"b.yaml": yaml_text(configmap("other"), FOO, WEB_CM_GREEN)}, "command": "replace -f b.yaml"},
    {"stem": "yaml_error_ends_the_file", "objects": [WEB_CM, configmap("two")],
     "files": {"a.yaml": yaml_text(configmap("other")) + "---\ndata: [\n---\n" + yaml_text(WEB_CM_GREEN),
               "b.yaml": yaml_text(configmap("two", data={"size": "L"}))},
     "command": "replace -f a.yaml -f b.yaml"},
    {"stem": "no_name", "files": {"b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"},
     "command": "replace -f b.yaml"},
    {"stem": "namespace_mismatch", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml -n other"},
    {"stem": "missing_path", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "objects": [WEB_CM],
     "command": "replace -f b.yaml -f nope.yaml"},
    # -- dry runs and the annotation --------------------------------------------------------------
    {"stem": "dry_run_client", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --dry-run=client"},
    {"stem": "dry_run_client_yaml_save_config", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --dry-run=client -o yaml --save-config"},
    {"stem": "dry_run_server", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --dry-run=server"},
    {"stem": "dry_run_server_json", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --dry-run=server -o json"},
    {"stem": "dry_run_server_not_found", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --dry-run=server"},
    {"stem": "save_config", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --save-config -o yaml"},
    {"stem": "last_applied_in_file_is_refreshed", "objects": [WEB_CM],
     "files": {"b.yaml": yaml_text(configmap(data={"color": "green"}, annotations={LAST_APPLIED: "{}"}))},
     "command": "replace -f b.yaml -o yaml"},
    # -- subresources ----------------------------------------------------------------------------
    {"stem": "subresource_status", "objects": [deployment()],
     "files": {"d.yaml": yaml_text(deployment(replicas=5))}, "command": "replace -f d.yaml --subresource=status"},
    {"stem": "subresource_scale", "objects": [deployment()],
     "files": {"d.yaml": yaml_text(deployment(replicas=5))}, "command": "replace -f d.yaml --subresource=scale"},
    {"stem": "subresource_unknown", "objects": [deployment()],
     "files": {"d.yaml": yaml_text(deployment(replicas=5))}, "command": "replace -f d.yaml --subresource=foo"},
    # -- --force: delete, wait, create -----------------------------------------------------------
    {"stem": "force_pod", "objects": [WEB_POD],
     "files": {"web.yaml": yaml_text(pod(restartPolicy="Never"))}, "command": "replace --force -f web.yaml"},
    {"stem": "force_creates_what_is_missing", "files": {"web.yaml": yaml_text(WEB_POD)},
     "command": "replace --force -f web.yaml"},
    {"stem": "force_stdin", "objects": [WEB_CM], "stdin": yaml_text(WEB_CM_GREEN), "command": "replace -f - --force"},
    {"stem": "force_name_output", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml -o name --force"},
    {"stem": "force_grace_period_zero_yaml", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml -o yaml --force --grace-period=0"},
    {"stem": "force_wait_and_timeout", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --force --wait --timeout=30s"},
    {"stem": "force_empty_file", "files": {"e.yaml": ""}, "command": "replace -f e.yaml --force"},
    {"stem": "force_no_name", "files": {"b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"},
     "command": "replace -f b.yaml --force"},
    {"stem": "force_bad_kind_stops_after_the_deletes", "objects": [WEB_CM],
     "files": {"b.yaml": yaml_text(WEB_CM_GREEN, FOO)}, "command": "replace -f b.yaml --force"},
    {"stem": "force_create_errors_carry_no_file_name", "objects": [WEB_CM, configmap("two")],
     "files": {"b.yaml": yaml_text(WEB_CM_GREEN, configmap("two", data={"a": 1}), configmap("three"))},
     "command": "replace -f b.yaml --force"},
    # -- the command line ------------------------------------------------------------------------
    {"stem": "no_filename", "command": "replace"},
    {"stem": "kustomize_and_filename", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml -k dir"},
    {"stem": "grace_period_needs_force", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --grace-period=5"},
    {"stem": "timeout_needs_force", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --timeout=5s"},
    {"stem": "bad_timeout", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml --timeout=soon"},
    {"stem": "force_with_dry_run", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --force --dry-run=server"},
    {"stem": "bad_validate", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml --validate=maybe",
     "validate_false": False},
    {"stem": "bad_cascade", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml --cascade=sideways"},
    {"stem": "boolean_cascade_warns", "objects": [WEB_CM], "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --cascade=true"},
    {"stem": "bad_dry_run", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml --dry-run=maybe"},
    {"stem": "table_output", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml -o wide"},
    {"stem": "raw_with_output", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml --raw=/api/v1/namespaces/default/configmaps/web -o yaml"},
    {"stem": "raw_two_files", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)},
     "command": "replace -f b.yaml -f b.yaml --raw=/api/v1/namespaces/default/configmaps/web"},
    {"stem": "raw_recursive", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml -R --raw=/x"},
    {"stem": "raw_not_a_path", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml --raw=configmaps"},
    {"stem": "raw_bad_escape", "files": {"b.yaml": yaml_text(WEB_CM_GREEN)}, "command": "replace -f b.yaml --raw=/x%zz"},
]
