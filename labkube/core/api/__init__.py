"""The API server and everything it needs to judge a request.

Mirrors k8s.io/apiserver and kube-apiserver: a request passes authentication, authorization
(RBAC), admission (namespace lifecycle, defaulting, validation) and reaches the registry,
which stores the object in the etcd-like store under ``/registry/<resource>/...``.

Modules: ``resources`` (what is served, and its names), ``schema`` (field knowledge generated
from Kubernetes 1.32's OpenAPI definitions), ``decode`` (strict decoding), ``defaults``,
``validation``, ``quantity``, ``labels`` (label and field selectors), ``patch`` (merge, JSON and
strategic merge patch), ``admission``, ``auth`` (users, RBAC), ``audit``, ``server`` (the
verbs) and ``client`` (a user's handle on the server).
"""
