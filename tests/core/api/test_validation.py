"""Invalid manifests across the core kinds, each with kube-apiserver's exact field errors.

Every case goes the server's way: strict decode, defaults, then validate (create, or update
when an old object is given), and compares ``str()`` of each FieldError.
"""

import copy

import pytest

from labkube.core.api import decode, defaults, validation
from labkube.core.api.resources import default_registry

REGISTRY = default_registry()
RBAC = "rbac.authorization.k8s.io/v1"
NET = "networking.k8s.io/v1"

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                 "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
                 "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
             "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
             "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
               "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
QNAME_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
             "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
             "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                   "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                   "'my_value',  or '12345', regex used for validation is "
                   "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
                  "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
PORT_RANGE = "must be between 1 and 65535, inclusive"
POD_UPDATE = ("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
              "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
              "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
              "was previously negative)\n")


def pod(containers=None, meta=None, **spec):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": meta or {"name": "web", "namespace": "default"},
            "spec": {"containers": containers or [{"name": "web", "image": "nginx"}], **spec}}


def ctr(**fields):
    return {"name": "web", "image": "nginx", **fields}


def deploy(kind="Deployment", template_spec=None, **spec):
    body = {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": template_spec or {"containers": [{"name": "web", "image": "nginx"}]}}}
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web", "namespace": "default"},
            "spec": body}


def without_selector():
    obj = deploy()
    del obj["spec"]["selector"]
    return obj


def svc(**spec):
    body = {"ports": [{"port": 80}], "selector": {"app": "web"}}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
            "spec": body}


def ing(paths=None, **spec):
    body = {"rules": [{"http": {"paths": paths}}]} if paths is not None else {}
    body.update(spec)
    return {"apiVersion": NET, "kind": "Ingress", "metadata": {"name": "web", "namespace": "default"},
            "spec": body}


def backend(port=None):
    return {"service": {"name": "web", "port": {"number": 80} if port is None else port}}


def ns_obj(kind, api_version="v1", name="x", **body):
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": "default"}, **body}


def cluster_obj(kind, api_version="v1", name="x", **body):
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, **body}


def binding(role_ref, subjects, kind="RoleBinding"):
    maker = ns_obj if kind == "RoleBinding" else cluster_obj
    return maker(kind, RBAC, "rb", roleRef=role_ref, subjects=subjects)


def updated(obj, change):
    new = copy.deepcopy(obj)
    change(new)
    return new


def _set(path, value):
    def change(obj):
        target = obj
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


