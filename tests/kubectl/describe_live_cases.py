"""Live-cluster scenarios whose objects ``kubectl describe`` is checked on, against the real kubectl.

Each scenario builds a labkube cluster (3 nodes, seed 0, simulated clock), drives it into the
states a student meets — the Kubernetes docs' own manifests (``../shared/conformance/k8s-docs``)
run until the state their page describes, rollouts, Services of every type, failed and cordoned
nodes, RBAC — and is then snapshotted: every object of every served resource, as the API
server lists it. ``capture_describe_live.py`` serves a snapshot to the REAL kubectl 1.32 and
stores what ``kubectl describe`` printed for each object; ``test_describe_live_oracle.py`` runs
labkube's ``kubectl describe`` on the same snapshot and compares byte for byte.

A scenario describes every object it made (``targets``), the Nodes and the ``default``
Namespace; objects a fresh cluster already holds are described once, by ``fresh_cluster``;
Events only where asked for (``describe_events``: in both core/v1 and events.k8s.io shape).
The snapshot's ``now`` is the cluster clock's: kubectl's ages are computed from it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import labkube
from labkube.kubectl import run
from tests.conftest import CONFORMANCE

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
GOLDEN = Path(__file__).resolve().parent / "golden_describe_live"
FRESH = "fresh_cluster"


@dataclass(frozen=True)
class Scenario:
    """``build`` drives a fresh cluster into the state; ``extra`` names objects described besides
    the scenario's own (``(resource, name, namespace)``); ``everything`` describes every object;
    ``commands`` are further describe command lines (several objects, prefixes, selectors)."""

    stem: str
    build: Callable[[labkube.Cluster], None]
    extra: tuple[tuple[str, str, str], ...] = ()
    everything: bool = False
    describe_events: bool = False
    commands: tuple[str, ...] = ()


def docs(cluster: labkube.Cluster, *files: str) -> None:
    for file in files:
        cluster.apply(str(CONFORMANCE / file))


def kubectl(cluster: labkube.Cluster, *commands: str) -> None:
    for command in commands:
        result = run(cluster, command)
        if result.exit_code:
            raise RuntimeError(f"kubectl {command}: {result}")


# -- pods ------------------------------------------------------------------------------------------

def running_deployment(cluster):
    docs(cluster, "controllers/nginx-deployment.yaml")
    cluster.run(60)


def completed_and_multi_container_pods(cluster):
    docs(cluster, "pods/commands.yaml", "pods/two-container-pod.yaml", "pods/lifecycle-events.yaml",
         "application/shell-demo.yaml")
    cluster.run(45)


def memory_limits(cluster):
    """Running within its limit, OOMKilled over it, Pending for want of memory."""
    kubectl(cluster, "create namespace mem-example")
    docs(cluster, "pods/resource/memory-request-limit.yaml", "pods/resource/memory-request-limit-2.yaml",
         "pods/resource/memory-request-limit-3.yaml")
    cluster.run(90)


def qos_and_cpu(cluster):
    kubectl(cluster, "create namespace qos-example", "create namespace cpu-example")
    docs(cluster, "pods/qos/qos-pod.yaml", "pods/qos/qos-pod-2.yaml", "pods/resource/cpu-request-limit.yaml")
    cluster.run(30)


def crash_loop_and_bad_image(cluster):
    cluster.run(1)  # the ServiceAccount controller makes "default"
    kubectl(cluster, "run crashy --image=busybox:1.36 -- /bin/sh -c 'echo starting; exit 3'",
            "run broken --image=nginx:does-not-exist",
            "create deployment stuck --image=nginx:no-such-tag --replicas=2")
    cluster.run(150)


def unschedulable_pods(cluster):
    """A node selector nobody matches, pod affinity with no partner, a missing claim."""
    docs(cluster, "pods/pod-nginx.yaml", "pods/pod-with-pod-affinity.yaml",
         "application/mysql/mysql-deployment.yaml")
    cluster.run(40)


INIT_WAITING = """
apiVersion: v1
kind: Pod
metadata:
  name: shop-frontend
  labels: {app: shop}
