"""The default RBAC objects a new cluster starts with.

Mirrors plugin/pkg/auth/authorizer/rbac/bootstrappolicy (policy.go, controller_policy.go and
their testdata ``cluster-roles.yaml`` / ``cluster-role-bindings.yaml`` /
``controller-roles.yaml``): kube-apiserver creates these ClusterRoles and ClusterRoleBindings
at start-up, labelled ``kubernetes.io/bootstrapping: rbac-defaults`` and annotated
``rbac.authorization.kubernetes.io/autoupdate: "true"``. Rule lists are sorted, as the rule
builder in policy.go sorts them.

What is here:

* :func:`objects` — the API server's defaults: ``cluster-admin``, the user-facing ``admin`` /
  ``edit`` / ``view`` (aggregated from ``system:aggregate-to-*``), the component roles
  (``system:kube-scheduler``, ``system:kube-controller-manager``, ``system:node``,
  ``system:node-proxier``, ``system:volume-scheduler`` ...), discovery and public-info roles,
  and the per-controller roles ``system:controller:<name>`` bound to the service accounts
  ``kube-system/<name>`` (kubeadm runs the controller manager with
  ``--use-service-account-credentials``, so each controller acts with its own narrow role).
  The feature-gated and storage-plugin controller roles that labkube has no counterpart for
  are left out.
* :func:`kubeadm_objects` — what kubeadm (and so kind) adds after the API server is up and that
  labkube's identities rely on: the ``kubeadm:cluster-admins`` binding that makes
  ``kubernetes-admin`` a cluster admin, and ``kubeadm:node-proxier`` for kube-proxy.

Aggregated roles carry the rules the aggregation controller would have written (a real
cluster shows them filled in within a second of start-up); the RBAC authorizer recomputes the
aggregation itself, so the stored copy is only what ``kubectl get clusterrole view -o yaml``
shows.

Objects are plain dicts without server-set fields (uid, resourceVersion, creationTimestamp).
"""

from __future__ import annotations

import copy

from labkube.core.api.rbac import aggregate_rules

API_VERSION = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"
BOOTSTRAP_LABEL = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE_ANNOTATION = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin"
AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit"
AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view"

READ = ("get", "list", "watch")
WRITE = ("create", "update", "patch", "delete", "deletecollection")
READ_WRITE = READ + WRITE
READ_UPDATE = READ + ("update", "patch")

CORE, APPS, BATCH, EXTENSIONS = "", "apps", "batch", "extensions"
AUTHN, AUTHZ = "authentication.k8s.io", "authorization.k8s.io"
AUTOSCALING, POLICY, NETWORKING = "autoscaling", "policy", "networking.k8s.io"
COORDINATION, DISCOVERY, EVENTS = "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io"
STORAGE, CERTIFICATES = "storage.k8s.io", "certificates.k8s.io"


# ---------------------------------------------------------------------------
# A small rule builder (rbacv1helpers.NewRule(...).Groups(...).Resources(...).RuleOrDie())
# ---------------------------------------------------------------------------


def rule(verbs, groups, resources, names=()) -> dict:
    """A resource PolicyRule; every list sorted, fields in the API's order."""
    out = {
        "verbs": sorted(_tuple(verbs)),
        "apiGroups": sorted(_tuple(groups)),
        "resources": sorted(_tuple(resources)),
    }
    if names:
        out["resourceNames"] = sorted(_tuple(names))
    return out


def url_rule(verbs, urls) -> dict:
    """A non-resource PolicyRule, e.g. ``get`` on ``/healthz``."""
    return {"verbs": sorted(_tuple(verbs)), "nonResourceURLs": sorted(_tuple(urls))}


def _tuple(value) -> tuple:
    return (value,) if isinstance(value, str) else tuple(value)


def events_rule() -> dict:
    return rule(("create", "update", "patch"), (CORE, EVENTS), "events")


