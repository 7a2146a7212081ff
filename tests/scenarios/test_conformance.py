"""Every manifest in the Kubernetes documentation corpus is treated as a real API server would.

Accepted manifests of the core kinds are applied unchanged and come back with the defaults a
real API server adds; manifests real Kubernetes refuses are refused with its error; kinds that
later issues add get a clear "not supported yet" error.
"""

from pathlib import Path

import pytest

from labkube import StatusError
from labkube.core.manifests import load
from tests.conftest import CONFORMANCE

pytestmark = pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"no corpus at {CONFORMANCE}")

CORE_KINDS = {
    "Namespace", "Node", "Pod", "Service", "Endpoints", "EndpointSlice", "ConfigMap", "Secret",
    "ServiceAccount", "Event", "Lease", "Deployment", "ReplicaSet", "Ingress", "IngressClass",
    "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Job",
    "NetworkPolicy",
    "PersistentVolume", "PersistentVolumeClaim", "StorageClass",
    "StatefulSet",
    "DaemonSet",
    "LimitRange",
    "ResourceQuota",
    "PriorityClass",
    "CronJob",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "ReplicationController",
    "PodTemplate",
    "CustomResourceDefinition",
}

#: Documents real Kubernetes refuses, and the error it gives.
REFUSED = {
    "pods/pod-with-node-affinity.yaml": (
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal array into Go '
        "struct field NodeAffinity.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution "
        "of type v1.NodeSelector"
    ),
    "application/job/cronjob.yaml": 'no matches for kind "CronJob" in version "batch/v1beta1"',
}


def _documents():
    if not CONFORMANCE.is_dir():
        return []
    docs = []
    for path in sorted(CONFORMANCE.rglob("*.yaml")):
        rel = path.relative_to(CONFORMANCE).as_posix()
        for index, manifest in enumerate(load(path)):
            docs.append(pytest.param(rel, manifest.obj, id=f"{rel}#{index}"))
    return docs


def _namespaces_needed(cluster, obj):
    namespace = obj.get("metadata", {}).get("namespace")
    if namespace and namespace not in ("default",):
        cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})


@pytest.mark.parametrize("rel, obj", _documents())
def test_each_documented_manifest_is_accepted_or_refused_as_kubernetes_does(cluster, rel, obj):
    _namespaces_needed(cluster, obj)
    cluster.settle()  # let controllers finish reacting, so only the apply could write
    before = cluster.store.revision
    if rel in REFUSED:
        with pytest.raises(StatusError) as err:
            cluster.apply(obj)
        assert err.value.message == REFUSED[rel]
        assert cluster.store.revision == before
    elif obj["kind"] in CORE_KINDS:
        live = cluster.apply(obj)[0]
        assert live["metadata"]["uid"] and live["metadata"]["resourceVersion"]
        assert live["metadata"]["creationTimestamp"] == cluster.clock.timestamp()
        _check_defaults(obj, live)
    else:
        with pytest.raises(StatusError) as err:
            cluster.apply(obj)
        assert err.value.message == (
            f'no matches for kind "{obj["kind"]}" in version "{obj["apiVersion"]}": '
            f'labkube does not support {obj["kind"]} yet'
        )
        assert cluster.store.revision == before


def _expect(original, live, path, default):
    """A field the manifest set keeps its value; one it left out gets the server's default."""
    given, got = original, live
    for key in path:
        given = given.get(key, {}) if isinstance(given, dict) else {}
        got = got[key]
    expected = default if given == {} else given
    assert got == expected, f"{'.'.join(path)}: {got!r} != {expected!r}"