spec:
  initContainers:
  - name: wait-for-catalog
    image: busybox:1.36
    command: [sh, -c, "until nslookup catalog; do echo no catalog yet; sleep 2; done"]
  - name: wait-for-orders
    image: busybox:1.36
    command: [sh, -c, "until nslookup orders; do echo no orders yet; sleep 2; done"]
  containers:
  - name: shop
    image: nginx:1.27
"""


def init_containers(cluster):
    """The docs' init-demo done and serving; a pod whose init containers wait for Services."""
    docs(cluster, "pods/init-containers.yaml")
    cluster.apply(INIT_WAITING)
    cluster.run(40)


def probes(cluster):
    docs(cluster, "pods/probe/exec-liveness.yaml", "pods/probe/http-liveness.yaml",
         "pods/probe/tcp-liveness-readiness.yaml")
    cluster.run(75)


def config_and_secrets(cluster):
    """ConfigMaps and Secrets as env, envFrom and volumes; pods waiting for a missing ConfigMap."""
    docs(cluster, "pods/inject/envars.yaml", "pods/inject/secret.yaml", "pods/inject/secret-envars-pod.yaml",
         "pods/inject/secret-pod.yaml", "pods/inject/dapi-envars-pod.yaml",
         "pods/config/example-redis-config.yaml", "pods/config/redis-pod.yaml",
         "pods/pod-configmap-envFrom.yaml")
    cluster.run(30)


def configmap_volume_missing(cluster):
    docs(cluster, "pods/pod-configmap-volume.yaml")
    cluster.run(30)


def affinity_and_tolerations(cluster):
    kubectl(cluster, "label node node-2 topology.kubernetes.io/zone=antarctica-east1")
    docs(cluster, "pods/pod-with-toleration.yaml", "pods/pod-with-affinity-anti-affinity.yaml")
    cluster.run(30)


def terminating_pod(cluster):
    docs(cluster, "pods/pod-nginx.yaml")
    kubectl(cluster, "run sleeper --image=busybox:1.36 -- sleep 3600")
    cluster.run(20)
    kubectl(cluster, "delete pod sleeper --wait=false")
    cluster.run(5)


