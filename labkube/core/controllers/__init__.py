"""kube-controller-manager's controllers, each a reconcile loop over the API.

Importing this package registers every controller module with
:data:`labkube.core.controllers.manager.CONTROLLERS` (each module uses ``@register``).
"""
