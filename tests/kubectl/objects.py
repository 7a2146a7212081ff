"""Realistic Kubernetes objects for the printer tests, shaped exactly like API server output.

Every object carries what a real kube-apiserver returns: uid, resourceVersion,
creationTimestamp, managed labels, defaulted fields (dnsPolicy, restartPolicy,
terminationMessagePath, the kube-api-access projected volume, default tolerations, ...).

Time: objects are created relative to ``NOW`` (2025-01-02T00:00:00Z, one simulated day after
labkube's EPOCH). Ages are whole minutes plus 20 seconds so that golden files captured from the
real kubectl (whose clock is the wall clock, see ``oracle/capture.py``) do not depend on a
second of drift.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

EPOCH = 1735689600.0  # 2025-01-01T00:00:00Z
NOW = EPOCH + 86400.0  # 2025-01-02T00:00:00Z


def ts(seconds_ago: float) -> str:
    """RFC 3339 for ``NOW - seconds_ago``."""
    return datetime.fromtimestamp(NOW - seconds_ago, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def mts(seconds_ago: float) -> str:
    """RFC 3339 with microseconds (MicroTime) for ``NOW - seconds_ago``."""
    return datetime.fromtimestamp(NOW - seconds_ago, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


M, H, D = 60, 3600, 86400


def _meta(name, ns="default", ago=15 * M + 20, uid_n=1, rv=1000, **extra):
    meta = {
        "creationTimestamp": ts(ago),
        "name": name,
        "resourceVersion": str(rv),
        "uid": f"{uid_n:08x}-6b1f-4c2e-9a3d-{uid_n:012x}",
    }
    if ns is not None:
        meta["namespace"] = ns
    meta.update(extra)
    return meta


# --- cluster-scoped --------------------------------------------------------------------------


def namespace(name="default", ago=1 * D - 40, phase="Active", labels=None):
    labels = {"kubernetes.io/metadata.name": name, **(labels or {})}
    return {
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": _meta(name, None, ago, uid_n=10 + len(name), rv=20, labels=labels),
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": phase},
    }


def node(name="node-1", ago=1 * D - 40, ready=True, roles=(), unschedulable=False, ip="172.18.0.2", n=1):
    labels = {
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
    }
    for role in roles:
        labels[f"node-role.kubernetes.io/{role}"] = ""
    taints = []
    if unschedulable:
        taints.append({"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable",
                       "timeAdded": ts(2 * H + 20)})
    spec = {"podCIDR": f"10.244.{n - 1}.0/24", "podCIDRs": [f"10.244.{n - 1}.0/24"],
            "providerID": f"labkube://{name}"}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    ready_cond = {
        "lastHeartbeatTime": ts(40), "lastTransitionTime": ts(1 * D - 100),
        "message": "kubelet is posting ready status", "reason": "KubeletReady",
        "status": "True", "type": "Ready",
    }
    if not ready:
        ready_cond = {
            "lastHeartbeatTime": ts(10 * M + 20), "lastTransitionTime": ts(5 * M + 20),
            "message": "Kubelet stopped posting node status.", "reason": "NodeStatusUnknown",
            "status": "Unknown", "type": "Ready",
        }
    conditions = [
        {"lastHeartbeatTime": ts(40), "lastTransitionTime": ts(1 * D - 100),
         "message": "kubelet has sufficient memory available", "reason": "KubeletHasSufficientMemory",
         "status": "False", "type": "MemoryPressure"},
        {"lastHeartbeatTime": ts(40), "lastTransitionTime": ts(1 * D - 100),
         "message": "kubelet has no disk pressure", "reason": "KubeletHasNoDiskPressure",
         "status": "False", "type": "DiskPressure"},
        {"lastHeartbeatTime": ts(40), "lastTransitionTime": ts(1 * D - 100),
         "message": "kubelet has sufficient PID available", "reason": "KubeletHasSufficientPID",
         "status": "False", "type": "PIDPressure"},
        ready_cond,
    ]
    resources = {"cpu": "4", "ephemeral-storage": "102625208Ki", "hugepages-1Gi": "0",
                 "hugepages-2Mi": "0", "memory": "16364772Ki", "pods": "110"}
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": _meta(name, None, ago, uid_n=100 + n, rv=500 + n, labels=labels, annotations={
            "node.alpha.kubernetes.io/ttl": "0",
            "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        }),
        "spec": spec,
        "status": {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "allocatable": dict(resources), "capacity": dict(resources),
            "conditions": conditions,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64", "bootID": f"b00{n}d1d0-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.8.0-49-generic", "kubeProxyVersion": "v1.32.0",
                "kubeletVersion": "v1.32.0", "machineID": f"{n:032x}",
                "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": f"{n:08x}-0000-4000-8000-000000000000",
            },
        },
    }


# --- pods ------------------------------------------------------------------------------------

DEFAULT_TOLERATIONS = [
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
     "tolerationSeconds": 300},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
     "tolerationSeconds": 300},
]


def _container(name="nginx", image="nginx:1.27", ports=(80,), **extra):
    container = {
        "image": image, "imagePullPolicy": "IfNotPresent", "name": name,
        "resources": {}, "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                          "name": "kube-api-access-5x7vq", "readOnly": True}],
    }
    if ports:
        container["ports"] = [{"containerPort": p, "protocol": "TCP"} for p in ports]
    container.update(extra)
    return container


def _api_access_volume():
    return {
        "name": "kube-api-access-5x7vq",
        "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                        "path": "namespace"}]}},
        ]},
    }


def _pod_spec(containers, node_name=None, init_containers=None):
    spec = {
        "containers": containers, "dnsPolicy": "ClusterFirst", "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority", "priority": 0, "restartPolicy": "Always",
        "schedulerName": "default-scheduler", "securityContext": {},
        "serviceAccount": "default", "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30, "tolerations": copy.deepcopy(DEFAULT_TOLERATIONS),
        "volumes": [_api_access_volume()],
    }
    if node_name:
        spec["nodeName"] = node_name
    if init_containers:
        spec["initContainers"] = init_containers
    return spec


def _conditions(scheduled=True, initialized=True, ready=True, ago=15 * M):
    status = {True: "True", False: "False"}
    conds = [
        {"lastProbeTime": None, "lastTransitionTime": ts(ago - 4), "status": status[ready],
         "type": "PodReadyToStartContainers"},
        {"lastProbeTime": None, "lastTransitionTime": ts(ago), "status": status[initialized],
         "type": "Initialized"},
        {"lastProbeTime": None, "lastTransitionTime": ts(ago - 5), "status": status[ready], "type": "Ready"},
        {"lastProbeTime": None, "lastTransitionTime": ts(ago - 5), "status": status[ready],
         "type": "ContainersReady"},
        {"lastProbeTime": None, "lastTransitionTime": ts(ago), "status": status[scheduled],
         "type": "PodScheduled"},
    ]
    if not ready:
        for cond in conds:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond["reason"] = "ContainersNotReady"
                cond["message"] = "containers with unready status: [nginx]"
    return conds


def _owner(kind, name, uid_n):
    return [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
             "kind": kind, "name": name, "uid": f"{uid_n:08x}-6b1f-4c2e-9a3d-{uid_n:012x}"}]


RS_HASH = "7c5ddbdf54"


def running_pod(name=f"web-{RS_HASH}-x2kq9", ago=15 * M + 20, node_name="node-1", ip="10.244.0.5",
                uid_n=201, owned=True, restarts=0):
    meta = _meta(name, "default", ago, uid_n=uid_n, rv=1200 + uid_n,
                 labels={"app": "web", "pod-template-hash": RS_HASH})
    if owned:
        meta["generateName"] = f"web-{RS_HASH}-"
        meta["ownerReferences"] = _owner("ReplicaSet", f"web-{RS_HASH}", 31)
    cstatus = {
        "containerID": f"containerd://{uid_n:064x}", "image": "docker.io/library/nginx:1.27",
        "imageID": "docker.io/library/nginx@sha256:" + "ab" * 32, "lastState": {},
        "name": "nginx", "ready": True, "restartCount": restarts, "started": True,
        "state": {"running": {"startedAt": ts(ago - 10)}},
        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                          "name": "kube-api-access-5x7vq", "readOnly": True, "recursiveReadOnly": "Disabled"}],
    }
    if restarts:
        cstatus["lastState"] = {"terminated": {
            "containerID": f"containerd://{uid_n + 1:064x}", "exitCode": 137, "finishedAt": ts(12 * M + 20),
            "reason": "OOMKilled", "startedAt": ts(14 * M + 20)}}
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": meta,
        "spec": _pod_spec([_container()], node_name),
        "status": {
            "conditions": _conditions(ago=ago - 1), "containerStatuses": [cstatus],
            "hostIP": "172.18.0.2", "hostIPs": [{"ip": "172.18.0.2"}], "phase": "Running",
            "podIP": ip, "podIPs": [{"ip": ip}], "qosClass": "BestEffort", "startTime": ts(ago - 1),
        },
    }


def pending_pod(name="big", ago=12 * M + 20):
    container = _container("app", "busybox:1.36", ports=(), command=["sleep", "3600"],
                           resources={"limits": {"cpu": "8", "memory": "64Gi"},
                                      "requests": {"cpu": "8", "memory": "64Gi"}})
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": _meta(name, "default", ago, uid_n=202, rv=1302, labels={"run": name}),
        "spec": _pod_spec([container]),
        "status": {
            "conditions": [{
                "lastProbeTime": None, "lastTransitionTime": ts(ago),
                "message": "0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory. "
                           "preemption: 0/3 nodes are available: 3 No preemption victims found for "
                           "incoming pod.",
                "reason": "Unschedulable", "status": "False", "type": "PodScheduled"}],
            "phase": "Pending", "qosClass": "Guaranteed",
        },
    }


def crashloop_pod(name="crashy", ago=25 * M + 20):
    container = _container("app", "busybox:1.36", ports=(), command=["sh", "-c", "echo boom; exit 1"],
                           env=[{"name": "MODE", "value": "crash"},
                                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                                "fieldPath": "metadata.name"}}}],
                           resources={"requests": {"cpu": "100m", "memory": "64Mi"}})
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": _meta(name, "default", ago, uid_n=203, rv=1403, labels={"run": name}),
        "spec": _pod_spec([container], "node-2"),
        "status": {
            "conditions": _conditions(ready=False, ago=ago - 1),
            "containerStatuses": [{
                "containerID": f"containerd://{203:064x}", "image": "docker.io/library/busybox:1.36",
                "imageID": "docker.io/library/busybox@sha256:" + "cd" * 32,
                "lastState": {"terminated": {
                    "containerID": f"containerd://{204:064x}", "exitCode": 1, "finishedAt": ts(2 * M + 20),
                    "reason": "Error", "startedAt": ts(2 * M + 21)}},
                "name": "app", "ready": False, "restartCount": 5, "started": False,
                "state": {"waiting": {
                    "message": "back-off 2m40s restarting failed container=app pod=crashy_default(00000cb)",
                    "reason": "CrashLoopBackOff"}},
            }],
            "hostIP": "172.18.0.3", "hostIPs": [{"ip": "172.18.0.3"}], "phase": "Running",
            "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}], "qosClass": "Burstable",
            "startTime": ts(ago - 1),
        },
    }


def init_pod(name="init-demo", ago=11 * M + 20):
    init = _container("install", "busybox:1.36", ports=(), command=["wget", "-O", "/work-dir/index.html",
                                                                    "http://info.cern.ch"])
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": _meta(name, "default", ago, uid_n=205, rv=1505),
        "spec": _pod_spec([_container()], "node-1", init_containers=[init]),
        "status": {
            "conditions": _conditions(initialized=False, ready=False, ago=ago - 1),
            "initContainerStatuses": [{
                "containerID": f"containerd://{205:064x}", "image": "docker.io/library/busybox:1.36",
                "imageID": "", "lastState": {}, "name": "install", "ready": False, "restartCount": 0,
                "started": True, "state": {"running": {"startedAt": ts(ago - 5)}}}],
            "containerStatuses": [{
                "image": "nginx:1.27", "imageID": "", "lastState": {}, "name": "nginx", "ready": False,
                "restartCount": 0, "started": False, "state": {"waiting": {"reason": "PodInitializing"}}}],
            "hostIP": "172.18.0.2", "hostIPs": [{"ip": "172.18.0.2"}], "phase": "Pending",
            "podIP": "10.244.0.9", "podIPs": [{"ip": "10.244.0.9"}], "qosClass": "BestEffort",
            "startTime": ts(ago - 1),
        },
    }


def with_state(pod: dict, state: dict, phase: str, ready=False, last_state=None, restarts=0,
               deletion=None, reason=None) -> dict:
    """A copy of ``pod`` whose single container has ``state`` (for STATUS column cases)."""
    pod = copy.deepcopy(pod)
    cstatus = pod["status"]["containerStatuses"][0]
    cstatus["state"], cstatus["ready"], cstatus["restartCount"] = state, ready, restarts
    cstatus["lastState"] = last_state or {}
    pod["status"]["phase"] = phase
    if deletion:
        pod["metadata"]["deletionTimestamp"] = deletion
        pod["metadata"]["deletionGracePeriodSeconds"] = 30
    if reason:
        pod["status"]["reason"] = reason
    return pod


# --- workloads -------------------------------------------------------------------------------


def _template(labels, image="nginx:1.27"):
    return {
        "metadata": {"creationTimestamp": None, "labels": labels},
        "spec": {
            "containers": [{"image": image, "imagePullPolicy": "IfNotPresent", "name": "nginx",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}], "resources": {},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File"}],
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {}, "terminationGracePeriodSeconds": 30,
        },
    }


def deployment(name="web", replicas=3, ready=3, ago=15 * M + 20):
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": _meta(name, "default", ago, uid_n=30, rv=1600, generation=1, labels={"app": name},
                          annotations={"deployment.kubernetes.io/revision": "1"}),
        "spec": {
            "progressDeadlineSeconds": 600, "replicas": replicas, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": name}},
            "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
            "template": _template({"app": name}),
        },
        "status": {
            "availableReplicas": ready,
            "conditions": [
                {"lastTransitionTime": ts(ago - 12), "lastUpdateTime": ts(ago - 12),
                 "message": "Deployment has minimum availability.", "reason": "MinimumReplicasAvailable",
                 "status": "True", "type": "Available"},
                {"lastTransitionTime": ts(ago), "lastUpdateTime": ts(ago - 12),
                 "message": f'ReplicaSet "{name}-{RS_HASH}" has successfully progressed.',
                 "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"},
            ],
            "observedGeneration": 1, "readyReplicas": ready, "replicas": replicas, "updatedReplicas": replicas,
        },
    }


def replicaset(name=f"web-{RS_HASH}", replicas=3, ready=3, ago=15 * M + 20):
    labels = {"app": "web", "pod-template-hash": RS_HASH}
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": _meta(name, "default", ago, uid_n=31, rv=1601, generation=1, labels=labels,
                          annotations={"deployment.kubernetes.io/desired-replicas": str(replicas),
                                       "deployment.kubernetes.io/max-replicas": "4",
                                       "deployment.kubernetes.io/revision": "1"},
                          ownerReferences=_owner("Deployment", "web", 30)),
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": _template(labels)},
        "status": {"availableReplicas": ready, "fullyLabeledReplicas": replicas, "observedGeneration": 1,
                   "readyReplicas": ready, "replicas": replicas},
    }


# --- services and networking -----------------------------------------------------------------


def service(name="web", svc_type="ClusterIP", cluster_ip="10.96.120.15", ports=None, ago=14 * M + 20,
            selector=None, uid_n=40, lb_ingress=None):
    ports = ports or [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80}]
    spec = {
        "clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "ports": ports,
        "selector": selector if selector is not None else {"app": name},
        "sessionAffinity": "None", "type": svc_type,
    }
    if not spec["selector"]:
        del spec["selector"]
    if svc_type in ("NodePort", "LoadBalancer"):
        spec["externalTrafficPolicy"] = "Cluster"
    if svc_type == "LoadBalancer":
        spec["allocateLoadBalancerNodePorts"] = True
    status = {"loadBalancer": {"ingress": lb_ingress} if lb_ingress else {}}
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": _meta(name, "default", ago, uid_n=uid_n, rv=1700 + uid_n, labels={"app": name}
                              if name != "kubernetes" else {"component": "apiserver", "provider": "kubernetes"}),
            "spec": spec, "status": status}


def kubernetes_service():
    svc = service("kubernetes", cluster_ip="10.96.0.1", ago=1 * D - 40, selector={}, uid_n=41,
                  ports=[{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}])
    return svc


def endpoints(name="web", ips=("10.244.0.5", "10.244.1.6", "10.244.2.4"), not_ready=(), ago=14 * M + 20):
    subset = {"addresses": [{"ip": ip, "nodeName": f"node-{i + 1}",
                             "targetRef": {"kind": "Pod", "name": f"web-{RS_HASH}-p{i}", "namespace": "default",
                                           "uid": f"0000{i}"}} for i, ip in enumerate(ips)],
              "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": _meta(name, "default", ago, uid_n=42, rv=1800, labels={"app": name}),
            "subsets": [subset] if ips or not_ready else None}


def endpoint_slice(name="web-abc12", ago=14 * M + 20):
    return {"addressType": "IPv4", "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True, "serving": True, "terminating": False},
                           "nodeName": f"node-{i + 1}", "targetRef": {"kind": "Pod", "name": f"web-p{i}",
                                                                      "namespace": "default"}}
                          for i, ip in enumerate(["10.244.0.5", "10.244.1.6", "10.244.2.4", "10.244.2.9"])],
            "metadata": _meta(name, "default", ago, uid_n=43, rv=1801, generateName="web-",
                              labels={"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                                      "kubernetes.io/service-name": "web"}),
            "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}


def ingress(name="web", ago=13 * M + 20):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": _meta(name, "default", ago, uid_n=44, rv=1900, generation=1),
            "spec": {"ingressClassName": "nginx", "rules": [
                {"host": "web.example.com", "http": {"paths": [
                    {"backend": {"service": {"name": "web", "port": {"number": 80}}}, "path": "/",
                     "pathType": "Prefix"}]}}],
                "tls": [{"hosts": ["web.example.com"], "secretName": "web-tls"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "172.18.0.100"}]}}}


def ingress_class(name="nginx", ago=1 * D - 40):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": _meta(name, None, ago, uid_n=45, rv=60, generation=1,
                              annotations={"ingressclass.kubernetes.io/is-default-class": "true"}),
            "spec": {"controller": "k8s.io/ingress-nginx"}}


# --- config, identity, coordination ----------------------------------------------------------


def configmap(name="app-config", ago=20 * M + 20):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "data": {"game.properties": "enemies=aliens\nlives=3\n", "mode": "debug", "port": "8080"},
            "metadata": _meta(name, "default", ago, uid_n=50, rv=2000)}


def secret(name="db-pass", ago=20 * M + 20):
    return {"apiVersion": "v1", "kind": "Secret",
            "data": {"password": "MWYyZDFlMmU2N2Rm", "username": "YWRtaW4="},
            "metadata": _meta(name, "default", ago, uid_n=51, rv=2001), "type": "Opaque"}


def service_account(name="default", ago=1 * D - 40):
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name, "default", ago, uid_n=52, rv=70)}


def lease(name="node-1", ago=1 * D - 40):
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": _meta(name, "kube-node-lease", ago, uid_n=53, rv=2100,
                              ownerReferences=[{"apiVersion": "v1", "kind": "Node", "name": name,
                                                "uid": f"{101:08x}-6b1f-4c2e-9a3d-{101:012x}"}]),
            "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": mts(30)}}


def role(name="pod-reader", ago=30 * M + 20):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": _meta(name, "default", ago, uid_n=54, rv=2200),
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "watch", "list"]},
                      {"apiGroups": ["apps"], "resources": ["deployments", "replicasets"], "verbs": ["get"]}]}


def cluster_role(name="secret-reader", ago=30 * M + 20):
    obj = role(name, ago)
    obj["kind"] = "ClusterRole"
    del obj["metadata"]["namespace"]
    obj["rules"] = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "watch", "list"]},
                    {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]
    return obj


def role_binding(name="read-pods", ago=29 * M + 20):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": _meta(name, "default", ago, uid_n=55, rv=2300),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"},
                         {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "devs"},
                         {"kind": "ServiceAccount", "name": "default", "namespace": "default"}]}


def cluster_role_binding(name="read-secrets-global", ago=29 * M + 20):
    obj = role_binding(name, ago)
    obj["kind"] = "ClusterRoleBinding"
    del obj["metadata"]["namespace"]
    obj["roleRef"] = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "secret-reader"}
    obj["subjects"] = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "manager"}]
    return obj


# --- events ----------------------------------------------------------------------------------


def event(name, obj, reason, message, etype="Normal", component="kubelet", first=15 * M + 20, last=None,
          count=1, host="", field_path="", uid_n=60):
    meta = obj["metadata"]
    involved = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": meta["name"],
                "namespace": meta.get("namespace", "default"), "resourceVersion": meta["resourceVersion"],
                "uid": meta["uid"]}
    if field_path:
        involved["fieldPath"] = field_path
    source = {"component": component}
    if host:
        source["host"] = host
    return {"apiVersion": "v1", "kind": "Event", "count": count, "eventTime": None,
            "firstTimestamp": ts(first), "involvedObject": involved,
            "lastTimestamp": ts(last if last is not None else first),
            "message": message, "metadata": _meta(name, meta.get("namespace", "default"), first, uid_n=uid_n,
                                                  rv=3000 + uid_n),
            "reason": reason, "reportingComponent": component, "reportingInstance": host, "source": source,
            "type": etype}


def pod_events(pod: dict) -> list[dict]:
    name = pod["metadata"]["name"]
    node_name = pod["spec"].get("nodeName", "node-1")
    return [
        event(f"{name}.181a0b1c2d3e4f01", pod, "Scheduled",
              f"Successfully assigned default/{name} to {node_name}", component="default-scheduler",
              first=15 * M + 20, uid_n=61),
        event(f"{name}.181a0b1c2d3e4f02", pod, "Pulled",
              'Container image "nginx:1.27" already present on machine', first=15 * M + 10,
              host=node_name, field_path="spec.containers{nginx}", uid_n=62),
        event(f"{name}.181a0b1c2d3e4f03", pod, "Created", "Created container: nginx", first=15 * M + 10,
              host=node_name, field_path="spec.containers{nginx}", uid_n=63),
        event(f"{name}.181a0b1c2d3e4f04", pod, "Started", "Started container nginx", first=15 * M + 10,
              host=node_name, field_path="spec.containers{nginx}", uid_n=64),
    ]


def crashloop_events(pod: dict) -> list[dict]:
    name = pod["metadata"]["name"]
    return [
        event(f"{name}.181a0b1c2d3e5f01", pod, "Scheduled", f"Successfully assigned default/{name} to node-2",
              component="default-scheduler", first=25 * M + 20, uid_n=71),
        event(f"{name}.181a0b1c2d3e5f02", pod, "Pulled", 'Container image "busybox:1.36" already present on machine',
              first=25 * M + 10, last=2 * M + 30, count=6, host="node-2", field_path="spec.containers{app}", uid_n=72),
        event(f"{name}.181a0b1c2d3e5f03", pod, "BackOff", "Back-off restarting failed container app in pod "
              "crashy_default(00000cb)", etype="Warning", first=24 * M + 20, last=40, count=110,
              host="node-2", field_path="spec.containers{app}", uid_n=73),
    ]


def scheduling_event(pod: dict) -> dict:
    return event(f"{pod['metadata']['name']}.181a0b1c2d3e6f01", pod, "FailedScheduling",
                 pod["status"]["conditions"][0]["message"], etype="Warning",
                 component="default-scheduler", first=12 * M + 20, last=2 * M + 20, count=4, uid_n=81)


def events_k8s_io_event(name="web.182", ago=14 * M + 20):
    """The same kind of event seen through events.k8s.io/v1 (regarding/note/reportingController)."""
    return {"apiVersion": "events.k8s.io/v1", "kind": "Event", "action": "Binding",
            "deprecatedCount": 1, "deprecatedFirstTimestamp": ts(ago), "deprecatedLastTimestamp": ts(ago),
            "deprecatedSource": {"component": "default-scheduler"}, "eventTime": None,
            "metadata": _meta(name, "default", ago, uid_n=91, rv=3091),
            "note": "Successfully assigned default/web-1 to node-1", "reason": "Scheduled",
            "regarding": {"apiVersion": "v1", "kind": "Pod", "name": "web-1", "namespace": "default",
                          "resourceVersion": "1234", "uid": "00000201"},
            "reportingController": "default-scheduler", "reportingInstance": "", "type": "Normal"}


# --- a zoo of pod states and service types (namespace "zoo") -----------------------------------


def _zoo(pod: dict, name: str, uid_n: int, ago: float) -> dict:
    pod = copy.deepcopy(pod)
    pod["metadata"].update(name=name, namespace="zoo", uid=f"{uid_n:08x}-6b1f-4c2e-9a3d-{uid_n:012x}",
                           creationTimestamp=ts(ago), labels={"zoo": name})
    pod["metadata"].pop("ownerReferences", None)
    pod["metadata"].pop("generateName", None)
    pod["spec"]["nodeName"] = "node-2"
    return pod


def status_zoo() -> list[dict]:
    """Pods in every STATUS the printers know, and Services of every type, in namespace ``zoo``."""
    base = running_pod()
    term = lambda reason, code, **kw: {"terminated": {"exitCode": code, "reason": reason,  # noqa: E731
                                                      "startedAt": ts(40 * M + 20), "finishedAt": ts(35 * M + 20), **kw}}
    pods = [
        _zoo(with_state(base, term("Completed", 0), "Succeeded"), "done", 401, 45 * M + 20),
        _zoo(with_state(base, term("Error", 2), "Failed"), "failed", 402, 3 * H + 5 * M + 20),
        _zoo(with_state(base, term("OOMKilled", 137), "Running",
                        last_state={"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                                   "finishedAt": ts(2 * H + 20)}}, restarts=1),
             "oom", 403, 9 * H + 20),
        _zoo(with_state(base, {"waiting": {"reason": "ContainerCreating"}}, "Pending"), "creating", 404, 10 * M + 20),
        _zoo(with_state(base, {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}},
                        "Pending"), "badimage", 405, 2 * D + 20),
        _zoo(with_state(base, {"running": {"startedAt": ts(20 * M)}}, "Running", ready=True,
                        deletion=ts(-30)), "leaving", 406, 8 * D + 3 * H + 20),
        _zoo(with_state(base, {"running": {"startedAt": ts(20 * M)}}, "Running", ready=True,
                        deletion=ts(5 * M + 20), reason="NodeLost"), "lost", 407, 400 * D + 20),
        _zoo(with_state(base, term("", 3), "Failed"), "exitcode", 408, 3 * 365 * D + 20),
        _zoo(with_state(base, term("", 0, signal=9), "Failed"), "signalled", 409, 9 * 365 * D + 20),
    ]
    gated = _zoo(pending_pod(), "gated", 410, 30 * M + 20)
    gated["spec"]["schedulingGates"] = [{"name": "example.com/gate"}]
    gated["status"]["conditions"] = [{"lastProbeTime": None, "lastTransitionTime": ts(30 * M),
                                      "message": "Scheduling is blocked due to non-empty scheduling gates",
                                      "reason": "SchedulingGated", "status": "False", "type": "PodScheduled"}]
    pods.append(gated)
    init_fail = _zoo(init_pod(), "init-fail", 411, 12 * M + 20)
    init_fail["status"]["initContainerStatuses"][0]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    init_fail["status"]["initContainerStatuses"][0]["restartCount"] = 4
    init_fail["status"]["initContainerStatuses"][0]["lastState"] = term("Error", 1)
    pods.append(init_fail)
    two = _zoo(base, "two-containers", 412, 17 * M + 20)
    sidecar = copy.deepcopy(two["spec"]["containers"][0])
    sidecar["name"] = "sidecar"
    two["spec"]["containers"].append(sidecar)
    second = copy.deepcopy(two["status"]["containerStatuses"][0])
    second.update(name="sidecar", ready=False, state={"waiting": {"reason": "CrashLoopBackOff"}}, restartCount=7,
                  lastState={"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ts(4 * M + 20)}})
    two["status"]["containerStatuses"].append(second)
    pods.append(two)
    gates = _zoo(base, "gates", 413, 16 * M + 20)
    gates["spec"]["readinessGates"] = [{"conditionType": "example.com/ready"}]
    gates["status"]["nominatedNodeName"] = "node-3"
    pods.append(gates)
    services = [
        dict(service("np", "NodePort", "10.96.7.7", uid_n=420,
                     ports=[{"name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 8080},
                            {"name": "dns", "nodePort": 30053, "port": 53, "protocol": "UDP", "targetPort": 53}])),
        service("lb-pending", "LoadBalancer", "10.96.8.8", uid_n=421,
                ports=[{"name": "http", "nodePort": 31000, "port": 80, "protocol": "TCP", "targetPort": 80}]),
        service("lb", "LoadBalancer", "10.96.9.9", uid_n=422,
                ports=[{"port": 443, "nodePort": 31443, "protocol": "TCP", "targetPort": 8443}],
                lb_ingress=[{"ip": "203.0.113.10", "ipMode": "VIP"},
                            {"hostname": "a-very-long-load-balancer-name.example.com"}]),
        service("headless", "ClusterIP", "None", uid_n=423, ports=[{"port": 5432, "protocol": "TCP", "targetPort": 5432}]),
    ]
    ext = service("external", "ExternalName", "", uid_n=424, selector={})
    ext["spec"] = {"externalName": "db.example.com", "sessionAffinity": "None", "type": "ExternalName"}
    services.append(ext)
    for svc in services:
        svc["metadata"]["namespace"] = "zoo"
    return [namespace("zoo", ago=2 * D + 20), *pods, *services]


def cluster_objects() -> list[dict]:
    """Every fixture object, in the order the fake API server lists them for the goldens."""
    web = running_pod()
    crashy, pending, init = crashloop_pod(), pending_pod(), init_pod()
    return [
        namespace("default"), namespace("kube-system"),
        node("node-1", roles=("control-plane",), n=1), node("node-2", ip="172.18.0.3", n=2),
        lease("node-1"),
        web, crashy, pending, init,
        deployment(), replicaset(),
        service(), kubernetes_service(), endpoints(),
        configmap(), secret(), service_account(), ingress(), ingress_class(),
        role(), cluster_role(), role_binding(), cluster_role_binding(),
        endpoint_slice(),
        *pod_events(web), *crashloop_events(crashy), scheduling_event(pending),
        *status_zoo(),
    ]