def cluster_role(name: str, rules=(), *, labels=None, aggregate_from: str | None = None) -> dict:
    metadata: dict = {"name": name, "labels": {**BOOTSTRAP_LABEL, **(labels or {})},
                      "annotations": dict(AUTOUPDATE_ANNOTATION)}
    role: dict = {"kind": "ClusterRole", "apiVersion": API_VERSION, "metadata": metadata,
                  "rules": list(rules)}
    if aggregate_from:
        role["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {aggregate_from: "true"}}]}
    return role


def subject(kind: str, name: str, namespace: str = "") -> dict:
    if kind == "ServiceAccount":
        return {"kind": kind, "name": name, "namespace": namespace}
    return {"kind": kind, "apiGroup": RBAC_GROUP, "name": name}


def cluster_role_binding(name: str, role: str, subjects=(), *, bootstrap: bool = True) -> dict:
    metadata: dict = {"name": name}
    if bootstrap:
        metadata["labels"] = dict(BOOTSTRAP_LABEL)
        metadata["annotations"] = dict(AUTOUPDATE_ANNOTATION)
    binding: dict = {
        "kind": "ClusterRoleBinding",
        "apiVersion": API_VERSION,
        "metadata": metadata,
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
    }
    if subjects:
        binding["subjects"] = list(subjects)
    return binding


# ---------------------------------------------------------------------------
# policy.go: clusterRoles()
# ---------------------------------------------------------------------------


def node_rules() -> list[dict]:
    """``NodeRules()``: what a kubelet may do (the Node authorizer narrows it further)."""
    return [
        rule("create", AUTHN, "tokenreviews"),
        rule("create", AUTHZ, ("localsubjectaccessreviews", "subjectaccessreviews")),
        rule(READ, CORE, "services"),
        rule(("create", "get", "list", "watch"), CORE, "nodes"),
        rule(("update", "patch"), CORE, "nodes/status"),
        rule(("update", "patch"), CORE, "nodes"),
        rule(("create", "update", "patch"), CORE, "events"),
        rule(READ, CORE, "pods"),
        rule(("create", "delete"), CORE, "pods"),
        rule(("update", "patch"), CORE, "pods/status"),
        rule("create", CORE, "pods/eviction"),
        rule(READ, CORE, ("secrets", "configmaps")),
        rule("get", CORE, ("persistentvolumeclaims", "persistentvolumes")),
        rule("get", CORE, "endpoints"),
        rule(("create", "get", "list", "watch"), CERTIFICATES, "certificatesigningrequests"),
        rule(("get", "create", "update", "patch", "delete"), COORDINATION, "leases"),
        rule("get", STORAGE, "volumeattachments"),
        rule("create", CORE, "serviceaccounts/token"),
        rule(("get", "update", "patch"), CORE, "persistentvolumeclaims/status"),
        rule(("get", "watch", "list"), STORAGE, "csidrivers"),
        rule(("get", "create", "update", "patch", "delete"), STORAGE, "csinodes"),
        rule(READ, "node.k8s.io", "runtimeclasses"),
    ]


def _aggregate_to_admin() -> list[dict]:
    return [
        rule("create", AUTHZ, "localsubjectaccessreviews"),
        rule(READ_WRITE, RBAC_GROUP, ("roles", "rolebindings")),
    ]


def _aggregate_to_edit() -> list[dict]:
    return [
        rule(READ, CORE, ("pods/attach", "pods/proxy", "pods/exec", "pods/portforward",
                          "secrets", "services/proxy")),
        rule("impersonate", CORE, "serviceaccounts"),
        rule(WRITE, CORE, ("pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward")),
        rule("create", CORE, "pods/eviction"),
        rule(WRITE, CORE, ("replicationcontrollers", "replicationcontrollers/scale",
                           "serviceaccounts", "services", "services/proxy",
                           "persistentvolumeclaims", "configmaps", "secrets")),
        rule("create", CORE, "serviceaccounts/token"),
        rule(WRITE, APPS, ("statefulsets", "statefulsets/scale", "daemonsets", "deployments",
                           "deployments/scale", "deployments/rollback", "replicasets",
                           "replicasets/scale")),
        rule(WRITE, AUTOSCALING, "horizontalpodautoscalers"),
        rule(WRITE, BATCH, ("jobs", "cronjobs")),
        rule(WRITE, EXTENSIONS, ("daemonsets", "deployments", "deployments/scale",
                                 "deployments/rollback", "ingresses", "replicasets",
                                 "replicasets/scale", "replicationcontrollers/scale",
                                 "networkpolicies")),
        rule(WRITE, POLICY, "poddisruptionbudgets"),
        rule(WRITE, NETWORKING, ("networkpolicies", "ingresses")),
    ]


def _aggregate_to_view() -> list[dict]:
    return [
        rule(READ, CORE, ("pods", "replicationcontrollers", "replicationcontrollers/scale",
                          "serviceaccounts", "services", "services/status", "endpoints",
                          "persistentvolumeclaims", "persistentvolumeclaims/status",
                          "configmaps")),
        rule(READ, CORE, ("limitranges", "resourcequotas", "bindings", "events", "pods/status",
                          "resourcequotas/status", "namespaces/status",
                          "replicationcontrollers/status", "pods/log")),
        # Reading namespaces at namespace scope means reading *this* namespace.
        rule(READ, CORE, "namespaces"),
        rule(READ, DISCOVERY, "endpointslices"),
        rule(READ, APPS, ("controllerrevisions", "statefulsets", "statefulsets/status",
                          "statefulsets/scale", "daemonsets", "daemonsets/status",
                          "deployments", "deployments/status", "deployments/scale",
                          "replicasets", "replicasets/status", "replicasets/scale")),
        rule(READ, AUTOSCALING, ("horizontalpodautoscalers", "horizontalpodautoscalers/status")),
        rule(READ, BATCH, ("jobs", "cronjobs", "cronjobs/status", "jobs/status")),
        rule(READ, EXTENSIONS, ("daemonsets", "daemonsets/status", "deployments",
                                "deployments/scale", "deployments/status", "ingresses",
                                "ingresses/status", "replicasets", "replicasets/scale",
                                "replicasets/status", "replicationcontrollers/scale",
                                "networkpolicies")),
        rule(READ, POLICY, ("poddisruptionbudgets", "poddisruptionbudgets/status")),
        rule(READ, NETWORKING, ("ingresses", "ingresses/status", "networkpolicies")),
    ]


def _kube_scheduler_rules() -> list[dict]:
    return [
        events_rule(),
        rule("create", COORDINATION, "leases"),
        rule(("get", "update"), COORDINATION, "leases", names="kube-scheduler"),
        rule(READ, CORE, "nodes"),
        rule(("get", "list", "watch", "delete"), CORE, "pods"),
        rule("create", CORE, ("pods/binding", "bindings")),
        rule(("patch", "update"), CORE, "pods/status"),
        rule(READ, CORE, ("replicationcontrollers", "services")),
        rule(READ, (APPS, EXTENSIONS), "replicasets"),
        rule(READ, APPS, "statefulsets"),
        rule(READ, POLICY, "poddisruptionbudgets"),
        rule(READ, CORE, ("persistentvolumeclaims", "persistentvolumes")),
        rule("create", AUTHN, "tokenreviews"),
        rule("create", AUTHZ, "subjectaccessreviews"),
        rule(READ, STORAGE, "csinodes"),
        rule(READ, CORE, "namespaces"),
        rule(READ, STORAGE, "csidrivers"),
        rule(READ, STORAGE, "csistoragecapacities"),
    ]


def _kube_controller_manager_rules() -> list[dict]:
    return [
        events_rule(),
        rule("create", COORDINATION, "leases"),
        rule(("get", "update"), COORDINATION, "leases", names="kube-controller-manager"),
        rule("create", CORE, ("secrets", "serviceaccounts")),
        rule("delete", CORE, "secrets"),
        rule("get", CORE, ("namespaces", "secrets", "serviceaccounts", "configmaps")),
        rule("update", CORE, ("secrets", "serviceaccounts")),
        rule("create", AUTHN, "tokenreviews"),
        rule("create", AUTHZ, "subjectaccessreviews"),
        # Needed for all shared informers.
        rule(("list", "watch"), "*", "*"),
        rule("create", CORE, "serviceaccounts/token"),
    ]


def _signer_approver(name: str, signer: str) -> dict:
    return cluster_role(name, [rule("approve", CERTIFICATES, "signers", names=signer)])


def _cluster_roles() -> list[dict]:
    discovery_urls = ("/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi",
                      "/openapi/*", "/api", "/api/*", "/apis", "/apis/*")
    return [
        cluster_role("cluster-admin", [rule("*", "*", "*"), url_rule("*", "*")]),
        cluster_role("system:discovery", [url_rule("get", discovery_urls)]),
        cluster_role("system:monitoring", [url_rule("get", (
            "/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz",
            "/livez/*", "/readyz/*", "/healthz/*"))]),
        cluster_role("system:basic-user", [
            rule("create", AUTHZ, ("selfsubjectaccessreviews", "selfsubjectrulesreviews")),
            rule("create", AUTHN, "selfsubjectreviews"),
        ]),
        cluster_role("system:public-info-viewer", [url_rule("get", (
            "/livez", "/readyz", "/healthz", "/version", "/version/"))]),
        cluster_role("admin", aggregate_from=AGGREGATE_TO_ADMIN),
        cluster_role("edit", labels={AGGREGATE_TO_ADMIN: "true"}, aggregate_from=AGGREGATE_TO_EDIT),
        cluster_role("view", labels={AGGREGATE_TO_EDIT: "true"}, aggregate_from=AGGREGATE_TO_VIEW),
        cluster_role("system:aggregate-to-admin", _aggregate_to_admin(),
                     labels={AGGREGATE_TO_ADMIN: "true"}),
        cluster_role("system:aggregate-to-edit", _aggregate_to_edit(),
                     labels={AGGREGATE_TO_EDIT: "true"}),
        cluster_role("system:aggregate-to-view", _aggregate_to_view(),
                     labels={AGGREGATE_TO_VIEW: "true"}),
        cluster_role("system:heapster", [
            rule(READ, CORE, ("events", "pods", "nodes", "namespaces")),
            rule(READ, EXTENSIONS, "deployments"),
        ]),
        cluster_role("system:node", node_rules()),
        cluster_role("system:node-problem-detector", [
            rule("get", CORE, "nodes"),
            rule("patch", CORE, "nodes/status"),
            events_rule(),
        ]),
        cluster_role("system:kubelet-api-admin", [
            rule(READ, CORE, "nodes"),
            rule("proxy", CORE, "nodes"),
            rule("*", CORE, ("nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log")),
        ]),
        cluster_role("system:node-bootstrapper", [
            rule(("create", "get", "list", "watch"), CERTIFICATES, "certificatesigningrequests"),
        ]),
        cluster_role("system:auth-delegator", [
            rule("create", AUTHN, "tokenreviews"),
            rule("create", AUTHZ, "subjectaccessreviews"),
        ]),
        cluster_role("system:kube-aggregator", [rule(READ, CORE, ("services", "endpoints"))]),
        cluster_role("system:kube-controller-manager", _kube_controller_manager_rules()),
        cluster_role("system:kube-dns", [rule(("list", "watch"), CORE, ("endpoints", "services"))]),
        cluster_role("system:persistent-volume-provisioner", [
            rule(("get", "list", "watch", "create", "delete"), CORE, "persistentvolumes"),
            rule(("get", "list", "watch", "update"), CORE, "persistentvolumeclaims"),
            rule(READ, STORAGE, "storageclasses"),
            rule("watch", CORE, "events"),
            events_rule(),
        ]),
        cluster_role("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [
            rule("create", CERTIFICATES, "certificatesigningrequests/nodeclient"),
        ]),
        cluster_role("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [
            rule("create", CERTIFICATES, "certificatesigningrequests/selfnodeclient"),
        ]),
        cluster_role("system:volume-scheduler", [
            rule(READ_UPDATE, CORE, "persistentvolumes"),
            rule(READ, STORAGE, "storageclasses"),
            rule(READ_UPDATE, CORE, "persistentvolumeclaims"),
        ]),
        _signer_approver("system:certificates.k8s.io:legacy-unknown-approver",
                         "kubernetes.io/legacy-unknown"),
        _signer_approver("system:certificates.k8s.io:kubelet-serving-approver",
                         "kubernetes.io/kubelet-serving"),
        _signer_approver("system:certificates.k8s.io:kube-apiserver-client-approver",
                         "kubernetes.io/kube-apiserver-client"),
        _signer_approver("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
                         "kubernetes.io/kube-apiserver-client-kubelet"),
        cluster_role("system:service-account-issuer-discovery", [
            url_rule("get", ("/.well-known/openid-configuration", "/openid/v1/jwks")),
        ]),
        cluster_role("system:node-proxier", [
            rule(("list", "watch"), CORE, ("services", "endpoints")),
            rule(READ, CORE, "nodes"),
            events_rule(),
            rule(("list", "watch"), DISCOVERY, "endpointslices"),
        ]),
        cluster_role("system:kube-scheduler", _kube_scheduler_rules()),
    ]