KITCHEN_SINK = """
apiVersion: v1
kind: Secret
metadata:
  name: tls-pair
type: kubernetes.io/tls
stringData:
  tls.crt: not-really-a-certificate
  tls.key: not-really-a-key
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-settings
  labels: {app: sink, tier: backend}
  annotations: {owner: team-a, note: "two words"}
data:
  mode: production
  app.properties: |
    color=blue
    size=10
binaryData:
  blob: AAECAw==
---
apiVersion: v1
kind: Pod
metadata:
  name: sink
  labels: {app: sink, tier: backend}
  annotations: {example.com/owner: team-a}
spec:
  priorityClassName: system-cluster-critical
  nodeSelector: {kubernetes.io/os: linux}
  tolerations:
  - {key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}
  - {operator: Exists}
  securityContext: {runAsUser: 1000, fsGroup: 2000}
  initContainers:
  - name: prepare
    image: busybox:1.36
    command: [sh, -c, "echo ready > /work/ready"]
    volumeMounts: [{name: scratch, mountPath: /work}]
  containers:
  - name: app
    image: nginx:1.27
    imagePullPolicy: Always
    ports:
    - {name: http, containerPort: 80}
    - {name: metrics, containerPort: 9090, protocol: UDP, hostPort: 9090}
    args: ["--verbose", "--level=3"]
    env:
    - {name: PLAIN, value: hello}
    - {name: EMPTY, value: ""}
    - name: MODE
      valueFrom: {configMapKeyRef: {name: app-settings, key: mode}}
    - name: CERT
      valueFrom: {secretKeyRef: {name: tls-pair, key: tls.crt, optional: true}}
    - name: UID
      valueFrom: {fieldRef: {fieldPath: metadata.uid}}
    - name: TIER
      valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}
    - name: CPU_LIMIT
      valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
    - name: MEM_REQUEST
      valueFrom: {resourceFieldRef: {containerName: app, resource: requests.memory}}
    envFrom:
    - configMapRef: {name: app-settings}
      prefix: CFG_
    - secretRef: {name: tls-pair, optional: false}
    resources:
      requests: {cpu: 250m, memory: 64Mi, ephemeral-storage: 1Gi}
      limits: {cpu: 500m, memory: 128Mi}
    livenessProbe:
      httpGet: {path: /, port: http, httpHeaders: [{name: X-Probe, value: live}]}
      initialDelaySeconds: 3
      periodSeconds: 5
    readinessProbe:
      tcpSocket: {port: 80}
      timeoutSeconds: 2
      successThreshold: 2
      failureThreshold: 5
    startupProbe:
      exec: {command: [cat, /etc/hostname]}
    volumeMounts:
    - {name: scratch, mountPath: /work}
    - {name: memory, mountPath: /cache}
    - {name: settings, mountPath: /etc/settings, readOnly: true}
    - {name: certs, mountPath: /etc/certs, subPath: tls.crt}
    - {name: host, mountPath: /host/log, readOnly: true}
    - {name: info, mountPath: /etc/podinfo}
    - {name: bundle, mountPath: /etc/bundle}
  - name: sidecar
    image: busybox:1.36
    command: [sh, -c, "sleep 3600"]
    resources:
      limits: {cpu: 100m, memory: 32Mi}
  volumes:
  - {name: scratch, emptyDir: {}}
  - {name: memory, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
  - name: settings
    configMap:
      name: app-settings
      items: [{key: app.properties, path: app.properties}]
  - {name: certs, secret: {secretName: tls-pair, defaultMode: 256}}
  - {name: host, hostPath: {path: /var/log, type: Directory}}
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: cpu, resourceFieldRef: {containerName: app, resource: requests.cpu}}
  - name: bundle
    projected:
      sources:
      - secret: {name: tls-pair, items: [{key: tls.key, path: key.pem}]}
      - configMap: {name: app-settings}
      - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: one-shot
spec:
  restartPolicy: Never
  containers:
  - name: fail
    image: busybox:1.36
    command: [sh, -c, "echo oops >&2; exit 1"]
---
apiVersion: v1
kind: Pod
metadata:
  name: init-crash
spec:
  initContainers:
  - name: migrate
    image: busybox:1.36
    command: [sh, -c, "exit 2"]
  containers:
  - name: app
    image: nginx:1.27
"""


def kitchen_sink(cluster):
    """A pod with every container and volume feature a student meets, a failed one-shot pod,
    an init container crash-looping, a TLS Secret and a ConfigMap with binary data."""
    cluster.run(1)  # the ServiceAccount controller makes "default"
    cluster.apply(KITCHEN_SINK)
    cluster.run(90)


UNREADY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: half-ready
spec:
  replicas: 2
  strategy:
    type: Recreate
  minReadySeconds: 5
  revisionHistoryLimit: 3
  selector:
    matchLabels: {app: half-ready}
  template:
    metadata:
      labels: {app: half-ready}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80, name: web}]
        readinessProbe:
          httpGet: {path: /not-here, port: 80}
          periodSeconds: 3
---
apiVersion: v1
kind: Service
metadata:
  name: half-ready
  annotations: {example.com/team: web}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  sessionAffinity: ClientIP
  externalIPs: [192.0.2.10]
  loadBalancerSourceRanges: [203.0.113.0/24]
  selector: {app: half-ready}
  ports:
  - {name: http, port: 80, targetPort: web}
  - {name: dns, port: 53, targetPort: 53, protocol: UDP}