CASES = [
    # --- metadata and names -----------------------------------------------------------
    ("a pod without a name is refused", pod(meta={"namespace": "default"}), None,
     ["metadata.name: Required value: name or generateName is required"]),
    ("a pod name with an underscore and capitals is not a DNS subdomain",
     pod(meta={"name": "Web_App", "namespace": "default"}), None,
     [f'metadata.name: Invalid value: "Web_App": {SUBDOMAIN_MSG}']),
    ("a service name must be a DNS-1035 label, so it cannot start with a digit",
     {**svc(), "metadata": {"name": "1web", "namespace": "default"}}, None,
     [f'metadata.name: Invalid value: "1web": {DNS1035_MSG}']),
    # --- pod affinity and topology spread (their selectors reach the scheduler) ------------
    ("a pod anti-affinity selector with no operator is refused",
     pod(affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
         {"topologyKey": "kubernetes.io/hostname",
          "labelSelector": {"matchExpressions": [{"key": "app", "operator": ""}]}}]}}), None,
     ["spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector."
      'matchExpressions[0].operator: Invalid value: "": not a valid selector operator']),
    ("a preferred pod affinity weight must be 1-100",
     pod(affinity={"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
         {"weight": 101, "podAffinityTerm": {"topologyKey": "zone", "labelSelector": {"matchLabels": {"a": "b"}}}}]}}),
     None,
     ["spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: "
      "must be in the range 1-100"]),
    ("a topology spread constraint needs a positive skew, a key and a known action",
     pod(topologySpreadConstraints=[{"maxSkew": 0, "topologyKey": "", "whenUnsatisfiable": "Maybe"}]), None,
     ["spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
      "spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty",
      'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: '
      '"DoNotSchedule", "ScheduleAnyway"']),
    ("a topology spread selector with no operator is refused",
     pod(topologySpreadConstraints=[{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                                     "labelSelector": {"matchExpressions": [{"key": "app", "operator": ""}]}}]), None,
     ['spec.topologySpreadConstraints[0].labelSelector.matchExpressions[0].operator: Invalid value: "": '
      "not a valid selector operator"]),
    ("each {topologyKey, whenUnsatisfiable} may be constrained once",
     pod(topologySpreadConstraints=[{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
                                    {"maxSkew": 2, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]), None,
     ['spec.topologySpreadConstraints[1].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"']),
    ("a namespace name may not contain dots", cluster_obj("Namespace", name="my.ns"), None,
     ['metadata.name: Invalid value: "my.ns": must not contain dots']),
    ("a namespace name must be lower case", cluster_obj("Namespace", name="Dev"), None,
     [f'metadata.name: Invalid value: "Dev": {LABEL_MSG}']),
    ("a cluster-scoped object may not carry a namespace",
     {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev", "namespace": "x"}}, None,
     ["metadata.namespace: Forbidden: not allowed on this type"]),
    ("a namespaced object needs a namespace",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, None,
     ["metadata.namespace: Required value"]),
    ("a service account name must be a subdomain", ns_obj("ServiceAccount", name="Builder"), None,
     [f'metadata.name: Invalid value: "Builder": {SUBDOMAIN_MSG}']),
    ("a label value with a space is invalid",
     pod(meta={"name": "web", "namespace": "default", "labels": {"app": "web server"}}), None,
     [f'metadata.labels: Invalid value: "web server": {LABEL_VALUE_MSG}']),
    ("an annotation key with a bang is invalid",
     pod(meta={"name": "web", "namespace": "default", "annotations": {"bad key!": "x"}}), None,
     [f'metadata.annotations: Invalid value: "bad key!": {QNAME_MSG}']),
    ("a generateName prefix must make a valid name",
     pod(meta={"generateName": "Web-", "namespace": "default"}), None,
     [f'metadata.generateName: Invalid value: "Web-": {SUBDOMAIN_MSG}',
      "metadata.name: Required value: name or generateName is required"]),
    ("an RBAC name may not contain a slash", ns_obj("Role", RBAC, "a/b", rules=[]), None,
     ["metadata.name: Invalid value: \"a/b\": may not contain '/'"]),
    # --- pods ----------------------------------------------------------------------------
    ("a container without an image is refused", pod([{"name": "web"}]), None,
     ["spec.containers[0].image: Required value"]),
    ("a container name must be a DNS label", pod([ctr(name="Web")]), None,
     [f'spec.containers[0].name: Invalid value: "Web": {LABEL_MSG}']),
    ("two containers may not share a name", pod([ctr(name="a"), ctr(name="a", image="redis")]), None,
     ['spec.containers[1].name: Duplicate value: "a"']),
    ("an unknown preemption policy lists the supported ones in Go's order",
     pod(preemptionPolicy="Foo"), None,
     ['spec.preemptionPolicy: Unsupported value: "Foo": supported values: "PreemptLowerPriority", "Never"']),
    ("a pod needs at least one container",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
      "spec": {"containers": []}}, None,
     ["spec.containers: Required value"]),
    ("a container port above 65535 is out of range", pod([ctr(ports=[{"containerPort": 70000}])]), None,
     [f"spec.containers[0].ports[0].containerPort: Invalid value: 70000: {PORT_RANGE}"]),
    ("a container port protocol must be TCP, UDP or SCTP",
     pod([ctr(ports=[{"containerPort": 80, "protocol": "HTTP"}])]), None,
     ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']),
    ("container port names must be unique",
     pod([ctr(ports=[{"name": "http", "containerPort": 80}, {"name": "http", "containerPort": 81}])]), None,
     ['spec.containers[0].ports[1].name: Duplicate value: "http"']),
    ("an unknown restart policy is not supported", pod(restartPolicy="Sometimes"), None,
     ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']),
    ("an unknown DNS policy is not supported", pod(dnsPolicy="Google"), None,
     ['spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", '
      '"ClusterFirst", "Default", "None"']),
    ("an unknown image pull policy is not supported", pod([ctr(imagePullPolicy="Sometimes")]), None,
     ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: '
      '"Always", "IfNotPresent", "Never"']),
    ("a request above its limit is refused",
     pod([ctr(resources={"requests": {"cpu": "1"}, "limits": {"cpu": "500m"}})]), None,
     ['spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m']),
    ("a memory request above its limit is refused, in canonical units",
     pod([ctr(resources={"requests": {"memory": "1.5Gi"}, "limits": {"memory": "1Gi"}})]), None,
     ['spec.containers[0].resources.requests: Invalid value: "1536Mi": must be less than or equal to '
      'memory limit of 1Gi']),
    ("a negative request is refused", pod([ctr(resources={"requests": {"cpu": "-1"}})]), None,
     ['spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0']),
    ("an unknown resource name is not a standard container resource",
     pod([ctr(resources={"requests": {"gpu": "1"}})]), None,
     ['spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers']),
    ("a volume mount must name a volume of the pod",
     pod([ctr(volumeMounts=[{"name": "data", "mountPath": "/data"}])]), None,
     ['spec.containers[0].volumeMounts[0].name: Not found: "data"']),
    ("two mounts may not share a path",
     pod([ctr(volumeMounts=[{"name": "a", "mountPath": "/d"}, {"name": "b", "mountPath": "/d"}])],
         volumes=[{"name": "a", "emptyDir": {}}, {"name": "b", "emptyDir": {}}]), None,
     ['spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/d": must be unique']),
    ("an env var name may not contain '='", pod([ctr(env=[{"name": "A=B", "value": "1"}])]), None,
     ["spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must "
      "consist only of printable ASCII characters other than '='"]),
    ("an env var from a field needs a supported field path",
     pod([ctr(env=[{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodename"}}}])]), None,
     ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.nodename": '
      'supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", '
      '"metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", '
      '"status.podIP", "status.podIPs"']),
    ("an httpGet probe port of zero is out of range",
     pod([ctr(livenessProbe={"httpGet": {"port": 0}})]), None,
     [f"spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: {PORT_RANGE}"]),
    ("a liveness probe must succeed once", pod([ctr(livenessProbe={"exec": {"command": ["true"]},
                                                                   "successThreshold": 2})]), None,
     ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]),
    ("a probe needs a handler", pod([ctr(readinessProbe={"periodSeconds": 5})]), None,
     ["spec.containers[0].readinessProbe: Required value: must specify a handler type"]),
    ("a negative probe period is refused",
     pod([ctr(readinessProbe={"tcpSocket": {"port": 80}, "initialDelaySeconds": -5})]), None,
     ["spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -5: must be greater than or equal to 0"]),
    ("a configMap volume needs the map's name", pod(volumes=[{"name": "cfg", "configMap": {}}]), None,
     ["spec.volumes[0].configMap.name: Required value"]),
    ("a volume name must be a DNS label", pod(volumes=[{"name": "Cfg", "emptyDir": {}}]), None,
     [f'spec.volumes[0].name: Invalid value: "Cfg": {LABEL_MSG}']),
    ("a secret volume mode above 0777 is refused",
     pod(volumes=[{"name": "s", "secret": {"secretName": "s", "defaultMode": 1000}}]), None,
     ["spec.volumes[0].secret.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive"]),
    ("a toleration operator must be Equal or Exists", pod(tolerations=[{"key": "a", "operator": "Maybe"}]), None,
     ['spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"']),
    ("a node selector key with a space is invalid", pod(nodeSelector={"disk type": "ssd"}), None,
     [f'spec.nodeSelector: Invalid value: "disk type": {QNAME_MSG}']),
    ("activeDeadlineSeconds must be positive", pod(activeDeadlineSeconds=0), None,
     ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]),
    ("a pod's restart policy cannot change", pod(restartPolicy="Never"), pod(),
     [POD_UPDATE + '  core.PodSpec{\n- \tRestartPolicy: "Always",\n+ \tRestartPolicy: "Never",\n  }\n']),
    # --- deployments and replica sets ----------------------------------------------------
    ("negative replicas are refused", deploy(replicas=-1), None,
     ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
    ("a deployment needs a selector, and then nothing matches its template", without_selector(), None,
     ["spec.selector: Required value",
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
      "`selector` does not match template `labels`"]),
    ("the selector must match the template labels", deploy(selector={"matchLabels": {"app": "api"}}), None,
     ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
      "`selector` does not match template `labels`"]),
    ("an empty selector is refused", deploy(selector={}), None,
     ["spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},"
      "MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for deployment"]),
    ("an unknown strategy type is not supported", deploy(strategy={"type": "Rolling"}), None,
     ['spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Rolling", '
      'RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"']),
    ("maxSurge must be a number or a percentage",
     deploy(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "abc"}}), None,
     ["spec.strategy.rollingUpdate.maxSurge: Invalid value: abc: a valid percent string must be a numeric "
      "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]),
    ("maxSurge and maxUnavailable may not both be zero",
     deploy(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}), None,
     ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]),
    ("maxUnavailable may not exceed 100%",
     deploy(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "150%"}}), None,
     ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%"]),
    ("Recreate takes no rollingUpdate", deploy(strategy={"type": "Recreate", "rollingUpdate": {}}), None,
     ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]),
    ("a deployment's pods must restart Always",
     deploy(template_spec={"containers": [{"name": "web", "image": "nginx"}], "restartPolicy": "Never"}), None,
     ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']),
    ("an In expression needs values", deploy(selector={"matchExpressions": [{"key": "app", "operator": "In"}]}), None,
     ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:"
      "[]LabelSelectorRequirement{LabelSelectorRequirement{Key:app,Operator:In,Values:[],},},}: invalid label selector"]),
    ("the progress deadline must exceed minReadySeconds", deploy(progressDeadlineSeconds=5, minReadySeconds=10), None,
     ["spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"]),
    ("a deployment's selector is immutable",
     deploy(selector={"matchLabels": {"app": "web", "v": "2"}},
            template={"metadata": {"labels": {"app": "web", "v": "2"}},
                      "spec": {"containers": [{"name": "web", "image": "nginx"}]}}), deploy(),
     ["spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{app: web,v: 2,},"
      "MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable"]),
    ("a replica set refuses negative replicas", deploy("ReplicaSet", replicas=-2), None,
     ["spec.replicas: Invalid value: -2: must be greater than or equal to 0"]),
    ("a replica set template container needs an image",
     deploy("ReplicaSet", template_spec={"containers": [{"name": "web"}]}), None,
     ["spec.template.spec.containers[0].image: Required value"]),
    # --- services ----------------------------------------------------------------------------
    ("a ClusterIP service needs ports", svc(ports=[]), None, ["spec.ports: Required value"]),
    ("several ports must be named", svc(ports=[{"port": 80}, {"port": 443}]), None,
     ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]),
    ("port names must be unique", svc(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 443}]), None,
     ['spec.ports[1].name: Duplicate value: "http"']),
    ("port zero is out of range, and so is the defaulted target port", svc(ports=[{"port": 0}]), None,
     [f"spec.ports[0].port: Invalid value: 0: {PORT_RANGE}",
      f"spec.ports[0].targetPort: Invalid value: 0: {PORT_RANGE}"]),
    ("an unknown service type is not supported", svc(type="Internal"), None,
     ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", '
      '"LoadBalancer", "NodePort"']),
    ("a ClusterIP service takes no nodePort", svc(ports=[{"port": 80, "nodePort": 30080}]), None,
     ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]),
    ("a nodePort must be in the node port range", svc(type="NodePort", ports=[{"port": 80, "nodePort": 80}]), None,
     ["spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
      "The range of valid ports is 30000-32767"]),
    ("a named target port must be an IANA service name", svc(ports=[{"port": 80, "targetPort": "HTTP"}]), None,
     ['spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), '
      'and hyphens (-)',
      'spec.ports[0].targetPort: Invalid value: "HTTP": must contain at least one letter (a-z)']),
    ("an ExternalName service needs an external name", svc(type="ExternalName"), None,
     ["spec.externalName: Required value"]),
    ("the same port and protocol may appear once",
     svc(ports=[{"name": "a", "port": 80}, {"name": "b", "port": 80}]), None,
     ['spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
      'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}']),
    ("an unknown session affinity is not supported", svc(sessionAffinity="Sticky"), None,
     ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']),
    ("a cluster IP may not change", svc(clusterIP="10.96.0.20"), svc(clusterIP="10.96.0.10"),
     ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.20"}: may not change once set']),
    # --- config maps and secrets ---------------------------------------------------------
    ("a config map key with a space is invalid", ns_obj("ConfigMap", data={"my key": "x"}), None,
     [f'data[my key]: Invalid value: "my key": {CONFIG_KEY_MSG}']),
    ("a config map key may not start with '..'", ns_obj("ConfigMap", data={"..a": "x"}), None,
     ["data[..a]: Invalid value: \"..a\": must not start with '..'"]),
    ("an immutable config map keeps its data",
     ns_obj("ConfigMap", data={"a": "y"}, immutable=True), ns_obj("ConfigMap", data={"a": "x"}, immutable=True),
     ["data: Forbidden: field is immutable when `immutable` is set"]),
    ("a TLS secret needs a certificate and a key", ns_obj("Secret", type="kubernetes.io/tls", data={}), None,
     ["data[tls.crt]: Required value", "data[tls.key]: Required value"]),
    ("stringData keys are checked as data keys", ns_obj("Secret", stringData={"a b": "x"}), None,
     [f'data[a b]: Invalid value: "a b": {CONFIG_KEY_MSG}']),
    ("a secret's type is immutable", ns_obj("Secret", type="Opaque"),
     ns_obj("Secret", type="kubernetes.io/basic-auth", data={"username": "YQ=="}),
     ['type: Invalid value: "Opaque": field is immutable']),
    # --- ingress -----------------------------------------------------------------------------
    ("an ingress path needs a pathType", ing([{"path": "/", "backend": backend()}]), None,
     ["spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"]),
    ("an unknown pathType is not supported", ing([{"path": "/", "pathType": "Regex", "backend": backend()}]), None,
     ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: '
      '"Exact", "ImplementationSpecific", "Prefix"']),
    ("a Prefix path must be absolute", ing([{"path": "api", "pathType": "Prefix", "backend": backend()}]), None,
     ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']),
    ("a service backend needs a port", ing([{"path": "/", "pathType": "Prefix", "backend": backend({})}]), None,
     ["spec.rules[0].http.paths[0].backend: Required value: port name or number is required"]),
    ("a path needs a backend", ing([{"path": "/", "pathType": "Prefix", "backend": {}}]), None,
     ['spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required']),
    ("an ingress needs rules or a default backend", ing(), None,
     ["spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"]),
    ("an ingress host may not be an IP address",
     ing(rules=[{"host": "10.0.0.1", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend()}]}}]),
     None, ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']),
    ("an ingress class controller must be domain-prefixed",
     cluster_obj("IngressClass", NET, "nginx", spec={"controller": "nginx"}), None,
     ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']),
    # --- RBAC -------------------------------------------------------------------------------
    ("a policy rule needs verbs", ns_obj("Role", RBAC, "r", rules=[{"apiGroups": [""], "resources": ["pods"]}]), None,
     ["rules[0].verbs: Required value: verbs must contain at least one value"]),
    ("a resource rule needs api groups and resources", ns_obj("Role", RBAC, "r", rules=[{"verbs": ["get"]}]), None,
     ["rules[0].apiGroups: Required value: resource rules must supply at least one api group",
      "rules[0].resources: Required value: resource rules must supply at least one resource"]),
    ("a Role may not grant non-resource URLs",
     ns_obj("Role", RBAC, "r", rules=[{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]), None,
     ['rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to '
      "non-resource URLs"]),
    ("a subject kind must be ServiceAccount, User or Group",
     binding({"kind": "Role", "name": "r"}, [{"kind": "Robot", "name": "x"}]), None,
     ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"']),
    ("a roleRef must point at a Role or ClusterRole, and subjects need names",
     binding({"kind": "Rule", "name": "r"}, [{"kind": "User"}]), None,
     ['roleRef.kind: Unsupported value: "Rule": supported values: "Role", "ClusterRole"',
      "subjects[0].name: Required value"]),
    ("a cluster role binding binds a ClusterRole to namespaced service accounts",
     binding({"kind": "Role", "name": "r"}, [{"kind": "ServiceAccount", "name": "default"}],
             kind="ClusterRoleBinding"), None,
     ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      "subjects[0].namespace: Required value"]),
    ("a binding's roleRef cannot change",
     binding({"kind": "Role", "name": "admin"}, [{"kind": "User", "name": "alice"}]),
     binding({"kind": "Role", "name": "r"}, [{"kind": "User", "name": "alice"}]),
     ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"admin"}: '
      "cannot change roleRef"]),
    # --- the rest --------------------------------------------------------------------------
    ("a taint effect must be known",
     cluster_obj("Node", name="n1", spec={"taints": [{"key": "a", "effect": "Sometimes"}]}), None,
     ['spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", '
      '"PreferNoSchedule", "NoExecute"']),
    ("a lease lasts more than zero seconds",
     ns_obj("Lease", "coordination.k8s.io/v1", "l", spec={"leaseDurationSeconds": 0}), None,
     ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"]),
    ("an endpoint slice address type must be known and endpoints need addresses",
     ns_obj("EndpointSlice", "discovery.k8s.io/v1", "e", addressType="IPv5", endpoints=[{"addresses": []}]), None,
     ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
      "endpoints[0].addresses: Required value: must contain at least 1 address"]),
    ("an IPv4 endpoint address must be an IP",
     ns_obj("EndpointSlice", "discovery.k8s.io/v1", "e", addressType="IPv4", endpoints=[{"addresses": ["10.0.0.300"]}]),
     None, ['endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IP address, '
            "(e.g. 10.9.8.7 or 2001:db8::ffff)"]),
    ("an endpoints port must be in range",
     ns_obj("Endpoints", subsets=[{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 70000}]}]), None,
     [f"subsets[0].ports[0].port: Invalid value: 70000: {PORT_RANGE}"]),
    ("an event's object must live in the event's namespace",
     ns_obj("Event", involvedObject={"kind": "Pod", "name": "p", "namespace": "other"}, reason="X"), None,
     ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']),
    ("an events.k8s.io event needs an eventTime and a known type",
     ns_obj("Event", "events.k8s.io/v1", "e", regarding={"kind": "Pod", "name": "p", "namespace": "default"},
            reason="X", type="Info"), None,
     ["eventTime: Required value", 'type: Invalid value: "": has invalid value: Info']),
]


