"""kube-controller-manager's controllers, each a reconcile loop over the API.

Importing this package registers every controller module with
:data:`labkube.core.controllers.manager.CONTROLLERS` (each module uses ``@register``).
"""

from labkube.core.controllers import (  # noqa: F401,E402  (each registers itself)
    endpoints,
    endpointslice,
    endpointslicemirroring,
    garbage_collector,
    namespace,
    node_lifecycle,
    podgc,
    serviceaccount,
    taint_eviction,
)
from labkube.core.controllers import deployment, replicaset, root_ca_publisher  # noqa: F401,E402
from labkube.core.controllers import replication  # noqa: F401,E402
from labkube.core.controllers import job, ttl_after_finished  # noqa: F401,E402
from labkube.core.controllers import cronjob  # noqa: F401,E402
from labkube.core.controllers import daemonset  # noqa: F401,E402
from labkube.core.controllers import statefulset  # noqa: F401,E402
from labkube.core.controllers import persistentvolume, pv_protection, pvc_protection  # noqa: F401,E402
from labkube.core.controllers import resourcequota  # noqa: F401,E402
from labkube.core.controllers import horizontal  # noqa: F401,E402
from labkube.core.controllers import disruption  # noqa: F401,E402