"""


def not_ready_endpoints(cluster):
    """Pods that never pass readiness: not-ready endpoints, a Recreate Deployment, a Local LB."""
    cluster.apply(UNREADY)
    cluster.run(45)


def progress_deadline_exceeded(cluster):
    cluster.run(1)
    kubectl(cluster, "create deployment stuck --image=nginx:no-such-tag --replicas=2")
    cluster.run(660)


def pods_evicted_from_a_dead_node(cluster):
    """Long after node-2 died: its pods deleted by the taint manager, replacements elsewhere."""
    docs(cluster, "controllers/nginx-deployment.yaml")
    cluster.run(20)
    cluster.fail_node("node-2")
    cluster.run(400)


# -- workloads ---------------------------------------------------------------------------------------

def rollout_in_progress(cluster):
    docs(cluster, "application/deployment.yaml")
    cluster.run(30)
    docs(cluster, "application/deployment-update.yaml")
    cluster.run(2)


def rollout_undone(cluster):
    docs(cluster, "application/deployment.yaml")
    cluster.run(30)
    docs(cluster, "application/deployment-update.yaml")
    cluster.run(60)
    kubectl(cluster, "rollout undo deployment/nginx-deployment")
    cluster.run(60)


def scaled_and_paused(cluster):
    kubectl(cluster, "create deployment web --image=nginx:1.27 --replicas=3 --port=80")
    cluster.run(30)
    kubectl(cluster, "scale deployment web --replicas=1", "rollout pause deployment/web",
            "set image deployment/web nginx=nginx:1.28")
    cluster.run(30)


def replica_sets(cluster):
    docs(cluster, "controllers/frontend.yaml", "controllers/replicaset.yaml")
    cluster.run(30)


# -- services and ingress -----------------------------------------------------------------------------

HEADLESS = """
apiVersion: v1
kind: Service
metadata:
  name: hello-headless
spec:
  clusterIP: None
  selector:
    app: hello
  ports:
  - port: 80
    targetPort: http
---
apiVersion: v1
kind: Service
metadata:
  name: search
spec:
  type: ExternalName
  externalName: example.com
"""


def services(cluster):
    """ClusterIP with endpoints, headless, NodePort, LoadBalancer, ExternalName, no endpoints."""
    docs(cluster, "service/access/backend-deployment.yaml", "service/access/backend-service.yaml",
         "application/nginx-app.yaml", "service/nginx-service.yaml")
    cluster.apply(HEADLESS)
    kubectl(cluster, "expose deployment backend --name=backend-np --type=NodePort --port=8080")
    cluster.run(40)


def guestbook(cluster):
    docs(cluster, *(f"application/guestbook/{f}" for f in (
        "redis-leader-deployment.yaml", "redis-leader-service.yaml",
        "redis-follower-deployment.yaml", "redis-follower-service.yaml",
        "frontend-deployment.yaml", "frontend-service.yaml")))
    cluster.run(60)


def ingresses(cluster):
    for name, port in (("service1", 4200), ("service2", 8080)):
        kubectl(cluster, f"create deployment {name} --image=registry.k8s.io/e2e-test-images/agnhost:2.39 "
                         "-- /agnhost netexec --http-port=8080",
                f"expose deployment {name} --port={port} --target-port=8080")
    docs(cluster, "service/networking/simple-fanout-example.yaml", "service/networking/minimal-ingress.yaml",
         "service/networking/name-virtual-host-ingress.yaml")
    cluster.run(40)


INGRESS_DETAILS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx
  tls:
  - hosts: [shop.example.com, www.shop.example.com]
    secretName: shop-tls
  - hosts: [admin.example.com]
  defaultBackend:
    service:
      name: service1
      port: {number: 4200}
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /cart, pathType: Prefix, backend: {service: {name: service2, port: {number: 8080}}}}
      - {path: /gone, pathType: Exact, backend: {service: {name: missing, port: {name: http}}}}
      - {path: /static, pathType: ImplementationSpecific, backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static-assets}}}
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: service1, port: {number: 4200}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: only-default
spec:
  defaultBackend:
    service:
      name: service2
      port: {number: 8080}
"""


def ingress_details(cluster):
    """TLS, a default backend, a missing Service, a resource backend, a rule without a host."""
    for name, port in (("service1", 4200), ("service2", 8080)):
        kubectl(cluster, f"create deployment {name} --image=registry.k8s.io/e2e-test-images/agnhost:2.39 "
                         "-- /agnhost netexec --http-port=8080",
                f"expose deployment {name} --port={port} --target-port=8080")
    cluster.apply(INGRESS_DETAILS)
    cluster.run(30)


