"""Capture golden files from the REAL kubectl 1.32 (run by hand: ``python -m tests.kubectl.oracle.capture``).

Starts ``FakeAPIServer`` on 127.0.0.1 with the fixture objects of ``tests/kubectl/objects.py``,
runs real kubectl commands against it and stores their stdout under ``tests/kubectl/golden/``.

kubectl measures ages against the wall clock, so before serving, every timestamp in the
fixtures is shifted by ``wall_now - objects.NOW``; afterwards every shifted RFC 1123 date in the
output is mapped back to the fixture's date. Ages are relative and survive the shift (fixture
ages are whole minutes plus 20 s, so a second of drift never changes them).
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parent / "golden"
sys.path.insert(0, str(HERE.parent.parent))

from kubectl import objects as o  # noqa: E402
from kubectl.oracle.fake_apiserver import FakeAPIServer  # noqa: E402

_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def _shift(value, seconds: int, seen: dict):
    if isinstance(value, dict):
        return {k: _shift(v, seconds, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, seconds, seen) for v in value]
    if isinstance(value, str) and _TS.match(value):
        base = value.split(".")[0].rstrip("Z")
        when = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
        shifted = when + seconds
        fmt = "%a, %d %b %Y %H:%M:%S +0000"
        seen[datetime.fromtimestamp(shifted, tz=timezone.utc).strftime(fmt)] = (
            datetime.fromtimestamp(when, tz=timezone.utc).strftime(fmt))
        frac = value[len(base):-1]
        return datetime.fromtimestamp(shifted, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"
    return value


fixture_objects = o.cluster_objects


COMMANDS = {
    # golden file name: kubectl arguments
    "describe_pod_running.txt": ["describe", "pod", f"web-{o.RS_HASH}-x2kq9"],
    "describe_pod_pending.txt": ["describe", "pod", "big"],
    "describe_pod_crashloop.txt": ["describe", "pod", "crashy"],
    "describe_pod_init.txt": ["describe", "pod", "init-demo"],
    "describe_deployment.txt": ["describe", "deployment", "web"],
    "describe_replicaset.txt": ["describe", "replicaset", f"web-{o.RS_HASH}"],
    "describe_service.txt": ["describe", "service", "web"],
    "describe_service_kubernetes.txt": ["describe", "service", "kubernetes"],
    "describe_node.txt": ["describe", "node", "node-1"],
    "describe_namespace.txt": ["describe", "namespace", "default"],
    "describe_configmap.txt": ["describe", "configmap", "app-config"],
    "describe_secret.txt": ["describe", "secret", "db-pass"],
    "describe_serviceaccount.txt": ["describe", "serviceaccount", "default"],
    "describe_endpoints.txt": ["describe", "endpoints", "web"],
    "describe_ingress.txt": ["describe", "ingress", "web"],
    "describe_ingressclass.txt": ["describe", "ingressclass", "nginx"],
    "describe_role.txt": ["describe", "role", "pod-reader"],
    "describe_clusterrole.txt": ["describe", "clusterrole", "secret-reader"],
    "describe_rolebinding.txt": ["describe", "rolebinding", "read-pods"],
    "describe_clusterrolebinding.txt": ["describe", "clusterrolebinding", "read-secrets-global"],
    "describe_lease.txt": ["describe", "lease", "node-1", "-n", "kube-node-lease"],
    "describe_endpointslice.txt": ["describe", "endpointslice", "web-abc12"],
    "describe_pod_terminating.txt": ["describe", "pod", "leaving", "-n", "zoo"],
    "describe_pod_two_containers.txt": ["describe", "pod", "two-containers", "-n", "zoo"],
    "describe_pod_readiness_gates.txt": ["describe", "pod", "gates", "-n", "zoo"],
    "describe_pods_two_pages.txt": ["describe", "pod", "done", "failed", "-n", "zoo"],
    "describe_service_loadbalancer.txt": ["describe", "service", "lb", "-n", "zoo"],
    "describe_service_nodeport.txt": ["describe", "service", "np", "-n", "zoo"],
    "describe_service_externalname.txt": ["describe", "service", "external", "-n", "zoo"],
    "describe_event.txt": ["describe", "event", f"web-{o.RS_HASH}-x2kq9.181a0b1c2d3e4f02"],
    "yaml_pod_running.yaml": ["get", "pod", f"web-{o.RS_HASH}-x2kq9", "-o", "yaml"],
    "yaml_configmap.yaml": ["get", "configmap", "app-config", "-o", "yaml"],
    "yaml_deployment.yaml": ["get", "deployment", "web", "-o", "yaml"],
    "yaml_pods_list.yaml": ["get", "pods", "-o", "yaml"],
    "json_service.json": ["get", "service", "web", "-o", "json"],
    "json_pods_list.json": ["get", "pods", "-o", "json"],
    "name_pods.txt": ["get", "pods", "-o", "name"],
    "name_deployments.txt": ["get", "deployments", "-o", "name"],
    "jsonpath_names.txt": ["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"],
    "jsonpath_range.txt": ["get", "pods", "-o",
                           'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'],
    "jsonpath_filter.txt": ["get", "pod", f"web-{o.RS_HASH}-x2kq9", "-o",
                            'jsonpath={.status.conditions[?(@.type=="Ready")].status}'],
    "jsonpath_recursive.txt": ["get", "pods", "-o", "jsonpath={..image}"],
    "jsonpath_map.txt": ["get", "pod", f"web-{o.RS_HASH}-x2kq9", "-o", "jsonpath={.metadata.labels}"],
    "jsonpath_slice.txt": ["get", "pods", "-o", "jsonpath={.items[0:2].metadata.name}"],
    "jsonpath_last.txt": ["get", "pods", "-o", "jsonpath={.items[-1:].metadata.name}"],
    "jsonpath_union.txt": ["get", "pod", f"web-{o.RS_HASH}-x2kq9", "-o",
                           "jsonpath={.metadata['name','namespace']}"],
    "jsonpath_numbers.txt": ["get", "deployment", "web", "-o",
                             "jsonpath={.spec.replicas} {.spec.strategy} {.spec.template.spec.containers[0].ports}"],
    "table_pods.txt": ["get", "pods"],
    "table_pods_wide.txt": ["get", "pods", "-o", "wide"],
    "table_pods_zoo.txt": ["get", "pods", "-n", "zoo"],
    "table_pods_zoo_wide.txt": ["get", "pods", "-n", "zoo", "-o", "wide"],
    "table_pods_all_namespaces.txt": ["get", "pods", "-A"],
    "table_pods_show_labels.txt": ["get", "pods", "--show-labels"],
    "table_pods_label_columns.txt": ["get", "pods", "-L", "app", "-L", "example.com/run"],
    "table_pods_no_headers.txt": ["get", "pods", "--no-headers"],
    "table_pods_show_kind.txt": ["get", "pods", "--show-kind"],
    "table_multi_kind.txt": ["get", "pods,services,deployments"],
    "table_multi_kind_all_namespaces.txt": ["get", "deployments,services,nodes", "-A"],
    "table_multi_kind_no_headers.txt": ["get", "pods,services", "--no-headers"],
    "table_all.txt": ["get", "all"],
    "table_nodes.txt": ["get", "nodes"],
    "table_nodes_wide.txt": ["get", "nodes", "-o", "wide"],
    "table_services_zoo_wide.txt": ["get", "services", "-n", "zoo", "-o", "wide"],
    "table_events.txt": ["get", "events"],
    "table_events_wide.txt": ["get", "events", "-o", "wide"],
    "table_configmaps.txt": ["get", "configmaps"],
    "table_secrets.txt": ["get", "secrets"],
    "table_serviceaccounts.txt": ["get", "serviceaccounts"],
    "table_endpoints.txt": ["get", "endpoints"],
    "table_endpointslices.txt": ["get", "endpointslices"],
    "table_leases.txt": ["get", "leases", "-A"],
    "table_ingresses.txt": ["get", "ingresses"],
    "table_ingressclasses.txt": ["get", "ingressclasses"],
    "table_roles.txt": ["get", "roles"],
    "table_rolebindings_wide.txt": ["get", "rolebindings", "-o", "wide"],
    "table_clusterroles.txt": ["get", "clusterroles"],
    "table_clusterrolebindings_wide.txt": ["get", "clusterrolebindings", "-o", "wide"],
    "table_namespaces.txt": ["get", "namespaces"],
    "table_deployments_wide.txt": ["get", "deployments", "-o", "wide"],
    "table_replicasets_wide.txt": ["get", "replicasets", "-o", "wide"],
    "table_empty_namespace.txt": ["get", "secrets", "-n", "kube-system"],
    "table_empty_all_namespaces.txt": ["get", "ingresses", "-A", "-l", "nothing=here"],
    "table_empty_cluster_scoped.txt": ["get", "nodes", "-l", "nothing=here"],
    "custom_columns.txt": ["get", "pods", "-o",
                           "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image,"
                           "NODE:.spec.nodeName,LABELS:.metadata.labels"],
}


OFFLINE = {
    # kubectl commands that need no server at all.
    "create_deployment.yaml": ["create", "deployment", "web", "--image=nginx", "--dry-run=client", "-o", "yaml"],
    "create_configmap.json": ["create", "configmap", "x", "--from-literal=a=1", "--dry-run=client", "-o", "json"],
    "create_configmap_multiline.yaml": ["create", "configmap", "game", "--from-literal=game.properties=enemies=aliens\n"
                                        "lives=3\n", "--from-literal=ui=color.good=purple", "--from-literal=port=8080",
                                        "--from-literal=enabled=true", "--dry-run=client", "-o", "yaml"],
    "create_secret.yaml": ["create", "secret", "generic", "db", "--from-literal=password=hunter2hunter",
                           "--dry-run=client", "-o", "yaml"],
    "jsonpath_offline_image.txt": ["create", "deployment", "web", "--image=nginx", "--dry-run=client", "-o",
                                   "jsonpath={.spec.template.spec.containers[0].image}"],
}


def _write_readme() -> None:
    lines = ["# Golden files captured from the real kubectl 1.32", "",
             "Produced by `PYTHONPATH=. python tests/kubectl/oracle/capture.py` (and `differential.py` for",
             "`yaml_strings.json`, `jsonpath_cases.json`, `apply_docs.json`). Server-backed commands ran",
             "against `oracle/fake_apiserver.py` serving `objects.cluster_objects()`, time-shifted so that",
             "kubectl's wall clock sees `objects.NOW` (dates in the output are shifted back). `*.stderr.txt`",
             "hold what kubectl wrote to stderr. For `table_*` files the cells come from labkube's own",
             "column functions (the server side of server-side printing); the real kubectl did the rest.", "",
             "| file | command |", "|---|---|"]
    for name, args in {**OFFLINE, **COMMANDS}.items():
        command = " ".join(args).replace(chr(10), "\\n").replace("|", "\\|")
        lines.append(f"| `{name}` | `kubectl {command}` |")
    (GOLDEN / "README.md").write_text("\n".join(lines) + "\n")


def _start_of_second() -> int:
    """Wait for the start of a wall-clock second, so that a command started now keeps the
    fixtures' ages exact to the second (this is a capture tool, not a test)."""
    while time.time() % 1 > 0.02:
        time.sleep(0.005)
    return int(time.time())


