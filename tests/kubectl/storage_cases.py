"""PersistentVolume, PersistentVolumeClaim and StorageClass scenarios whose ``kubectl get`` and
``describe`` output the REAL kubectl 1.32 printed (``capture_storage.py``) and labkube must print
byte for byte (``test_storage_oracle.py``).

Binding is written here through the API as the PV controller would write it (claimRef and phase
on the volume; volumeName, phase, access modes and capacity on the claim), so that these goldens
check the printers alone."""

from __future__ import annotations

from pathlib import Path

import labkube

GOLDEN = Path(__file__).resolve().parent / "golden_storage"
DOCS_PV = Path("/work/shared/conformance/k8s-docs/application/mysql/mysql-pv.yaml")

LOCAL_PV = {
    "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "local-pv"},
    "spec": {"capacity": {"storage": "500Mi"}, "accessModes": ["ReadWriteOncePod"],
             "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "local-storage",
             "volumeMode": "Block", "local": {"path": "/mnt/disks/ssd1"},
             "nodeAffinity": {"required": {"nodeSelectorTerms": [
                 {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In",
                                        "values": ["node-1", "node-2"]},
                                       {"key": "disk", "operator": "Exists"}]}]}}},
}
CSI_PV = {
    "apiVersion": "v1", "kind": "PersistentVolume",
    "metadata": {"name": "csi-pv", "annotations": {"volume.beta.kubernetes.io/storage-class": "beta"}},
    "spec": {"capacity": {"storage": "1G"}, "accessModes": ["ReadOnlyMany", "ReadWriteMany"],
             "csi": {"driver": "hostpath.csi.k8s.io", "volumeHandle": "vol-1", "fsType": "ext4",
                     "volumeAttributes": {"zone": "a", "tier": "gold"}}},
}
FAST = {
    "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"},
    "provisioner": "kubernetes.io/no-provisioner", "reclaimPolicy": "Retain",
    "allowVolumeExpansion": True, "parameters": {"type": "ssd", "iops": "100"},
    "mountOptions": ["debug", "noatime"],
    "allowedTopologies": [{"matchLabelExpressions": [
        {"key": "topology.kubernetes.io/zone", "values": ["a", "b"]}]}],
}
WAITING_CLAIM = {
    "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "labels": {"app": "db"}},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
}
USER = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user"},
    "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}],
             "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]},
}

#: golden stem -> kubectl arguments
COMMANDS = {
    "get_pv": ["get", "pv"],
    "get_pv_wide": ["get", "pv", "-o", "wide"],
    "get_pvc": ["get", "pvc"],
    "get_pvc_wide": ["get", "pvc", "-o", "wide"],
    "get_sc": ["get", "sc"],
    "describe_pv_mysql": ["describe", "pv", "mysql-pv-volume"],
    "describe_pv_local": ["describe", "pv", "local-pv"],
    "describe_pv_csi": ["describe", "pv", "csi-pv"],
    "describe_pvc_mysql": ["describe", "pvc", "mysql-pv-claim"],
    "describe_pvc_data": ["describe", "pvc", "data"],
    "describe_sc_standard": ["describe", "sc", "standard"],
    "describe_sc_fast": ["describe", "sc", "fast"],
}


def bind(cluster: labkube.Cluster, pv_name: str, claim_name: str, namespace: str = "default") -> None:
    """Write what the PV controller writes when it binds a claim to a volume."""
    client = cluster.client
    pv = client.get("persistentvolumes", pv_name)
    claim = client.get("persistentvolumeclaims", claim_name, namespace)
    pv["spec"]["claimRef"] = {"kind": "PersistentVolumeClaim", "namespace": namespace, "name": claim_name,
                              "uid": claim["metadata"]["uid"], "apiVersion": "v1",
                              "resourceVersion": claim["metadata"]["resourceVersion"]}
    pv = client.update(pv)
    pv["status"] = {**pv["status"], "phase": "Bound"}
    client.update(pv, subresource="status")
    claim["spec"]["volumeName"] = pv_name
    claim = client.update(claim)
    claim["status"] = {"phase": "Bound", "accessModes": pv["spec"]["accessModes"],
                       "capacity": pv["spec"]["capacity"]}
    client.update(claim, subresource="status")


def build() -> labkube.Cluster:
    """The docs' mysql volume bound to its claim, a local and a CSI volume, a claim of the default
    class used by a pod, a second StorageClass."""
    cluster = labkube.Cluster(nodes=1, seed=0, scheduler=False, controllers=False)
    cluster.apply(DOCS_PV.read_text())
    cluster.run(5)
    bind(cluster, "mysql-pv-volume", "mysql-pv-claim")
    cluster.run(20)
    for obj in (LOCAL_PV, CSI_PV, FAST, WAITING_CLAIM, USER):
        cluster.apply(obj)
    cluster.run(30)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: the volumes, claims, classes, pods and events."""
    out = []
    for resource, api_version, kind, namespace in (
            ("persistentvolumes", "v1", "PersistentVolume", None),
            ("persistentvolumeclaims", "v1", "PersistentVolumeClaim", "default"),
            ("storageclasses", "storage.k8s.io/v1", "StorageClass", None),
            ("pods", "v1", "Pod", "default"), ("events", "v1", "Event", None)):
        for item in cluster.client.list(resource, namespace)["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
