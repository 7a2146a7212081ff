"""The real kubectl 1.32 against labkube's HTTP front prints what labkube's own kubectl prints.

Each scenario runs its kubectl lines on two identical seeded clusters: through labkube's kubectl,
and through the real ``kubectl --server URL`` talking to the other cluster's HTTP front (see
``differential_harness.py``). Any difference in stdout, stderr or exit code is a fidelity bug on one
side, and the test shows both outputs.

Skipped when the ``kubectl`` binary is not installed (CI's ``.ci/run`` does not install it).

Left out on purpose (the real kubectl sends protobuf, which the front does not speak):
``create configmap|secret|namespace|service|deployment|job [--from]|quota|...`` (typed
generators), ``autoscale``, ``auth can-i`` (a SelfSubjectAccessReview), ``auth whoami``,
``create token``. Also left out:
commands that wait for a change (``rollout status`` on an unfinished rollout, ``wait`` for a
condition not yet true, ``get -w``, ``delete`` of a pod with a grace period): labkube's kubectl
runs the simulated clock while it waits, while nothing moves the clock under the real kubectl
(and the front answers no watch).

Known differences are listed in ``KNOWN_DIFFERENCES`` (strict xfails): fixing one makes its test
pass and fail the xfail, so the list stays true.
"""

from __future__ import annotations

import shutil

import pytest

from tests.kubectl.differential_harness import Advance, AnyOrder, Scenario, run_scenario

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="the real kubectl is not installed")

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels:
    app: web
data:
  mode: fast
"""

CONFIGMAP_CHANGED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels:
    app: web
    tier: backend
data:
  mode: slow
  extra: "1"
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
"""

INVALID_DEPLOYMENT = DEPLOYMENT.replace("replicas: 2", "replicas: -1").replace("name: web\n  labels", "name: bad\n  labels")
UNKNOWN_FIELD = CONFIGMAP.replace("data:\n", "colour: red\ndata:\n").replace("name: settings", "name: odd")
TWO_DOCUMENTS = CONFIGMAP.replace("settings", "one") + "---\n" + CONFIGMAP.replace("settings", "two")

RBAC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: default
rules:
- apiGroups: [""]
  resources: ["pods", "configmaps"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: readers
  namespace: default
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
- kind: Group
  name: devs
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: reader
  apiGroup: rbac.authorization.k8s.io
"""

WORKLOADS = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: busybox
        command: ["sh", "-c", "echo 3.14"]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: t
            image: busybox
            command: ["date"]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: redis:7
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: a
        image: busybox
        command: ["sleep", "3600"]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: hunter2
"""

SORTABLE = "---\n".join(
    f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i:02d}\n  labels:\n    set: s\n"
    + (f"data:\n  v: \"{['9', '10', '500Mi', '2Gi', 'web-10', 'web-9'][i % 6]}\"\n" if i % 4 else "")
    for i in range(30))
YAML_BOOLEAN_NAME = CONFIGMAP.replace("name: settings", "name: yes")

FILES = {"workloads.yaml": WORKLOADS, "sortable.yaml": SORTABLE, "yes.yaml": YAML_BOOLEAN_NAME, "rbac.yaml": RBAC, "cm.yaml": CONFIGMAP, "cm2.yaml": CONFIGMAP_CHANGED, "deploy.yaml": DEPLOYMENT, "svc.yaml": SERVICE,
         "bad.yaml": INVALID_DEPLOYMENT, "unknown.yaml": UNKNOWN_FIELD, "two.yaml": TWO_DOCUMENTS}

WEB_RUNNING = ("apply -f deploy.yaml", "apply -f svc.yaml", "apply -f cm.yaml", Advance(30))

