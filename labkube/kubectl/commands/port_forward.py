"""``kubectl port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT [...]``: a pod's port on loopback.

Mirrors k8s.io/kubectl/pkg/cmd/portforward and client-go's tools/portforward, in their order:

1. **Which pod** (``Complete``): ``NAME`` or ``pod/NAME`` is that pod; ``deployment/web``,
   ``rs/…``, ``sts/…``, ``svc/…`` pick one of the object's pods as ``AttachablePodForObject``
   does (the most active, waiting up to ``--pod-running-timeout`` for a first pod to exist).
2. **Which ports**: a named port (``8080:http``) is looked up in the pod's containers; for a
   Service the port is the Service's and becomes its ``targetPort`` (a named ``targetPort`` is
   looked up in the pod), so ``svc/web 8080:80`` reaches the container's 8080 when the Service
   maps 80 to it. UDP-only ports are refused.
3. **Is it running** (``RunPortForward``): ``unable to forward port because pod is not running.
   Current status=Pending``.
4. **Listen** (client-go): ``--address`` (default ``localhost``: 127.0.0.1 and ::1), each
   ``[LOCAL:]REMOTE`` parsed as client-go does (``:80`` and ``0:80`` let the kernel choose the
   local port); ``Forwarding from 127.0.0.1:8080 -> 80`` per listener, ``Unable to listen on
   port …`` for a port that failed everywhere, and an error when no port could be listened on.

Then the command returns (a notebook cell must not block) and the listeners keep serving in the
background (see :mod:`.loopback`): ``cluster.forwards()`` lists them, ``stop()`` ends one.
Each connection prints ``Handling connection for 8080`` to the forward's ``output``.

**What a connection reaches.** On a real node the kubelet asks the container runtime to dial
``localhost:PORT`` inside the pod's network namespace. Here the kubelet's pod worker names the
sandbox, and the simulated runtime hands the HTTP request to whatever listens on that port in
it (nginx's welcome page; its access log shows the client as ``127.0.0.1``). Only GET and HEAD
are carried (the simulated servers answer GET). Nothing listening is containerd's ``failed to
connect to localhost:80 inside namespace …: connection refused``: kubectl prints it and ends
the forward with ``error: lost connection to pod``, as it does when the pod is gone or stopped
(noticed here at the next connection).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any, Optional

from labkube.core.api import auth
from labkube.core.errors import go_quote
from labkube.kubectl.commands import Context, resolve_type
from labkube.kubectl.commands.logs import attachable_pod
from labkube.kubectl.commands.loopback import (
    LoopbackServer,
    QuietHandler,
    go_errno_text,
    is_loopback,
    join_host_port,
    klog_header,
    listen,
    register,
    simulation,
)
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.parse import go_duration_seconds
from labkube.runtime.cri import ConnectionFailed

#: Where kubectl 1.32's client-go reports a failed connection: the ``runtime.HandleError`` line of
#: tools/portforward/portforward.go (read from the real binary's line table; 1.31 had it at 413).
HANDLE_ERROR_AT = "portforward.go:424"
LOST_CONNECTION = "error: lost connection to pod"


def run(ctx: Context) -> list[BaseException]:
    args = ctx.parsed.all_args
    if len(args) < 2:
        raise ctx.usage_error("TYPE/NAME and list of ports are required for port-forward")
    timeout = _pod_running_timeout(ctx)
    service, pod = _forwardable_pod(ctx, args[0], timeout)
    ports = _container_ports(args[1:], service, pod)
    pod = ctx.client.get("pods", pod["metadata"]["name"], ctx.namespace)
    phase = (pod.get("status") or {}).get("phase", "")
    if phase != "Running":
        raise KubectlError(f"error: unable to forward port because pod is not running. Current status={phase}")
    addresses = parse_addresses(ctx.flags["address"])
    forwards = parse_ports(ports)
    _check_upgrade_allowed(ctx, pod)
    forward = PortForward(ctx.cluster, pod, f"port-forward {' '.join(args)}")
    forward.open(addresses, forwards, ctx.term)
    register(ctx.cluster, forward)
    forward.serve()
    return []


# -- which pod -------------------------------------------------------------------------------------
def _pod_running_timeout(ctx: Context) -> float:
    """``GetPodRunningTimeoutFlag``: a duration above zero."""
    seconds = go_duration_seconds(ctx.flags["pod-running-timeout"])
    if seconds <= 0:
        raise ctx.usage_error("--pod-running-timeout must be higher than zero")
    return seconds


def _forwardable_pod(ctx: Context, text: str, timeout: float) -> tuple[Optional[dict], dict]:
    """(the Service named, if one was; the pod to forward to). ``builder.ResourceNames("pods",
    text)``: a bare name is a pod's."""
    if text.count("/") > 1:
        raise KubectlError("error: arguments in resource/name form may not have more than one slash")
    kind, slash, name = text.rpartition("/")
    if slash and not (kind and name):
        raise KubectlError("error: arguments in resource/name form must have a single resource and name")
    rtype = resolve_type(ctx, kind) if kind else resolve_type(ctx, "pods")
    obj = ctx.client.get(rtype, name, ctx.namespace if rtype.namespaced else None)
    if rtype.kind == "Pod":
        return None, obj
    if rtype.kind not in _SELECTABLE or rtype.group not in ("", "apps", "batch", "extensions"):
        kind = _go_type(rtype)
        raise KubectlError(f"error: cannot attach to {kind}: selector for {kind} not implemented")
    # AttachablePodForObject says nothing of the pod it chose (``kubectl logs`` does).
    quiet = replace(ctx, term=_Scratch())
    pod = attachable_pod(quiet, f"{kind}/{name}", wait=timeout)
    return (obj if rtype.kind == "Service" else None), pod