def _prepare(obj):
    obj = copy.deepcopy(obj)
    decode.strict_decode(obj, REGISTRY.for_kind(obj["apiVersion"], obj["kind"]))
    defaults.apply_defaults(obj)
    return obj


@pytest.mark.parametrize("name, obj, old, expected", CASES, ids=[c[0] for c in CASES])
def test_an_invalid_manifest_gets_kube_apiservers_field_errors(name, obj, old, expected):
    new = _prepare(obj)
    previous = _prepare(old) if old is not None else None
    assert [str(e) for e in validation.validate(new, previous)] == expected


def test_the_table_holds_at_least_sixty_invalid_manifests():
    assert sum(1 for case in CASES if case[3]) >= 60


def test_changing_only_the_image_of_a_pod_is_allowed():
    old = _prepare(pod())
    new = updated(old, _set(["spec", "containers", 0, "image"], "nginx:1.27"))
    assert validation.validate(new, old) == []


def test_adding_a_label_to_a_deployment_is_a_valid_update():
    old = _prepare(deploy())
    new = updated(old, _set(["metadata", "labels"], {"team": "a"}))
    assert validation.validate(new, old) == []


def test_an_update_that_changes_labels_to_invalid_ones_is_refused():
    old = _prepare(deploy())
    new = updated(old, _set(["metadata", "labels"], {"team": "a b"}))
    assert [str(e) for e in validation.validate(new, old)] == [
        'metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist '
        "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
        "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]


def test_an_update_revalidates_changed_owner_references_and_finalizers_not_equal_ones():
    old = _prepare(ns_obj("ConfigMap", name="a"))
    old["metadata"]["finalizers"] = ["example.com/keep"]
    new = updated(old, _set(["metadata", "finalizers"], ["example.com/keep", "example.com/keep"]))
    assert [str(e) for e in validation.validate(new, old)] == [
        'metadata.finalizers: Duplicate value: "example.com/keep"']
    assert validation.validate(copy.deepcopy(old), old) == []


def test_a_renamed_object_is_refused_on_update():
    old = _prepare(ns_obj("ConfigMap", name="a"))
    new = updated(old, _set(["metadata", "name"], "b"))
    assert [str(e) for e in validation.validate(new, old)] == [
        'metadata.name: Invalid value: "b": field is immutable']


def test_an_unknown_kind_has_no_validator_and_no_errors():
    assert validation.validate({"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver"}) == []
