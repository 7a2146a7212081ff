"""The simulated container runtime: containers run a model of their command on the cluster clock.

``SimRuntime`` (:mod:`.runtime`) implements :class:`labkube.runtime.cri.ContainerRuntime`.
Its parts: :mod:`.process` (processes as generators on the clock), :mod:`.shparse` and
:mod:`.shell` (a small POSIX shell; its docstring lists the supported grammar), :mod:`.utils`
(busybox/coreutils programs), :mod:`.images` (the image catalog and image behaviours),
:mod:`.fs` (a container's in-memory filesystem with volume mounts).
"""

from labkube.runtime.sim.runtime import SimRuntime, pull_seconds

__all__ = ["SimRuntime", "pull_seconds"]