def _check_defaults(original, live):
    kind = live["kind"]
    if kind == "Pod":
        _check_pod_spec_defaults(original.get("spec", {}), live["spec"])
        # SetDefaults_Pod (not SetDefaults_PodSpec) sets this, so templates never get it.
        _expect(original, live, ("spec", "enableServiceLinks"), True)
        assert live["status"]["phase"] == "Pending"
        assert live["status"]["qosClass"] in ("BestEffort", "Burstable", "Guaranteed")
    elif kind in ("Deployment", "ReplicaSet"):
        template = original["spec"]["template"].get("spec", {})
        _check_pod_spec_defaults(template, live["spec"]["template"]["spec"])
        assert live["metadata"]["generation"] == 1
        _expect(original, live, ("spec", "replicas"), 1)
        if kind == "Deployment":
            _expect(original, live, ("spec", "revisionHistoryLimit"), 10)
            _expect(original, live, ("spec", "progressDeadlineSeconds"), 600)
            _expect(original, live, ("spec", "strategy"),
                    {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
    elif kind == "Service":
        spec = live["spec"]
        _expect(original, live, ("spec", "type"), "ClusterIP")
        _expect(original, live, ("spec", "sessionAffinity"), "None")
        if original["spec"].get("clusterIP") == "None":
            assert spec["clusterIP"] == "None"
        else:
            first, second = (int(p) for p in spec["clusterIP"].split(".")[:2])
            assert first == 10 and 96 <= second <= 111  # inside 10.96.0.0/12
        assert spec["clusterIPs"] == [spec["clusterIP"]]
        for given, port in zip(original["spec"]["ports"], spec["ports"]):
            assert port["protocol"] == given.get("protocol", "TCP")
            assert port["targetPort"] == given.get("targetPort", given["port"])
            if spec["type"] in ("NodePort", "LoadBalancer"):
                assert 30000 <= port["nodePort"] <= 32767
    elif kind == "Job":
        _check_pod_spec_defaults(original["spec"]["template"].get("spec", {}), live["spec"]["template"]["spec"])
        uid = live["metadata"]["uid"]
        assert live["metadata"]["generation"] == 1
        assert live["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        assert live["spec"]["template"]["metadata"]["labels"] == {
            "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": live["metadata"]["name"],
            "controller-uid": uid, "job-name": live["metadata"]["name"],
        }
        for field, default in (("parallelism", 1), ("backoffLimit", 6), ("completionMode", "NonIndexed"),
                               ("suspend", False), ("manualSelector", False),
                               ("podReplacementPolicy", "TerminatingOrFailed")):
            _expect(original, live, ("spec", field), default)
        assert live["status"] == {}
    elif kind == "CronJob":
        job_template = live["spec"]["jobTemplate"]
        _check_pod_spec_defaults(original["spec"]["jobTemplate"]["spec"]["template"].get("spec", {}),
                                 job_template["spec"]["template"]["spec"])
        assert live["metadata"]["generation"] == 1
        for field, default in (("concurrencyPolicy", "Allow"), ("suspend", False),
                               ("successfulJobsHistoryLimit", 3), ("failedJobsHistoryLimit", 1)):
            _expect(original, live, ("spec", field), default)
        assert "completions" not in job_template["spec"]  # SetDefaults_Job is for Jobs, not templates
        assert live["status"] == {}
    elif kind == "NetworkPolicy":
        spec, given = live["spec"], original["spec"]
        assert live["metadata"]["generation"] == 1
        assert "status" not in live  # networking/v1 NetworkPolicy has no status
        assert spec["policyTypes"] == given.get("policyTypes") or (
            ["Ingress"] + (["Egress"] if given.get("egress") else []))
        for direction in ("ingress", "egress"):
            for given_rule, rule in zip(given.get(direction) or [], spec.get(direction) or []):
                for given_port, port in zip(given_rule.get("ports") or [], rule.get("ports") or []):
                    assert port["protocol"] == given_port.get("protocol", "TCP")
    elif kind == "StatefulSet":
        _check_stateful_set_defaults(original, live)
    elif kind == "DaemonSet":
        _check_daemon_set_defaults(original, live)
    elif kind in ("PersistentVolume", "PersistentVolumeClaim", "StorageClass"):
        _check_storage_defaults(original, live)
    elif kind == "HorizontalPodAutoscaler":
        _expect(original, live, ("spec", "minReplicas"), 1)
        assert live["status"]["desiredReplicas"] == 0
    elif kind == "ResourceQuota":
        # SetDefaults_ResourceList keeps canonical quantities; PrepareForCreate resets status.
        assert live["spec"]["hard"] == {k: str(v) for k, v in sorted(original["spec"]["hard"].items())}
        assert live["status"] == {}
    elif kind == "PodDisruptionBudget":
        # policy/v1 defaults nothing; PrepareForCreate sets the generation and the zero status.
        assert live["spec"] == original["spec"] and live["metadata"]["generation"] == 1
        assert live["status"] == {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                                  "expectedPods": 0}
    elif kind == "CustomResourceDefinition":
        # apiextensions/v1 SetDefaults_CustomResourceDefinitionSpec; the naming and establishing
        # controllers run after the write, so the live object has only the storage version yet.
        names = original["spec"]["names"]
        _expect(original, live, ("spec", "names", "singular"), names["kind"].lower())
        _expect(original, live, ("spec", "names", "listKind"), names["kind"] + "List")
        _expect(original, live, ("spec", "conversion"), {"strategy": "None"})
        assert live["status"]["storedVersions"] == [v["name"] for v in original["spec"]["versions"] if v["storage"]]
    elif kind == "ReplicationController":
        template = original["spec"]["template"]
        _check_pod_spec_defaults(template.get("spec", {}), live["spec"]["template"]["spec"])
        template_labels = template.get("metadata", {}).get("labels")
        _expect(original, live, ("spec", "replicas"), 1)
        _expect(original, live, ("spec", "selector"), template_labels)  # SetDefaults_ReplicationController
        assert live["metadata"]["generation"] == 1 and live["status"] == {"replicas": 0}
    elif kind == "PodTemplate":
        _check_pod_spec_defaults(original["template"].get("spec", {}), live["template"]["spec"])
        assert live["metadata"]["generation"] == 1
    elif kind == "PriorityClass":
        _expect(original, live, ("preemptionPolicy",), "PreemptLowerPriority")
        assert live["metadata"]["generation"] == 1
    elif kind == "Namespace":
        assert live["status"]["phase"] == "Active"
        assert live["spec"]["finalizers"] == ["kubernetes"]
        assert live["metadata"]["labels"]["kubernetes.io/metadata.name"] == live["metadata"]["name"]
    elif kind == "Secret":
        _expect(original, live, ("type",), "Opaque")
    elif kind == "RoleBinding":
        for subject in live.get("subjects", []):
            if subject["kind"] in ("User", "Group"):
                assert subject["apiGroup"] == "rbac.authorization.k8s.io"


def _check_pod_spec_defaults(original, spec):
    wrapped_original, wrapped = {"spec": original}, {"spec": spec}
    for field, default in [
        ("restartPolicy", "Always"),
        ("dnsPolicy", "ClusterFirst"),
        ("terminationGracePeriodSeconds", 30),
        ("schedulerName", "default-scheduler"),
        ("securityContext", {}),
    ]:
        _expect(wrapped_original, wrapped, ("spec", field), default)
    given_containers = original.get("containers", []) + original.get("initContainers", [])
    live_containers = spec["containers"] + spec.get("initContainers", [])
    for given, container in zip(given_containers, live_containers):
        assert container["imagePullPolicy"] == given.get(
            "imagePullPolicy", _policy_for(container["image"])
        )
        assert container["terminationMessagePath"] == "/dev/termination-log"
        assert container["terminationMessagePolicy"] == "File"
        for given_port, port in zip(given.get("ports", []), container.get("ports", [])):
            assert port["protocol"] == given_port.get("protocol", "TCP")


def _policy_for(image):
    if "@" in image:
        return "IfNotPresent"
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    return "Always" if tag in ("", "latest") else "IfNotPresent"


@pytest.mark.parametrize(
    "image, policy",
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.14.2", "IfNotPresent"),
        ("registry.k8s.io/busybox", "Always"),
        ("localhost:5000/app", "Always"),
        ("localhost:5000/app:v1", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
    ],
)
def test_image_pull_policy_follows_the_tag(cluster, image, policy):
    pod = cluster.apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": image}]},
        }
    )[0]
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_a_document_of_the_corpus_applies_unchanged_the_second_time(cluster):
    path = CONFORMANCE / "controllers" / "nginx-deployment.yaml"
    assert cluster.kubectl(f"apply -f {path}") == "deployment.apps/nginx-deployment created\n"
    assert cluster.kubectl(f"apply -f {path}") == "deployment.apps/nginx-deployment unchanged\n"
    assert cluster.get("deployment", "nginx-deployment")["metadata"]["generation"] == 1


