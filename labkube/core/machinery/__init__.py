"""The machinery every component is built from, mirroring k8s.io/client-go.

* :mod:`.informer` — list + watch into a local cache, with event handlers (SharedIndexInformer)
* :mod:`.workqueue` — deduplicating, rate-limited queue of keys (util/workqueue)
* :mod:`.controller` — the reconcile loop (handler → queue → ``sync(key)``) and the
  :class:`~.controller.Component` a control-plane process is made of
* :mod:`.events` — the EventRecorder with deduplication and aggregation (tools/record)
* :mod:`.events_v1` — the events.k8s.io EventBroadcaster with isomorphic series (tools/events),
  what kube-scheduler records with

Everything runs on the cluster clock and talks only to the API server through a Client.
"""

from labkube.core.machinery.controller import Component, Controller, ErrorLog
from labkube.core.machinery.events import NORMAL, WARNING, EventNamer, EventRecorder, object_reference
from labkube.core.machinery.informer import Informer, InformerFactory, object_key, split_key
from labkube.core.machinery.workqueue import RateLimiter, WorkQueue

__all__ = [
    "Component", "Controller", "ErrorLog", "EventNamer", "EventRecorder", "Informer",
    "InformerFactory", "NORMAL", "RateLimiter", "WARNING", "WorkQueue", "object_key",
    "object_reference", "split_key",
]