def _cluster_role_bindings() -> list[dict]:
    def group(name: str) -> dict:
        return subject("Group", name)

    def user(name: str) -> dict:
        return subject("User", name)

    return [
        cluster_role_binding("cluster-admin", "cluster-admin", [group("system:masters")]),
        cluster_role_binding("system:monitoring", "system:monitoring", [group("system:monitoring")]),
        cluster_role_binding("system:discovery", "system:discovery", [group("system:authenticated")]),
        cluster_role_binding("system:basic-user", "system:basic-user",
                             [group("system:authenticated")]),
        cluster_role_binding("system:public-info-viewer", "system:public-info-viewer",
                             [group("system:authenticated"), group("system:unauthenticated")]),
        cluster_role_binding("system:node-proxier", "system:node-proxier",
                             [user("system:kube-proxy")]),
        cluster_role_binding("system:kube-controller-manager", "system:kube-controller-manager",
                             [user("system:kube-controller-manager")]),
        cluster_role_binding("system:kube-dns", "system:kube-dns",
                             [subject("ServiceAccount", "kube-dns", "kube-system")]),
        cluster_role_binding("system:kube-scheduler", "system:kube-scheduler",
                             [user("system:kube-scheduler")]),
        cluster_role_binding("system:volume-scheduler", "system:volume-scheduler",
                             [user("system:kube-scheduler")]),
        # Kept without subjects since 1.7: kubelets are authorized by the Node authorizer.
        cluster_role_binding("system:node", "system:node"),
        cluster_role_binding("system:service-account-issuer-discovery",
                             "system:service-account-issuer-discovery",
                             [group("system:serviceaccounts")]),
    ]


