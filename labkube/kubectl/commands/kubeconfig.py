"""The kubeconfig: the clusters, users and contexts kubectl knows, held in memory.

Mirrors client-go's ``tools/clientcmd/api`` (``Config``: named clusters, users -- "auth infos"
-- and contexts, plus ``current-context``) and the admin.conf ``kubeadm init`` writes
(``cmd/kubeadm/app/util/kubeconfig``'s ``CreateWithCerts``): one cluster ``kubernetes`` at the
API server's address (what ``kubectl cluster-info`` prints), one user ``kubernetes-admin``
with a client certificate, and the context ``kubernetes-admin@kubernetes`` that joins them,
set as current. Each :class:`labkube.Cluster` has one (``cluster.kubeconfig``); no file is
ever written, so ``kubectl config use-context`` lasts as long as the cluster object.

A context says three things to every other command (``resolve``): which cluster to talk to,
which user to be, and the namespace ``-n`` would otherwise name. The global flags
``--context``, ``--cluster`` and ``--user`` pick other entries for one command, as in kubectl.

labkube has no certificate authority: the certificate and key below are fixed, well-formed
placeholders, like the cluster CA of ``root_ca_publisher`` (``kubectl config view --raw``
shows them base64-encoded, as it shows real ones). The admin's certificate is what makes a
user ``kubernetes-admin``; a user with a ``token`` is whoever the API server says that bearer
token belongs to; for a user with neither, kubectl asks for a username and password before any
request (client-go's prompt for an ``https://`` server), which ``cluster.kubectl`` cannot answer.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from typing import Any, Optional

from labkube.core.api.kubernetes_service import ADVERTISE_ADDRESS, SECURE_PORT
from labkube.core.controllers.root_ca_publisher import CA_CRT

CLUSTER_NAME = "kubernetes"  # kubeadm's ClusterConfiguration.clusterName default
ADMIN_USER = "kubernetes-admin"
ADMIN_CONTEXT = f"{ADMIN_USER}@{CLUSTER_NAME}"  # kubeadm names a context user@cluster
#: Where the kubeconfig would be on disk (kubeadm init: "export KUBECONFIG=/etc/kubernetes/admin.conf");
#: kubectl names the file in some messages (``deleted context dev from ...``).
PATH = "/etc/kubernetes/admin.conf"
#: The API server as a kubeconfig names it (and ``kubectl cluster-info`` prints it).
SERVER = f"https://{ADVERTISE_ADDRESS}:{SECURE_PORT}"

#: Placeholders in the shape of kubeadm's client certificate (CN=kubernetes-admin,
#: O=kubeadm:cluster-admins) and its RSA key: a PEM block each, the content of neither.
ADMIN_CRT = (
    "-----BEGIN CERTIFICATE-----\n"
    "bGFia3ViZS1zaW11bGF0ZWQta3ViZXJuZXRlcy1hZG1pbi1jbGllbnQtY2VydGlmaWNhdGU=\n"
    "-----END CERTIFICATE-----\n"
)
ADMIN_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "bGFia3ViZS1zaW11bGF0ZWQta2V5LW5vdC1hLXJlYWwtcHJpdmF0ZS1rZXk=\n"
    "-----END RSA PRIVATE KEY-----\n"
)

#: Go's field order of the v1 types (``kubectl config view -o json`` keeps it; YAML sorts).
CONFIG_FIELDS = ("kind", "apiVersion", "preferences", "clusters", "users", "contexts", "current-context")
CLUSTER_FIELDS = ("server", "tls-server-name", "insecure-skip-tls-verify", "certificate-authority",
                  "certificate-authority-data", "proxy-url", "disable-compression")
USER_FIELDS = ("client-certificate", "client-certificate-data", "client-key", "client-key-data", "token",
               "tokenFile", "as", "as-uid", "as-groups", "username", "password")
CONTEXT_FIELDS = ("cluster", "user", "namespace")
#: Fields holding bytes: base64 in the file, ``DATA+OMITTED`` in ``view`` without ``--raw``.
DATA_FIELDS = ("certificate-authority-data", "client-certificate-data", "client-key-data")
#: Secrets ``view`` shows as ``REDACTED`` without ``--raw``.
SECRET_FIELDS = ("token", "password")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class Kubeconfig:
    """client-go's ``api.Config``: name -> entry maps (entries are v1-shaped dicts) and the
    current context's name. Entries print sorted by name, as ``clientcmd`` writes them."""

    clusters: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    contexts: dict[str, dict] = field(default_factory=dict)
    current_context: str = ""

    @classmethod
    def admin(cls) -> "Kubeconfig":
        """admin.conf as ``kubeadm init`` writes it."""
        return cls(
            clusters={CLUSTER_NAME: {"certificate-authority-data": b64(CA_CRT), "server": SERVER}},
            users={ADMIN_USER: {"client-certificate-data": b64(ADMIN_CRT), "client-key-data": b64(ADMIN_KEY)}},
            contexts={ADMIN_CONTEXT: {"cluster": CLUSTER_NAME, "user": ADMIN_USER}},
            current_context=ADMIN_CONTEXT,
        )

    def copy(self) -> "Kubeconfig":
        return copy.deepcopy(self)

    def section(self, kind: str) -> dict[str, dict]:
        """``clusters``, ``users`` or ``contexts``."""
        return {"clusters": self.clusters, "users": self.users, "contexts": self.contexts}[kind]

    # -- the v1 document ----------------------------------------------------------------------
    def to_v1(self) -> dict:
        """The document ``kubectl config view`` prints, in Go's field order."""
        return {"kind": "Config", "apiVersion": "v1", "preferences": {},
                "clusters": _named(self.clusters, "cluster", CLUSTER_FIELDS),
                "users": _named(self.users, "user", USER_FIELDS),
                "contexts": _named(self.contexts, "context", CONTEXT_FIELDS),
                "current-context": self.current_context}

    def minified(self) -> "Kubeconfig":
        """``clientcmdapi.MinifyConfig``: only the current context, its cluster and its user."""
        context = self.contexts[self.current_context]
        kept = Kubeconfig(current_context=self.current_context,
                          contexts={self.current_context: copy.deepcopy(context)})
        if context.get("cluster") in self.clusters:
            kept.clusters[context["cluster"]] = copy.deepcopy(self.clusters[context["cluster"]])
        if context.get("user") in self.users:
            kept.users[context["user"]] = copy.deepcopy(self.users[context["user"]])
        return kept


