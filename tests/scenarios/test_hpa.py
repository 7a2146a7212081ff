"""The HorizontalPodAutoscaler walkthrough (kubernetes/website
content/en/docs/tasks/run-application/horizontal-pod-autoscale-walkthrough.md), step by step.

The page: run php-apache (registry.k8s.io/hpa-example, cpu request 200m, limit 500m) behind a
Service; ``kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10``; the HPA
shows ``cpu: 0%/50%``; a busybox pod runs ``while sleep 0.01; do wget -q -O- http://php-apache;
done``; within a minute or so the CPU climbs far above 50% and the replicas rise (the page got
7); stopping the load brings the replicas back to 1 once the five-minute downscale
stabilization window has passed.
"""

import pytest

import labkube

PHP_APACHE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    run: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache
"""
LOAD = ('run load-generator --image=busybox:1.28 --restart=Never -- /bin/sh -c '
        '"while sleep 0.01; do wget -q -O- http://php-apache; done"')
STEP = 15


def _hpa(cluster):
    return cluster.client.get("horizontalpodautoscalers", "php-apache", "default")


def _replicas(cluster):
    return cluster.client.get("deployments", "php-apache", "default")["spec"]["replicas"]


def _walkthrough(seed: int, load_seconds: int = 300, idle_seconds: int = 420):
    """Run the page; returns the cluster and a timeline of (phase, seconds, replicas, utilization)."""
    cluster = labkube.Cluster(nodes=3, seed=seed)
    cluster.apply(PHP_APACHE)
    cluster.run(30)
    first = cluster.kubectl("autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10")
    cluster.run(60)
    before = cluster.kubectl("get hpa")
    timeline = []

    def sample(phase, elapsed):
        current = (_hpa(cluster)["status"].get("currentMetrics") or [{}])[0]
        utilization = ((current.get("resource") or {}).get("current") or {}).get("averageUtilization")
        timeline.append((phase, elapsed, _replicas(cluster), utilization))

    cluster.kubectl(LOAD)
    for elapsed in range(STEP, load_seconds + 1, STEP):
        cluster.run(STEP)
        sample("load", elapsed)
    cluster.kubectl("delete pod load-generator")
    for elapsed in range(STEP, idle_seconds + 1, STEP):
        cluster.run(STEP)
        sample("idle", elapsed)
    return cluster, first, before, timeline


@pytest.fixture(scope="module")
def walked():
    cluster, first, before, timeline = _walkthrough(seed=0)
    yield cluster, first, before, timeline
    cluster.close()


def test_kubectl_autoscale_creates_the_hpa_and_it_starts_at_zero_percent(walked):
    _, first, before, _ = walked
    assert first == "horizontalpodautoscaler.autoscaling/php-apache autoscaled\n"
    lines = before.splitlines()
    assert lines[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert lines[1].split()[:7] == ["php-apache", "Deployment/php-apache", "cpu:", "0%/50%", "1", "10", "1"]


def test_load_drives_the_cpu_far_above_target_and_the_replicas_up_within_limits(walked):
    _, _, _, timeline = walked
    load = [row for row in timeline if row[0] == "load"]
    assert max(u for _, _, _, u in load if u is not None) > 100
    replicas = [r for _, _, r, _ in load]
    assert replicas[0] >= 1 and max(replicas) <= 10
    for before, after in zip([1] + replicas, replicas):
        assert after <= max(2 * before, 4)  # a step at most doubles (or goes to 4)
    assert 4 <= replicas[-1] <= 10  # the page got 7
    assert load[-1][3] <= 55  # settled at or below the target, within the 10% tolerance


def test_the_rescale_events_say_why(walked):
    cluster, _, _, _ = walked
    messages = [e["message"] for e in cluster.client.list("events", "default")["items"]
                if e["reason"] == "SuccessfulRescale"]
    assert messages and messages[0].startswith("New size: ")
    assert messages[0].endswith("; reason: cpu resource utilization (percentage of request) above target")
    assert messages[-1] == "New size: 1; reason: All metrics below target"


def test_stopping_the_load_scales_down_only_after_the_five_minute_window(walked):
    _, _, _, timeline = walked
    idle = [row for row in timeline if row[0] == "idle"]
    loaded = [row for row in timeline if row[0] == "load"][-1][2]
    assert all(r == loaded for _, elapsed, r, _ in idle if elapsed < 300)
    assert idle[-1][2] == 1
    assert all(u == 0 for _, elapsed, _, u in idle if elapsed >= 60)


def test_describe_shows_the_metric_conditions_and_events(walked):
    cluster, _, _, _ = walked
    text = cluster.kubectl("describe hpa php-apache")
    assert "  resource cpu on pods  (as a percentage of request):  0% (1m) / 50%" in text
    assert "Deployment pods:                                       1 current / 1 desired" in text
    assert "ScalingLimited  True    TooFewReplicas" in text or "ScalingLimited  False" in text
    assert "Normal  SuccessfulRescale" in text


def test_the_walkthrough_is_the_same_for_the_same_seed():
    runs = []
    for _ in range(2):
        cluster, _, _, timeline = _walkthrough(seed=3, load_seconds=120, idle_seconds=0)
        runs.append(timeline)
        cluster.close()
    assert runs[0] == runs[1]