ACCOUNTS = """
apiVersion: v1
kind: Secret
metadata:
  name: registry-login
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}'
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
  labels: {team: ci}
  annotations: {example.com/owner: ci-team}
secrets:
- name: builder-token
imagePullSecrets:
- name: registry-login
- name: not-there
automountServiceAccountToken: false
---
apiVersion: v1
kind: Secret
metadata:
  name: builder-token
  annotations:
    kubernetes.io/service-account.name: builder
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
  labels: {team: a, env: staging}
  annotations: {example.com/budget: small}
"""


def accounts_and_secrets(cluster):
    """A ServiceAccount with secrets and image pull secrets, a legacy token Secret, a
    dockerconfigjson Secret, a labelled Namespace."""
    cluster.apply(ACCOUNTS)
    cluster.run(10)


MANUAL_ENDPOINTS = """
apiVersion: v1
kind: Service
metadata:
  name: external-db
spec:
  ports:
  - {port: 5432, protocol: TCP}
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external-db
subsets:
- addresses: [{ip: 192.0.2.42}, {ip: 192.0.2.43, hostname: replica}]
  notReadyAddresses: [{ip: 192.0.2.44}]
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Pod
metadata:
  name: on-host-network
spec:
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 5
  containers:
  - name: job
    image: busybox:1.36
    command: [sh, -c, "echo done"]
"""


def pods_at_the_edges(cluster):
    """A pod bound to a node that does not exist, a host-network OnFailure pod that completed,
    a Service without a selector and its hand-made Endpoints."""
    cluster.run(1)
    docs(cluster, "pods/pod-nginx-specific-node.yaml")
    cluster.apply(MANUAL_ENDPOINTS)
    cluster.run(8)


def busy_nodes(cluster):
    """Nodes running pods with requests and limits: the Allocated resources percentages."""
    docs(cluster, "application/guestbook/redis-leader-deployment.yaml",
         "application/guestbook/frontend-deployment.yaml", "application/nginx-with-request.yaml")
    kubectl(cluster, "create namespace qos-example")
    docs(cluster, "pods/qos/qos-pod.yaml", "pods/qos/qos-pod-2.yaml")
    cluster.run(40)


ODD_VALUES = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: odd-values
  annotations:
    example.com/long: "%s"
    example.com/multi-line: |
      first line
      second line
    example.com/empty: ""
data:
  tabbed: "a\\tb\\tc"
  escape: "\\u001b[31mred\\u001b[0m"
  unicode: "caf\\u00e9 \\u2603"
  empty: ""
  trailing: "ends with a newline\\n"
  spaces: "  indented  "
---
apiVersion: v1
kind: Secret
metadata:
  name: binary
data:
  raw: /wABAgM=
  empty: ""
""" % ("x" * 150)


def odd_values(cluster):
    """Values a terminal or a tabwriter could mangle, long and multi-line annotations, and a
    Deployment made with ``kubectl apply`` (its last-applied annotation is never shown),
    restarted and annotated with a change cause."""
    cluster.apply(ODD_VALUES)
    manifest = (CONFORMANCE / "controllers/nginx-deployment.yaml").read_text()
    if run(cluster, "apply -f -", stdin=manifest).exit_code:
        raise RuntimeError("kubectl apply failed")
    cluster.run(20)
    kubectl(cluster, "rollout restart deployment/nginx-deployment",
            "annotate deployment nginx-deployment kubernetes.io/change-cause='restart for the lesson'")
    cluster.run(3)


PREEMPTION = """
apiVersion: v1
kind: Pod
metadata:
  name: vip
spec:
  priorityClassName: system-cluster-critical
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests: {cpu: "1"}
"""


def preemption(cluster):
    """A critical pod preempts a filler: the victim terminating, the preemptor nominated."""
    cluster.run(1)
    kubectl(cluster, "create deployment filler --image=busybox:1.36 --replicas=3 -- sleep 3600")
    cluster.patch("deployment", "filler", {"spec": {"template": {"spec": {"containers": [
        {"name": "busybox", "resources": {"requests": {"cpu": "1500m"}}}]}}}}, patch_type="strategic")
    cluster.run(40)
    cluster.apply(PREEMPTION)
    cluster.run(2)


def drained_node(cluster):
    docs(cluster, "controllers/nginx-deployment.yaml")
    cluster.run(20)
    kubectl(cluster, "drain node-1 --ignore-daemonsets")
    cluster.run(2)


# -- nodes -----------------------------------------------------------------------------------------------

def failed_node(cluster):
    """node-2's machine dies: after the grace period it is NotReady, tainted, its pods evicted later."""
    docs(cluster, "controllers/nginx-deployment.yaml")
    cluster.run(20)
    cluster.fail_node("node-2")
    cluster.run(80)