def _named(entries: dict[str, dict], key: str, order: tuple[str, ...]) -> Optional[list[dict]]:
    """v1's named list, sorted by name; none at all is Go's nil slice, ``null``."""
    return [{"name": name, key: {f: entries[name][f] for f in order if f in entries[name]}}
            for name in sorted(entries)] or None


# -- what a command acts as ------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """What the kubeconfig and the global flags decide for one command."""

    context: str
    cluster: str
    user: dict
    namespace: str


class ConfigError(Exception):
    """The kubeconfig cannot be used as asked; the text is kubectl's, final."""


def resolve(config: Kubeconfig, flags: dict[str, Any]) -> Resolved:
    """client-go's ``DirectClientConfig``: ``--context`` or the current context; ``--user`` and
    ``--cluster`` override its entries. A context that is named must exist, and so must a user
    or cluster a flag names; a context's own user may be missing (then no credentials are sent),
    but without its cluster kubectl knows no server and falls back to ``localhost:8080``."""
    name = flags.get("context") or config.current_context
    if name and name not in config.contexts:
        raise ConfigError(f"Error in configuration: context was not found for specified context: {name}")
    context = config.contexts.get(name, {})
    user = flags.get("user") or context.get("user", "")
    if flags.get("user") and user not in config.users:
        raise ConfigError(f'error: auth info "{user}" does not exist')
    cluster = flags.get("cluster") or context.get("cluster", "")
    if flags.get("cluster") and not config.clusters.get(cluster, {}).get("server"):
        raise ConfigError(f'error: no server found for cluster "{cluster}"')
    if not config.clusters.get(cluster, {}).get("server"):
        raise ConfigError(NO_SERVER)
    return Resolved(name, cluster, config.users.get(user, {}), context.get("namespace", ""))


#: What kubectl says when the kubeconfig gives it no server: it tried the default one.
NO_SERVER = "The connection to the server localhost:8080 was refused - did you specify the right host or port?"


def identity(user: dict) -> tuple[str, Optional[str]]:
    """How the API server would know a kubeconfig user: ``("admin", None)`` for kubeadm's
    client certificate (kube-apiserver's x509 authenticator runs before the token one),
    ``("token", TOKEN)`` for a bearer token, ``("anonymous", None)`` with no credentials."""
    if user.get("client-certificate-data") == b64(ADMIN_CRT):
        return "admin", None
    if user.get("token"):
        return "token", user["token"]
    return "anonymous", None
