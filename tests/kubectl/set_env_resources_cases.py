"""``kubectl set env`` and ``kubectl set resources`` cases compared byte for byte with the real
kubectl 1.32.

Each case: ``stem``, ``command``, the ``objects`` the oracle API server holds (the labkube
cluster gets them created first), optional ``files`` (name -> text, written to the working
directory), ``stdin``, and ``scripted`` answers for (method, path). ``capture_set_env_resources.py``
runs the real kubectl against the oracle and stores what it printed (``<stem>.txt``) and the
PATCH requests it sent (``<stem>.patches``); ``test_set_env_resources_oracle.py`` runs the same
command on labkube and compares both.
"""

from __future__ import annotations

from tests.kubectl.ops_cases import deployment, pod

DEP = "/apis/apps/v1/namespaces/default/deployments/web"


def with_env(env, *, name="web", containers=None):
    """A Deployment whose one container (nginx) has ``env``."""
    container = {"name": "nginx", "image": "nginx", "env": env}
    return deployment(name, containers=containers or [container])


TWO_CONTAINERS = [{"name": "nginx", "image": "nginx"}, {"name": "sidecar", "image": "busybox"}]


def with_init(name="web"):
    obj = deployment(name, containers=TWO_CONTAINERS)
    obj["spec"]["template"]["spec"]["initContainers"] = [{"name": "setup", "image": "busybox"}]
    return obj


def with_resources(resources, name="web"):
    return deployment(name, containers=[{"name": "nginx", "image": "nginx", "resources": resources}])


def configmap(name="cfg", data=None):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "data": data if data is not None else {"db-host": "db.local"}}


def secret(name="creds", data=None):
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "data": data if data is not None else {"password": "czNjcjN0"}}


def service(name="web-svc"):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}}


def workload(kind, api_version, name, *, cron=False):
    template = {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": "busybox"}],
                         "restartPolicy": "OnFailure" if kind in ("Job", "CronJob") else "Always"}}
    if kind == "CronJob":
        spec = {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template}}}
    elif kind == "Job":
        spec = {"template": template}
    else:
        spec = {"selector": {"matchLabels": {"app": name}}, "template": template}
        if kind == "StatefulSet":
            spec["serviceName"] = name
    return {"apiVersion": api_version, "kind": kind,
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": spec}


REFS = [
    {"name": "PLAIN", "value": "1"},
    {"name": "FROM_CM", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "db-host"}}},
    {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
    {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
    {"name": "CPU_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1"}}},
]
MISSING_REFS = [
    {"name": "GONE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "nope"}}},
    {"name": "ALSO_GONE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "nope"}}},
    {"name": "NO_SECRET", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "k"}}},
    {"name": "OK", "value": "yes"},
]

DEPLOYMENT_YAML = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: local-web
  labels:
    app: local-web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: local-web
  template:
    metadata:
      labels:
        app: local-web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        env:
        - name: KEEP
          value: "1"
        - name: DROP
          value: "2"
      - name: sidecar
        image: busybox
"""

POD_YAML = """apiVersion: v1
kind: Pod
metadata:
  name: local-pod
spec:
  containers:
  - name: app
    image: busybox
    resources:
      requests:
        cpu: 100m
"""

MINIMAL_YAML = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {b: "2", a: "1"}}
spec: {template: {spec: {containers: [{name: a, image: x, env: [{name: S, valueFrom: {secretKeyRef: {key: k, name: s}}}]}]}}}
"""

RS_YAML = """apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs
spec:
  selector:
    matchLabels: {app: rs}
  template:
    metadata:
      labels: {app: rs}
    spec:
      containers:
      - name: main
        image: busybox
"""

PATCHED = {("PATCH", DEP): (200, deployment())}
WEB = [deployment()]

