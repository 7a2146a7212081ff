"""``kubectl create secret tls NAME --cert=FILE --key=FILE``: a ``kubernetes.io/tls`` Secret.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_secret_tls.go (kubectl 1.32): both
files are read (``Cannot read file F, open F: no such file or directory``), checked as a pair
by Go's ``tls.X509KeyPair`` and stored as they are under ``tls.crt`` and ``tls.key``. The pair
check gives Go's messages: which PEM blocks were missing or skipped, ``PEM inputs may have been
switched``, ``found a certificate rather than a key``, and ``private key does not match public
key``; the certificate and key themselves are parsed by Python's ``ssl`` (OpenSSL).
"""

from __future__ import annotations

import os
import re
import ssl
import tempfile
from typing import Optional

from labkube.kubectl.errors import KubectlError

#: The secret's type and keys (``corev1.SecretTypeTLS``, ``TLSCertKey``, ``TLSPrivateKeyKey``).
SECRET_TYPE = "kubernetes.io/tls"
CERT_KEY, KEY_KEY = "tls.crt", "tls.key"

_PEM_BLOCK = re.compile(rb"-----BEGIN ([^-\r\n]*)-----\r?\n(.*?)-----END \1-----", re.S)


def read_pair(cert_file: str, key_file: str) -> dict[str, bytes]:
    """``createSecretTLS``: the two files, checked as a key pair, as the Secret's data."""
    cert, key = _read(cert_file), _read(key_file)
    problem = key_pair_error(cert, key)
    if problem:
        raise KubectlError(f"error: {problem}")
    return {CERT_KEY: cert, KEY_KEY: key}


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as err:
        raise KubectlError(f"error: Cannot read file {path}, open {path}: {_go_os_error(err)}") from None


def _go_os_error(err: OSError) -> str:
    return "no such file or directory" if isinstance(err, FileNotFoundError) else (err.strerror or str(err)).lower()


def _block_types(data: bytes) -> list[str]:
    return [m.group(1).decode(errors="replace") for m in _PEM_BLOCK.finditer(data)]


def key_pair_error(cert: bytes, key: bytes) -> Optional[str]:
    """What ``tls.X509KeyPair`` returns for these PEM inputs, or None for a good pair."""
    cert_types = _block_types(cert)
    if "CERTIFICATE" not in cert_types:
        if not cert_types:
            return "tls: failed to find any PEM data in certificate input"
        if len(cert_types) == 1 and cert_types[0].endswith("PRIVATE KEY"):
            return ("tls: failed to find certificate PEM data in certificate input, but did find a private "
                    "key; PEM inputs may have been switched")
        return ('tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks '
                f"of the following types: [{' '.join(cert_types)}]")
    key_types = _block_types(key)
    if not any(t == "PRIVATE KEY" or t.endswith(" PRIVATE KEY") for t in key_types):
        if not key_types:
            return "tls: failed to find any PEM data in key input"
        if key_types == ["CERTIFICATE"]:
            return "tls: found a certificate rather than a key in the PEM for the private key"
        return ('tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping '
                f"PEM blocks of the following types: [{' '.join(key_types)}]")
    return _openssl_check(cert, key)


def _openssl_check(cert: bytes, key: bytes) -> Optional[str]:
    """Parse the certificate, then the key against it (``ssl`` needs files for the pair)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_verify_locations(cadata=cert.decode("ascii", errors="replace"))
    except (ssl.SSLError, ValueError):
        return "x509: malformed certificate"
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = os.path.join(folder, "tls.crt"), os.path.join(folder, "tls.key")
        for path, data in ((cert_path, cert), (key_path, key)):
            with open(path, "wb") as handle:
                handle.write(data)
        try:
            context.load_cert_chain(cert_path, key_path)
        except ssl.SSLError as err:
            if "KEY_VALUES_MISMATCH" in str(err) or "key values mismatch" in str(err):
                return "tls: private key does not match public key"
            return "tls: failed to parse private key"
    return None
