"""Image references: ``nginx`` → ``docker.io/library/nginx:latest``.

Mirrors ``github.com/distribution/reference`` (``ParseNormalizedNamed`` + ``TagNameOnly``), which
the kubelet and containerd use: a name without a registry host is on ``docker.io``; a Docker Hub
name without a slash is in ``library/``; a reference with neither tag nor digest means
``:latest``. The first path component is a registry host when it contains ``.`` or ``:`` or is
``localhost``. Invalid references raise :class:`~labkube.runtime.cri.InvalidImageNameError` with
the kubelet's message (``couldn't parse image reference "NGINX": invalid reference format:
repository name must be lowercase``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from labkube.runtime.cri import InvalidImageNameError

DEFAULT_REGISTRY = "docker.io"
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")


@dataclass(frozen=True, slots=True)
class Reference:
    """A fully qualified image reference."""

    registry: str
    repository: str  # path inside the registry, e.g. "library/nginx"
    tag: str = ""
    digest: str = ""

    @property
    def name(self) -> str:
        """``docker.io/library/nginx``."""
        return f"{self.registry}/{self.repository}"

    def __str__(self) -> str:
        return _reference_text(self)


@functools.lru_cache(maxsize=1024)
def _reference_text(ref: Reference) -> str:
    """``str(ref)``: ``docker.io/library/nginx:1.27``, made once per reference (every pull,
    image status and container of an image asks for it)."""
    text = ref.name
    if ref.tag:
        text += ":" + ref.tag
    if ref.digest:
        text += "@" + ref.digest
    return text


def _invalid(image: str, why: str) -> InvalidImageNameError:
    return InvalidImageNameError(
        f'Failed to apply default image tag "{image}": couldn\'t parse image reference '
        f'"{image}": invalid reference format{": " + why if why else ""}'
    )


def _split_host(name: str) -> tuple[str, str]:
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return DEFAULT_REGISTRY, name


@functools.lru_cache(maxsize=1024)
def parse_reference(image: str) -> Reference:
    """Parse and normalise ``image``, defaulting the registry, ``library/`` and ``:latest``.

    A Reference is immutable, so one is parsed per image text and shared by every container
    that uses it (errors are raised again each time: they are not cached)."""
    if not image or image != image.strip():
        raise _invalid(image, "")
    rest, _, digest = image.partition("@")
    if digest and not _DIGEST.match(digest):
        raise _invalid(image, "")
    name, tag = rest, ""
    colon = rest.rfind(":")
    if colon > rest.rfind("/"):
        name, tag = rest[:colon], rest[colon + 1:]
        if not _TAG.match(tag):
            raise _invalid(image, "")
    registry, path = _split_host(name)
    if path != path.lower():
        raise _invalid(image, "repository name must be lowercase")
    if not all(_COMPONENT.match(part) for part in path.split("/")):
        raise _invalid(image, "")
    if registry == DEFAULT_REGISTRY and "/" not in path:
        path = "library/" + path
    if not tag and not digest:
        tag = "latest"
    return Reference(registry, path, tag, digest)
