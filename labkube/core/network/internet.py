"""The world outside the cluster, as a tiny model: the few sites the docs' examples fetch.

Real pods can reach the internet; labkube's cannot and must not (DESIGN.md's networking rule:
nothing simulated is ever dialed). Some Kubernetes documentation examples fetch a public page —
``pods/init-containers.yaml`` downloads ``http://info.cern.ch`` in an init container and nginx
then serves it. So that such examples behave as their pages describe, this module answers for
a handful of well-known sites with a short, static copy of their page. Addresses come from the
documentation range 192.0.2.0/24 (RFC 5737), so they can never be confused with real hosts.

Any other outside name does not resolve (``wget: bad address``), as on a cluster without
internet access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Site:
    host: str
    ip: str
    body: str


_CERN = """<html><head></head><body><header>
<title>http://info.cern.ch</title>
</header>

<h1>http://info.cern.ch - home of the first website</h1>
<p>From here you can:</p>
<ul>
<li><a href="http://info.cern.ch/hypertext/WWW/TheProject.html">Browse the first website</a></li>
<li><a href="http://line-mode.cern.ch/www/hypertext/WWW/TheProject.html">Browse the first website using the line-mode browser simulator</a></li>
<li><a href="http://home.web.cern.ch/topics/birth-web">Learn about the birth of the web</a></li>
<li><a href="http://home.web.cern.ch/about">Learn about CERN, the physics laboratory where the web was born</a></li>
</ul>
</body></html>
"""

_EXAMPLE = """<!doctype html>
<html>
<head>
    <title>Example Domain</title>
</head>
<body>
<div>
    <h1>Example Domain</h1>
    <p>This domain is for use in illustrative examples in documents. You may use this
    domain in literature without prior coordination or asking for permission.</p>
</div>
</body>
</html>
"""

SITES = {
    site.host: site
    for site in (
        Site("info.cern.ch", "192.0.2.10", _CERN),
        Site("example.com", "192.0.2.20", _EXAMPLE),
        Site("www.example.com", "192.0.2.20", _EXAMPLE),
    )
}
_BY_IP = {site.ip: site for site in SITES.values()}


def resolve(name: str) -> Optional[str]:
    """The model address of a known outside host (trailing dot allowed), or None."""
    site = SITES.get(name.rstrip(".").lower())
    return site.ip if site else None


def site_at(ip: str) -> Optional[Site]:
    return _BY_IP.get(ip)