# ---------------------------------------------------------------------------
# controller_policy.go: one role per controller, bound to its service account
# ---------------------------------------------------------------------------

CONTROLLER_ROLE_PREFIX = "system:controller:"


def _controller_rules() -> dict[str, list[dict]]:
    return {
        "clusterrole-aggregation-controller": [
            rule(("escalate", "get", "list", "watch", "update", "patch"), RBAC_GROUP,
                 "clusterroles"),
        ],
        "cronjob-controller": [
            rule(("get", "list", "watch", "update"), BATCH, "cronjobs"),
            rule(("get", "list", "watch", "create", "update", "delete", "patch"), BATCH, "jobs"),
            rule("update", BATCH, "cronjobs/status"),
            rule("update", BATCH, "cronjobs/finalizers"),
            rule(("list", "watch", "delete"), CORE, "pods"),
            events_rule(),
        ],
        "daemon-set-controller": [
            rule(READ, (EXTENSIONS, APPS), "daemonsets"),
            rule("update", (EXTENSIONS, APPS), "daemonsets/status"),
            rule("update", (EXTENSIONS, APPS), "daemonsets/finalizers"),
            rule(("list", "watch"), CORE, "nodes"),
            rule(("list", "watch", "create", "delete", "patch"), CORE, "pods"),
            rule("create", CORE, "pods/binding"),
            rule(("get", "list", "watch", "create", "delete", "update", "patch"), APPS,
                 "controllerrevisions"),
            events_rule(),
        ],
        "deployment-controller": [
            rule(("get", "list", "watch", "update"), (EXTENSIONS, APPS), "deployments"),
            rule("update", (EXTENSIONS, APPS), "deployments/status"),
            rule("update", (EXTENSIONS, APPS), "deployments/finalizers"),
            rule(("get", "list", "watch", "create", "update", "patch", "delete"),
                 (APPS, EXTENSIONS), "replicasets"),
            rule(("get", "list", "watch", "update"), CORE, "pods"),
            events_rule(),
        ],
        "disruption-controller": [
            rule(READ, (EXTENSIONS, APPS), "deployments"),
            rule(READ, (APPS, EXTENSIONS), "replicasets"),
            rule(READ, CORE, "replicationcontrollers"),
            rule(READ, POLICY, "poddisruptionbudgets"),
            rule(READ, APPS, "statefulsets"),
            rule("update", POLICY, "poddisruptionbudgets/status"),
            rule(("patch", "update"), CORE, "pods/status"),
            rule("get", "*", "*/scale"),
            events_rule(),
        ],
        "endpoint-controller": [
            rule(READ, CORE, ("services", "pods")),
            rule(("get", "list", "watch", "create", "update", "delete"), CORE, "endpoints"),
            rule("create", CORE, "endpoints/restricted"),
            events_rule(),
        ],
        "endpointslice-controller": [
            rule(READ, CORE, ("services", "pods", "nodes")),
            rule("update", CORE, "services/finalizers"),
            rule(("get", "list", "watch", "create", "update", "delete"), DISCOVERY,
                 "endpointslices"),
            events_rule(),
        ],
        "endpointslicemirroring-controller": [
            rule(READ, CORE, ("services", "endpoints")),
            rule("update", CORE, "services/finalizers"),
            rule("update", CORE, "endpoints/finalizers"),
            rule(("get", "list", "watch", "create", "update", "delete"), DISCOVERY,
                 "endpointslices"),
            events_rule(),
        ],
        "generic-garbage-collector": [
            rule(("get", "list", "watch", "patch", "update", "delete"), "*", "*"),
            events_rule(),
        ],
        "horizontal-pod-autoscaler": [
            rule(READ, AUTOSCALING, "horizontalpodautoscalers"),
            rule("update", AUTOSCALING, "horizontalpodautoscalers/status"),
            rule(("get", "update"), "*", "*/scale"),
            rule("list", CORE, "pods"),
            rule("list", "metrics.k8s.io", "pods"),
            rule(("get", "list"), "custom.metrics.k8s.io", "*"),
            rule(("get", "list"), "external.metrics.k8s.io", "*"),
            events_rule(),
        ],
        "job-controller": [
            rule(("get", "list", "watch", "update", "patch"), BATCH, "jobs"),
            rule("update", BATCH, "jobs/status"),
            rule("update", BATCH, "jobs/finalizers"),
            rule(("list", "watch", "create", "delete", "patch"), CORE, "pods"),
            events_rule(),
        ],
        "namespace-controller": [
            rule(("get", "list", "watch", "delete"), CORE, "namespaces"),
            rule("update", CORE, ("namespaces/finalize", "namespaces/status")),
            rule(("get", "list", "watch", "delete", "deletecollection"), "*", "*"),
        ],
        "node-controller": [
            rule(("get", "list", "watch", "update", "delete", "patch"), CORE, "nodes"),
            rule(("patch", "update"), CORE, "nodes/status"),
            rule(("patch", "update"), CORE, "pods/status"),
            rule(("list", "watch", "get", "delete"), CORE, "pods"),
            events_rule(),
        ],
        "persistent-volume-binder": [
            rule(("get", "list", "watch", "update", "create", "delete"), CORE, "persistentvolumes"),
            rule("update", CORE, "persistentvolumes/status"),
            rule(("get", "list", "watch", "update"), CORE, "persistentvolumeclaims"),
            rule("update", CORE, "persistentvolumeclaims/status"),
            rule(("list", "watch", "get", "create", "delete"), CORE, "pods"),
            rule(("get", "list", "watch"), STORAGE, "storageclasses"),
            rule(("get", "create", "update", "delete"), CORE, "endpoints"),
            rule(("get", "create", "delete"), CORE, "services"),
            rule("get", CORE, "secrets"),
            rule(("get", "list"), CORE, "nodes"),
            rule("watch", CORE, "events"),
            events_rule(),
        ],
        "pod-garbage-collector": [
            rule(("list", "watch", "delete"), CORE, "pods"),
            rule(READ, CORE, "nodes"),
            rule("patch", CORE, "pods/status"),
        ],
        "replicaset-controller": [
            rule(("get", "list", "watch", "update"), (APPS, EXTENSIONS), "replicasets"),
            rule("update", (APPS, EXTENSIONS), "replicasets/status"),
            rule("update", (APPS, EXTENSIONS), "replicasets/finalizers"),
            rule(("list", "watch", "patch", "create", "delete"), CORE, "pods"),
            events_rule(),
        ],
        "replication-controller": [
            rule(("get", "list", "watch", "update"), CORE, "replicationcontrollers"),
            rule("update", CORE, "replicationcontrollers/status"),
            rule("update", CORE, "replicationcontrollers/finalizers"),
            rule(("list", "watch", "patch", "create", "delete"), CORE, "pods"),
            events_rule(),
        ],
        "resourcequota-controller": [
            rule(("list", "watch"), "*", "*"),
            rule("update", CORE, "resourcequotas/status"),
            events_rule(),
        ],
        "service-account-controller": [
            rule("create", CORE, "serviceaccounts"),
            events_rule(),
        ],
        "statefulset-controller": [
            rule(("list", "watch"), CORE, "pods"),
            rule(READ, APPS, "statefulsets"),
            rule("update", APPS, "statefulsets/status"),
            rule("update", APPS, "statefulsets/finalizers"),
            rule(("get", "create", "delete", "update", "patch"), CORE, "pods"),
            rule(("get", "create", "delete", "update", "patch", "list", "watch"), APPS,
                 "controllerrevisions"),
            rule(("get", "create", "list", "watch"), CORE, "persistentvolumeclaims"),
            rule(("update", "delete"), CORE, "persistentvolumeclaims"),
            rule("update", CORE, "pods/finalizers"),
            events_rule(),
        ],
        "ttl-controller": [
            rule(("update", "patch", "list", "watch"), CORE, "nodes"),
            events_rule(),
        ],
        "ttl-after-finished-controller": [
            rule(("get", "list", "watch", "delete"), BATCH, "jobs"),
            events_rule(),
        ],
        "pvc-protection-controller": [
            rule(("get", "list", "watch", "update"), CORE, "persistentvolumeclaims"),
            rule(("list", "watch", "get"), CORE, "pods"),
            events_rule(),
        ],
        "pv-protection-controller": [
            rule(("get", "list", "watch", "update"), CORE, "persistentvolumes"),
            events_rule(),
        ],
        "root-ca-cert-publisher": [
            rule(("create", "update"), CORE, "configmaps"),
            events_rule(),
        ],
    }


