"""Manifests with a key given twice, as students paste them: what the real kubectl 1.32 does.

What the goldens (``golden_dupkeys/``, captured by ``capture_dupkeys.py``) show: kubectl reads
a YAML document with sigs.k8s.io/yaml's *non-strict* conversion (go-yaml v2 ``Unmarshal``:
the last value of a repeated key wins, a repeated block replaces the whole first one), and a
JSON document with Go's encoding/json (the same: last wins). It then sends the object it
decoded, re-encoded as JSON -- so the request never carries the duplicate, whatever
``--validate`` says, and the server (which would refuse ``duplicate field "..."`` under
``fieldValidation=Strict``) never sees one. ``kubectl apply -f dup.yaml`` says
``pod/web created`` and the pod runs the image of the *second* ``image:`` line.

kubectl's own duplicate check (``NoDoubleKeySchema``: ``duplicate key: app`` in
``metadata.labels``/``annotations`` of JSON files) runs only when the server does not support
field validation, which a 1.32 API server always does; the capture server announces that
support through ``/openapi/v3`` as kube-apiserver does.

The last cases pin down the other places where go-yaml v2 (which kubectl reads YAML with) and
PyYAML (which labkube reads it with) differ: ``1e3``, ``08`` and ``0o17`` are numbers, ``1:30`` and
timestamps stay the text they are, ``.inf`` cannot become JSON.

Each case: ``stem``, ``commands`` (run in order, each printed), ``files`` (name -> text) and
``stdin`` (for ``-f -``).
"""

from __future__ import annotations

POD_DUP = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: frontend
    app: backend
spec:
  containers:
  - name: app
    image: nginx:1.27
    image: busybox:1.36
"""

POD_DUP_JSON = """\
{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "web-json", "labels": {"app": "frontend", "app": "backend"}},
  "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "image": "busybox:1.36"}]}
}
"""

TWO_METADATA = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
metadata:
  labels:
    tier: web
"""

TWO_DATA_BLOCKS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
  colour: blue
data:
  mode: slow
"""

MULTI = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
data:
  mode: fast
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: second
data:
  mode: fast
  mode: slow
metadata:
  name: third
"""

FLOW = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: flow, labels: {app: a, app: b}, name: flow2}
data: {k: one, k: two}
"""

JSON_STREAM = """\
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "one"}, "data": {"k": "1", "k": "2"}}
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "two", "name": "deux"}}
"""

DEPLOY_DUP_CONTAINERS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: one
        image: nginx
      containers:
      - name: two
        image: busybox
"""

CM = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""

SCALARS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: scalars
data:
  on: on
  yes: yes
  No: No
  y: y
  tilde: ~
  exponent: 1e3
  hex: 0x1F
  octal_o: 0o17
  octal: 017
  not_octal: 08
  underscore: 1_000
  sexagesimal: 1:30
  sexagesimal_float: 1:30.5
  binary: 0b101
  plus: +1
  trailing_dot: 1.
  leading_dot: .5
  big_exponent: 6.02e+23
  beyond_int64: 12345678901234567890
  date: 2024-01-01
  timestamp: 2024-01-01T10:00:00Z
  spaced_timestamp: 2024-01-01 10:00:00
  fraction_timestamp: 2024-01-01T10:00:00.50+02:00
  TRUE: TRUE
  float_one: 1.0
  minus_zero: -0
"""

INFINITY = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: infinite
data:
  b: .nan
  a: -.inf
"""

CASES: list[dict] = [
    {"stem": "apply_yaml_last_value_wins", "commands": ["apply -f pod.yaml"], "files": {"pod.yaml": POD_DUP}},
    {"stem": "apply_stdin_last_value_wins", "commands": ["apply -f -"], "stdin": POD_DUP},
    {"stem": "create_yaml_validate_false", "commands": ["create -f pod.yaml --validate=false"],
     "files": {"pod.yaml": POD_DUP}},
    {"stem": "create_yaml_validate_warn", "commands": ["create -f pod.yaml --validate=warn"],
     "files": {"pod.yaml": POD_DUP}},
    {"stem": "create_json_last_value_wins", "commands": ["create -f pod.json"], "files": {"pod.json": POD_DUP_JSON}},
    {"stem": "apply_json_validate_strict", "commands": ["apply -f pod.json --validate=strict"],
     "files": {"pod.json": POD_DUP_JSON}},
    {"stem": "create_dry_run_client_prints_the_last_values",
     "commands": ["create -f pod.yaml --dry-run=client -o yaml"], "files": {"pod.yaml": POD_DUP}},
    {"stem": "a_second_metadata_block_replaces_the_first", "commands": ["apply -f cm.yaml"],
     "files": {"cm.yaml": TWO_METADATA}},
    {"stem": "a_second_data_block_replaces_the_first", "commands": ["apply -f cm.yaml"],
     "files": {"cm.yaml": TWO_DATA_BLOCKS}},
    {"stem": "multi_document", "commands": ["apply -f cms.yaml"], "files": {"cms.yaml": MULTI}},
    {"stem": "flow_mappings", "commands": ["create -f cm.yaml"], "files": {"cm.yaml": FLOW}},
    {"stem": "json_stream", "commands": ["create -f cms.json"], "files": {"cms.json": JSON_STREAM}},
    {"stem": "deployment_second_containers_list_wins", "commands": ["apply -f deploy.yaml"],
     "files": {"deploy.yaml": DEPLOY_DUP_CONTAINERS}},
    {"stem": "replace_with_duplicates", "commands": ["create -f cm.yaml", "replace -f dup.yaml"],
     "files": {"cm.yaml": CM, "dup.yaml": TWO_DATA_BLOCKS}},
    # go-yaml v2's scalars
    {"stem": "yaml_scalars_as_go_yaml_reads_them", "commands": ["create -f scalars.yaml --dry-run=client -o json"],
     "files": {"scalars.yaml": SCALARS}},
    {"stem": "yaml_infinity_cannot_become_json", "commands": ["apply -f inf.yaml", "create -f - --dry-run=client"],
     "files": {"inf.yaml": INFINITY}, "stdin": INFINITY.replace(".nan", "1").replace("-.inf", ".INF")},
]


def make_cluster():
    """The cluster both runs use: one node, the default ServiceAccount in place."""
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.run(2)
    return cluster


def render(outputs: list[tuple[str, str, str, int]]) -> str:
    """``$ kubectl <command>``, stdout, stderr, ``# exit N`` for each command, in order."""
    return "".join(f"$ kubectl {command}\n{out}{err}# exit {code}\n" for command, out, err, code in outputs)