#: The kinds ``SelectorsForObject`` knows how to find the pods of.
_SELECTABLE = ("ReplicationController", "ReplicaSet", "Deployment", "DaemonSet", "StatefulSet", "Job", "Service")


def _go_type(rtype: Any) -> str:
    """``%T`` of the object kubectl decoded: ``*v1.ConfigMap``, ``*unstructured.Unstructured``."""
    from labkube.core.api.customresource import CustomResourceType

    return "*unstructured.Unstructured" if isinstance(rtype, CustomResourceType) else f"*{rtype.version}.{rtype.kind}"


class _Scratch:
    """A terminal nobody reads."""

    def out(self, text: str) -> None: ...
    def err(self, text: str) -> None: ...
    def line(self, text: str) -> None: ...
    def err_line(self, text: str) -> None: ...


# -- which ports -----------------------------------------------------------------------------------
def split_port(port: str) -> tuple[str, str]:
    """``splitPort``: ``LOCAL:REMOTE`` -> both; anything else -> its first part twice."""
    parts = port.split(":")
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], parts[0])


def _atoi(text: str) -> Optional[int]:
    """Go's ``strconv.Atoi``; None where it fails."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    value = int(text)
    return value if -(1 << 63) <= value < (1 << 63) else None


def _container_ports(ports: list[str], service: Optional[dict], pod: dict) -> list[str]:
    if service is not None:
        _refuse_udp(ports, _udp_only(service["spec"].get("ports") or [], "port"),
                    lambda name: service_port_by_name(service, name))
        return translate_service_ports(ports, service, pod)
    container_ports = [p for c in pod["spec"].get("containers") or [] for p in c.get("ports") or []]
    _refuse_udp(ports, _udp_only(container_ports, "containerPort"), lambda name: container_port_by_name(pod, name))
    return convert_named_ports(ports, pod)


def _udp_only(ports: list[dict], key: str) -> set[int]:
    udp = {p.get(key) for p in ports if p.get("protocol") == "UDP"}
    tcp = {p.get(key) for p in ports if p.get("protocol", "TCP") == "TCP"}
    return udp - tcp


def _refuse_udp(ports: list[str], udp_only: set[int], by_name: Any) -> None:
    """``checkUDPPorts``: port-forward carries TCP only."""
    for port in ports:
        _, remote = split_port(port)
        number = _atoi(remote)
        if number is None:
            number = by_name(remote)
        if number in udp_only:
            raise KubectlError(f"error: UDP protocol is not supported for {remote}")


def container_port_by_name(pod: dict, name: str) -> int:
    """``LookupContainerPortNumberByName``."""
    spec = pod.get("spec") or {}
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        for port in container.get("ports") or []:
            if port.get("name", "") == name:
                return port["containerPort"]
    raise KubectlError(f"error: Pod '{pod['metadata']['name']}' does not have a named port '{name}'")


def service_port_by_name(service: dict, name: str) -> int:
    """``LookupServicePortNumberByName``."""
    for port in service["spec"].get("ports") or []:
        if port.get("name", "") == name:
            return port["port"]
    raise KubectlError(f"error: Service '{service['metadata']['name']}' does not have a named port '{name}'")


def _target_port(service: dict, pod: dict, number: int) -> int:
    """``LookupContainerPortNumberByServicePort``: the Service port's targetPort in the pod."""
    spec = service["spec"]
    if spec.get("clusterIP") == "None":
        return number
    for port in spec.get("ports") or []:
        if port.get("port") != number:
            continue
        target = port.get("targetPort", 0)
        if isinstance(target, int):
            return target or port["port"]
        return container_port_by_name(pod, target)
    raise KubectlError(f"error: Service {service['metadata']['name']} does not have a service port {number}")


