"""labkube's MVCC store side by side with real etcd 3.4 on the same put/get/range workload.

Needs the etcd server binary (this script installs nothing):

    apt-get update && apt-get install -y etcd-server      # as root; Debian ships etcd 3.4

    .venv/bin/python benchmarks/bench_etcd.py [--keys 10000] [--gets 10000]

The script starts ``etcd`` on 127.0.0.1 with two free ports and a fresh temporary data
directory, drives it through etcd's v3 JSON gateway (``POST /v3/kv/put`` and
``/v3/kv/range`` with base64 keys and values) over one keep-alive ``http.client``
connection, runs the same workload against an in-process :class:`MVCCStore`, prints both
and the ratio, and always stops etcd and removes the directory (try/finally).

The comparison is not like for like and says so: etcd pays for HTTP+JSON, gRPC, Raft and an
fsync per write; labkube is a Python dict in the same process. The numbers show what an
in-process teaching store buys, not that it could replace etcd.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labkube.core.store import MVCCStore  # noqa: E402

VALUE = b'{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{}}' * 4
PREFIX = "/registry/pods/default/"


def key(i: int) -> str:
    return f"{PREFIX}pod-{i:06d}"


def prefix_end(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def b64(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode("ascii")


# -- etcd -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_etcd(data_dir: str) -> tuple[subprocess.Popen, int]:
    binary = shutil.which("etcd")
    if binary is None:
        raise SystemExit("etcd not found: apt-get update && apt-get install -y etcd-server")
    client, peer = free_port(), free_port()
    cmd = [
        binary,
        "--name", "bench",
        "--data-dir", data_dir,
        "--listen-client-urls", f"http://127.0.0.1:{client}",
        "--advertise-client-urls", f"http://127.0.0.1:{client}",
        "--listen-peer-urls", f"http://127.0.0.1:{peer}",
        "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
        "--initial-cluster", f"bench=http://127.0.0.1:{peer}",
        "--logger", "zap",
        "--log-level", "error",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, client


def stop_etcd(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Gateway:
    """etcd's v3 JSON gateway over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, path: str, body: dict) -> dict:
        self.conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}: {data[:200]!r}")
        return json.loads(data)

    def put(self, k: str, v: bytes) -> None:
        self.call("/v3/kv/put", {"key": b64(k), "value": b64(v)})

    def get(self, k: str) -> dict:
        return self.call("/v3/kv/range", {"key": b64(k)})

    def range(self, start: str, end: str) -> int:
        body = {"key": b64(start), "range_end": b64(end)}
        return int(self.call("/v3/kv/range", body).get("count", 0))

    def close(self) -> None:
        self.conn.close()


def wait_ready(proc: subprocess.Popen, port: int, timeout: float = 30) -> Gateway:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"etcd exited: {proc.stderr.read().decode()[-500:]}")
        try:
            gateway = Gateway(port)
            gateway.get("/ready-probe")
            return gateway
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError("etcd did not become ready")


# -- the workload -----------------------------------------------------------------------------
def workload(put, get, range_count, keys: int, gets: int, ranges: int) -> dict:
    """Time ``keys`` puts, ``gets`` gets and ``ranges`` ranges over every key."""
    names = [key(i) for i in range(keys)]
    start = time.perf_counter()
    for name in names:
        put(name, VALUE)
    put_s = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(gets):
        get(names[i % keys])
    get_s = time.perf_counter() - start
    times = []
    for _ in range(ranges):
        start = time.perf_counter()
        count = range_count(PREFIX, prefix_end(PREFIX))
        times.append(time.perf_counter() - start)
        if count != keys:
            raise RuntimeError(f"range returned {count} keys, expected {keys}")
    return {"put": keys / put_s, "get": gets / get_s, "range_ms": min(times) * 1000}


def run_labkube(keys: int, gets: int, ranges: int) -> dict:
    store = MVCCStore()
    store.watch(PREFIX, prefix=True)  # the same "history + one watcher" setting as bench_store
    return workload(
        store.put, store.get, lambda a, b: store.range(a, b).count, keys, gets, ranges
    )


def run_etcd(keys: int, gets: int, ranges: int) -> dict:
    data_dir = tempfile.mkdtemp(prefix="labkube-bench-etcd-")
    proc = None
    gateway = None
    try:
        proc, port = start_etcd(data_dir)
        gateway = wait_ready(proc, port)
        return workload(gateway.put, gateway.get, gateway.range, keys, gets, ranges)
    finally:
        if gateway is not None:
            gateway.close()
        if proc is not None:
            stop_etcd(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=10_000, help="keys to put (and range over)")
    parser.add_argument("--gets", type=int, default=10_000)
    parser.add_argument("--ranges", type=int, default=5)
    args = parser.parse_args()
    counts = (min(args.keys, 100_000), min(args.gets, 100_000), min(args.ranges, 50))

    etcd = run_etcd(*counts)
    labkube = run_labkube(*counts)
    print(f"workload: {counts[0]:,} puts, {counts[1]:,} gets, range over {counts[0]:,} keys "
          f"(value {len(VALUE)} bytes)")
    print(f"{'':22}{'etcd 3.4 (JSON gw)':>20}{'labkube':>16}{'labkube/etcd':>14}")
    for label, field, unit in (("put", "put", "ops/s"), ("get", "get", "ops/s")):
        e, l = etcd[field], labkube[field]
        print(f"{label + ' (' + unit + ')':22}{e:>20,.0f}{l:>16,.0f}{l / e:>13,.0f}x")
    e, l = etcd["range_ms"], labkube["range_ms"]
    print(f"{'range (ms)':22}{e:>20,.2f}{l:>16,.2f}{e / l:>13,.0f}x")


if __name__ == "__main__":
    main()
