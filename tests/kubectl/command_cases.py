"""Scenarios where real kubectl 1.32 and labkube must print the same text.

Each case names: the command line; ``files`` to create; ``objects`` the oracle server holds
(and the labkube cluster gets applied first); ``scripted`` responses the oracle server returns
for a (method, path) — the Status labkube's own API server produces in that situation, built
with labkube.core.errors so the oracle checks kubectl's *printing* of our Status objects — and
``setup`` (kubectl commands run on the labkube cluster before the case).
``capture_commands.py`` runs real kubectl against the oracle server and stores the text in
``golden_commands/``; ``test_commands_oracle.py`` runs the same case on a labkube Cluster.
"""

from __future__ import annotations

from labkube.core import errors as e
from labkube.core.errors import FieldError

WEB_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
"""

BAD_REPLICAS = WEB_DEPLOYMENT.replace("replicas: 2", "replicas: -1")
BAD_TWICE = BAD_REPLICAS.replace("image: nginx", "image: ''")

CRONJOB = """apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "*/1 * * * *"
"""

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
"""


def _body(err: e.StatusError) -> dict:
    return err.status


def _invalid(*field_errors: FieldError) -> dict:
    return _body(e.invalid("Deployment.apps", "web", list(field_errors)))


CASES = [
    {
        "stem": "get_missing_pod",
        "command": "get pods nope",
    },
    {
        "stem": "delete_missing_pod",
        "command": "delete pod nope",
    },
    {
        "stem": "create_existing_from_file",
        "command": "create -f web.yaml",
        "files": {"web.yaml": WEB_DEPLOYMENT},
        "setup": ["apply -f web.yaml"],
        "scripted": {("POST", "/apis/apps/v1/namespaces/default/deployments"):
                     (409, _body(e.already_exists("deployments.apps", "web")))},
    },
    {
        "stem": "create_invalid_one_cause",
        "command": "create -f web.yaml",
        "files": {"web.yaml": BAD_REPLICAS},
        "scripted": {("POST", "/apis/apps/v1/namespaces/default/deployments"):
                     (422, _invalid(FieldError.invalid("spec.replicas", -1,
                                                       "must be greater than or equal to 0")))},
    },
    {
        "stem": "create_invalid_two_causes",
        "command": "create -f web.yaml",
        "files": {"web.yaml": BAD_TWICE},
        "scripted": {("POST", "/apis/apps/v1/namespaces/default/deployments"):
                     (422, _invalid(FieldError.invalid("spec.replicas", -1,
                                                       "must be greater than or equal to 0"),
                                    FieldError.required("spec.template.spec.containers[0].image")))},
    },
    {
        "stem": "apply_unknown_kind",
        "command": "apply -f cronjob.yaml",
        "files": {"cronjob.yaml": CRONJOB},
    },
    {
        "stem": "apply_unknown_kind_and_a_configmap",
        "command": "apply -f cronjob.yaml -f cm.yaml",
        "files": {"cronjob.yaml": CRONJOB, "cm.yaml": CONFIGMAP},
        "scripted": {("POST", "/api/v1/namespaces/default/configmaps"): (201, "echo")},
    },
    {
        "stem": "create_configmap_from_file",
        "command": "create -f cm.yaml",
        "files": {"cm.yaml": CONFIGMAP},
        "scripted": {("POST", "/api/v1/namespaces/default/configmaps"): (201, "echo")},
    },
    {
        "stem": "apply_new_configmap",
        "command": "apply -f cm.yaml",
        "files": {"cm.yaml": CONFIGMAP},
        "scripted": {("POST", "/api/v1/namespaces/default/configmaps"): (201, "echo")},
    },
    {
        "stem": "yaml_error_in_file",
        "command": "apply -f bad.yaml",
        "files": {"bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   labels: a\n"},
    },
    {
        "stem": "missing_path",
        "command": "apply -f nothere.yaml",
    },
    {
        "stem": "get_nothing_in_namespace",
        # A selector: every namespace holds the ConfigMap kube-root-ca.crt. kubectl prints the
        # same line for an empty selection as for an empty namespace.
        "command": "get configmaps -l app=none",
    },
    {
        "stem": "get_nothing_cluster_scoped",
        "command": "get ingressclasses -l app=none",  # the default class "nginx" exists
    },
    {
        "stem": "delete_by_selector_nothing",
        "command": "delete configmaps -l app=none",
    },
    {
        "stem": "unknown_resource_type",
        "command": "get flurbs",
    },
    {
        "stem": "api_versions",
        "command": "api-versions",
    },
    {
        "stem": "api_resources",
        "command": "api-resources",
    },
    {
        "stem": "api_resources_wide_cluster_scoped",
        "command": "api-resources -o wide --namespaced=false",
    },
    {
        "stem": "api_resources_apps_names",
        "command": "api-resources --api-group=apps -o name",
    },
    {
        "stem": "forbidden_list",
        "command": "get configmaps --as alice",
        "scripted": {("GET", "/api/v1/namespaces/default/configmaps"):
                     (403, _body(e.forbidden("configmaps", "", 'User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"')))},
    },
]

# YAML syntax errors: kubectl reports go-yaml's words and line numbers (counted from the
# document's first line); labkube translates PyYAML's errors into them.
YAML_DIR = "golden_yaml"
YAML_FILES = ["alias", "bad1", "bad2", "bad3", "bad4", "bad5", "bad6", "bad7", "blockseq",
              "colon", "flow", "multi", "seqmap"]
for _name in YAML_FILES:
    CASES.append({
        "stem": f"yaml_{_name}",
        "command": f"apply -f {_name}.yaml --dry-run=client",
        "yaml_file": f"{_name}.yaml",
    })
