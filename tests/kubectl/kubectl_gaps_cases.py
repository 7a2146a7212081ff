"""The cases of ``test_kubectl_gaps*.py``: kubectl lines whose transcripts come from the real
kubectl 1.32 (``capture_kubectl_gaps.py``, stored in ``golden_kubectl_gaps/``).

``SCENARIOS`` run against a cluster (the real kubectl through labkube's HTTP front);
``GENERATOR_CASES`` (stem, line) are ``--dry-run=client`` generators run with no server.
Each scenario creates its own objects (``create -f``) in its own names, so kube-system's pods
do not matter.
"""

from __future__ import annotations

from tests.kubectl.differential_harness import Scenario
from tests.kubectl.kubectl_gaps_transcripts import MapOrder

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
  annotations: {note: hi}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx}]
"""

CONFIGMAPS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: c1, labels: {z: "1", a: "2", m: "3"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c2, annotations: {owner: me}}
"""

LABEL_FILES = {"dep.yaml": DEPLOYMENT, "cm.yaml": CONFIGMAPS}

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: busybox}]
"""

BINDINGS = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
"""

SET_FILES = {"svc.yaml": SERVICE, "svc2.yaml": SERVICE + "---\n" + SERVICE.replace("name: web", "name: api"),
             "dep.yaml": DEPLOYMENT, "pod.yaml": POD, "rb.yaml": BINDINGS}
SELECTOR_OF_WEB = "get svc web -o jsonpath={.spec.selector}"
SUBJECTS_OF_RB = "get rolebinding rb -o jsonpath={.subjects}"

SCENARIOS = [
    Scenario("label and annotate list what an object has", (
        "create -f dep.yaml", "create -f cm.yaml",
        MapOrder("label --list deployment web"),
        MapOrder("label --list deployment/web"),
        MapOrder("label --list cm c2"),
        MapOrder("label --list cm c1 c2"),
        MapOrder("label --list cm -l z=1"),
        MapOrder("label --list -f cm.yaml"),
        MapOrder("annotate --list deployment web"),
        MapOrder("annotate --list cm c1 c2"),
        MapOrder("annotate --list deployment web -o yaml"),
        "label --list deployment web -o yaml",
        "label --list cm c9",
        "label --list deployments",
    ), files=LABEL_FILES),
    Scenario("label and annotate list with changes change nothing on the server", (
        "create -f dep.yaml",
        MapOrder("label --list deployment web x=y"),
        MapOrder("label --list deployment web app-"),
        "label --list deployment web app=zz",
        MapOrder("label --list deployment web app=zz --overwrite"),
        MapOrder("annotate --list deployment web x=1"),
        "annotate --list deployment web note=ho",
        "get deployment web --show-labels",
        MapOrder("label --list --local -f dep.yaml"),
        MapOrder("annotate --list --local -f dep.yaml"),
        "label --list deployment web --local -f dep.yaml",
    ), files=LABEL_FILES),
    Scenario("label says which keys to remove it did not find", (
        "create -f dep.yaml",
        "label deployment web app=z",
        "label deployment web app=web",
        "label deployment web missing-",
        "label deployment web missing- --dry-run=client",
        "label deployment web missing- --dry-run=server",
        "label deployment web tier- missing- other-",
        "label deployment web app- --overwrite",
        "annotate deployment web gone-",
        "get deployment web --show-labels",
    ), files=LABEL_FILES),
    Scenario("label and annotate the objects a selector or --all finds", (
        "create -f cm.yaml",
        "label cm -l z=1 extra=yes",
        "annotate cm --all seen=1",
        MapOrder("label --list configmaps --all"),
    ), files=LABEL_FILES),
    Scenario("label and annotate --local change the files' objects as written", (
        "label --local -f dep.yaml x=y -o yaml", "annotate --local -f dep.yaml x=y -o json",
        "label --local -f dep.yaml x=y", "label --local -f dep.yaml app-", "label --local -f cm.yaml x=y -o name",
        "get deployments",
    ), files=LABEL_FILES),
]