def translate_service_ports(ports: list[str], service: dict, pod: dict) -> list[str]:
    """``translateServicePortToTargetPort``."""
    translated = []
    for port in ports:
        local, remote = split_port(port)
        number = _atoi(remote)
        if number is None:
            number = service_port_by_name(service, remote)
            if local == remote:
                local = str(number)
        remote = str(_target_port(service, pod, number))
        translated.append(f"{local}:{remote}" if local != remote else remote)
    return translated


def convert_named_ports(ports: list[str], pod: dict) -> list[str]:
    """``convertPodNamedPortToNumber``."""
    converted = []
    for port in ports:
        local, remote = split_port(port)
        if remote == "":
            raise KubectlError("error: remote port cannot be empty")
        number = remote if _atoi(remote) is not None else str(container_port_by_name(pod, remote))
        converted.append(f"{local}:{number}" if local != remote else number)
    return converted


# -- client-go's parsing ---------------------------------------------------------------------------
def _parse_uint16(text: str) -> int:
    """``strconv.ParseUint(text, 10, 16)``; ValueError carries Go's words."""
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f'strconv.ParseUint: parsing {go_quote(text)}: invalid syntax')
    value = int(text)
    if value > 0xFFFF:
        raise ValueError(f'strconv.ParseUint: parsing {go_quote(text)}: value out of range')
    return value


def parse_ports(ports: list[str]) -> list[list[int]]:
    """client-go's ``parsePorts``: ``[local, remote]`` pairs (local 0: the kernel picks)."""
    forwards = []
    for port in ports:
        parts = port.split(":")
        if len(parts) == 1:
            local, remote = parts[0], parts[0]
        elif len(parts) == 2:
            local, remote = parts[0] or "0", parts[1]
        else:
            raise KubectlError(f"error: invalid port format '{port}'")
        try:
            local_port = _parse_uint16(local)
        except ValueError as err:
            raise KubectlError(f"error: error parsing local port '{local}': {err}") from None
        try:
            remote_port = _parse_uint16(remote)
        except ValueError as err:
            raise KubectlError(f"error: error parsing remote port '{remote}': {err}") from None
        if remote_port == 0:
            raise KubectlError("error: remote port must be > 0")
        forwards.append([local_port, remote_port])
    return forwards


