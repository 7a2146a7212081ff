"""The simulated curl's options and the client side of TLS (runtime/sim/curl.py, tls.py)."""

import pytest

from labkube.runtime.sim.curl import UnknownOption, parse_options, request_headers, write_out
from labkube.runtime.sim.tls import CertificateProblem, ClientTLS, pem_blocks

CA = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n"
OTHER = "-----BEGIN CERTIFICATE-----\nWFla\n-----END CERTIFICATE-----\n"


class Certificate:
    issuer_pem = CA

    def matches(self, host):
        return host == "kubernetes.default.svc"


@pytest.mark.parametrize("argv, field, expected", [
    (["curl", "-sSk", "https://x"], "flags", {"silent", "show-error", "insecure"}),
    (["curl", "-XPOST", "u"], "method", "POST"),
    (["curl", "-X", "DELETE", "u"], "method", "DELETE"),
    (["curl", "--header", "A: b", "-H", "C: d", "u"], "headers", ["A: b", "C: d"]),
    (["curl", "-d", "x=1", "--data-raw", "@y", "u"], "data", [("data", "x=1"), ("data-raw", "@y")]),
    (["curl", "--cacert", "/ca.crt", "u"], "cacert", "/ca.crt"),
    (["curl", "--connect-timeout", "5", "u"], "connect_timeout", 5.0),
    (["curl", "-o", "/tmp/out", "u"], "output", "/tmp/out"),
    (["curl", "-w", "%{http_code}", "u"], "write_out", "%{http_code}"),
    (["curl", "-s", "u1", "u2"], "urls", ["u1", "u2"]),
])
def test_curl_options(argv, field, expected):
    assert getattr(parse_options(argv), field) == expected


@pytest.mark.parametrize("argv, message", [
    (["curl", "--bogus", "u"], "curl: option --bogus: is unknown\n"),
    (["curl", "-Z", "u"], "curl: option -Z: is unknown\n"),
    (["curl", "u", "-H"], "curl: option -H: requires parameter\n"),
])
def test_unknown_or_incomplete_options_are_refused(argv, message):
    with pytest.raises(UnknownOption) as caught:
        parse_options(argv)
    assert str(caught.value) == message


def test_data_makes_a_form_post_unless_a_content_type_is_given():
    assert request_headers(parse_options(["curl", "-d", "a", "u"]), True)["Content-Type"] == \
        "application/x-www-form-urlencoded"
    given = request_headers(parse_options(["curl", "-H", "Content-Type: application/json", "u"]), True)
    assert given["Content-Type"] == "application/json"


def test_curl_sends_its_user_agent_and_an_empty_header_removes_one():
    headers = request_headers(parse_options(["curl", "-H", "Accept:", "u"]), False)
    assert headers == {"User-Agent": "curl/7.88.1"}


def test_write_out_formats_the_status_code():
    assert write_out("%{http_code}\\n", 200) == "200\n"


def test_a_bundle_with_the_issuer_verifies():
    tls = ClientTLS("kubernetes.default.svc", OTHER + CA)
    tls.handshake(Certificate())
    assert tls.negotiated


@pytest.mark.parametrize("host, bundle, problem", [
    ("kubernetes.default.svc", OTHER, "SSL certificate problem: unable to get local issuer certificate"),
    ("kubernetes.default.svc", "", "SSL certificate problem: unable to get local issuer certificate"),
    ("web", CA, "SSL: no alternative certificate subject name matches target host name 'web'"),
])
def test_an_untrusted_issuer_or_a_foreign_name_is_refused(host, bundle, problem):
    with pytest.raises(CertificateProblem) as caught:
        ClientTLS(host, bundle).handshake(Certificate())
    assert str(caught.value) == problem


def test_an_insecure_client_accepts_anything():
    tls = ClientTLS("web", None)
    tls.handshake(Certificate())
    assert tls.negotiated


def test_pem_blocks_ignore_line_breaks():
    assert pem_blocks(CA.replace("\n", "\r\n")) == pem_blocks(CA)