ENV_CASES = [
    # -- changes that reach the server ------------------------------------------------------
    {"stem": "env_add", "objects": WEB, "command": "set env deployment/web FOO=bar"},
    {"stem": "env_add_two_and_dash_e", "objects": WEB,
     "command": "set env deployment web -e A=1 B=two=2 --env C="},
    {"stem": "env_update_existing", "objects": [with_env([{"name": "A", "value": "1"}, {"name": "FOO", "value": "old"}])],
     "command": "set env deploy/web FOO=new Z=last"},
    {"stem": "env_remove", "objects": [with_env([{"name": "A", "value": "1"}, {"name": "FOO", "value": "old"}])],
     "command": "set env deployment/web FOO-"},
    {"stem": "env_remove_missing", "objects": WEB, "command": "set env deployment/web NOPE-"},
    {"stem": "env_same_value", "objects": [with_env([{"name": "FOO", "value": "bar"}])],
     "command": "set env deployment/web FOO=bar"},
    {"stem": "env_nothing_given", "objects": WEB, "command": "set env deployment/web"},
    {"stem": "env_overwrite_false_conflict", "objects": [with_env([{"name": "FOO", "value": "old"}])],
     "command": "set env deployment/web FOO=new --overwrite=false"},
    {"stem": "env_overwrite_false_new", "objects": [with_env([{"name": "FOO", "value": "old"}])],
     "command": "set env deployment/web BAR=1 --overwrite=false"},
    {"stem": "env_containers_select", "objects": [with_init()],
     "command": "set env deployment/web -c sidecar MODE=debug"},
    {"stem": "env_containers_wildcard", "objects": [with_init()],
     "command": "set env deployment/web --containers=s* MODE=debug"},
    {"stem": "env_all_containers_with_init", "objects": [with_init()],
     "command": "set env deployment/web MODE=debug"},
    {"stem": "env_container_no_match", "objects": WEB,
     "command": "set env deployment/web -c nope FOO=bar"},
    {"stem": "env_stdin", "objects": WEB, "stdin": "A=1\n# a comment\nB=2 # trailing\nnot-an-assignment\n",
     "command": "set env deployment/web -e -"},
    {"stem": "env_from_configmap", "objects": [deployment(), configmap()],
     "command": "set env deployment/web --from=configmap/cfg"},
    {"stem": "env_from_secret_prefix", "objects": [deployment(), secret()],
     "command": "set env deployment/web --from=secret/creds --prefix=APP_"},
    {"stem": "env_from_keys", "objects": [deployment(), configmap(data={"db-host": "h", "db.port": "5432"})],
     "command": "set env deployment/web --from=configmap/cfg --keys=db.port"},
    {"stem": "env_from_keys_none_match", "objects": [deployment(), configmap()],
     "command": "set env deployment/web --from=configmap/cfg --keys=absent"},
    {"stem": "env_from_not_found", "objects": WEB,
     "command": "set env deployment/web --from=configmap/nope"},
    {"stem": "env_from_unsupported", "objects": WEB,
     "command": "set env deployment/web --from=deployment/web"},
    {"stem": "env_from_unknown_type", "objects": WEB,
     "command": "set env deployment/web --from=nosuchtype/x"},
    {"stem": "env_all_deployments", "objects": [deployment("a"), deployment("b")],
     "scripted": {("PATCH", "/apis/apps/v1/namespaces/default/deployments/a"): (200, deployment("a")),
                  ("PATCH", "/apis/apps/v1/namespaces/default/deployments/b"): (200, deployment("b"))},
     "command": "set env deployments --all X=1"},
    {"stem": "env_selector", "objects": [deployment("a"), deployment("b")],
     "scripted": {("PATCH", "/apis/apps/v1/namespaces/default/deployments/b"): (200, deployment("b"))},
     "command": "set env deployments -l app=b X=1"},
    {"stem": "env_not_found", "objects": WEB, "command": "set env deployment/nope FOO=bar"},
    {"stem": "env_service", "objects": [service()], "command": "set env service/web-svc FOO=bar"},
    {"stem": "env_kinds", "objects": [workload("ReplicaSet", "apps/v1", "rs"), deployment()],
     "scripted": {("PATCH", "/apis/apps/v1/namespaces/default/replicasets/rs"): (200, workload("ReplicaSet", "apps/v1", "rs")),
                  **PATCHED},
     "command": "set env rs/rs deploy/web X=1"},
    {"stem": "env_remove_last", "objects": [with_env([{"name": "FOO", "value": "old"}])],
     "command": "set env deployment/web FOO-"},
    {"stem": "env_from_key_already_valid", "objects": [deployment(), configmap(data={"DB_HOST": "h"})],
     "command": "set env deployment/web --from=cm/cfg"},
    {"stem": "env_from_and_env", "objects": [with_env([{"name": "OLD", "value": "1"}]), secret()],
     "command": "set env deployment/web --from secret/creds NEW=1 OLD-"},
    {"stem": "env_from_without_name", "objects": WEB, "command": "set env deployment/web --from=configmap"},
    {"stem": "env_overwrite_false_on_two", "objects": [with_env([{"name": "X", "value": "0"}], name="a"),
                                                       with_env([{"name": "X", "value": "0"}], name="b")],
     "command": "set env deployments --all X=1 --overwrite=false"},
    {"stem": "env_two_not_found", "objects": WEB, "command": "set env deployment a b X=1"},
    {"stem": "env_from_with_selector", "objects": [deployment("a"), configmap()],
     "command": "set env deployments -l app=a --from=configmap/cfg"},
    {"stem": "env_from_all_configmaps", "objects": [deployment(), configmap()],
     "command": "set env deployment/web --from=configmaps --all"},
    {"stem": "env_dry_run_client", "objects": WEB, "command": "set env deployment/web FOO=bar --dry-run=client"},
    {"stem": "env_dry_run_server", "objects": WEB, "command": "set env deployment/web FOO=bar --dry-run=server"},
    {"stem": "env_output_name", "objects": WEB, "command": "set env deployment/web FOO=bar -o name"},
    {"stem": "env_dry_run_jsonpath", "objects": WEB,
     "command": "set env deployment/web FOO=bar --dry-run=client -o jsonpath={.spec.template.spec.containers[0].env}"},
    {"stem": "env_bad_output", "objects": WEB, "command": "set env deployment/web FOO=bar -o wide"},
    # -- --list ------------------------------------------------------------------------------
    {"stem": "env_list", "objects": [with_env(REFS)], "command": "set env deployment/web --list"},
    {"stem": "env_list_with_change", "objects": [with_env(REFS)],
     "command": "set env deployment/web --list PLAIN=2 POD_NAME- NEW=x"},
    {"stem": "env_list_resolve", "objects": [with_env(REFS), configmap(), secret()],
     "command": "set env deployment/web --list --resolve"},
    {"stem": "env_list_resolve_errors", "objects": [with_env(MISSING_REFS), configmap()],
     "command": "set env deployment/web --list --resolve"},
    {"stem": "env_list_pods", "objects": [pod("p1", containers=("a", "b")), pod("p2")],
     "command": "set env pods --all --list"},
    {"stem": "env_list_init", "objects": [with_init()], "command": "set env deployment/web --list"},
    # -- files and --local -----------------------------------------------------------------
    {"stem": "env_local_yaml", "files": {"dep.yaml": DEPLOYMENT_YAML},
     "command": "set env -f dep.yaml --local NEW=x DROP- -o yaml"},
    {"stem": "env_local_pod_yaml", "files": {"pod.yaml": POD_YAML},
     "command": "set env -f pod.yaml --local A=1 -o yaml"},
    {"stem": "env_local_default_output", "files": {"dep.yaml": DEPLOYMENT_YAML},
     "command": "set env -f dep.yaml --local NEW=x"},
    {"stem": "env_local_list", "files": {"dep.yaml": DEPLOYMENT_YAML},
     "command": "set env -f dep.yaml --local --list"},
    {"stem": "env_local_json", "files": {"dep.yaml": DEPLOYMENT_YAML},
     "command": "set env -f dep.yaml --local -c sidecar NEW=x -o json"},
    {"stem": "env_local_minimal_json", "files": {"d.yaml": MINIMAL_YAML},
     "command": "set env -f d.yaml --local A=1 -o json"},
    {"stem": "env_local_without_file", "command": "set env deployment/web --local A=1"},
    {"stem": "env_file_on_server", "objects": [deployment("local-web")], "files": {"dep.yaml": DEPLOYMENT_YAML},
     "scripted": {("PATCH", "/apis/apps/v1/namespaces/default/deployments/local-web"): (200, deployment("local-web"))},
     "command": "set env -f dep.yaml A=1"},
    # -- argument errors ---------------------------------------------------------------------
    {"stem": "env_invalid_name", "command": "set env deployment/web 1FOO=bar"},
    {"stem": "env_invalid_name_chars", "command": "set env deployment/web 'MY VAR=1'"},
    {"stem": "env_modify_and_remove", "command": "set env deployment/web FOO=1 FOO-"},
    {"stem": "env_resources_after_env", "command": "set env deployment/web FOO=bar pods"},
    {"stem": "env_unknown_env", "command": "set env deployment/web -e FOO"},
    {"stem": "env_no_resources", "command": "set env FOO=bar"},
    {"stem": "env_keys_without_from", "command": "set env deployment/web --keys=a"},
    {"stem": "env_list_and_output", "command": "set env deployment/web --list -o yaml"},
    {"stem": "env_all_and_selector", "command": "set env deployments --all -l a=b X=1"},
    {"stem": "env_local_server_dry_run", "command": "set env deployment/web X=1 --local --dry-run=server"},
    {"stem": "env_bad_dry_run", "command": "set env deployment/web X=1 --dry-run=maybe"},
    {"stem": "env_unknown_flag", "command": "set env deployment/web X=1 --bogus"},
]

