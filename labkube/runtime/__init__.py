"""Container runtimes behind a CRI-like interface.

Mirrors the Container Runtime Interface between the kubelet and containerd/CRI-O: the kubelet
asks a runtime to pull images, create, start, stop and remove containers, report their status,
and hand over logs and exec. labkube has a simulated runtime (containers run a model of their
command) and a Docker runtime; the kubelet cannot tell which it has. The kubelet and the
runtimes arrive with issue #3; this package holds them.
"""