def parse_addresses(addresses: list[str]) -> list[tuple[str, str]]:
    """client-go's ``parseAddresses``: (address, failure mode), sorted by address. ``localhost``
    is 127.0.0.1 and ::1 and fails only if both do ("all"); an IP must bind ("any"). Only
    loopback addresses are served: labkube listens nowhere else."""
    if not addresses:
        raise KubectlError("error: you must specify at least 1 address")
    parsed: dict[str, str] = {}
    for address in addresses:
        if address == "localhost":
            parsed.setdefault("127.0.0.1", "all")
            parsed.setdefault("::1", "all")
            continue
        if _ip(address) is None:
            raise KubectlError(f"error: {address} is not a valid IP")
        if not is_loopback(address):
            raise KubectlError(f"error: labkube listens on loopback only: {address} is not a loopback "
                               "address (use localhost, 127.0.0.1 or ::1)")
        parsed[_ip(address)] = "any"
    return sorted(parsed.items())


def _ip(text: str) -> Optional[str]:
    import ipaddress

    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _check_upgrade_allowed(ctx: Context, pod: dict) -> None:
    """The POST to ``pods/portforward`` is authorized like any request (``create``). A refusal
    comes back as a Status, which the SPDY round tripper returns as the error itself."""
    user = getattr(ctx.client, "user", None)
    server = getattr(ctx.cluster, "server", None)
    if user is None or server is None:
        return
    meta = pod["metadata"]
    attrs = auth.request_attributes(user, "create", "pods", namespace=meta["namespace"], name=meta["name"],
                                    subresource="portforward")
    decision = server.authorize(attrs)
    if not decision.allowed:
        denied = auth.forbidden_error(attrs, decision.reason)
        raise KubectlError(f"error: error upgrading connection: {denied.message}")


