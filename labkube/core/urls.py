"""Manifests named by URL: ``kubectl apply -f https://k8s.io/examples/pods/simple-pod.yaml``.

The Kubernetes documentation names its example manifests by URL, and students type those
commands as written. A real kubectl downloads the file (cli-runtime's ``URLVisitor``). labkube
never reaches the internet (only loopback), so it reads the documentation's examples from a
local copy instead:

* ``https://k8s.io/examples/PATH`` (and ``https://kubernetes.io/examples/PATH``, and the same
  file on raw.githubusercontent.com under ``kubernetes/website/<branch>/content/en/examples/``)
  is the file ``PATH`` in the folder that the environment variable ``LABKUBE_EXAMPLES`` names:
  a copy of kubernetes/website's ``content/en/examples`` (a clone of the website, or a course's
  own copy);
* an example missing from that copy fails as a download that got 404 does in kubectl:
  ``unable to read URL "…", server reported 404 Not Found, status code=404``;
* any other URL, or an example URL while ``LABKUBE_EXAMPLES`` is unset, fails with an error that
  says labkube cannot download it and what to do instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional


#: The environment variable naming the local copy of the documentation's examples.
EXAMPLES_ENV = "LABKUBE_EXAMPLES"

_EXAMPLE_URLS = (
    re.compile(r"https?://(?:www\.)?(?:k8s\.io|kubernetes\.io)/examples/(?P<path>[^?#]+)"),
    re.compile(r"https://raw\.githubusercontent\.com/kubernetes/website/[^/]+/content/en/examples/"
               r"(?P<path>[^?#]+)"),
)


class URLReadError(ValueError):
    """A manifest URL that cannot be read here (the message is kubectl's, without ``error:``)."""


def is_url(name: str) -> bool:
    """What cli-runtime's ``FilenameParam`` takes for a URL rather than a path."""
    return name.startswith(("http://", "https://"))


def example_path(url: str) -> Optional[str]:
    """The documentation example a URL names (``pods/simple-pod.yaml``), or None."""
    for pattern in _EXAMPLE_URLS:
        match = pattern.fullmatch(url)
        if match:
            return match.group("path")
    return None


def read_url(url: str) -> str:
    """The manifest at ``url``, from the local copy of the documentation's examples."""
    path = example_path(url)
    root = os.environ.get(EXAMPLES_ENV, "")
    if path is None or not root:
        advice = (f"; to read the Kubernetes documentation's examples, set {EXAMPLES_ENV} to a copy of "
                  "kubernetes/website's content/en/examples folder" if path is not None else "")
        raise URLReadError(
            f'labkube has no network access and cannot download "{url}": save the manifest '
            f"to a file and pass that file with -f, or give it on standard input with -f -{advice}")
    file = Path(root, *path.split("/"))
    if ".." in path.split("/") or not file.is_file():
        raise URLReadError(f'unable to read URL "{url}", server reported 404 Not Found, status code=404')
    return file.read_bytes().decode("utf-8", errors="replace")