def cordoned_tainted_pressured(cluster):
    docs(cluster, "application/deployment.yaml")
    cluster.run(20)
    kubectl(cluster, "cordon node-1", "taint node node-3 dedicated=gpu:NoSchedule",
            "label node node-3 accelerator=nvidia")
    cluster.set_node_conditions("node-2", MemoryPressure=True)
    cluster.run(20)


# -- namespaces, access ---------------------------------------------------------------------------------

def namespaces(cluster):
    docs(cluster, "admin/namespace-dev.yaml")
    kubectl(cluster, "create namespace leaving")
    cluster.run(1)  # the ServiceAccount controller makes "default"
    kubectl(cluster, "run doomed -n leaving --image=busybox:1.36 -- sleep 3600")  # PID 1 ignores SIGTERM
    cluster.run(20)
    kubectl(cluster, "delete namespace leaving --wait=false")
    cluster.run(3)


def access(cluster):
    docs(cluster, "access/simple-role.yaml", "access/simple-rolebinding-with-role.yaml")
    kubectl(cluster, "create serviceaccount robot",
            "create role configmap-editor --verb=get,list,update --resource=configmaps --resource-name=settings",
            "create clusterrole node-viewer --verb=get,list,watch --resource=nodes",
            "create clusterrolebinding robot-views-nodes --clusterrole=node-viewer --serviceaccount=default:robot",
            "create rolebinding robot-edits --role=configmap-editor --serviceaccount=default:robot --user=alice "
            "--group=devs",
            "create configmap settings --from-literal=color=blue --from-literal=size=10",
            "create secret generic robot-token --from-literal=token=s3cr3t")
    cluster.run(5)


def fresh_cluster(cluster):
    cluster.run(30)


SCENARIOS = [
    Scenario("fresh_cluster", fresh_cluster, everything=True),
    Scenario("running_deployment", running_deployment, describe_events=True, commands=(
        "describe pods", "describe deployments,replicasets", "describe pod nginx-deployment",
        "describe pods -l app.kubernetes.io/name=nginx", "describe nodes", "describe pod nosuch",
        "describe deployment/nginx-deployment --show-events=false", "describe pods -A",
        "describe svc -n kube-system", "describe all")),
    Scenario("completed_and_multi_container_pods", completed_and_multi_container_pods),
    Scenario("memory_limits", memory_limits),
    Scenario("qos_and_cpu", qos_and_cpu),
    Scenario("crash_loop_and_bad_image", crash_loop_and_bad_image),
    Scenario("unschedulable_pods", unschedulable_pods),
    Scenario("init_containers", init_containers),
    Scenario("probes", probes),
    Scenario("config_and_secrets", config_and_secrets),
    Scenario("configmap_volume_missing", configmap_volume_missing),
    Scenario("affinity_and_tolerations", affinity_and_tolerations),
    Scenario("terminating_pod", terminating_pod),
    Scenario("kitchen_sink", kitchen_sink),
    Scenario("not_ready_endpoints", not_ready_endpoints),
    Scenario("progress_deadline_exceeded", progress_deadline_exceeded),
    Scenario("pods_evicted_from_a_dead_node", pods_evicted_from_a_dead_node),
    Scenario("ingress_details", ingress_details),
    Scenario("accounts_and_secrets", accounts_and_secrets),
    Scenario("pods_at_the_edges", pods_at_the_edges),
    Scenario("busy_nodes", busy_nodes, commands=("describe nodes", "describe pods -A",
                                                 "describe leases -n kube-node-lease")),
    Scenario("odd_values", odd_values),
    Scenario("preemption", preemption),
    Scenario("drained_node", drained_node),
    Scenario("rollout_in_progress", rollout_in_progress),
    Scenario("rollout_undone", rollout_undone),
    Scenario("scaled_and_paused", scaled_and_paused),
    Scenario("replica_sets", replica_sets),
    Scenario("services", services),
    Scenario("guestbook", guestbook),
    Scenario("ingresses", ingresses),
    Scenario("failed_node", failed_node, extra=tuple(("leases", f"node-{i}", "kube-node-lease") for i in (1, 2, 3))),
    Scenario("cordoned_tainted_pressured", cordoned_tainted_pressured),
    Scenario("namespaces", namespaces),
    Scenario("access", access),
]