_D = " --dry-run=client -o yaml"
SCENARIOS += [
    Scenario("set selector replaces a service's selector", (
        "create -f svc.yaml", "create -f dep.yaml",
        "set selector svc web app=web2", SELECTOR_OF_WEB,
        "set selector svc web app=web2",
        "set selector service/web app=web,tier=x --dry-run=client", SELECTOR_OF_WEB,
        "set selector svc web app=web --dry-run=server", SELECTOR_OF_WEB,
        "set selector svc web a=b -o name",
        "set selector -f svc.yaml app=web", SELECTOR_OF_WEB,
        "set selector svc web ''", SELECTOR_OF_WEB,
        "set selector svc web app=web --record",
        "set selector svc --all app=web",
        "set selector svc web a=b --resource-version=1",
    ), files=SET_FILES),
    Scenario("set selector refuses what it cannot set", (
        "create -f svc.yaml", "create -f dep.yaml",
        "set selector", "set selector svc web", "set selector svc web =bad",
        "set selector svc web 'a!=b'", "set selector svc web 'a>1'", "set selector service/web 'tier in (a,b)'",
        "set selector svc web '!a,b in (y,x)'", "set selector deploy web app=x", "set selector svc nope a=b",
        "set selector svc web a=b -o wide", "set selector --local svc web a=b",
    ), files=SET_FILES),
    Scenario("set selector --local prints the files' objects", (
        "set selector --local -f svc.yaml a=b -o yaml",
        "set selector --local -f svc2.yaml x=y -o yaml",
        "set selector --local -f svc2.yaml x=y",
        "set selector --local -f svc2.yaml x=y -o json",
    ), files=SET_FILES),
    Scenario("set serviceaccount sets a pod template's service account", (
        "create -f dep.yaml", "create -f pod.yaml",
        "set serviceaccount deployment web robot",
        "get deploy web -o jsonpath={.spec.template.spec.serviceAccountName}",
        "set serviceaccount deployment web robot",
        "set sa deploy/web other --dry-run=client",
        "set sa deploy/web other --dry-run=server",
        "get deploy web -o jsonpath={.spec.template.spec.serviceAccountName}",
        "set sa deploy --all x -o name",
        "set sa -f dep.yaml y --record",
        "get deploy web -o jsonpath={.spec.template.spec.serviceAccountName}",
        "set sa --local -f dep.yaml robot -o yaml",
        "set sa --local -f pod.yaml robot -o json",
    ), files=SET_FILES),
    Scenario("set serviceaccount refuses what it cannot set", (
        "create -f svc.yaml", "create -f pod.yaml",
        "set sa", "set sa deploy/web", "set sa svc/web robot", "set sa deploy/nope x", "set sa pod p robot",
        "set sa --local robot", "set sa pod p robot -o wide",
    ), files=SET_FILES),
    Scenario("set subject adds users, groups and service accounts to a binding", (
        "create -f rb.yaml",
        "set subject rolebinding rb --user=bob", SUBJECTS_OF_RB,
        "set subject rolebinding rb --user=bob",
        "set subject rolebinding rb --group=devs --serviceaccount=default:robot", SUBJECTS_OF_RB,
        "set subject rolebinding rb --user=b --user=a --user=b --group=g -o name", SUBJECTS_OF_RB,
        "set subject rolebinding rb --serviceaccount=:robot2 --dry-run=client -o jsonpath={.subjects}",
        "set subject clusterrolebinding crb --serviceaccount=kube-system:x --dry-run=client -o jsonpath={.subjects}",
        "set subject clusterrolebinding crb --user=a --dry-run=server",
        "get clusterrolebinding crb -o jsonpath={.subjects}",
        "set subject rolebinding --all --user=zed", SUBJECTS_OF_RB,
        "set subject --local -f rb.yaml --user=x -o yaml",
    ), files=SET_FILES),
    Scenario("set subject refuses what it cannot set", (
        "create -f rb.yaml", "create -f svc.yaml",
        "set subject rolebinding rb", "set subject rolebinding rb --serviceaccount=robot",
        "set subject rolebinding rb --serviceaccount=a:b:c", "set subject clusterrolebinding crb --serviceaccount=:robot",
        "set subject svc web --user=a", "set subject rolebinding --all -l a=b --user=x",
        "set subject --local rolebinding rb --user=x", "set subject rolebinding nope --user=x",
    ), files=SET_FILES),
]

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: web}
data:
  mode: fast
