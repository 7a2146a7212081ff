"""Name lookups whose DNS queries are dropped (a NetworkPolicy's egress deny-all) in busybox.

The network raises ``TimeoutError`` for every query: no reply ever comes. libc's resolver waits
out resolv.conf's defaults (timeout 5 s, 2 attempts) and gives up the search there; the new
nslookup applet waits its own 5 s and says ``;; connection timed out; no servers could be
reached``."""

import pytest

from labkube.runtime.cri import HttpResponse
from tests.runtime.conftest import start


class DroppingNetwork:
    """A cluster network whose DNS server never answers; connections by IP still work."""

    nameserver = "10.96.0.10"

    def resolve(self, name):
        raise TimeoutError(";; connection timed out; no servers could be reached")

    def query(self, name, qtype="A"):
        raise TimeoutError(";; connection timed out; no servers could be reached")

    def http_get(self, url):
        return HttpResponse(200, "hello\n")


@pytest.mark.parametrize("image, script, output, seconds", [
    ("busybox:1.36", "wget -qO- web; echo rc=$?", "wget: bad address 'web'\nrc=1\n", 10),
    ("busybox:1.36", "nc -z web 80; echo rc=$?", "nc: bad address 'web'\nrc=1\n", 10),
    ("busybox:1.36", "nslookup web; echo rc=$?",
     ";; connection timed out; no servers could be reached\n\nrc=1\n", 5),
    ("busybox:1.28", "nslookup web 2>&1 | tail -1; echo rc=$?", "nslookup: can't resolve 'web'\nrc=0\n", 10),
    ("busybox:1.36", "wget -qO- 10.244.1.9; echo rc=$?", "hello\nrc=0\n", 0),
], ids=["wget says bad address once the resolver gives up",
        "nc says bad address once the resolver gives up",
        "the new nslookup applet times out after 5 s",
        "the old nslookup applet cannot resolve once libc gives up",
        "an address needs no lookup and still works"])
def test_a_dropped_dns_query_fails_the_lookup_after_the_resolver_timeout(runtime, clock, image, script,
                                                                          output, seconds):
    runtime.network = DroppingNetwork()
    cid = start(runtime, clock, image, command=("sh", "-c", script))
    clock.run(seconds - 0.5 if seconds else 0)
    if seconds:
        assert runtime.logs(cid) == ""  # still waiting for an answer
    clock.run(1)
    assert runtime.logs(cid) == output