# -- snapshots and what to describe -----------------------------------------------------------------------

def snapshot(cluster: labkube.Cluster) -> list[dict]:
    """Every object of every served resource, typed, in the order the API server lists them."""
    objects = []
    for rtype in cluster.registry.all():
        for item in cluster.client.list(rtype)["items"]:
            objects.append({"apiVersion": rtype.api_version, "kind": rtype.kind, **item})
    return objects


def identity(obj: dict) -> tuple[str, str, str, str]:
    meta = obj["metadata"]
    return obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"]


def targets(scenario: Scenario, objects: list[dict], baseline: set) -> list[tuple[str, str, str]]:
    """``(resource, name, namespace)`` to describe: the scenario's own objects (those a fresh
    cluster does not hold), the nodes and the ``default`` namespace, and ``extra``."""
    chosen = []
    for obj in objects:
        meta = obj["metadata"]
        group = obj["apiVersion"].rpartition("/")[0]
        if obj["kind"] == "Event":
            wanted = scenario.describe_events or (scenario.everything and not group)
        else:
            own = identity(obj) not in baseline and meta.get("namespace") not in SYSTEM_NAMESPACES
            always = obj["kind"] == "Node" or (obj["kind"], meta["name"]) == ("Namespace", "default")
            wanted = scenario.everything or own or always
        if wanted:
            resource = obj["kind"].lower() + ("." + group if group else "")
            chosen.append((resource, meta["name"], meta.get("namespace", "")))
    return chosen + list(scenario.extra)


def build(scenario: Scenario) -> labkube.Cluster:
    cluster = labkube.Cluster(nodes=3, seed=0)
    scenario.build(cluster)
    return cluster


# -- snapshots on disk ---------------------------------------------------------------------------------

def golden_name(resource: str, name: str, namespace: str) -> str:
    return f"{resource}--{namespace or '_'}--{name}.txt"


def command_golden_name(command: str) -> str:
    return "command--" + re.sub(r"[^A-Za-z0-9.=-]+", "_", command) + ".txt"


def save_snapshot(stem: str, now: float, objects: list[dict], commands: list[dict]) -> None:
    """One object a line; an object equal to its copy in the stored ``fresh_cluster`` snapshot
    is stored as a reference to it (``"fresh:apiVersion/kind/namespace/name"``)."""
    fresh = {} if stem == FRESH else {identity(o): o for o in load_snapshot(FRESH)["objects"]}
    lines = []
    for obj in objects:
        key = identity(obj)
        same = fresh.get(key) == obj
        lines.append(json.dumps("fresh:" + "/".join(key) if same else obj, separators=(",", ":")))
    text = (f'{{"now": {now!r},\n"commands": [\n' + ",\n".join(json.dumps(c) for c in commands)
            + '\n],\n"objects": [\n' + ",\n".join(lines) + "\n]}\n")
    (GOLDEN / stem / "snapshot.json").write_text(text)


def load_snapshot(stem: str) -> dict:
    """``{"now", "commands", "objects"}`` with fresh-cluster references resolved."""
    data = json.loads((GOLDEN / stem / "snapshot.json").read_text())
    if stem != FRESH:
        fresh = {"fresh:" + "/".join(identity(o)): o for o in load_snapshot(FRESH)["objects"]}
        data["objects"] = [fresh[o] if isinstance(o, str) else o for o in data["objects"]]
    return data