"""
CONFIGMAP_CHANGED = CONFIGMAP.replace("mode: fast", "mode: slow\n  extra: '1'")
WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx}]
"""
WEB_SCALED = WEB.replace("replicas: 1", "replicas: 3")
WEB_LABELED = WEB.replace("metadata: {name: web}", "metadata: {name: web, labels: {tier: front}}")
WEB_NO_REPLICAS = WEB.replace("  replicas: 1\n", "")
SECRET = """\
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {a: YQ==, b: Yg==}
"""
SECRET_CHANGED = SECRET.replace("b: Yg==}", "b: Yw==, c: Yw==}")
NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {team: a}}
"""
DIFF_FILES = {
    "cm.yaml": CONFIGMAP, "cm2.yaml": CONFIGMAP_CHANGED, "dep.yaml": WEB, "scaled.yaml": WEB_SCALED,
    "labeled.yaml": WEB_LABELED, "unset.yaml": WEB_NO_REPLICAS, "secret.yaml": SECRET,
    "secret2.yaml": SECRET_CHANGED, "ns.yaml": NAMESPACE,
    "multi.yaml": WEB_SCALED + "---\n" + CONFIGMAP_CHANGED + "---\n" + NAMESPACE,
    "bad.yaml": WEB.replace("replicas: 1", "replicas: -1"),
    "unknown.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
}

SCENARIOS += [
    Scenario("diff shows what apply would create and change", (
        "diff -f cm.yaml", "apply -f cm.yaml", "diff -f cm.yaml", "diff -f cm2.yaml",
        "apply -f dep.yaml", "diff -f scaled.yaml", "diff -f labeled.yaml", "diff -f dep.yaml",
        "diff -f multi.yaml", "diff -f multi.yaml -l team=a", ("diff -f -", CONFIGMAP_CHANGED),
        "apply -f scaled.yaml", "diff -f unset.yaml", "diff -f ns.yaml",
    ), files=DIFF_FILES),
    Scenario("diff masks a secret's data", (
        "diff -f secret.yaml", "apply -f secret.yaml", "diff -f secret.yaml", "diff -f secret2.yaml",
    ), files=DIFF_FILES),
    Scenario("diff fails with exit status 2", (
        "apply -f dep.yaml",
        "diff -f bad.yaml", "diff -f unknown.yaml", "diff", "diff -f cm.yaml extra",
        "diff -f cm.yaml --force-conflicts", "diff -f nothere.yaml", "diff -f cm2.yaml -n other",
    ), files=DIFF_FILES),
]

PLAIN = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: plain}
data: {a: b}
"""
ODD = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: odd, annotations: {note: "a<b & c>d"}}
data: {empty: "", list: "[]", n: "1"}
"""
LAST_APPLIED_FILES = {"cm.yaml": CONFIGMAP, "cm2.yaml": CONFIGMAP_CHANGED, "plain.yaml": PLAIN, "odd.yaml": ODD,
                      "new.yaml": CONFIGMAP.replace("settings", "new"), "both.yaml": CONFIGMAP_CHANGED + "---\n" + PLAIN}

SCENARIOS += [
    Scenario("apply view-last-applied prints the last applied configuration", (
        "apply -f cm.yaml", "create -f plain.yaml", "apply -f odd.yaml",
        "apply view-last-applied configmap settings", "apply view-last-applied configmap/settings -o json",
        "apply view-last-applied cm settings -o yaml", "apply view-last-applied cm plain",
        "apply view-last-applied cm settings plain odd", "apply view-last-applied cm odd -o json",
        "apply view-last-applied cm --all -o json", "apply view-last-applied -f cm.yaml",
        "apply view-last-applied cm nope", "apply view-last-applied cm", "apply view-last-applied",
        "apply view-last-applied cm settings -o wide", "apply view-last-applied cm plain -o wide",
    ), files=LAST_APPLIED_FILES),
    Scenario("apply set-last-applied sets the annotation from a file", (
        "apply -f cm.yaml", "create -f plain.yaml",
        "apply set-last-applied -f cm2.yaml", "apply view-last-applied cm settings",
        "apply set-last-applied -f cm2.yaml", "get cm settings -o jsonpath={.data}",
        "apply set-last-applied -f plain.yaml", "apply set-last-applied -f both.yaml",
        "apply set-last-applied -f plain.yaml --create-annotation", "apply view-last-applied cm plain -o json",
        "apply set-last-applied -f cm.yaml --dry-run=client", "apply set-last-applied -f cm.yaml --dry-run=server",
        "apply set-last-applied -f cm.yaml --dry-run=client -o jsonpath={.metadata.annotations}",
        "apply set-last-applied -f cm.yaml -o name", "apply view-last-applied cm settings",
        "apply set-last-applied", "apply set-last-applied cm settings", "apply set-last-applied -f new.yaml",
        "apply set-last-applied -f cm.yaml -o wide", "apply -f cm2.yaml", "get cm settings -o jsonpath={.data}",
    ), files=LAST_APPLIED_FILES),
]

GENERATOR_CASES: list[tuple[str, str]] = [
    ("ingress_exact_path", "create ingress simple --rule=foo.com/bar=svc1:8080" + _D),
    ("ingress_prefix_and_tls_secret", "create ingress simple --rule=foo.com/bar*=svc1:8080,tls=my-cert" + _D),
    ("ingress_catch_all_class", "create ingress catch-all --class=otheringress --rule=/path=svc:port" + _D),
    ("ingress_annotations", "create ingress annotated --class=default --rule=foo.com/bar=svc:port"
     " --annotation ingress.annotation1=foo --annotation ingress.annotation2=bla --annotation empty=" + _D),
    ("ingress_same_host_two_paths", "create ingress multipath --class=default --rule=foo.com/=svc:port"
     " --rule=foo.com/admin/=svcadmin:portadmin" + _D),
    ("ingress_two_hosts_prefix", "create ingress ingress1 --class=default --rule=foo.com/path*=svc:8080"
     " --rule=bar.com/admin*=svc2:http" + _D),
    ("ingress_tls_default_cert", "create ingress ingtls --class=default --rule=foo.com/=svc:https,tls"
     " --rule=foo.com/path/subpath*=othersvc:8080" + _D),
    ("ingress_tls_secret_prefix_root", "create ingress ingsecret --class=default --rule=foo.com/*=svc:8080,tls=secret1" + _D),
    ("ingress_default_backend", "create ingress ingdefault --class=default --default-backend=defaultsvc:http"
     " --rule=foo.com/*=svc:8080,tls=secret1" + _D),
    ("ingress_only_default_backend", "create ingress d --default-backend=svc:80" + _D),
    ("ingress_tls_hosts_share_a_secret", "create ingress t --rule=a.com/=s:80,tls=one --rule=b.com/=s:80,tls=one"
     " --rule=a.com/x=s:80,tls=two --rule=c.com/=s:80,tls --rule=/y=s:80,tls" + _D),
    ("ingress_wildcard_host_json", "create ingress w --rule=*.foo.com/=svc:80 -o json --dry-run=client"),
    ("ingress_namespace", "create ingress n -n dev --rule=foo.com/=svc:80" + _D),
    ("ingress_name_output", "create ingress n --rule=foo.com/=svc:80 --dry-run=client -o name"),
    ("ingress_plain", "create ingress n --rule=foo.com/=svc:80 --dry-run=client"),
    ("ingress_alias_ing", "create ing n --rule=foo.com/=svc:80 --dry-run=client"),
    ("ingress_port_numbers", "create ingress p --rule=a.com/=s:0080 --rule=b.com/=s:-1 --rule=c.com/=s:99999999999"
     " --default-backend=s:+5" + _D),
    ("ingress_tls_word_misspelt_and_extra_port", "create ingress n --rule=foo.com/=svc:80:90,tsl"
     " --rule=bar.com/=svc:0,tls=a=b --rule=baz.com/=svc:80,x,y" + _D),
    ("ingress_save_config", "create ingress s --rule=foo.com/=svc:80 --save-config" + _D),
    ("ingress_no_rule", "create ingress n --dry-run=client"),
    ("ingress_no_name", "create ingress --rule=foo.com/=svc:80 --dry-run=client"),
    ("ingress_two_names", "create ingress a b --rule=foo.com/=svc:80 --dry-run=client"),
    ("ingress_bad_rule_no_path", "create ingress n --rule=foo.com=svc:80 --dry-run=client"),
    ("ingress_bad_rule_no_port", "create ingress n --rule=foo.com/=svc --dry-run=client"),
    ("ingress_bad_rule_tls_word", "create ingress n --rule=foo.com/=svc:80,tsl --dry-run=client"),
    ("ingress_bad_rule_second", "create ingress n --rule=foo.com/=svc:80 --rule=bad --dry-run=client"),
    ("ingress_bad_annotation", "create ingress n --rule=foo.com/=svc:80 --annotation=novalue --dry-run=client"),
    ("ingress_bad_default_backend", "create ingress n --default-backend=svc --dry-run=client"),
    ("ingress_bad_default_backend_colons", "create ingress n --default-backend=a:b:c --dry-run=client"),
    ("ingress_unicode_host", "create ingress n --rule=föö.com/=svc:80 --dry-run=client"),
    ("ingress_bad_output", "create ingress n --rule=foo.com/=svc:80 --dry-run=client -o wide"),
]
