"""The API server keeps default/kubernetes, its Endpoints and its EndpointSlice in place."""

import labkube
from labkube.core.api.kubernetes_service import ENDPOINT_INTERVAL, desired_endpoints, desired_slice


def cluster():
    return labkube.Cluster(nodes=1, seed=0)


def test_a_new_cluster_has_the_api_servers_endpoints_and_slice_as_kube_apiserver_writes_them():
    c = cluster()
    endpoints = c.client.get("endpoints", "kubernetes", "default")
    assert endpoints["metadata"]["labels"] == {"endpointslice.kubernetes.io/skip-mirror": "true"}
    assert endpoints["subsets"] == [{"addresses": [{"ip": "172.18.0.1"}],
                                     "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]
    endpoint_slice = c.client.get("endpointslices", "kubernetes", "default")
    assert endpoint_slice["metadata"]["labels"] == {"kubernetes.io/service-name": "kubernetes"}
    assert "ownerReferences" not in endpoint_slice["metadata"]
    assert endpoint_slice["addressType"] == "IPv4"
    assert endpoint_slice["endpoints"] == [{"addresses": ["172.18.0.1"], "conditions": {"ready": True}}]
    assert endpoint_slice["ports"] == [{"name": "https", "port": 6443, "protocol": "TCP"}]
    assert "Endpoints:                172.18.0.1:6443" in c.kubectl("describe service kubernetes")


def test_the_mirroring_controller_leaves_the_api_servers_endpoints_alone():
    c = cluster()
    c.run(5)
    slices = c.client.list("endpointslices", "default",
                           label_selector="kubernetes.io/service-name=kubernetes")["items"]
    assert [s["metadata"]["name"] for s in slices] == ["kubernetes"]


def test_a_deleted_kubernetes_service_comes_back_at_the_next_ten_second_check_and_not_before():
    c = cluster()
    c.run(1)  # the checks run at 10 s, 20 s, ...
    c.kubectl("delete service kubernetes")
    c.run(ENDPOINT_INTERVAL - 1 - 0.5)
    assert "NotFound" in c.kubectl("get service kubernetes")
    c.run(1)
    service = c.client.get("services", "kubernetes", "default")
    assert service["spec"]["clusterIP"] == "10.96.0.1"
    assert service["metadata"]["labels"] == {"component": "apiserver", "provider": "kubernetes"}
    assert c.client.get("endpoints", "kubernetes", "default")["subsets"][0]["addresses"] == [{"ip": "172.18.0.1"}]


def test_edited_addresses_and_labels_are_put_back_but_edited_ports_are_kept():
    c = cluster()
    endpoints = c.client.get("endpoints", "kubernetes", "default")
    endpoints["metadata"]["labels"] = {"mine": "yes"}
    endpoints["subsets"] = [{"addresses": [{"ip": "10.0.0.9"}], "ports": [{"name": "https", "port": 8443}]}]
    c.client.update(endpoints)
    c.run(ENDPOINT_INTERVAL)
    endpoints = c.client.get("endpoints", "kubernetes", "default")
    assert endpoints["metadata"]["labels"] == {"endpointslice.kubernetes.io/skip-mirror": "true"}
    assert endpoints["subsets"] == [{"addresses": [{"ip": "172.18.0.1"}],
                                     "ports": [{"name": "https", "port": 8443, "protocol": "TCP"}]}]


def test_a_deleted_slice_is_recreated_and_a_stray_one_for_the_service_is_removed():
    c = cluster()
    c.client.delete("endpointslices", "kubernetes", "default")
    c.client.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv6",
                     "metadata": {"name": "kubernetes-v6", "namespace": "default",
                                  "labels": {"kubernetes.io/service-name": "kubernetes"}},
                     "endpoints": [], "ports": []})
    c.run(ENDPOINT_INTERVAL)
    slices = c.client.list("endpointslices", "default",
                           label_selector="kubernetes.io/service-name=kubernetes")["items"]
    assert [s["metadata"]["name"] for s in slices] == ["kubernetes"]


def test_the_desired_objects_keep_existing_ports_and_sort_the_ips():
    current = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "kubernetes"},
               "subsets": [{"ports": [{"name": "x", "port": 1, "protocol": "TCP"}]}]}
    wanted = desired_endpoints(current, ["172.18.0.3", "172.18.0.2"])
    assert wanted["subsets"] == [{"addresses": [{"ip": "172.18.0.2"}, {"ip": "172.18.0.3"}],
                                  "ports": [{"name": "x", "port": 1, "protocol": "TCP"}]}]
    assert [e["addresses"] for e in desired_slice(None, ["b", "a"])["endpoints"]] == [["a"], ["b"]]