SCENARIOS = [
    Scenario("get prints tables and every output format", WEB_RUNNING + (
        "get pods",
        "get pods -o wide",
        "get deployments,replicasets,services",
        "get deploy web -o yaml",
        "get cm settings -o json",
        "get pods -o name",
        "get cm -o jsonpath={.items[*].metadata.name}",
        "get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image",
        "get pods -l app=web --show-labels",
        "get pods -L app",
        "get pods -A",
        "get pods -A --sort-by=.metadata.name",
        "get nodes -o wide",
        "get namespaces",
        "get all",
        "get endpoints web",
        "get cm missing",
        "get pods -l app=none",
        "get widgets",
    ), files=FILES),
    Scenario("describe shows pods, deployments, services and nodes", WEB_RUNNING + (
        "describe deployment web",
        "describe pods -l app=web",
        "describe service web",
        "describe node node-1",
        "describe cm settings",
        "describe rs",
    ), files=FILES),
    Scenario("create and apply create, change and dry-run objects", (
        "create -f cm.yaml",
        "create -f cm.yaml",
        "apply -f cm.yaml",
        "apply -f cm2.yaml",
        "get cm settings -o yaml",
        "apply -f cm.yaml --dry-run=server",
        "apply -f cm.yaml --dry-run=client",
        "apply -f cm2.yaml --dry-run=server -o yaml",
        "apply -f two.yaml",
        "apply -f bad.yaml",
        "apply -f unknown.yaml",
        "apply -f unknown.yaml --validate=false",
        "create -f deploy.yaml --dry-run=server -o name",
        "delete -f two.yaml",
    ), files=FILES),
    Scenario("patch, label and annotate change fields and refuse what does not apply", (
        "apply -f cm.yaml",
        "label cm settings tier=db",
        "label cm settings tier=web",
        "label cm settings tier=web --overwrite",
        "label cm settings tier-",
        "annotate cm settings note=hi",
        "annotate cm settings note-",
        "patch cm settings -p '{\"data\":{\"x\":\"y\"}}'",
        "patch cm settings --type=merge -p '{\"data\":{\"x\":\"z\"}}'",
        "patch cm settings --type=json -p '[{\"op\":\"remove\",\"path\":\"/data/x\"}]'",
        "patch cm settings --type=json -p '[{\"op\":\"remove\",\"path\":\"/data/x\"}]'",
        "patch cm settings -p '{\"data\":{\"mode\":\"fast\"}}'",
        "patch cm missing -p '{\"data\":{}}'",
        "get cm settings -o yaml",
    ), files=FILES),
    Scenario("workloads scale, roll out, roll back and go away", WEB_RUNNING + (
        "rollout status deployment web",
        "wait --for=condition=Available deployment/web",
        "scale deployment web --replicas=3",
        "set image deployment/web nginx=nginx:1.28",
        Advance(30),
        "rollout history deployment web",
        "rollout history deployment web --revision=1",
        "rollout undo deployment web --dry-run=client",
        "rollout undo deployment web --to-revision=1 --dry-run=server",
        "rollout undo deployment web",
        Advance(30),
        "get rs",
        "expose deployment web --name=web2 --port=8080 --target-port=80",
        "get svc web2 -o wide",
        "run one --image=busybox --restart=Never --labels=app=one",
        Advance(10),
        "get pods -l app=one",
        "delete deployment web --cascade=orphan",
        "get rs",
        "delete rs -l app=web",
        "delete svc web web2",
        "delete cm settings --wait=false",
        Advance(40),
        "get pods",
    ), files=FILES),
    Scenario("jobs, cron jobs, stateful and daemon sets, claims, ingresses and secrets", (
        "apply -f workloads.yaml",
        Advance(70),
        "get jobs,cronjobs,sts,ds,pvc,pv,ingress,secrets",
        "get all -o wide",
        "describe job pi",
        "describe cronjob tick",
        "describe sts db",
        "describe ds agent",
        "describe pvc data",
        "describe ingress web",
        "describe secret creds",
        "describe sa default",
        "describe ns default",
        "get secret creds -o jsonpath={.data.password}",
        "rollout history sts db",
        "rollout status sts db",
        "rollout status ds agent",
        "scale sts db --replicas=1",
        "delete job pi",
        Advance(10),
        "get pods -o wide",
    ), files=FILES),
    Scenario("nodes are cordoned, tainted and drained", WEB_RUNNING + (
        "cordon node-1",
        "get nodes",
        "uncordon node-1",
        "taint nodes node-1 dedicated=gpu:NoSchedule",
        "taint nodes node-1 dedicated=gpu:NoSchedule",
        "describe node node-1",
        "taint nodes node-1 dedicated-",
        AnyOrder("drain node-1 --ignore-daemonsets --delete-emptydir-data"),
        "get nodes",
    ), files=FILES),
    Scenario("--as impersonates a user and their groups", WEB_RUNNING + (
        "apply -f rbac.yaml",
        "get pods --as=alice",
        "get cm --as=alice -n kube-system",
        "get cm --as=bob --as-group=devs",
        "get cm --as=bob --as-group=ops --as-group=devs -o name",
        "get nodes --as=alice",
        "delete cm settings --as=alice",
        "get pods --as=system:serviceaccount:default:default",
        "get pods --as=system:anonymous",
    ), files=FILES),
    Scenario("logs read a container's output with the options of the query", (
        "run one --image=busybox --restart=Never -- sh -c 'echo hello; echo world; echo again'",
        Advance(30),
        "logs one",
        "logs one --timestamps",
        "logs one --tail=1",
        "logs one --tail=2 --timestamps",
        "logs one --since=1h",
        "logs one --limit-bytes=3",
        "logs one -c missing",
        "logs one --previous",
        "logs missing",
    ), files=FILES),
    Scenario("nothing found names the namespace only for namespaced kinds", (
        "get pv",
        "get crd",
        "get pods",
        "get pods,pv",
        "get pods -A -l app=none",
    ), files=FILES),
    Scenario("--sort-by orders as kubectl's unstable sort does, ties and missing values too", WEB_RUNNING + (
        "apply -f sortable.yaml",
        "get cm -l set=s --sort-by=.data.v",
        "get cm -l set=s --sort-by=.data.v -o name",
        "get events -A --sort-by=.lastTimestamp",
        "get events -A --sort-by=.eventTime -o name",
        "get events -A --sort-by=.count -o name",
        "get pods -A --sort-by=.spec.containers[0].resources.requests.memory",
    ), files=FILES),
    Scenario("discovery and events read the same cluster", WEB_RUNNING + (
        "api-resources",
        "api-resources --namespaced=false -o name",
        "api-resources --api-group=apps -o wide",
        "api-versions",
        "events",
        "events --types=Warning",
        "get events --field-selector=type=Normal -o name",
    ), files=FILES),
    Scenario("a manifest whose name YAML reads as a boolean is refused before it is sent",
             ("apply -f yes.yaml", "create -f yes.yaml"), files=FILES),
]

KNOWN_DIFFERENCES = [
    Scenario("server-side apply (labkube's kubectl refuses it in its own words; the API server has "
             "no apply patch)", ("apply --server-side -f cm.yaml",), files=FILES),
    Scenario("explain (the front's OpenAPI v3 documents carry no schemas)",
             ("explain pods.spec.restartPolicy",), files=FILES),
    Scenario("top (the front serves no metrics.k8s.io API, and labkube's discovery lists none)",
             WEB_RUNNING + ("top pods",), files=FILES),
    Scenario("--sort-by a path no object has (kubectl says No resources found)",
             ("get ns --sort-by=.missing.field",), files=FILES),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_real_kubectl_through_the_front_prints_what_labkube_prints(scenario, tmp_path):
    differences = run_scenario(scenario, tmp_path)
    assert not differences, "\n".join(str(d) for d in differences)


@pytest.mark.parametrize("scenario", KNOWN_DIFFERENCES, ids=lambda s: s.name)
@pytest.mark.xfail(strict=True, reason="a known difference (see the scenario's name)")
def test_known_differences_remain_until_fixed(scenario, tmp_path):
    differences = run_scenario(scenario, tmp_path)
    assert not differences, "\n".join(str(d) for d in differences)