def controller_objects() -> list[dict]:
    """``system:controller:<name>`` ClusterRoles and their bindings to ``kube-system/<name>``."""
    out: list[dict] = []
    for name, rules in _controller_rules().items():
        role_name = CONTROLLER_ROLE_PREFIX + name
        out.append(cluster_role(role_name, rules))
        out.append(cluster_role_binding(
            role_name, role_name, [subject("ServiceAccount", name, "kube-system")]))
    return out


def controller_names() -> list[str]:
    """Names of the controllers that have a bootstrap role (their service-account names)."""
    return sorted(_controller_rules())


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def objects() -> list[dict]:
    """kube-apiserver's bootstrap ClusterRoles then ClusterRoleBindings, each sorted by name.

    Fresh dicts every call; aggregated roles have their rules filled in as the aggregation
    controller leaves them.
    """
    controllers = controller_objects()
    roles = _cluster_roles() + [o for o in controllers if o["kind"] == "ClusterRole"]
    bindings = _cluster_role_bindings() + [o for o in controllers if o["kind"] == "ClusterRoleBinding"]
    _fill_aggregated(roles)
    roles.sort(key=lambda o: o["metadata"]["name"])
    bindings.sort(key=lambda o: o["metadata"]["name"])
    return copy.deepcopy(roles + bindings)


def kubeadm_objects() -> list[dict]:
    """What kubeadm/kind add on top: the admin group's binding and kube-proxy's.

    Without ``kubeadm:cluster-admins`` the user ``kubernetes-admin`` (group
    ``kubeadm:cluster-admins``) has no rights, exactly as on a kubeadm cluster.
    """
    return [
        cluster_role_binding("kubeadm:cluster-admins", "cluster-admin",
                             [subject("Group", "kubeadm:cluster-admins")], bootstrap=False),
        cluster_role_binding("kubeadm:node-proxier", "system:node-proxier",
                             [subject("ServiceAccount", "kube-proxy", "kube-system")],
                             bootstrap=False),
    ]


def _fill_aggregated(roles: list[dict]) -> None:
    """Write aggregated rules in dependency order (view, then edit, then admin)."""
    by_name = {r["metadata"]["name"]: r for r in roles}
    for name in ("view", "edit", "admin"):
        by_name[name]["rules"] = copy.deepcopy(aggregate_rules(by_name[name], roles))
