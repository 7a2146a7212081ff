"""``kubectl events`` cases whose output is compared byte for byte with the real kubectl 1.32.

Each case: ``stem``, ``command`` and the ``fixture`` (a function of "now" returning the core/v1
Events the API server holds). ``capture_events.py`` serves the fixture to the real kubectl
with "now" = the wall clock (kubectl measures LAST SEEN against it); ``test_events_oracle.py``
creates the same Events in a labkube cluster with "now" = the cluster's clock and runs the
same command. Ages are whole seconds, so they read the same on both sides.

Cases marked ``served`` compare ``-o json``/``-o yaml``, whose text holds the server-assigned
uid, resourceVersion and creationTimestamp: there labkube's kubectl gets the fixture exactly as
the oracle served it (a test-side Client), so only kubectl's side of the work is compared.

The ``ties_*`` fixtures hold dozens of events that happened in the same few seconds, in an
order unrelated to their names: they pin the order Go's unstable ``sort.Sort`` leaves them in.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone

#: labkube's simulated clock starts here (2025-01-01T00:00:00Z); the goldens' dates are in it.
NOW = 1735689600.0
M, H, D = 60, 3600, 86400
RS_HASH = "7c5ddbdf54"
WEB_PODS = (f"web-{RS_HASH}-x2kq9", f"web-{RS_HASH}-b8pzl", f"web-{RS_HASH}-qn4fd")


def at(now: float, ago: float, *, micro: bool = False) -> str:
    """The RFC 3339 time ``ago`` seconds before ``now`` (six fraction digits for MicroTime).

    Counted in whole microseconds, so the same ``ago`` gives the same fraction whatever ``now``.
    """
    micros = round(now * 1_000_000) - round(ago * 1_000_000)
    moment = datetime.fromtimestamp(micros // 1_000_000, tz=timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{micros % 1_000_000:06d}Z" if micro else f"{text}Z"


def ref(kind: str, name: str, namespace: str = "default", api_version: str = "v1", field_path: str = "") -> dict:
    reference = {"apiVersion": api_version, "kind": kind, "name": name}
    if namespace:
        reference["namespace"] = namespace
    if field_path:
        reference["fieldPath"] = field_path
    return reference


def _metadata(name: str, namespace: str, created: str, n: int) -> dict:
    return {"name": name, "namespace": namespace, "uid": f"00000000-0000-4000-8000-{n:012d}",
            "resourceVersion": str(2000 + n), "creationTimestamp": created}


def core_event(now, name, involved, reason, message, *, etype="Normal", first=10 * M + 20, last=None,
               count=1, component="kubelet", host="node-1", n=0) -> dict:
    """An Event as client-go's (old) recorder writes it: first/lastTimestamp and count."""
    last = first if last is None else last
    namespace = involved.get("namespace") or "default"
    source = {"component": component, **({"host": host} if host else {})}
    return {"metadata": _metadata(name, namespace, at(now, first), n), "involvedObject": involved,
            "reason": reason, "message": message, "source": source, "firstTimestamp": at(now, first),
            "lastTimestamp": at(now, last), "count": count, "type": etype,
            "reportingComponent": component, "reportingInstance": host}


def new_event(now, name, involved, reason, message, *, etype="Normal", ago=10 * M + 20, action="Binding",
              component="default-scheduler", instance="default-scheduler-node-1", series=None, n=0) -> dict:
    """An Event as the events.k8s.io recorder writes it (kube-scheduler): eventTime, no count."""
    namespace = involved.get("namespace") or "default"
    event = {"metadata": _metadata(name, namespace, at(now, ago), n), "involvedObject": involved,
             "reason": reason, "message": message, "source": {}, "type": etype,
             "eventTime": at(now, ago, micro=True), "action": action,
             "reportingComponent": component, "reportingInstance": instance}
    if series:
        count, last_ago = series
        event["series"] = {"count": count, "lastObservedTime": at(now, last_ago, micro=True)}
    return event


def _pod_events(now, pod: str, ago: float, n: int) -> list[dict]:
    """Scheduled, Pulling, Pulled, Created, Started: a pod that came up ``ago`` seconds ago."""
    container = ref("Pod", pod, field_path="spec.containers{nginx}")
    stamp = lambda k: f"{pod}.18166{k:011x}"  # noqa: E731 - name.<hex nanoseconds>
    return [
        new_event(now, stamp(n), ref("Pod", pod), "Scheduled",
                  f"Successfully assigned default/{pod} to node-1", ago=ago - 0.45, n=n),
        core_event(now, stamp(n + 1), container, "Pulling", 'Pulling image "nginx:1.27"', first=ago - 1, n=n + 1),
        core_event(now, stamp(n + 2), container, "Pulled",
                   'Successfully pulled image "nginx:1.27" in 3.2s (3.2s including waiting). '
                   "Image size: 72099410 bytes.", first=ago - 4, n=n + 2),
        core_event(now, stamp(n + 3), container, "Created", "Created container: nginx", first=ago - 4, n=n + 3),
        core_event(now, stamp(n + 4), container, "Started", "Started container nginx", first=ago - 4, n=n + 4),
    ]


