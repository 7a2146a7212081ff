"""kubectl get tables, checked against what the real kubectl 1.32 printed (see golden/README.md).

Each golden was printed by the real kubectl from a Table whose cells came from labkube's column
functions; the pod-status cases below check those cells against printers.go's rules.
"""

import pytest

from labkube.core.api.resources import default_registry
from labkube.kubectl.printers import PrintOptions, print_table, print_tables
from labkube.kubectl.printers.columns import pod_status_cells
from labkube.kubectl.printers.tabwriter import describe_table, kubectl_table

from . import objects as o
from .golden_cases import golden, golden_or_empty

REG = default_registry()
OBJECTS = o.cluster_objects()


def items(resource, namespace="default", label=None):
    rtype = REG.resolve(resource)
    found = [x for x in OBJECTS if x["kind"] == rtype.kind and x["apiVersion"] == rtype.api_version
             and (namespace is None or not rtype.namespaced or x["metadata"].get("namespace") == namespace)]
    if label:
        key, value = label.split("=")
        found = [x for x in found if (x["metadata"].get("labels") or {}).get(key) == value]
    return rtype, found


P = PrintOptions
GOLDEN_TABLES = [
    ("pods print name, ready, status, restarts and age", "table_pods.txt", [items("pods")], P()),
    ("wide pods add IP, node, nominated node and readiness gates", "table_pods_wide.txt", [items("pods")], P(wide=True)),
    ("every pod status reads as kubectl computes it", "table_pods_zoo.txt", [items("pods", "zoo")], P(namespace="zoo")),
    ("wide pod statuses", "table_pods_zoo_wide.txt", [items("pods", "zoo")], P(wide=True, namespace="zoo")),
    ("all namespaces puts NAMESPACE first", "table_pods_all_namespaces.txt", [items("pods", None)],
     P(all_namespaces=True)),
    ("show-labels adds a LABELS column", "table_pods_show_labels.txt", [items("pods")], P(show_labels=True)),
    ("label columns are named after the key's last segment", "table_pods_label_columns.txt", [items("pods")],
     P(label_columns=("app", "example.com/run"))),
    ("no-headers drops the header line", "table_pods_no_headers.txt", [items("pods")], P(no_headers=True)),
    ("show-kind prefixes names with the kind", "table_pods_show_kind.txt", [items("pods")], P(show_kind=True)),
    ("several kinds print one table each with a blank line between", "table_multi_kind.txt",
     [items("pods"), items("services"), items("deployments")], P()),
    ("under -A a cluster-scoped kind after a namespaced one keeps the NAMESPACE column",
     "table_multi_kind_all_namespaces.txt",
     [items("deployments", None), items("services", None), items("nodes", None)], P(all_namespaces=True)),
    ("several kinds without headers have no blank line", "table_multi_kind_no_headers.txt",
     [items("pods"), items("services")], P(no_headers=True)),
    ("get all prints the kinds of the all category", "table_all.txt",
     [items(r.plural) for r in REG.category("all")], P()),
    ("nodes print status, roles and version", "table_nodes.txt", [items("nodes")], P()),
    ("wide nodes add addresses, OS, kernel and runtime", "table_nodes_wide.txt", [items("nodes")], P(wide=True)),
    ("every service type prints its external IP and ports", "table_services_zoo_wide.txt",
     [items("services", "zoo")], P(wide=True, namespace="zoo")),
    ("events print last seen, type, reason, object and message", "table_events.txt", [items("events")], P()),
    ("wide events add subobject, source, first seen, count and name", "table_events_wide.txt",
     [items("events")], P(wide=True)),
    ("configmaps count their data", "table_configmaps.txt", [items("configmaps")], P()),
    ("secrets print type and data count", "table_secrets.txt", [items("secrets")], P()),
    ("service accounts count their secrets", "table_serviceaccounts.txt", [items("serviceaccounts")], P()),
    ("endpoints list up to three addresses", "table_endpoints.txt", [items("endpoints")], P()),
    ("endpoint slices print address type, ports and endpoints", "table_endpointslices.txt",
     [items("endpointslices")], P()),
    ("leases print their holder", "table_leases.txt", [items("leases", None)], P(all_namespaces=True)),
    ("ingresses print class, hosts, address and ports", "table_ingresses.txt", [items("ingresses")], P()),
    ("ingress classes print their controller", "table_ingressclasses.txt", [items("ingressclasses")], P()),
    ("roles use the server's default NAME / CREATED AT table", "table_roles.txt", [items("roles")], P()),
    ("wide role bindings list users, groups and service accounts", "table_rolebindings_wide.txt",
     [items("rolebindings")], P(wide=True)),
    ("cluster roles use NAME / CREATED AT", "table_clusterroles.txt", [items("clusterroles")], P()),
    ("wide cluster role bindings", "table_clusterrolebindings_wide.txt", [items("clusterrolebindings")], P(wide=True)),
    ("namespaces print their phase", "table_namespaces.txt", [items("namespaces")], P()),
    ("wide deployments add containers, images and selector", "table_deployments_wide.txt",
     [items("deployments")], P(wide=True)),
    ("wide replica sets add containers, images and selector", "table_replicasets_wide.txt",
     [items("replicasets")], P(wide=True)),
    ("nothing in a namespace says so on stderr", "table_empty_namespace.txt", [items("secrets", "kube-system")],
     P(namespace="kube-system")),
    ("nothing in all namespaces says No resources found", "table_empty_all_namespaces.txt",
     [items("ingresses", None, "nothing=here")], P(all_namespaces=True)),
    ("nothing of a cluster-scoped kind says No resources found", "table_empty_cluster_scoped.txt",
     [items("nodes", None, "nothing=here")], P()),
]


