"""The ReplicationController controller: the ReplicaSet controller, run over ReplicationControllers.

Mirrors pkg/controller/replication (Kubernetes 1.32). kube-controller-manager's
``ReplicationManager`` is not a controller of its own: it wraps the ReplicaSet controller's code
with adapters that convert each ReplicationController to a ReplicaSet and back
(``conversion.go``), so both behave alike — slow-start pod creation, adoption and release by
selector, ``ReplicaFailure`` conditions, the same status fields. labkube does the same with
three class attributes and one method of :class:`~.replicaset.ReplicaSetController`:

* the kind ``ReplicationController`` in ``v1``, resource ``replicationcontrollers`` (pods get
  an ownerReference with ``kind: ReplicationController``);
* the selector is a plain label map (``{app: nginx}`` means ``app=nginx``), not a
  ``LabelSelector``;
* its identity and event source are ``replication-controller`` (the ServiceAccount
  ``kube-system/replication-controller``, ClusterRole ``system:controller:replication-controller``),
  so ``kubectl describe rc`` shows ``SuccessfulCreate`` events ``From replication-controller``.

Like every controller here it costs nothing while no ReplicationController exists: its pod
event handlers return at once.
"""

from __future__ import annotations

from labkube.core.api.labels import Selector, selector_from_label_selector
from labkube.core.controllers.manager import register
from labkube.core.controllers.replicaset import ReplicaSetController


@register
class ReplicationManager(ReplicaSetController):
    """Creates and deletes pods so that each ReplicationController has ``spec.replicas`` of them."""

    name = "replication-controller"
    kind = "ReplicationController"
    api_version = "v1"
    resource = "replicationcontrollers"

    @staticmethod
    def selector_of(rc: dict) -> Selector:
        """``labels.SelectorFromSet(rc.Spec.Selector)`` (the conversion makes it ``matchLabels``)."""
        return selector_from_label_selector({"matchLabels": rc["spec"].get("selector") or {}})
