"""Operations commands (run, expose, scale, rollout, set image, cordon, taint, drain, logs, top)
whose output is compared byte-for-byte with the real kubectl 1.32.

Each case: ``stem``, ``command``, the ``objects`` the oracle API server holds (and the labkube
cluster gets created first), and ``scripted`` answers for (method, path) — a dict body, or a
``str`` body sent as text (pod logs). ``capture_ops.py`` runs the real kubectl against the
oracle; ``test_ops_oracle.py`` runs the same command on labkube.
"""

from __future__ import annotations

UID = "4b1c1c70-0000-4000-8000-000000000001"


def deployment(name="web", *, replicas=3, ports=(), paused=False, status=None, revision=None,
               generation=1, containers=None):
    container = {"name": "nginx", "image": "nginx"}
    if ports:
        container["ports"] = [{"containerPort": p, "protocol": "TCP"} for p in ports]
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": containers or [container]}}}
    if paused:
        spec["paused"] = True
    meta = {"name": name, "namespace": "default", "uid": UID, "generation": generation,
            "labels": {"app": name}, "creationTimestamp": "2025-01-01T00:00:00Z"}
    if revision:
        meta["annotations"] = {"deployment.kubernetes.io/revision": str(revision)}
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}
    obj["status"] = status if status is not None else {"observedGeneration": generation}
    return obj


def replicaset(name, revision, image, *, owner=True):
    labels = {"app": "web", "pod-template-hash": name.rsplit("-", 1)[1]}
    meta = {"name": name, "namespace": "default", "uid": f"rs-{name}", "labels": labels,
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
            "creationTimestamp": "2025-01-01T00:00:00Z"}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                    "uid": UID, "controller": True, "blockOwnerDeletion": True}]
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "nginx", "image": image}]}}}}


def pod(name, *, node="node-1", owner=None, labels=None, containers=("nginx",), phase="Running",
        volumes=None, ready_since=None, created="2025-01-01T00:00:00Z"):
    meta = {"name": name, "namespace": "default", "uid": f"pod-{name}", "labels": labels or {},
            "creationTimestamp": created}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                    "uid": f"owner-{owner[1]}", "controller": True}]
    spec = {"nodeName": node, "containers": [{"name": c, "image": "nginx"} for c in containers]}
    if volumes:
        spec["volumes"] = volumes
    status = {"phase": phase}
    if ready_since:
        status["conditions"] = [{"type": "Ready", "status": "True", "lastTransitionTime": ready_since}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def node(name="node-1", *, unschedulable=False, taints=None):
    spec = {}
    if unschedulable:
        spec["unschedulable"] = True
    if taints:
        spec["taints"] = taints
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "uid": f"node-{name}", "labels": {"kubernetes.io/hostname": name},
                         "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": spec,
            "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                       "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}


def scale(replicas):
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {"name": "web", "namespace": "default", "uid": UID, "resourceVersion": "7"},
            "spec": {"replicas": replicas}, "status": {"replicas": replicas, "selector": "app=web"}}


DEP = "/apis/apps/v1/namespaces/default/deployments/web"
NODE = "/api/v1/nodes/node-1"
DONE = {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
        "availableReplicas": 3}
HALF = {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 1,
        "availableReplicas": 1}
RSS = [replicaset("web-5d5f7b7c9d", 1, "nginx:1.26"), replicaset("web-7c8b9d6f5c", 2, "nginx")]
METRICS_NODES = {"kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": [
    {"metadata": {"name": "node-1"}, "timestamp": "2025-01-01T00:00:00Z", "window": "20s",
     "usage": {"cpu": "250123456n", "memory": "1048576Ki"}},
    {"metadata": {"name": "node-2"}, "timestamp": "2025-01-01T00:00:00Z", "window": "20s",
     "usage": {"cpu": "1500m", "memory": "3Gi"}},
]}
METRICS_PODS = {"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": [
    {"metadata": {"name": "web-b", "namespace": "default"}, "timestamp": "2025-01-01T00:00:00Z", "window": "20s",
     "containers": [{"name": "nginx", "usage": {"cpu": "1234567n", "memory": "20Mi"}},
                    {"name": "sidecar", "usage": {"cpu": "2m", "memory": "5000Ki"}}]},
    {"metadata": {"name": "web-a", "namespace": "default"}, "timestamp": "2025-01-01T00:00:00Z", "window": "20s",
     "containers": [{"name": "nginx", "usage": {"cpu": "15m", "memory": "30Mi"}}]},
]}