@pytest.mark.parametrize("golden_file, groups, options", [c[1:] for c in GOLDEN_TABLES],
                         ids=[c[0] for c in GOLDEN_TABLES])
def test_table_matches_real_kubectl(golden_file, groups, options):
    result = print_tables(groups, o.NOW, options)
    assert result.stdout == golden(golden_file)
    assert result.stderr == golden_or_empty(golden_file.replace(".txt", ".stderr.txt"))


def _pod(state, phase="Running", **kw):
    return o.with_state(o.running_pod(), state, phase, **kw)


def _term(reason="", code=0, **kw):
    return {"terminated": {"exitCode": code, "reason": reason, "finishedAt": o.ts(300), **kw}}


POD_STATUS = [
    ("a running ready container is Running 1/1", _pod({"running": {}}, ready=True), (1, 1, "Running", "0")),
    ("a waiting reason wins", _pod({"waiting": {"reason": "ErrImagePull"}}, "Pending"), (0, 1, "ErrImagePull", "0")),
    ("a terminated reason wins", _pod(_term("Completed"), "Succeeded"), (0, 1, "Completed", "0")),
    ("a terminated container without reason prints its exit code", _pod(_term("", 3), "Failed"),
     (0, 1, "ExitCode:3", "0")),
    ("a signal is printed when there is no reason", _pod(_term("", 0, signal=15), "Failed"),
     (0, 1, "Signal:15", "0")),
    ("restarts show how long ago the last container died",
     _pod({"running": {}}, ready=True, restarts=2, last_state=_term("Error", 1)), (1, 1, "Running", "2 (5m ago)")),
    ("a deleting pod that has not finished is Terminating", _pod({"running": {}}, ready=True, deletion=o.ts(0)),
     (1, 1, "Terminating", "0")),
    ("a deleting pod on a lost node is Unknown",
     _pod({"running": {}}, ready=True, deletion=o.ts(0), reason="NodeLost"), (1, 1, "Unknown", "0")),
    ("a deleting pod that already succeeded keeps its status",
     _pod(_term("Completed"), "Succeeded", deletion=o.ts(0)), (0, 1, "Completed", "0")),
    ("a pod waiting on its init container reads Init:0/1", o.init_pod(), (0, 1, "Init:0/1", "0")),
    ("an unscheduled pod is Pending", o.pending_pod(), (0, 1, "Pending", "0")),
]


@pytest.mark.parametrize("pod, expected", [c[1:] for c in POD_STATUS], ids=[c[0] for c in POD_STATUS])
def test_pod_status_cells(pod, expected):
    assert pod_status_cells(pod, o.NOW) == expected


def test_a_completed_container_next_to_a_running_ready_one_reads_running():
    pod = o.running_pod()
    done = dict(pod["status"]["containerStatuses"][0], name="job", ready=False, state=_term("Completed"))
    pod["status"]["containerStatuses"].insert(0, done)
    pod["spec"]["containers"].insert(0, dict(pod["spec"]["containers"][0], name="job"))
    assert pod_status_cells(pod, o.NOW)[:3] == (1, 2, "Running")


def test_a_started_restartable_init_container_counts_as_a_ready_container():
    pod = o.init_pod()
    pod["spec"]["initContainers"][0]["restartPolicy"] = "Always"
    pod["status"]["initContainerStatuses"][0]["ready"] = True
    pod["status"]["conditions"][1]["status"] = "True"
    ready, total, _, _ = pod_status_cells(pod, o.NOW)
    assert (ready, total) == (1, 2)


def test_a_single_kind_table_is_the_same_through_print_table():
    rtype, pods = items("pods")
    assert print_table(pods, rtype, o.NOW).stdout == golden("table_pods.txt")


def test_a_cell_with_a_newline_is_cut_with_an_ellipsis():
    rtype, events = items("events")
    event = dict(events[0], message="first line\nsecond line")
    assert "first line...\n" in print_table([event], rtype, o.NOW).stdout


TABWRITER = [
    ("cells are padded to the widest in the column plus the padding", kubectl_table,
     "a\tbb\tc\nccc\td\te\n", "a     bb    c\nccc   d     e\n"),
    ("short columns are at least minwidth wide in kubectl tables", kubectl_table,
     "1\t2\n3\t4\n", "1     2\n3     4\n"),
    ("a cell before an empty last cell is still padded", kubectl_table, "x\t\n", "x     \n"),
    ("the text after the last tab is never padded", kubectl_table, "ab\tlong last cell\nc\td\n",
     "ab    long last cell\nc     d\n"),
    ("a line without tabs ends the column block", describe_table,
     "Name:\tx\nContainers:\nLonger label:\ty\n", "Name:  x\nContainers:\nLonger label:  y\n"),
    ("a block spans consecutive lines that share the column", describe_table,
     "A:\t1\nLonger:\t2\n", "A:       1\nLonger:  2\n"),
]


@pytest.mark.parametrize("writer, text, expected", [c[1:] for c in TABWRITER], ids=[c[0] for c in TABWRITER])
def test_tabwriter(writer, text, expected):
    assert writer(text) == expected


def test_an_events_k8s_io_event_prints_like_a_core_event():
    rtype = next(r for r in REG.all() if r.group == "events.k8s.io")
    text = print_table([o.events_k8s_io_event()], rtype, o.NOW).stdout
    assert text == ("LAST SEEN   TYPE     REASON      OBJECT      MESSAGE\n"
                    "14m         Normal   Scheduled   pod/web-1   Successfully assigned default/web-1 to node-1\n")