# -- the forward -----------------------------------------------------------------------------------
class PortForward(LoopbackServer):
    """One ``kubectl port-forward``: its listeners, and the pod they lead to."""

    kind = "port-forward"

    def __init__(self, cluster: Any, pod: dict, command: str) -> None:
        super().__init__(command)
        self.cluster = cluster
        meta = pod["metadata"]
        self.namespace, self.pod, self.uid = meta["namespace"], meta["name"], meta["uid"]
        self.node = (pod.get("spec") or {}).get("nodeName", "")

    # -- listening (client-go's forward and listenOnPort) ------------------------------------
    def open(self, addresses: list[tuple[str, str]], forwards: list[list[int]], term: Any) -> None:
        listened = False
        for forward in forwards:
            errors = self._listen_on_port(forward, addresses, term)
            if errors is None:
                listened = True
            else:
                text = (f"Unable to listen on port {forward[0]}: Listeners failed to create with the "
                        f"following errors: [{' '.join(errors)}]\n")
                term.err(text)
                self.write(text)
        if not listened:
            for listener in self.listeners:  # bound for a port that failed elsewhere; never served
                listener.server_close()
            pairs = " ".join(f"{{{local} {remote}}}" for local, remote in forwards)
            raise KubectlError(f"error: unable to listen on any of the requested ports: [{pairs}]")

    def _listen_on_port(self, forward: list[int], addresses: list[tuple[str, str]], term: Any) -> Optional[list[str]]:
        """Listen on every address; None, or the errors when the port counts as failed."""
        errors, failed, succeeded = [], {"all": 0, "any": 0}, {"all": 0, "any": 0}
        for address, mode in addresses:
            try:
                listener = listen(address, forward[0], _Connection, self)
            except OSError as err:
                family = "tcp6" if ":" in address else "tcp4"
                errors.append(f"unable to create listener: Error listen {family} "
                              f"{join_host_port(address, forward[0])}: bind: {go_errno_text(err)}")
                failed[mode] += 1
                continue
            forward[0] = listener.port  # port 0: every address gets the port the first one got
            listener.local, listener.remote = forward[0], forward[1]
            self.listeners.append(listener)
            text = f"Forwarding from {join_host_port(address, forward[0])} -> {forward[1]}\n"
            term.out(text)
            self.write(text)
            succeeded[mode] += 1
        if (succeeded["all"] == 0 and failed["all"] > 0) or failed["any"] > 0:
            return errors
        return None

    # -- one connection ----------------------------------------------------------------------
    def exchange(self, local: int, remote: int, method: str, path: str, headers: dict) -> Any:
        """The pod's answer to one HTTP request on ``remote``; None when there is none (the
        forward then ends, as kubectl does)."""
        with simulation(self.cluster):
            if not self.running:
                return None
            found = self._sandbox()
            if found is None:
                self.end(LOST_CONNECTION)
                return None
            runtime, container_id, sandbox_id = found
            try:
                return runtime.http_get(container_id, remote, path, headers=headers, client_ip="127.0.0.1")
            except ConnectionFailed as err:
                if "connection refused" not in str(err):
                    return None  # something listens but speaks no HTTP: the connection just closes
                self.write(self._refused(local, remote, sandbox_id))
                self.end(LOST_CONNECTION)
                return None

    def _sandbox(self) -> Optional[tuple[Any, str, str]]:
        """(runtime, a running container's id, the sandbox id) of the pod the forward was made
        for, as its node's kubelet knows it; None once it is gone, replaced or stopped."""
        nodes = getattr(self.cluster, "nodes", None)
        kubelet = nodes.kubelet_for(self.node) if nodes is not None and self.node else None
        if kubelet is None or isinstance(kubelet, str):
            return None
        worker = kubelet.worker_for(self.namespace, self.pod)
        if worker is None or worker.uid != self.uid or not worker.sandbox_id or worker.sandbox_stopped:
            return None
        ids = [record.container_id for record in worker.records.values() if record.container_id]
        return (kubelet.runtime, ids[0], worker.sandbox_id) if ids else None

    def _refused(self, local: int, remote: int, sandbox_id: str) -> str:
        """containerd's answer when nothing listens, as kubectl's klog line shows it."""
        netns = f"/var/run/netns/cni-{_uuid_from(sandbox_id)}"
        detail = (f"an error occurred forwarding {local} -> {remote}: error forwarding port {remote} to pod "
                  f"{sandbox_id}, uid : failed to execute portforward in network namespace {go_quote(netns)}: "
                  f"failed to connect to localhost:{remote} inside namespace {go_quote(sandbox_id)}, IPv4: "
                  f"dial tcp4 127.0.0.1:{remote}: connect: connection refused IPv6 dial tcp6 [::1]:{remote}: "
                  "connect: connection refused ")
        header = klog_header("E", self.cluster.clock.now(), HANDLE_ERROR_AT)
        return f'{header} "Unhandled Error" err={go_quote(detail)}\n'


def _uuid_from(text: str) -> str:
    """A UUID-shaped name derived from ``text`` (the CNI plugin names a netns ``cni-<uuid>``)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


class _Connection(QuietHandler):
    """One local connection: ``Handling connection for 8080``, then its HTTP requests."""

    def handle(self) -> None:
        self.server.owner.write(f"Handling connection for {self.server.local}\n")
        super().handle()

    def do_GET(self) -> None:
        self._forward(head_only=False)

    def do_HEAD(self) -> None:
        self._forward(head_only=True)

    def _forward(self, *, head_only: bool) -> None:
        headers = {key: value if isinstance(value, str) else value[0]
                   for key, value in self.request_headers().items()}
        response = self.server.owner.exchange(self.server.local, self.server.remote, "GET", self.path, headers)
        if response is None:
            self.close_connection = True
            return
        self.reply(response.status, response.headers, response.body.encode(), head_only=head_only)

    def _unsupported(self) -> None:
        """The simulated servers answer GET only: other methods get no answer."""
        self.close_connection = True

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _unsupported
