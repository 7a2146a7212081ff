"""The client side of a TLS handshake, as curl (OpenSSL) and busybox wget do it.

When a simulated program opens an ``https`` URL, the network hands the server's certificate to
:meth:`ClientTLS.handshake` before any byte of the request is sent. What the client then does
is the lesson of "Accessing the Kubernetes API from a Pod":

* **curl** verifies the chain against its CA bundle: ``--cacert FILE`` (the pod's
  ``/var/run/secrets/kubernetes.io/serviceaccount/ca.crt``, the cluster CA), else the
  system bundle, which holds public CAs only. An issuer it does not trust is OpenSSL's
  ``unable to get local issuer certificate`` (curl exit 60); a host the certificate does not
  name is ``SSL: no alternative certificate subject name matches target host name 'x'``
  (also 60). ``-k``/``--insecure`` skips both checks.
* **busybox wget** does not verify at all: it prints ``wget: note: TLS certificate validation
  not implemented`` and goes on (``--no-check-certificate`` silences the note).

A certificate is duck-typed: ``issuer_pem`` (the PEM of the CA that signed it) and
``matches(host)`` (its subject alternative names), as
:class:`labkube.core.api.http.ServingCertificate` has. The cryptography is not modelled: a CA is
trusted when its PEM block is in the bundle.
"""

from __future__ import annotations

import re
from typing import Any, Optional

_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)


class CertificateProblem(Exception):
    """The client refused the server's certificate; ``str()`` is curl's text after ``(60) ``."""


def pem_blocks(bundle: str) -> set[str]:
    """The certificates in a PEM bundle, whitespace-normalized."""
    return {"".join(block.split()) for block in _PEM_BLOCK.findall(bundle or "")}


class ClientTLS:
    """One client's TLS settings for one connection.

    ``trusted``: the CA bundle's text, or None to skip verification (``curl -k``, busybox).
    After a successful :meth:`handshake`, ``negotiated`` is True (curl then speaks HTTP/2,
    which kube-apiserver offers through ALPN)."""

    def __init__(self, server_name: str, trusted: Optional[str]) -> None:
        self.server_name = server_name
        self.trusted = trusted
        self.negotiated = False

    def handshake(self, certificate: Any) -> None:
        if self.trusted is not None:
            self._verify(certificate)
        self.negotiated = True

    def _verify(self, certificate: Any) -> None:
        issuer = "".join(str(getattr(certificate, "issuer_pem", "")).split())
        if not issuer or issuer not in pem_blocks(self.trusted or ""):
            raise CertificateProblem("SSL certificate problem: unable to get local issuer certificate")
        if not certificate.matches(self.server_name):
            raise CertificateProblem(
                f"SSL: no alternative certificate subject name matches target host name '{self.server_name}'")


#: curl's CURL_CA_CERT_ERRORMSG (src/tool_operate.c, curl 7.88), printed after a (60) error.
CURL_CA_CERT_HELP = (
    "More details here: https://curl.se/docs/sslcerts.html\n\n"
    "curl failed to verify the legitimacy of the server and therefore could not\n"
    "establish a secure connection to it. To learn more about this situation and\n"
    "how to fix it, please visit the web page mentioned above.\n"
)
#: Where Debian keeps the system CA bundle curl reads without ``--cacert``.
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
BUSYBOX_TLS_NOTE = "wget: note: TLS certificate validation not implemented\n"