def test_the_documented_pi_job_computes_pi_and_completes(cluster):
    """controllers/job.yaml: one pod prints 1000 digits of pi and the Job reaches Complete."""
    path = CONFORMANCE / "controllers" / "job.yaml"
    cluster.apply(path.read_text())
    cluster.run(60)
    job = cluster.get("job", "pi")
    assert [c["type"] for c in job["status"]["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    assert job["status"]["succeeded"] == 1
    pod = cluster.client.list("pods", "default", label_selector="job-name=pi")["items"][0]
    assert pod["status"]["phase"] == "Succeeded"
    assert cluster.kubectl(f"logs {pod['metadata']['name']}").startswith("3.14159265358979323846")


def test_the_documented_cronjob_written_as_batch_v1_is_accepted_with_its_defaults(cluster):
    """application/job/cronjob.yaml is batch/v1beta1, refused by 1.32 (see REFUSED); the docs page
    now shows it as batch/v1, which is served."""
    obj = load(CONFORMANCE / "application" / "job" / "cronjob.yaml")[0].obj
    obj["apiVersion"] = "batch/v1"
    live = cluster.apply(obj)[0]
    _check_defaults(obj, live)


def _check_storage_defaults(original, live):
    """SetDefaults_PersistentVolume(Claim) and SetDefaults_StorageClass, the strategies' Pending
    status (a volume's phase dated from its creation), the protection finalizers and, for a
    class-less claim, kind's default class ``standard``."""
    assert "generation" not in live["metadata"]
    if live["kind"] == "StorageClass":
        _expect(original, live, ("reclaimPolicy",), "Delete")
        _expect(original, live, ("volumeBindingMode",), "Immediate")
        return
    _expect(original, live, ("spec", "volumeMode"), "Filesystem")
    if live["kind"] == "PersistentVolume":
        _expect(original, live, ("spec", "persistentVolumeReclaimPolicy"), "Retain")
        assert live["status"] == {"phase": "Pending",
                                  "lastPhaseTransitionTime": live["metadata"]["creationTimestamp"]}
        assert "kubernetes.io/pv-protection" in live["metadata"]["finalizers"]
    else:
        _expect(original, live, ("spec", "storageClassName"), "standard")
        assert live["status"] == {"phase": "Pending"}
        assert "kubernetes.io/pvc-protection" in live["metadata"]["finalizers"]


def _check_stateful_set_defaults(original, live):
    """SetDefaults_StatefulSet, the template's pod spec, each claim template's PVC defaults and
    TypeMeta, and the strategy's empty status (replicas and availableReplicas have no omitempty)."""
    _check_pod_spec_defaults(original["spec"]["template"].get("spec", {}), live["spec"]["template"]["spec"])
    assert live["metadata"]["generation"] == 1
    for field, default in (("replicas", 1), ("podManagementPolicy", "OrderedReady"), ("revisionHistoryLimit", 10),
                           ("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
                           ("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})):
        _expect(original, live, ("spec", field), default)
    for claim in live["spec"].get("volumeClaimTemplates") or ():
        assert (claim["apiVersion"], claim["kind"]) == ("v1", "PersistentVolumeClaim")
        assert claim["spec"]["volumeMode"] == "Filesystem" and claim["status"] == {"phase": "Pending"}
    assert live["status"] == {"replicas": 0, "availableReplicas": 0}


def _check_daemon_set_defaults(original, live):
    """SetDefaults_DaemonSet, the template's pod-spec defaults, the strategy's generation, template
    generation annotation and zero counters."""
    _check_pod_spec_defaults(original["spec"]["template"].get("spec", {}), live["spec"]["template"]["spec"])
    assert live["metadata"]["generation"] == 1
    assert live["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "1"
    _expect(original, live, ("spec", "revisionHistoryLimit"), 10)
    _expect(original, live, ("spec", "updateStrategy"),
            {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
    assert live["status"] == {"currentNumberScheduled": 0, "numberMisscheduled": 0,
                              "desiredNumberScheduled": 0, "numberReady": 0}