def main() -> None:
    env = dict(os.environ, KUBECONFIG="/dev/null", TZ="UTC")
    _write_readme()
    for name, args in OFFLINE.items():
        proc = subprocess.run(["kubectl", *args], capture_output=True, text=True, env=env, timeout=60)
        (GOLDEN / name).write_text(proc.stdout)
        print(f"{name}: {'ok' if proc.returncode == 0 else proc.stderr.strip()[:200]}")
    with FakeAPIServer([]) as server:
        for name, args in COMMANDS.items():
            seen: dict[str, str] = {}
            shift = _start_of_second() - int(o.NOW)
            server.objects = [_shift(copy.deepcopy(obj), shift, seen) for obj in fixture_objects()]
            proc = subprocess.run(["kubectl", "--server", server.url, *args], capture_output=True, text=True,
                                  env=env, timeout=60)
            text = proc.stdout
            for shifted, original in seen.items():
                text = text.replace(shifted, original)
            text = _unshift_rfc3339(text, shift)
            (GOLDEN / name).write_text(text)
            if proc.stderr and proc.returncode == 0:
                (GOLDEN / name.replace(".txt", ".stderr.txt")).write_text(proc.stderr)
            status = "ok" if proc.returncode == 0 else f"rc={proc.returncode} {proc.stderr.strip()[:200]}"
            print(f"{name}: {status}")


def _unshift_rfc3339(text: str, shift: int) -> str:
    def back(match: re.Match) -> str:
        when = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
        return datetime.fromtimestamp(when - shift, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + match.group(2)

    return re.sub(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+Z|Z)", back, text)


if __name__ == "__main__":
    main()
