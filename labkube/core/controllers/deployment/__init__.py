"""The Deployment controller and the kubectl rollout helpers (pkg/controller/deployment).

* :mod:`.controller` — the reconcile loop (registered with the controller manager)
* :mod:`.rolling`, :mod:`.recreate` — the two strategies
* :mod:`.sync` — new ReplicaSet and revisions, proportional scaling, cleanup, status
* :mod:`.progress` — the Progressing condition and progressDeadlineSeconds
* :mod:`.rollback` — ``kubectl rollout undo|history`` (and the deprecated controller rollback)
* :mod:`.rollout` — ``kubectl rollout restart|pause|resume|status`` and ``kubectl scale``
* :mod:`.util` — hashes, revisions, surge/unavailable arithmetic, conditions
"""

from labkube.core.controllers.deployment.controller import DeploymentController

__all__ = ["DeploymentController"]
