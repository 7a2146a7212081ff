"""The "Debug Services" page (kubernetes.io/docs/tasks/debug/debug-application/debug-service).

Its walk-through runs ``registry.k8s.io/serve_hostname`` as the Deployment ``hostnames`` (three
replicas), reads their IPs with a go-template, fetches ``IP:9376`` from a busybox pod (each
answers its own name), finds that the name ``hostnames`` does not resolve before the Service
exists, then exposes port 80 to target port 9376.
"""

import labkube

TEMPLATE = "get pods -l app=hostnames -o go-template='{{range .items}}{{.status.podIP}}{{\"\\n\"}}{{end}}'"


def _walkthrough():
    cluster = labkube.Cluster(nodes=2, seed=4)
    assert cluster.kubectl("create deployment hostnames --image=registry.k8s.io/serve_hostname") == \
        "deployment.apps/hostnames created\n"
    assert cluster.kubectl("scale deployment hostnames --replicas=3") == "deployment.apps/hostnames scaled\n"
    cluster.kubectl("run client --image=busybox:1.36 -- sleep 3600")
    cluster.run(60)
    return cluster


def test_each_hostnames_pod_answers_its_own_name_on_9376():
    cluster = _walkthrough()
    rows = cluster.kubectl("get pods -l app=hostnames").splitlines()[1:]
    assert len(rows) == 3 and all(row.split()[1:3] == ["1/1", "Running"] for row in rows)
    ips = cluster.kubectl(TEMPLATE).split()
    answers = cluster.kubectl("exec client -- sh -c 'for ep in " + " ".join(f"{ip}:9376" for ip in ips)
                              + "; do wget -qO- $ep; echo; done'").split()
    assert sorted(answers) == sorted(row.split()[0] for row in rows)


def test_the_name_resolves_only_once_the_service_exists():
    cluster = _walkthrough()
    assert cluster.kubectl("exec client -- wget -O- hostnames") == (
        "wget: bad address 'hostnames'\ncommand terminated with exit code 1\n")
    assert cluster.kubectl("expose deployment hostnames --port=80 --target-port=9376") == \
        "service/hostnames exposed\n"
    cluster.run(5)
    pods = {p["metadata"]["name"] for p in cluster.list("pods", "default", label_selector="app=hostnames")}
    assert cluster.kubectl("exec client -- wget -qO- hostnames") in pods
