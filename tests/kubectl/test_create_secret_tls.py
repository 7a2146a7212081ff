"""``tls.X509KeyPair``'s messages for PEM inputs kubectl's goldens do not cover (the common cases
are byte-for-byte goldens of the real kubectl 1.32 in ``test_generators.py``: ``secret_tls*``)."""

import pytest

from labkube.kubectl.commands.create_secret_tls import key_pair_error
from tests.kubectl.generator_cases import FILES

CERT, KEY = FILES["tls.crt"].encode(), FILES["tls.key"].encode()


def _block(kind: str) -> bytes:
    return f"-----BEGIN {kind}-----\nAAAA\n-----END {kind}-----\n".encode()


@pytest.mark.parametrize("cert, key, message", [
    (CERT, KEY, None),
    (_block("PUBLIC KEY") + _block("DH PARAMETERS"), KEY,
     'tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the '
     "following types: [PUBLIC KEY DH PARAMETERS]"),
    (CERT, _block("PUBLIC KEY"),
     'tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks '
     "of the following types: [PUBLIC KEY]"),
    (_block("CERTIFICATE"), KEY, "x509: malformed certificate"),
    (CERT, _block("EC PRIVATE KEY"), "tls: failed to parse private key"),
])
def test_a_key_pair_is_checked_as_go_checks_it(cert, key, message):
    assert key_pair_error(cert, key) == message
