"""The operator pattern in a notebook cell: a CRD plus a small controller reconciling it.

The controller below is what a student writes: it uses the same machinery the built-in
controllers use (an informer on ``crontabs`` from :class:`~labkube.core.machinery.InformerFactory`,
a :class:`~labkube.core.machinery.Controller` work queue, ``cluster.client``), keeps one
Deployment per CronTab (owned by it, with ``spec.replicas`` from the CronTab), and writes the
CronTab's status through its ``/status`` subresource. Deleting a CronTab deletes its Deployment
through the garbage collector, as on a real cluster.
"""

import labkube
from labkube import StatusError
from labkube.core.machinery import Component, Controller, object_key, split_key
from tests.scenarios.test_crd import SUBRESOURCES_CRD, _deployment_owned_by


class CronTabController(Controller):
    """Reconciles CronTabs: one Deployment each, status.replicas from the Deployment."""

    name = "crontab-controller"

    def __init__(self, operator: "CronTabOperator") -> None:
        super().__init__(operator.clock, operator.report)
        self.client = operator.client
        self.crontabs = operator.informers.informer("crontabs")
        self.deployments = operator.informers.informer("deployments")
        self.crontabs.add_event_handler(self._enqueue, lambda old, new: self._enqueue(new))
        self.deployments.add_event_handler(self._owner, lambda old, new: self._owner(new))

    def _enqueue(self, crontab: dict) -> None:
        self.enqueue(object_key(crontab))

    def _owner(self, deployment: dict) -> None:
        for ref in deployment["metadata"].get("ownerReferences") or ():
            if ref.get("kind") == "CronTab":
                self.enqueue(f"{deployment['metadata']['namespace']}/{ref['name']}")

    def sync(self, key: str) -> None:
        crontab = self.crontabs.get(key)
        if crontab is None:
            return  # deleted: the garbage collector removes its Deployment
        namespace, name = split_key(key)
        wanted = _deployment_owned_by(crontab)
        wanted["spec"]["replicas"] = crontab["spec"].get("replicas", 1)
        current = self.deployments.get(key)
        if current is None:
            self.client.create(wanted, namespace)
        elif current["spec"]["replicas"] != wanted["spec"]["replicas"]:
            self.client.patch("deployments", name, {"spec": {"replicas": wanted["spec"]["replicas"]}},
                              namespace=namespace)
        ready = (current or {}).get("status", {}).get("readyReplicas", 0)
        if crontab.get("status", {}).get("replicas") != ready:
            self.client.patch("crontabs", name, {"status": {"replicas": ready}}, namespace=namespace,
                              subresource="status", patch_type="merge")


class CronTabOperator(Component):
    name = "crontab-operator"

    def setup(self) -> None:
        self.add(CronTabController(self))


def _operator(cluster):
    operator = CronTabOperator(cluster.client, cluster.clock, cluster.errors)
    operator.start()
    return operator


def test_a_notebook_controller_keeps_a_deployment_per_crontab_and_reports_its_status():
    with labkube.Cluster(nodes=2, seed=0) as cluster:
        cluster.apply(SUBRESOURCES_CRD)
        cluster.settle()
        operator = _operator(cluster)
        cluster.apply({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
                       "metadata": {"name": "nightly"},
                       "spec": {"cronSpec": "0 0 * * *", "image": "busybox:1.36", "replicas": 2}})
        cluster.run(30)
        deployment = cluster.get("deployment", "nightly")
        assert deployment["metadata"]["ownerReferences"][0]["kind"] == "CronTab"
        assert deployment["status"]["readyReplicas"] == 2
        assert cluster.get("crontab", "nightly")["status"] == {"replicas": 2}

        cluster.kubectl("scale --replicas=3 crontab/nightly")
        cluster.run(30)
        assert cluster.get("deployment", "nightly")["spec"]["replicas"] == 3
        assert cluster.get("crontab", "nightly")["status"] == {"replicas": 3}

        cluster.kubectl("delete crontab nightly")
        cluster.run(30)
        assert cluster.list("deployments") == [] and cluster.list("pods") == []
        assert cluster.errors.entries == []
        operator.stop()


def test_the_controllers_informer_sees_crontabs_go_when_their_crd_is_deleted():
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.apply(SUBRESOURCES_CRD)
        cluster.settle()
        operator = _operator(cluster)
        cluster.apply({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "a"},
                       "spec": {"replicas": 1}})
        cluster.run(10)
        informer = operator.controllers[0].crontabs
        assert informer.keys() == ["default/a"]
        cluster.kubectl("delete crd crontabs.stable.example.com")
        cluster.run(10)
        assert informer.keys() == []
        try:
            cluster.client.list(informer.rtype, "default")
            raise AssertionError("crontabs are still served")
        except StatusError as err:
            assert err.message == "the server could not find the requested resource"
        operator.stop()