def scenario(now: float) -> list[dict]:
    """A Deployment that came up, a crash-looping pod, a bad image, a pod that does not fit,
    a node, and a little in kube-system and in namespace ``shop``."""
    apps = lambda kind, name, ns="default": ref(kind, name, ns, "apps/v1")  # noqa: E731
    rs = f"web-{RS_HASH}"
    events = [
        core_event(now, "web.181666a1b2c3d4e5", apps("Deployment", "web"), "ScalingReplicaSet",
                   f"Scaled up replica set {rs} to 3", first=10 * M + 20, component="deployment-controller",
                   host="", n=1),
    ]
    for index, pod in enumerate(WEB_PODS):
        events.append(core_event(now, f"{rs}.181666a1b2c3d5{index:02x}", apps("ReplicaSet", rs), "SuccessfulCreate",
                                 f"Created pod: {pod}", first=10 * M + 20, component="replicaset-controller",
                                 host="", n=2 + index))
    for index, pod in enumerate(WEB_PODS):
        events.extend(_pod_events(now, pod, 10 * M + 20 - index, 10 + 10 * index))
    crashy = ref("Pod", "crashy", field_path="spec.containers{app}")
    events += [
        new_event(now, "crashy.181667000000a001", ref("Pod", "crashy"), "Scheduled",
                  "Successfully assigned default/crashy to node-2", ago=25 * M + 20.031415,
                  instance="default-scheduler-node-1", n=50),
        core_event(now, "crashy.181667000000a002", crashy, "Pulled",
                   'Container image "busybox:1.36" already present on machine', first=25 * M + 10,
                   last=2 * M + 30, count=6, host="node-2", n=51),
        core_event(now, "crashy.181667000000a003", crashy, "BackOff",
                   "Back-off restarting failed container app in pod "
                   "crashy_default(00000cb1-0000-4000-8000-000000000001)",
                   etype="Warning", first=24 * M + 20, last=40, count=110, host="node-2", n=52),
        core_event(now, "crashy.181667000000a004", crashy, "Unhealthy",
                   'Liveness probe failed: command "cat /tmp/healthy" exited with code 1\n'
                   "cat: can't open '/tmp/healthy': No such file or directory\n",
                   etype="Warning", first=3 * M + 5, host="node-2", n=53),
    ]
    broken = ref("Pod", "broken", field_path="spec.containers{app}")
    events += [
        core_event(now, "broken.181667100000b001", broken, "Failed",
                   'Failed to pull image "nginx:does-not-exist": rpc error: code = NotFound desc = failed '
                   'to pull and unpack image "docker.io/library/nginx:does-not-exist": not found',
                   etype="Warning", first=5 * M + 20, last=2 * M + 10, count=4, n=60),
        core_event(now, "broken.181667100000b002", broken, "Failed", "Error: ErrImagePull", etype="Warning",
                   first=5 * M + 20, last=2 * M + 10, count=4, n=61),
        core_event(now, "broken.181667100000b003", broken, "BackOff", 'Back-off pulling image "nginx:does-not-exist"',
                   first=5 * M + 19, last=20, count=21, n=62),
        core_event(now, "broken.181667100000b004", broken, "Failed", "Error: ImagePullBackOff", etype="Warning",
                   first=5 * M + 19, last=20, count=21, n=63),
        new_event(now, "big.181667200000c001", ref("Pod", "big"), "FailedScheduling",
                  "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
                  "3 No preemption victims found for incoming pod.", etype="Warning", ago=12 * M + 20,
                  action="Scheduling", series=(4, 2 * M + 20), n=70),
        core_event(now, "node-1.181660000000d001", ref("Node", "node-1", namespace="", api_version="v1"),
                   "RegisteredNode", "Node node-1 event: Registered Node node-1 in Controller",
                   first=D + 40, component="node-controller", host="", n=80),
        core_event(now, "kube-scheduler.181660000000e001",
                   ref("Lease", "kube-scheduler", "kube-system", "coordination.k8s.io/v1"), "LeaderElection",
                   "node-1_2f1c9b2e-0c1a-4c55-9b3e-9d0b6a7e1f00 became leader", first=D + 30,
                   component="default-scheduler", host="", n=90),
        core_event(now, "coredns-6f6b679f8f-7xkqp.181660000000e002",
                   ref("Pod", "coredns-6f6b679f8f-7xkqp", "kube-system", field_path="spec.containers{coredns}"),
                   "Started", "Started container coredns", first=3 * H + 5 * M + 20, n=91),
        core_event(now, "shop.181666000000f001", apps("Deployment", "shop", "shop"), "ScalingReplicaSet",
                   "Scaled down replica set shop-5d8c7b6f9 to 0 from 2", first=20, component="deployment-controller",
                   host="", n=95),
    ]
    return events