RES_CASES = [
    {"stem": "res_limits", "objects": WEB,
     "command": "set resources deployment/web --limits=cpu=200m,memory=512Mi"},
    {"stem": "res_both_canonical", "objects": WEB,
     "command": "set resources deployment web --requests=cpu=0.5,memory=1.5Gi --limits=cpu=1,memory=2048Mi"},
    {"stem": "res_update_existing", "objects": [with_resources({"limits": {"cpu": "1"}, "requests": {"cpu": "100m", "memory": "64Mi"}})],
     "command": "set resources deployment/web --requests=cpu=250m"},
    {"stem": "res_same_values", "objects": [with_resources({"limits": {"cpu": "500m"}})],
     "command": "set resources deployment/web --limits=cpu=0.5"},
    {"stem": "res_zero", "objects": [with_resources({"limits": {"cpu": "1"}})],
     "command": "set resources deployment/web --limits=cpu=0 --requests=memory=0"},
    {"stem": "res_container_select", "objects": [with_init()],
     "command": "set resources deployment/web -c sidecar --limits=memory=128Mi"},
    {"stem": "res_container_wildcard_with_init", "objects": [with_init()],
     "command": "set resources deployment/web -c=s* --requests=cpu=10m"},
    {"stem": "res_container_no_match", "objects": WEB,
     "command": "set resources deployment/web -c nope --limits=cpu=1"},
    {"stem": "res_extended_resource", "objects": WEB,
     "command": "set resources deployment/web --limits=nvidia.com/gpu=1,ephemeral-storage=1Gi"},
    {"stem": "res_bad_quantity", "objects": WEB,
     "command": "set resources deployment/web --limits=cpu=lots"},
    {"stem": "res_bad_syntax", "objects": WEB,
     "command": "set resources deployment/web --limits=cpu"},
    {"stem": "res_bad_syntax_two_equals", "objects": WEB,
     "command": "set resources deployment/web --requests=cpu=1=2"},
    {"stem": "res_empty_item", "objects": WEB,
     "command": "set resources deployment/web --limits=cpu=1,"},
    {"stem": "res_nothing_given", "objects": WEB, "command": "set resources deployment/web"},
    {"stem": "res_not_found", "objects": WEB, "command": "set resources deployment/nope --limits=cpu=1"},
    {"stem": "res_not_found_and_nothing_given", "objects": WEB, "command": "set resources deployment/nope"},
    {"stem": "res_service", "objects": [service()], "command": "set resources service/web-svc --limits=cpu=1"},
    {"stem": "res_all", "objects": [deployment("a"), deployment("b")],
     "scripted": {("PATCH", "/apis/apps/v1/namespaces/default/deployments/a"): (200, deployment("a")),
                  ("PATCH", "/apis/apps/v1/namespaces/default/deployments/b"): (200, deployment("b"))},
     "command": "set resources deployments --all --limits=cpu=1"},
    {"stem": "res_selector", "objects": [deployment("a"), deployment("b")],
     "scripted": {("PATCH", "/apis/apps/v1/namespaces/default/deployments/a"): (200, deployment("a"))},
     "command": "set resources deploy -l app=a --requests=memory=1Gi"},
    {"stem": "res_replicaset", "objects": [workload("ReplicaSet", "apps/v1", "rs")],
     "scripted": {("PATCH", "/apis/apps/v1/namespaces/default/replicasets/rs"): (200, workload("ReplicaSet", "apps/v1", "rs"))},
     "command": "set resources rs rs --requests=cpu=100m"},
    {"stem": "res_dry_run_client", "objects": WEB,
     "command": "set resources deployment/web --limits=cpu=1 --dry-run=client"},
    {"stem": "res_dry_run_server", "objects": WEB,
     "command": "set resources deployment/web --limits=cpu=1 --dry-run=server"},
    {"stem": "res_output_name", "objects": WEB,
     "command": "set resources deployment/web --limits=cpu=1 -o name"},
    {"stem": "res_local_yaml", "files": {"dep.yaml": DEPLOYMENT_YAML},
     "command": "set resources -f dep.yaml --local --limits=cpu=200m,memory=512Mi --requests=cpu=100m -o yaml"},
    {"stem": "res_local_pod_yaml", "files": {"pod.yaml": POD_YAML},
     "command": "set resources -f pod.yaml --local --limits=cpu=1 -o yaml"},
    {"stem": "res_local_default_output", "files": {"pod.yaml": POD_YAML},
     "command": "set resources -f pod.yaml --local --limits=cpu=1"},
    {"stem": "res_local_json", "files": {"pod.yaml": POD_YAML, "d.yaml": MINIMAL_YAML},
     "command": "set resources -f pod.yaml -f d.yaml --local --limits=memory=1Gi,cpu=2 -o json"},
    {"stem": "res_local_rs_yaml", "files": {"rs.yaml": RS_YAML},
     "command": "set resources -f rs.yaml --local --requests=cpu=1 -o yaml"},
    {"stem": "res_local_with_args", "command": "set resources deployment/web --local --limits=cpu=1"},
    {"stem": "res_local_server_dry_run", "files": {"pod.yaml": POD_YAML},
     "command": "set resources -f pod.yaml --local --dry-run=server --limits=cpu=1"},
    {"stem": "res_all_and_selector", "objects": WEB,
     "command": "set resources deployments --all -l a=b --limits=cpu=1"},
    {"stem": "res_no_resources", "command": "set resources --limits=cpu=1"},
    {"stem": "res_record", "objects": WEB, "command": "set resources deployment/web --limits=cpu=1 --record"},
    {"stem": "res_huge_quantity", "objects": WEB, "command": "set resources deployment/web --limits=cpu=1e999"},
    {"stem": "res_two_not_found", "objects": WEB, "command": "set resources deployment a b --limits=cpu=1"},
    {"stem": "res_no_match_on_two", "objects": [deployment("a"), deployment("b")],
     "command": "set resources deployments --all -c x --limits=cpu=1"},
    {"stem": "res_namespace", "objects": [dict(deployment(), metadata={**deployment()["metadata"], "namespace": "dev"})],
     "scripted": {("PATCH", "/apis/apps/v1/namespaces/dev/deployments/web"): (200, deployment())},
     "command": "set resources deployment/web -n dev --requests=memory=64Mi"},
    {"stem": "res_bad_output", "objects": WEB, "command": "set resources deployment/web --limits=cpu=1 -o wide"},
]

for _case in ENV_CASES + RES_CASES:  # the server answers a PATCH of web with the Deployment
    if _case.get("objects") == WEB or "scripted" not in _case:
        _case.setdefault("scripted", dict(PATCHED))

CASES = ENV_CASES + RES_CASES
