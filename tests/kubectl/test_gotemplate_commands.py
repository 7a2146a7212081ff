"""``-o go-template`` on kubectl's commands: labkube's kubectl against the REAL kubectl 1.32.

Each line runs through labkube's kubectl and through the real ``kubectl --server URL`` against
an identical cluster's HTTP front (``differential_harness.py``); stdout, stderr and the exit code
must be the same. Covered: ``get`` of a list (one ``List`` with ``.items``) and of one object,
``-o go-template=T``, ``-o go-template --template=T``, ``--template=T`` alone, the ``template``
and ``templatefile`` aliases, ``go-template-file`` (and ``--template=PATH``), ``apply``/``label``
printing the object they changed, ``base64decode`` of a Secret, ``events`` (a typed EventList),
``-o jsonpath --template=T``, and kubectl's errors (no
template, an unreadable file, a parse error, an execution error with its debugging block, a
missing key with ``--allow-missing-template-keys=false``, ``-o go-template=X --template=Y``).

Skipped when the ``kubectl`` binary is not installed.
"""

from __future__ import annotations

import shutil

import pytest

from tests.kubectl.differential_harness import Advance, Scenario, run_scenario

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="the real kubectl is not installed")

MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: gt
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: gt
  labels: {app: web}
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
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: gt
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
    nodePort: 30080
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: gt
data:
  password: czNjcjN0
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: gt
  labels: {app: web}
data:
  mode: fast
  replicas: "3"
"""

COUNT = '{{len .items}} {{range .items}}{{.status.phase}} {{end}}'
ROWS = '{{range .items}}{{.status.phase}}{{"\\t"}}{{range .spec.containers}}{{.image}} {{end}}{{"\\n"}}{{end}}'
DRY_RUN = "apply -f settings.yaml --dry-run=client --validate=false"

SCENARIO = Scenario(
    name="go-template",
    files={"objects.yaml": MANIFESTS, "settings.yaml": CONFIGMAP, "count.tmpl": COUNT, "empty.tmpl": ""},
    steps=(
        "apply -f objects.yaml",
        Advance(20),
        f"{DRY_RUN} -o go-template='{{{{range $k, $v := .data}}}}{{{{$k}}}}={{{{$v}}}};{{{{end}}}}'",
        f"{DRY_RUN} -o go-template='{{{{.kind}}}} {{{{.data.mode.x}}}}'",
        f"{DRY_RUN} -o go-template='{{{{.kind}}}} {{{{.data.nope}}}}' --allow-missing-template-keys=false",
        f"get pods -n gt -o go-template='{COUNT}'",
        f"get pods -n gt -l app=web -o go-template='{ROWS}'",
        "get pods -n gt -o go-template='{{.kind}} {{.apiVersion}} {{len .items}} {{.metadata}}'",
        "get deploy web -n gt -o go-template='{{.spec.replicas}} {{.status.readyReplicas}} {{.metadata.generation}}'",
        "get deploy web -n gt -o go-template --template='{{.kind}}'",
        "get deploy web -n gt --template='{{.metadata.name}}'",
        "get deploy web -n gt -o template='{{.metadata.labels}}'",
        "get svc web -n gt -o go-template='{{(index .spec.ports 0).nodePort}}'",
        "get secret creds -n gt -o go-template='{{.data.password | base64decode}}'",
        "get pods -n gt -o go-template-file=count.tmpl",
        "get pods -n gt -o templatefile --template=count.tmpl",
        "get deploy,svc -n gt -o go-template='{{range .items}}{{.kind}} {{end}}'",
        "get deploy -n gt -o go-template='{{range .items}}{{if gt .spec.replicas 1}}{{.metadata.name}} scales{{end}}{{end}}'",
        "label deploy web -n gt tier=front -o go-template='{{.metadata.labels.tier}}'",
        "get configmaps -n gt -l app=nothing -o go-template='{{.kind}}:{{range .items}}x{{else}}none{{end}}'",
        """apply -f settings.yaml -o go-template='{{.kind}}/{{.metadata.name}} {{.data.replicas}}{{"\\n"}}'""",
        "events -n gt --for deployment/web -o go-template='{{.kind}}:{{range .items}} {{.reason}}{{end}}'",
        "get deploy web -n gt -o jsonpath --template='{.kind}'",
        # kubectl's errors
        "get deploy web -n gt -o go-template",
        "get deploy web -n gt -o go-template-file=missing.tmpl",
        "get deploy web -n gt -o go-template-file=empty.tmpl",
        "get deploy web -n gt -o go-template='{{.spec.replicas'",
        "get deploy web -n gt -o go-template='{{upper .kind}}'",
        "get deploy web -n gt -o go-template='{{.kind}}' --template='{{.metadata.name}}'",
        "label deploy web -n gt tier=back --overwrite -o go-template='{{.x'",
        "get deploy web -n gt -o go-template='{{.metadata.labels.tier}}'",
    ),
)


def test_go_template_output_matches_the_real_kubectl(tmp_path):
    differences = run_scenario(SCENARIO, tmp_path)
    assert not differences, "\n\n".join(str(d) for d in differences)