def quiet(now: float) -> list[dict]:
    """Normal events only, in two namespaces: ``--types=Warning`` finds none, even with ``-A``."""
    return [e for e in scenario(now) if e["type"] == "Normal"]


def ties(seed: int, count: int):
    """``count`` pod events that happened within a few seconds, named in no particular order."""

    def build(now: float) -> list[dict]:
        rng = random.Random(seed)
        seconds = [6 * M, 6 * M - 1, 6 * M - 4, 5 * M][: rng.randint(2, 4)]
        reasons = ("Scheduled", "Pulling", "Pulled", "Created", "Started")
        events = []
        for index in range(count):
            pod = f"load-{rng.randrange(16 ** 5):05x}"
            ago = rng.choice(seconds)
            reason = rng.choice(reasons)
            events.append(core_event(now, f"{pod}.{rng.randrange(16 ** 16):016x}", ref("Pod", pod), reason,
                                     f"{reason} {index}", first=ago, n=100 + index))
        return events

    return build


def empty(now: float) -> list[dict]:
    return []


def key_order(events: list[dict]) -> list[dict]:
    """The order an API server lists them in: by storage key (namespace/name)."""
    return sorted(events, key=lambda e: f"{e['metadata']['namespace']}/{e['metadata']['name']}")


POD = WEB_PODS[0]

