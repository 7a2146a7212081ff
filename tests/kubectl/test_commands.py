"""Each kubectl command on a small scenario: what it prints, on which stream, and its exit code.

Texts follow kubectl 1.32; the ones that could be produced by the real kubectl against an
oracle server are also checked byte-for-byte in ``test_commands_oracle.py``.
"""

from __future__ import annotations

import pytest

from labkube.kubectl import kubectl, run

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: web}
data:
  color: blue
"""

CONFIGMAP_RED = CONFIGMAP.replace("blue", "red")

OTHER = """apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  namespace: dev
data: {a: "1"}
"""


@pytest.fixture()
def cluster(tmp_path, monkeypatch):
    import labkube

    monkeypatch.chdir(tmp_path)
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)
    (tmp_path / "cm-red.yaml").write_text(CONFIGMAP_RED)
    (tmp_path / "other.yaml").write_text(OTHER)
    (tmp_path / "both").mkdir()
    (tmp_path / "both" / "a.yaml").write_text(CONFIGMAP)
    (tmp_path / "both" / "b.yml").write_text(OTHER.replace("  namespace: dev\n", ""))
    (tmp_path / "both" / "notes.txt").write_text("not a manifest")
    return labkube.Cluster(nodes=0, seed=0)


SCENARIOS = [
    # (sentence, setup commands, command, expected terminal text, exit code)
    ("create namespace prints kind/name created", [], "create namespace dev",
     "namespace/dev created\n", 0),
    ("create deployment prints the group in the kind", [], "create deployment web --image=nginx",
     "deployment.apps/web created\n", 0),
    ("creating a generator object twice is AlreadyExists",
     ["create deployment web --image=nginx"], "create deployment web --image=nginx",
     'Error from server (AlreadyExists): deployments.apps "web" already exists\n', 1),
    ("server dry run creates nothing and says so", [],
     "create namespace dev --dry-run=server", "namespace/dev created (server dry run)\n", 0),
    ("apply creates a new object", [], "apply -f cm.yaml", "configmap/settings created\n", 0),
    ("apply of the same file again is unchanged", ["apply -f cm.yaml"], "apply -f cm.yaml",
     "configmap/settings unchanged\n", 0),
    ("apply of a changed file configures", ["apply -f cm.yaml"], "apply -f cm-red.yaml",
     "configmap/settings configured\n", 0),
    ("apply over an object made by create warns about the missing annotation",
     ["create -f cm.yaml"], "apply -f cm-red.yaml",
     "Warning: resource configmaps/settings is missing the kubectl.kubernetes.io/last-applied-"
     "configuration annotation which is required by kubectl apply. kubectl apply should only be "
     "used on resources created declaratively by either kubectl create --save-config or kubectl "
     "apply. The missing annotation will be patched automatically.\n"
     "configmap/settings configured\n", 0),
    ("apply of a folder reads its manifests in name order", ["create namespace dev"],
     "apply -f both", "configmap/settings created\nconfigmap/other created\n", 0),
    ("client dry run of apply sends nothing", [], "apply -f cm.yaml --dry-run=client",
     "configmap/settings created (dry run)\n", 0),
    ("an object's namespace must agree with -n",
     [], "apply -f other.yaml -n prod",
     "error: the namespace from the provided object \"dev\" does not match the namespace \"prod\". "
     "You must pass '--namespace=dev' to perform this operation.\n", 1),
    ("create -f of an existing object names the file",
     ["apply -f cm.yaml"], "create -f cm.yaml",
     'Error from server (AlreadyExists): error when creating "cm.yaml": configmaps "settings" already exists\n', 1),
    ("a missing file is reported before anything happens", [], "apply -f nope.yaml",
     'error: the path "nope.yaml" does not exist\n', 1),
    ("delete by name", ["apply -f cm.yaml"], "delete configmap settings",
     'configmap "settings" deleted\n', 0),
    ("delete of a missing object is NotFound", [], "delete configmap settings",
     'Error from server (NotFound): configmaps "settings" not found\n', 1),
    ("delete --ignore-not-found is quiet", [], "delete configmap settings --ignore-not-found", "", 0),
    ("delete by selector deletes each match", ["apply -f cm.yaml"], "delete cm -l app=web",
     'configmap "settings" deleted\n', 0),
    ("delete by selector with no match", [], "delete cm -l app=none", "No resources found\n", 0),
    ("delete -f deletes what the file names", ["apply -f cm.yaml"], "delete -f cm.yaml",
     'configmap "settings" deleted\n', 0),
    ("delete -o name prints kind/name", ["apply -f cm.yaml"], "delete cm settings -o name",
     "configmap/settings\n", 0),
    ("delete needs a name or a selector", [], "delete configmaps",
     "error: resource(s) were provided, but no name was specified\n", 1),
    ("delete refuses an unknown cascade", [], "delete cm x --cascade=bogus",
     'error: invalid cascade value (bogus). Must be "background", "foreground", or "orphan"\n', 1),
    ("delete --force --grace-period=0 warns and force-deletes", ["apply -f cm.yaml"],
     "delete cm settings --force --grace-period=0",
     "Warning: Immediate deletion does not wait for confirmation that the running resource has "
     "been terminated. The resource may continue to run on the cluster indefinitely.\n"
     'configmap "settings" force deleted\n', 0),
    ("label adds a label", ["apply -f cm.yaml"], "label cm settings tier=front",
     "configmap/settings labeled\n", 0),
    ("label refuses to change a value without --overwrite", ["apply -f cm.yaml"],
     "label cm settings app=api",
     "error: 'app' already has a value (web), and --overwrite is false\n", 1),
    ("label --overwrite changes a value", ["apply -f cm.yaml"],
     "label cm settings app=api --overwrite", "configmap/settings labeled\n", 0),
    ("label key- removes a label", ["apply -f cm.yaml"], "label cm settings app-",
     "configmap/settings unlabeled\n", 0),
    ("label with the same value is not labeled", ["apply -f cm.yaml"], "label cm settings app=web",
     "configmap/settings not labeled\n", 0),
    ("label needs a change", [], "label cm settings",
     "error: at least one label update is required\n", 1),
    ("label checks values like kubectl", [], "label cm settings a=b_",
     "error: invalid label value: \"a=b_\": a valid label must be an empty string or consist of "
     "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
     "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
     "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\n", 1),
    ("annotate adds an annotation", ["apply -f cm.yaml"], "annotate cm settings note=hi",
     "configmap/settings annotated\n", 0),
    ("annotate refuses to change a value without --overwrite",
     ["apply -f cm.yaml", "annotate cm settings note=hi"], "annotate cm settings note=bye",
     "error: --overwrite is false but found the following declared annotation(s): 'note' already "
     "has a value (hi)\n", 1),
    ("patch with a merge patch", ["apply -f cm.yaml"],
     "patch cm settings --type=merge -p '{\"data\":{\"color\":\"green\"}}'",
     "configmap/settings patched\n", 0),
    ("a patch that changes nothing says so", ["apply -f cm.yaml"],
     "patch cm settings -p '{\"data\":{\"color\":\"blue\"}}'",
     "configmap/settings patched (no change)\n", 0),
    ("patch accepts YAML", ["apply -f cm.yaml"],
     "patch cm settings --type merge -p 'data: {color: pink}'", "configmap/settings patched\n", 0),
    ("a JSON patch", ["apply -f cm.yaml"],
     "patch cm settings --type=json -p '[{\"op\":\"replace\",\"path\":\"/data/color\",\"value\":\"x\"}]'",
     "configmap/settings patched\n", 0),
    ("patch refuses an unknown type", [], "patch cm settings -p {} --type=foo",
     'error: --type must be one of [json merge strategic], not "foo"\n', 1),
    ("patch needs a patch", [], "patch cm settings",
     "error: must specify --patch or --patch-file containing the contents of the patch\n", 1),
    ("get -o name", ["apply -f cm.yaml"], "get cm settings -o name", "configmap/settings\n", 0),
    ("get of nothing tells stderr", [], "get configmaps",
     "No resources found in default namespace.\n", 0),
    ("get -A of nothing", [], "get ingresses -A", "No resources found\n", 0),
    ("get of a missing object is NotFound", [], "get cm nope",
     'Error from server (NotFound): configmaps "nope" not found\n', 1),
    ("get of a missing object in yaml is only the error", [], "get cm nope -o yaml",
     'Error from server (NotFound): configmaps "nope" not found\n', 1),
    ("get of an unknown type", [], "get flurbs",
     'error: the server doesn\'t have a resource type "flurbs"\n', 1),
    ("get with no type", [], "get",
     'You must specify the type of resource to get. Use "kubectl api-resources" for a complete '
     "list of supported resources.\n\nerror: Required resource not specified.\n"
     'Use "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl '
     "explain pods).\nSee 'kubectl get -h' for help and examples\n", 1),
    ("jsonpath reads fields", ["apply -f cm.yaml"],
     "get cm settings -o jsonpath={.data.color}", "blue", 0),
    ("auth can-i yes for the admin", [], "auth can-i create pods", "yes\n", 0),
    ("auth can-i no for a stranger, exit 1", [], "auth can-i create pods --as alice", "no\n", 1),
    ("auth can-i after a role and binding",
     ["create role pod-reader --verb=get,list --resource=pods",
      "create rolebinding alice-reads --role=pod-reader --user=alice"],
     "auth can-i list pods --as alice", "yes\n", 0),
    ("auth can-i is per namespace",
     ["create namespace dev", "create role pod-reader --verb=get,list --resource=pods",
      "create rolebinding alice-reads --role=pod-reader --user=alice"],
     "auth can-i list pods --as alice -n dev", "no\n", 1),
    ("auth can-i -q prints nothing", [], "auth can-i create pods --as alice -q", "", 1),
    ("auth can-i needs two arguments", [], "auth can-i get",
     "error: you must specify two arguments: verb resource or verb resource/resourceName.\n"
     "See 'kubectl auth can-i -h' for help and examples.\n", 1),
    ("--as alice without rights is Forbidden in kubectl's words", [], "get pods --as alice",
     'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" '
     'in API group "" in the namespace "default"\n', 1),
    ("--as alice cannot create either", [], "create configmap x --as alice -n dev",
     'Error from server (Forbidden): configmaps is forbidden: User "alice" cannot create resource '
     '"configmaps" in API group "" in the namespace "dev"\n', 1),
    ("auth can-i '*' '*' for the admin", [], "auth can-i '*' '*'", "yes\n", 0),
    ("auth can-i on an unknown resource warns and still answers", [],
     "auth can-i get flurbs --as alice",
     "Warning: the server doesn't have a resource type 'flurbs'\nno\n", 1),
    ("get TYPE/NAME pairs of several kinds", ["apply -f cm.yaml", "create serviceaccount robot"],
     "get cm/settings sa/robot -o name", "configmap/settings\nserviceaccount/robot\n", 0),
    ("TYPE/NAME cannot follow a separate TYPE", [], "get cm cm/settings",
     "error: there is no need to specify a resource type as a separate argument when passing "
     "arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of "
     "'kubectl get resource resource/<resource_name>'\n", 1),
    ("describe finds objects by name prefix", ["apply -f cm.yaml"], "describe cm sett",
     "Name:         settings\nNamespace:    default\nLabels:       app=web\nAnnotations:  <none>\n"
     "\nData\n====\ncolor:\n----\nblue\n\n\nBinaryData\n====\n\nEvents:  <none>\n\n", 0),
    ("version", [], "version",
     "Client Version: v1.32.4\nKustomize Version: v5.5.0\nServer Version: v1.32.0\n", 0),
    ("version --client", [], "version --client",
     "Client Version: v1.32.4\nKustomize Version: v5.5.0\n", 0),
    ("explain needs a type", [], "explain",
     'error: You must specify the type of resource to explain. Use "kubectl api-resources" for a '
     "complete list of supported resources.\n", 1),
    ("explain of a missing field", [], "explain pods.spec.nope",
     'KIND:       Pod\nVERSION:    v1\n\nerror: field "nope" does not exist\n', 1),
    ("describe of nothing", [], "describe configmaps",
     "No resources found in default namespace.\n", 0),
]


@pytest.mark.parametrize("setup,command,expected,code", [s[1:] for s in SCENARIOS],
                         ids=[s[0] for s in SCENARIOS])
def test_command_prints_what_kubectl_prints(cluster, setup, command, expected, code):
    for step in setup:
        result = run(cluster, step)
        assert result.exit_code == 0, (step, str(result))
    result = run(cluster, command)
    assert (str(result), result.exit_code) == (expected, code)


def test_stdout_and_stderr_are_kept_apart_and_in_order(cluster):
    kubectl(cluster, "apply -f cm.yaml")
    result = run(cluster, "get cm settings nope -o name")
    assert result.stdout == "configmap/settings\n"
    assert result.stderr == 'Error from server (NotFound): configmaps "nope" not found\n'
    assert str(result) == result.stdout + result.stderr


def test_apply_reads_stdin_for_dash(cluster):
    result = run(cluster, "apply -f -", stdin=CONFIGMAP)
    assert str(result) == "configmap/settings created\n"
    assert cluster.get("configmaps", "settings")["data"] == {"color": "blue"}


def test_generated_objects_really_reach_the_cluster(cluster):
    kubectl(cluster, "create namespace dev")
    kubectl(cluster, "create configmap app --from-literal=a=1 -n dev")
    assert cluster.get("configmaps", "app", "dev")["data"] == {"a": "1"}


def test_create_secret_stores_base64_data(cluster):
    kubectl(cluster, "create secret generic s --from-literal=p=x")
    assert cluster.get("secrets", "s")["data"] == {"p": "eA=="}


def test_label_changes_the_stored_object(cluster):
    kubectl(cluster, "apply -f cm.yaml")
    kubectl(cluster, "label cm settings tier=front")
    kubectl(cluster, "label cm settings app-")
    assert cluster.get("configmaps", "settings")["metadata"]["labels"] == {"tier": "front"}


def test_delete_removes_the_object(cluster):
    kubectl(cluster, "apply -f cm.yaml")
    kubectl(cluster, "delete cm settings")
    assert run(cluster, "get cm settings").exit_code == 1


def test_get_several_kinds_prints_one_table_each_with_kind_prefixes(cluster):
    kubectl(cluster, "apply -f cm.yaml")
    kubectl(cluster, "create serviceaccount robot")
    text = kubectl(cluster, "get cm,sa")
    tables = text.split("\n\n")
    assert len(tables) == 2
    assert tables[0].startswith("NAME") and "configmap/settings" in tables[0]
    assert "serviceaccount/robot" in tables[1]


def test_get_all_namespaces_adds_a_namespace_column(cluster):
    kubectl(cluster, "create namespace dev")
    kubectl(cluster, "apply -f other.yaml")
    text = kubectl(cluster, "get cm -A")
    assert text.splitlines()[0].startswith("NAMESPACE")
    assert any(line.startswith("dev ") and "other" in line for line in text.splitlines())


def test_the_same_commands_give_the_same_text():
    import labkube

    def session() -> str:
        cluster = labkube.Cluster(nodes=0, seed=7)
        out = [kubectl(cluster, c) for c in (
            "create namespace dev", "create deployment web --image=my_app -n dev",
            "get deploy -n dev -o yaml", "get ns")]
        return "".join(out)

    assert session() == session()


def test_sort_by_orders_rows_by_a_field(cluster):
    for name, count in (("b", "3"), ("a", "10"), ("c", "2")):
        kubectl(cluster, f"create configmap {name} --from-literal=n={count}")
    text = kubectl(cluster, "get cm -o name --sort-by=.metadata.name")
    assert text == "configmap/a\nconfigmap/b\nconfigmap/c\n"
    text = kubectl(cluster, "get cm -o name --sort-by={.data.n}")
    assert text == "configmap/c\nconfigmap/b\nconfigmap/a\n"  # quantities compare by amount (kubectl 1.32)