CASES = [
    # -- run ----------------------------------------------------------------------------------
    {"stem": "run_default", "command": "run nginx --image=nginx --dry-run=client -o yaml"},
    {"stem": "run_everything_json", "command": "run b --image=busybox --port=80 --labels=a=b,c=d "
     "--restart=Never --env=X=1 --env=Y=2 --dry-run=client -o json --command -- sh -c 'echo hi'"},
    {"stem": "run_args_namespace", "command": "run x --image=nginx --restart=OnFailure --dry-run=client -o yaml -n dev -- a b"},
    {"stem": "run_plain", "command": "run x --image=nginx --dry-run=client"},
    {"stem": "run_bad_restart", "command": "run x --image=nginx --restart=Sometimes --dry-run=client"},
    # -- expose -------------------------------------------------------------------------------
    {"stem": "expose_nodeport", "objects": [deployment(ports=(8080,))],
     "command": "expose deployment web --port=80 --target-port=8080 --type=NodePort --dry-run=client -o yaml"},
    {"stem": "expose_introspected_ports", "objects": [deployment(containers=[
        {"name": "a", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}]},
        {"name": "b", "image": "dns", "ports": [{"containerPort": 53, "protocol": "UDP"}]}])],
     "command": "expose deployment web --dry-run=client -o yaml"},
    {"stem": "expose_pod_json", "objects": [pod("solo", labels={"run": "solo"})],
     "command": "expose pod solo --port=80 --name=solo-svc --dry-run=client -o json"},
    {"stem": "expose_no_port", "objects": [deployment()],
     "command": "expose deployment web --dry-run=client"},
    {"stem": "expose_plain", "objects": [deployment()],
     "command": "expose deploy/web --port=80 --dry-run=client"},
    # -- scale --------------------------------------------------------------------------------
    {"stem": "scale_deployment", "objects": [deployment()],
     "scripted": {("PATCH", DEP + "/scale"): (200, scale(5))},
     "command": "scale deployment/web --replicas=5"},
    {"stem": "scale_current_replicas_mismatch", "objects": [deployment()],
     "scripted": {("GET", DEP + "/scale"): (200, scale(3))},
     "command": "scale deployment web --replicas=4 --current-replicas=2"},
    # -- rollout ------------------------------------------------------------------------------
    {"stem": "rollout_pause_already_paused", "objects": [deployment(paused=True)],
     "command": "rollout pause deployment/web"},
    {"stem": "rollout_resume_not_paused", "objects": [deployment()],
     "command": "rollout resume deployment/web"},
    {"stem": "rollout_pause", "objects": [deployment()],
     "scripted": {("PATCH", DEP): (200, deployment(paused=True))},
     "command": "rollout pause deployment/web"},
    {"stem": "rollout_history", "objects": [deployment(revision=2), *RSS],
     "command": "rollout history deployment/web"},
    {"stem": "rollout_undo_missing_revision", "objects": [deployment(revision=2), *RSS],
     "command": "rollout undo deployment/web --to-revision=5"},
    {"stem": "rollout_status_done", "objects": [deployment(status=DONE)],
     "command": "rollout status deployment/web"},
    {"stem": "rollout_status_no_watch", "objects": [deployment(status=HALF)],
     "command": "rollout status deployment/web --watch=false"},
    {"stem": "rollout_bare", "command": "rollout"},
    # -- set image ----------------------------------------------------------------------------
    {"stem": "set_image_unknown_container", "objects": [deployment()],
     "command": "set image deployment/web x=nginx:1.27"},
    {"stem": "set_image", "objects": [deployment()],
     "scripted": {("PATCH", DEP): (200, deployment())},
     "command": "set image deployment/web nginx=nginx:1.27"},
    {"stem": "set_bare", "command": "set"},
    # -- cordon / taint / drain ---------------------------------------------------------------
    {"stem": "cordon", "objects": [node()], "scripted": {("PATCH", NODE): (200, node(unschedulable=True))},
     "command": "cordon node-1"},
    {"stem": "cordon_already", "objects": [node(unschedulable=True)], "command": "cordon node-1"},
    {"stem": "uncordon_already", "objects": [node()], "command": "uncordon node-1"},
    {"stem": "taint_add", "objects": [node()], "scripted": {("PATCH", NODE): (200, node())},
     "command": "taint nodes node-1 dedicated=special:NoSchedule"},
    {"stem": "taint_existing", "objects": [node(taints=[{"key": "dedicated", "value": "a", "effect": "NoSchedule"}])],
     "command": "taint nodes node-1 dedicated=b:NoSchedule"},
    {"stem": "taint_remove", "objects": [node(taints=[{"key": "dedicated", "value": "a", "effect": "NoSchedule"}])],
     "scripted": {("PATCH", NODE): (200, node())}, "command": "taint node node-1 dedicated:NoSchedule-"},
    {"stem": "taint_remove_missing", "objects": [node()], "command": "taint nodes node-1 dedicated-"},
    {"stem": "taint_bad_effect", "objects": [node()], "command": "taint nodes node-1 a=b:Sometimes"},
    {"stem": "taint_no_effect", "objects": [node()], "command": "taint nodes node-1 a=b"},
    {"stem": "taint_duplicate", "objects": [node()], "command": "taint nodes node-1 a=b:NoSchedule a=c:NoSchedule"},
    {"stem": "drain_unmanaged_pod", "objects": [node(), pod("solo")],
     "scripted": {("PATCH", NODE): (200, node(unschedulable=True))}, "command": "drain node-1"},
    {"stem": "drain_dry_run", "objects": [node(), pod("web-abc", owner=("ReplicaSet", "web-1"))],
     "command": "drain node-1 --dry-run=client"},
    {"stem": "drain_force_dry_run", "objects": [node(), pod("solo")],
     "command": "drain node-1 --force --dry-run=client"},
    {"stem": "drain_emptydir", "objects": [node(), pod("cache", owner=("ReplicaSet", "c-1"),
                                                      volumes=[{"name": "v", "emptyDir": {}}])],
     "scripted": {("PATCH", NODE): (200, node(unschedulable=True))}, "command": "drain node-1"},
    # -- logs ---------------------------------------------------------------------------------
    {"stem": "logs_pod", "objects": [pod("web")],
     "scripted": {("GET", "/api/v1/namespaces/default/pods/web/log"): (200, "hello\nworld\n")},
     "logs": {"web": "hello\nworld\n"}, "command": "logs web"},
    {"stem": "logs_default_container", "objects": [pod("web", containers=("a", "b"))],
     "scripted": {("GET", "/api/v1/namespaces/default/pods/web/log"): (200, "from a\n")},
     "logs": {"web": "from a\n"}, "command": "logs web"},
    {"stem": "logs_deployment_picks_a_pod", "objects": [
        deployment(),
        pod("web-young", labels={"app": "web"}, ready_since="2025-01-01T00:05:00Z", created="2025-01-01T00:04:00Z"),
        pod("web-old", labels={"app": "web"}, ready_since="2025-01-01T00:01:00Z"),
        pod("web-pending", labels={"app": "web"}, node="", phase="Pending")],
     "scripted": {("GET", "/api/v1/namespaces/default/pods/web-old/log"): (200, "old\n")},
     "logs": {"web-old": "old\n"}, "command": "logs deployment/web"},
    # -- top ----------------------------------------------------------------------------------
    {"stem": "top_no_metrics_api", "objects": [node()], "command": "top node"},
    {"stem": "top_nodes", "objects": [node("node-1"), node("node-2"), node("node-3")], "metrics": True,
     "command": "top nodes"},
    {"stem": "top_pods", "objects": [pod("web-a"), pod("web-b")], "metrics": True, "command": "top pods"},
    {"stem": "top_pods_containers", "objects": [pod("web-a"), pod("web-b")], "metrics": True,
     "command": "top pod --containers"},
    {"stem": "top_bare", "command": "top"},
]