CASES = [
    # the table, -A, namespaces, --no-headers
    {"stem": "table", "command": "events", "fixture": scenario},
    {"stem": "all_namespaces", "command": "events -A", "fixture": scenario},
    {"stem": "all_namespaces_long_flag", "command": "events --all-namespaces --no-headers", "fixture": scenario},
    {"stem": "namespace", "command": "events -n kube-system", "fixture": scenario},
    {"stem": "no_headers", "command": "events --no-headers", "fixture": scenario},
    {"stem": "extra_arguments_ignored", "command": "events pods web", "fixture": scenario},
    # --for
    {"stem": "for_pod", "command": f"events --for pod/{POD}", "fixture": scenario},
    {"stem": "for_pod_separate_value", "command": "events --for pod/crashy", "fixture": scenario},
    {"stem": "for_deployment_qualified", "command": "events --for=deployment.apps/web", "fixture": scenario},
    {"stem": "for_deployment_short", "command": "events --for deploy/web", "fixture": scenario},
    {"stem": "for_versioned_resource", "command": "events --for deployments.v1.apps/web", "fixture": scenario},
    {"stem": "for_capitals", "command": "events --for Pod/big", "fixture": scenario},
    {"stem": "for_node", "command": "events --for node/node-1", "fixture": scenario},
    {"stem": "for_all_namespaces", "command": "events -A --for pod/coredns-6f6b679f8f-7xkqp", "fixture": scenario},
    {"stem": "for_other_namespace", "command": "events -n shop --for deploy/shop", "fixture": scenario},
    {"stem": "for_no_name", "command": "events --for pod/ --no-headers", "fixture": scenario},
    {"stem": "for_empty_value", "command": "events --for= --no-headers", "fixture": scenario},
    {"stem": "for_nothing_there", "command": "events --for pod/nothing", "fixture": scenario},
    {"stem": "for_ambiguous_short_name", "command": "events --for ev/x", "fixture": scenario},
    {"stem": "for_no_slash", "command": "events --for web", "fixture": scenario},
    {"stem": "for_two_slashes", "command": "events --for pod/web/x", "fixture": scenario},
    {"stem": "for_unknown_resource", "command": "events --for nope/x", "fixture": scenario},
    {"stem": "for_unknown_in_group", "command": "events --for nope.apps/x", "fixture": scenario},
    {"stem": "for_version_is_no_group", "command": "events --for pod.v1/x", "fixture": scenario},
    {"stem": "for_unknown_version", "command": "events --for deployments.v2.apps/web", "fixture": scenario},
    {"stem": "for_no_resource", "command": "events --for /web", "fixture": scenario},
    {"stem": "for_group_only", "command": "events --for .apps/web", "fixture": scenario},
    # --types
    {"stem": "types_warning", "command": "events --types=Warning", "fixture": scenario},
    {"stem": "types_any_case", "command": "events --types=warning,NORMAL --for pod/broken", "fixture": scenario},
    {"stem": "types_repeated", "command": "events --types Normal --types Warning --for pod/crashy",
     "fixture": scenario},
    {"stem": "types_with_for", "command": "events --for pod/crashy --types=Warning", "fixture": scenario},
    {"stem": "types_all_namespaces", "command": "events -A --types=Normal", "fixture": scenario},
    {"stem": "types_bad", "command": "events --types=Bad", "fixture": scenario},
    {"stem": "types_trailing_comma", "command": "events --types=Normal,", "fixture": scenario},
    {"stem": "types_empty_value", "command": "events --types= --for pod/big", "fixture": scenario},
    {"stem": "types_checked_after_for", "command": "events --types=Bad --for web", "fixture": scenario},
    # nothing found
    {"stem": "empty", "command": "events", "fixture": empty},
    {"stem": "empty_all_namespaces", "command": "events -A", "fixture": empty},
    {"stem": "empty_namespace", "command": "events -n nothing-here", "fixture": scenario},
    {"stem": "empty_after_types", "command": "events --types=Warning", "fixture": quiet},
    {"stem": "empty_after_types_all_namespaces", "command": "events -A --types=warning", "fixture": quiet},
    {"stem": "empty_yaml", "command": "events -o yaml -n nothing-here", "fixture": scenario},
    # -o
    {"stem": "output_yaml", "command": "events -o yaml --for pod/big", "fixture": scenario, "served": True},
    {"stem": "output_yaml_several", "command": "events -o yaml --for pod/crashy", "fixture": scenario, "served": True},
    {"stem": "output_json", "command": "events -o json --for pod/broken", "fixture": scenario, "served": True},
    {"stem": "output_json_all", "command": "events -A -o json", "fixture": scenario, "served": True},
    {"stem": "output_name", "command": "events -o name", "fixture": scenario},
    {"stem": "output_jsonpath_names", "command": "events -o jsonpath={.items[*].metadata.name}", "fixture": scenario},
    {"stem": "output_jsonpath_kind", "command": "events -o jsonpath={.kind}/{.apiVersion}", "fixture": scenario},
    {"stem": "output_jsonpath_range",
     "command": """events --for pod/big -o 'jsonpath={range .items[*]}{.reason}|{.count}|{.firstTimestamp}"""
                """|{.series.count}|{.eventTime}{"\\n"}{end}'""", "fixture": scenario},
    {"stem": "output_jsonpath_template_flag", "command": "events -o jsonpath --template={.kind}", "fixture": scenario},
    {"stem": "output_jsonpath_as_json",
     "command": "events --for deploy/web -o jsonpath-as-json=x{.items[*].reason}{.nope}", "fixture": scenario},
    {"stem": "output_jsonpath_missing_key", "command": "events -o jsonpath={.nope} --allow-missing-template-keys=false",
     "fixture": scenario},
    {"stem": "output_yaml_any_case", "command": "events -o YAML --for deploy/web", "fixture": scenario,
     "served": True},
    {"stem": "output_name_any_case", "command": "events -o Name", "fixture": scenario},
    {"stem": "output_jsonpath_exact_case", "command": "events -o JSONPATH={.kind}", "fixture": scenario},
    {"stem": "output_yaml_with_argument", "command": "events -o yaml=x", "fixture": scenario},
    {"stem": "output_template_flag_and_argument", "command": "events -o jsonpath={.kind} --template={.apiVersion}",
     "fixture": scenario},
    {"stem": "output_go_template_no_template", "command": "events -o go-template", "fixture": scenario},
    {"stem": "output_wide", "command": "events -o wide", "fixture": scenario},
    {"stem": "output_custom_columns", "command": "events -o custom-columns=NAME:.metadata.name", "fixture": scenario},
    {"stem": "output_unknown", "command": "events -o table", "fixture": scenario},
    {"stem": "output_jsonpath_no_template", "command": "events -o jsonpath", "fixture": scenario},
    {"stem": "output_jsonpath_bad_template", "command": "events -o jsonpath={.items[", "fixture": scenario},
    {"stem": "output_checked_after_for", "command": "events -o wide --for nope/x", "fixture": scenario},
    {"stem": "output_checked_before_types", "command": "events -o wide --types=Bad", "fixture": scenario},
    {"stem": "watch_bad_output", "command": "events -w -o wide", "fixture": scenario},
    {"stem": "watch_bad_types", "command": "events --watch --types=Bad", "fixture": scenario},
    # Go's unstable sort over events of the same second
    {"stem": "ties_small", "command": "events --no-headers", "fixture": ties(1, 12)},
    {"stem": "ties_medium", "command": "events --no-headers", "fixture": ties(2, 40)},
    {"stem": "ties_large", "command": "events --no-headers", "fixture": ties(3, 90)},
    {"stem": "ties_larger", "command": "events --no-headers", "fixture": ties(4, 160)},
    {"stem": "ties_mixed", "command": "events --no-headers", "fixture": ties(5, 75)},
]
