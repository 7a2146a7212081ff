"""The Job controller: run pods until enough of them succeed, or give up.

Mirrors pkg/controller/job/job_controller.go, indexed_job_utils.go and backoff_utils.go
(Kubernetes 1.32). One ``sync(key)`` of a Job:

1. read the Job from the cache (gone: forget it); a finished Job (``Complete`` or ``Failed``)
   only has its pods' tracking finalizers removed;
2. claim its pods by selector (:mod:`.owner`), as the ReplicaSet controller does;
3. **count** finished pods. Every pod is created with the ``batch.kubernetes.io/job-tracking``
   finalizer, so it cannot vanish before it is counted. A pod that succeeded or failed (or, with
   ``podReplacementPolicy: TerminatingOrFailed``, is being deleted) is first written into
   ``status.uncountedTerminatedPods``, then its finalizer is removed, then it moves into
   ``status.succeeded`` / ``status.failed`` — three writes, so a crash never counts twice;
4. decide whether the Job has **failed**: more failed pods than ``backoffLimit``
   (``restartPolicy: Never``), as many container restarts in running pods as ``backoffLimit``
   (``OnFailure``: the kubelet restarts the containers), or running longer than
   ``activeDeadlineSeconds``. Failing adds ``FailureTarget`` and deletes the running pods
   keeping their finalizer, so that they are counted as failed (``deleteActivePods``);
5. otherwise **manage** the pods: ``suspend`` deletes them (condition ``Suspended``), else create
   up to ``min(parallelism, completions - succeeded)`` pods with ``generateName: <job>-``; after
   a failure the next pod waits 10 s, doubling per failure since the last success, at most
   10 minutes (``DefaultJobPodFailureBackOff``, ``MaxJobPodFailureBackOff``);
6. enough successes and no pod left running: ``SuccessCriteriaMet``. Once no pod is left
   running or terminating the terminal condition follows: ``Complete`` (with
   ``completionTime``, event ``Completed``) or ``Failed`` (event ``BackoffLimitExceeded`` /
   ``DeadlineExceeded``), both with the reason and message of the condition before them.

Pod changes reach a Job after ``syncJobBatchPeriod`` (1 s), as in Kubernetes, so the Job's
counters trail its pods by a second. Pods the controller deletes because there are too many or
the Job is suspended lose their finalizer first and are not counted as failures
(``deleteJobPods``); pods it deletes because the Job fails count as failed. Either way they
count in ``status.terminating`` until they stop, and the terminal condition waits for them.

**Indexed Jobs** (``completionMode: Indexed``) give each pod a completion index from 0 to
``completions - 1``: the pod is named ``<job>-<index>-<random>``, its hostname is
``<job>-<index>``, the index is in its annotation and label
``batch.kubernetes.io/job-completion-index`` and in every container's ``JOB_COMPLETION_INDEX``
environment variable. Each sync creates the lowest indexes that neither succeeded nor run; a
second active pod of an index (or one with no valid index) is deleted. An index counts as done
when one of its pods succeeds: ``status.completedIndexes`` lists the done indexes as intervals
(``"0-2,4"``) and ``status.succeeded`` counts them, so the Job completes when every index has.

A **pod failure policy** (``spec.podFailurePolicy``, pod_failure_policy.go) looks at each failed
pod: the first rule matching a container's non-zero exit code (``onExitCodes``, ``In``/``NotIn``)
or a pod condition (``onPodConditions``, e.g. ``DisruptionTarget`` after an eviction) decides.
``FailJob`` fails the Job at once (reason ``PodFailurePolicy``, message naming the container, exit
code and rule), ``Ignore`` neither counts the failure against ``backoffLimit`` nor in
``status.failed``, and ``Count`` (like no match) counts it.

A **success policy** (``spec.successPolicy``, Indexed Jobs, success_policy.go) declares the Job
done early: once the succeeded indexes cover a rule's ``succeededIndexes`` (or at least its
``succeededCount`` of them, or, without indexes, any ``succeededCount`` indexes), the Job gets
``SuccessCriteriaMet`` with reason ``SuccessPolicy`` and ``Matched rules at index N``, the pods
still running are deleted (not counted as failed), and ``Complete`` follows with the same words.

**backoffLimitPerIndex** (Indexed Jobs): each index has its own retry budget. A replacement pod
carries its index's failure count in ``batch.kubernetes.io/job-index-failure-count`` (so the
failed pod keeps its finalizer until the replacement exists), waits out its index's own back-off
(10 s doubling), and an index that failed more than ``backoffLimitPerIndex`` times, or whose pod
matched a ``FailIndex`` rule, is listed in ``status.failedIndexes`` and not run again. The Job
fails with ``MaxFailedIndexesExceeded`` past ``maxFailedIndexes``, or with ``FailedIndexes``
once every index has succeeded or failed.

With ``podReplacementPolicy: Failed`` (implied by a pod failure policy) a terminating pod is not
replaced until it has failed.

Not modelled: managedBy.
"""

from __future__ import annotations

import re
from functools import cmp_to_key
from typing import Optional

from labkube.core.api.labels import SelectorError, selector_from_label_selector
from labkube.core.clock import parse_timestamp
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.expectations import Expectations
from labkube.core.controllers.manager import register
from labkube.core.controllers.owner import (
    CONTROLLER_UID_INDEX, ORPHAN_PREFIX, ControllerRefManager, controller_ref, controller_uid_index,
    namespace_index, new_controller_ref, recheck_deletion_timestamp,
)
from labkube.core.controllers.pods import is_pod_active, is_pod_ready, ready_condition
from labkube.core.controllers.replicaset import (
    NAMESPACE_TERMINATING_CAUSE, has_status_cause, pod_from_template, slow_start_batch,
)
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING, object_key
from labkube.core.serialization import copy as json_copy

KIND = "Job"
API_VERSION = "batch/v1"
NAMESPACE_INDEX = "namespace"

#: ``batchv1.JobTrackingFinalizer``: a Job's pod cannot disappear before the Job counted it.
JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
#: Work-queue keys of pods whose Job is gone start with this (``orphanQueue`` in Kubernetes).
ORPHAN_POD = "orphan-pod:"
#: ``syncJobBatchPeriod``: pod changes are folded into one Job sync a second later.
SYNC_JOB_BATCH_PERIOD = 1.0
#: ``DefaultJobPodFailureBackOff`` and ``MaxJobPodFailureBackOff``.
DEFAULT_POD_FAILURE_BACKOFF = 10.0
MAX_POD_FAILURE_BACKOFF = 600.0
#: ``MaxPodCreateDeletePerSync``.
MAX_POD_CREATE_DELETE_PER_SYNC = 500
#: ``batchv1.JobCompletionIndexAnnotation``: an Indexed Job's pod's index (also its label).
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
#: The variable every container of an Indexed Job's pod reads its index from.
COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"
#: backoffLimitPerIndex: how often an index failed (counted, and ignored by the failure policy).
INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"
INDEX_IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count"
MAX_FAILED_INDEXES_EXCEEDED = ("MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes")
FAILED_INDEXES = ("FailedIndexes", "Job has failed indexes")
#: ``names.MaxGeneratedNameLength``: 63 less the 5 random characters.
MAX_GENERATED_NAME_LENGTH = 58

COMPLETIONS_REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")
#: ``batch.JobReasonSuccessPolicy``.
SUCCESS_POLICY = "SuccessPolicy"
BACKOFF_LIMIT_EXCEEDED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
#: ``batch.JobReasonPodFailurePolicy``.
POD_FAILURE_POLICY = "PodFailurePolicy"
DEADLINE_EXCEEDED = ("DeadlineExceeded", "Job was active longer than specified deadline")


# -- small questions about Jobs and pods ----------------------------------------------------------


def condition(job: dict, cond_type: str) -> Optional[dict]:
    for cond in (job.get("status") or {}).get("conditions") or ():
        if cond.get("type") == cond_type and cond.get("status") == "True":
            return cond
    return None


def is_finished(job: dict) -> bool:
    """``IsJobFinished``: a ``Complete`` or ``Failed`` condition is True."""
    return condition(job, "Complete") is not None or condition(job, "Failed") is not None


def has_tracking_finalizer(pod: dict) -> bool:
    return JOB_TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or ())


def is_pod_succeeded(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") == "Succeeded"


def is_pod_failed(pod: dict, job: dict) -> bool:
    """``isPodFailed``: Failed, or (TerminatingOrFailed) being deleted without having succeeded."""
    phase = (pod.get("status") or {}).get("phase")
    if phase == "Failed":
        return True
    if job["spec"].get("podReplacementPolicy") == "Failed":
        return False
    return bool(pod["metadata"].get("deletionTimestamp")) and phase != "Succeeded"


def is_terminating(pod: dict) -> bool:
    """Being deleted and not yet finished (``status.terminating`` counts these)."""
    phase = (pod.get("status") or {}).get("phase")
    return bool(pod["metadata"].get("deletionTimestamp")) and phase not in ("Succeeded", "Failed")


def finished_time(pod: dict, now: float) -> float:
    """``getFinishedTime``: when the pod's last container stopped (else deletion, else now)."""
    latest = None
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        finished = ((cs.get("state") or {}).get("terminated") or {}).get("finishedAt")
        if finished:
            t = parse_timestamp(finished)
            latest = t if latest is None else max(latest, t)
    if latest is not None:
        return latest
    if pod["metadata"].get("deletionTimestamp"):
        return parse_timestamp(pod["metadata"]["deletionTimestamp"])
    return now


def backoff_delay(failures: int) -> float:
    """10 s after the first failure, doubling with each one, at most 10 minutes."""
    if failures <= 0:
        return 0.0
    delay = DEFAULT_POD_FAILURE_BACKOFF
    for _ in range(1, failures):
        delay *= 2
        if delay >= MAX_POD_FAILURE_BACKOFF:
            return MAX_POD_FAILURE_BACKOFF
    return delay


def restarts_of(pods: list[dict]) -> int:
    """The container restarts of ``pods`` (``pastBackoffLimitOnFailure`` adds them up)."""
    total = 0
    for pod in pods:
        status = pod.get("status") or {}
        for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
            total += cs.get("restartCount", 0)
    return total


# -- the pod failure policy ------------------------------------------------------------------------


def _exit_code_matches(code: int, requirement: dict) -> bool:
    """``isOnExitCodesOperatorMatching``."""
    values = requirement.get("values") or ()
    if requirement.get("operator") == "In":
        return code in values
    if requirement.get("operator") == "NotIn":
        return code not in values
    return False


def _matching_container(pod: dict, requirement: dict) -> Optional[dict]:
    """``matchOnExitCodes``: the first terminated container (app containers before init
    containers) with a non-zero exit code that the requirement matches."""
    status = pod.get("status") or {}
    for statuses in (status.get("containerStatuses") or (), status.get("initContainerStatuses") or ()):
        for cs in statuses:
            terminated = (cs.get("state") or {}).get("terminated")
            if terminated is None:
                continue
            name = requirement.get("containerName")
            code = terminated.get("exitCode", 0)
            if (name is None or name == cs.get("name")) and code != 0 and _exit_code_matches(code, requirement):
                return cs
    return None


def _matching_condition(pod: dict, patterns: list) -> Optional[dict]:
    """``matchOnPodConditions``: the first pod condition whose type and status a pattern has."""
    for cond in (pod.get("status") or {}).get("conditions") or ():
        for pattern in patterns:
            if cond.get("type") == pattern.get("type") and cond.get("status") == pattern.get("status"):
                return cond
    return None


def match_pod_failure_policy(job: dict, pod: dict) -> tuple[Optional[str], bool, Optional[str]]:
    """``matchPodFailurePolicy``: (the message to fail the Job with, whether the failure counts,
    the action of the matching rule) for a failed pod."""
    policy = job["spec"].get("podFailurePolicy")
    if policy is None:
        return None, True, None
    meta = pod["metadata"]
    for index, rule in enumerate(policy.get("rules") or ()):
        action = rule.get("action")
        if rule.get("onExitCodes") is not None:
            cs = _matching_container(pod, rule["onExitCodes"])
            if cs is None:
                continue
            culprit = (f"Container {cs.get('name')} for pod {meta.get('namespace')}/{meta.get('name')} failed with "
                       f"exit code {cs['state']['terminated'].get('exitCode', 0)}")
        elif rule.get("onPodConditions"):
            cond = _matching_condition(pod, rule["onPodConditions"])
            if cond is None:
                continue
            culprit = f"Pod {meta.get('namespace')}/{meta.get('name')} has condition {cond.get('type')}"
        else:
            continue
        if action == "Ignore":
            return None, False, action
        if action in ("Count", "FailIndex"):
            return None, True, action
        if action == "FailJob":
            return f"{culprit} matching FailJob rule at index {index}", True, action
    return None, True, None


def only_replace_failed_pods(job: dict) -> bool:
    """``onlyReplaceFailedPods``: a pod is replaced only once it has failed, not while it is
    still terminating (``podReplacementPolicy: Failed``, implied by a pod failure policy)."""
    return job["spec"].get("podReplacementPolicy") == "Failed" or job["spec"].get("podFailurePolicy") is not None


def counts_as_failure(job: dict, pod: dict) -> bool:
    return match_pod_failure_policy(job, pod)[1]


def fail_job_message(job: dict, pods: list[dict]) -> Optional[str]:
    """``getFailJobMessage``: the message of the first failed pod a ``FailJob`` rule matches."""
    if job["spec"].get("podFailurePolicy") is None:
        return None
    for pod in pods:
        if is_pod_failed(pod, job):
            message = match_pod_failure_policy(job, pod)[0]
            if message is not None:
                return message
    return None


# -- Indexed Jobs: completion indexes and their intervals -----------------------------------------

_GO_ATOI = re.compile(r"[+-]?[0-9]+\Z")


def is_indexed(job: dict) -> bool:
    return (job.get("spec") or {}).get("completionMode") == "Indexed"


def completion_index(pod: dict) -> Optional[int]:
    """``getCompletionIndex``: the pod's index annotation as a number, or None if it has no
    valid one (missing, not a decimal integer, or negative)."""
    text = (pod["metadata"].get("annotations") or {}).get(COMPLETION_INDEX)
    if text is None or not _GO_ATOI.match(text):
        return None
    index = int(text)
    return index if index >= 0 else None


def valid_index(pod: dict, completions: int) -> Optional[int]:
    """The pod's completion index if it is one of the Job's (below ``completions``)."""
    index = completion_index(pod)
    return index if index is not None and index < completions else None


Intervals = list  # of [first, last] pairs, ordered and neither overlapping nor touching


def parse_intervals(text: str, completions: int) -> Intervals:
    """``succeededIndexesFromString``: ``"1,3-5,7"`` as intervals, cut at ``completions``;
    a part that is not a number is skipped, as the controller skips a corrupted one."""
    result: Intervals = []
    for part in text.split(",") if text else ():
        limits = part.split("-")
        if not _GO_ATOI.match(limits[0]):
            continue
        first = int(limits[0])
        if first >= completions:
            break
        last = first
        if len(limits) > 1:
            if not _GO_ATOI.match(limits[1]):
                continue
            last = min(int(limits[1]), completions - 1)
        if result and result[-1][1] == first - 1:
            result[-1][1] = last
        else:
            result.append([first, last])
    return result


def with_indexes(intervals: Intervals, indexes: list[int]) -> Intervals:
    """``withOrderedIndexes``: the intervals with ``indexes`` (in increasing order) merged in."""
    result: Intervals = []

    def add(first: int, last: int) -> None:
        if not result or first > result[-1][1] + 1:
            result.append([first, last])
        elif result[-1][1] < last:
            result[-1][1] = last

    pending = sorted([(f, l) for f, l in intervals] + [(i, i) for i in indexes])
    for first, last in pending:
        add(first, last)
    return result


def intervals_total(intervals: Intervals) -> int:
    return sum(last - first + 1 for first, last in intervals)


def intervals_text(intervals: Intervals) -> str:
    """``orderedIntervals.String``: two neighbours are written ``"3,4"``, three or more ``"3-5"``."""
    parts = []
    for first, last in intervals:
        if last == first:
            parts.append(str(first))
        elif last == first + 1:
            parts.append(f"{first},{last}")
        else:
            parts.append(f"{first}-{last}")
    return ",".join(parts)


def intervals_have(intervals: Intervals, index: int) -> bool:
    return any(first <= index <= last for first, last in intervals)


def first_pending_indexes(active: list[dict], succeeded: Intervals, count: int, completions: int) -> list[int]:
    """``firstPendingIndexes``: the ``count`` lowest indexes that neither succeeded nor run."""
    taken = with_indexes(succeeded, sorted({i for i in map(completion_index, active) if i is not None}))
    result: list[int] = []
    candidate = 0
    for first, last in taken + [[completions, completions]]:
        while candidate < min(first, completions) and len(result) < count:
            result.append(candidate)
            candidate += 1
        candidate = max(candidate, last + 1)
        if len(result) >= count or candidate >= completions:
            break
    return result


# -- backoffLimitPerIndex ---------------------------------------------------------------------------


def _annotation_count(pod: dict, key: str) -> int:
    """``parseInt32`` of a failure-count annotation; 0 when missing or not a valid int32."""
    text = (pod["metadata"].get("annotations") or {}).get(key)
    if text is None or not _GO_ATOI.match(text):
        return 0
    value = int(text)
    return value if 0 <= value <= 2**31 - 1 else 0


def index_failure_count(pod: dict) -> int:
    return _annotation_count(pod, INDEX_FAILURE_COUNT)


def absolute_failure_count(pod: dict) -> int:
    """``getIndexAbsoluteFailureCount``: counted and ignored failures of the pod's index."""
    return _annotation_count(pod, INDEX_FAILURE_COUNT) + _annotation_count(pod, INDEX_IGNORED_FAILURE_COUNT)


def is_index_failed(job: dict, pod: dict) -> bool:
    """``isIndexFailed``: the pod failed with a ``FailIndex`` rule, or with a counted failure
    when its index already failed ``backoffLimitPerIndex`` times before."""
    if not is_pod_failed(pod, job):
        return False
    _, counted, action = match_pod_failure_policy(job, pod)
    if action == "FailIndex":
        return True
    return counted and index_failure_count(pod) >= job["spec"]["backoffLimitPerIndex"]


def failed_indexes(job: dict, pods: list[dict], completions: int) -> Intervals:
    """``calculateFailedIndexes``: ``status.failedIndexes`` and the indexes failed since."""
    status = job.get("status") or {}
    previous = parse_intervals(status["failedIndexes"], completions) if status.get("failedIndexes") is not None else []
    new = {i for p in pods for i in [valid_index(p, completions)] if i is not None and is_index_failed(job, p)}
    return with_indexes(previous, sorted(new))


def delayed_per_index(job: dict, pods: list[dict], active: list[dict], succeeded: Intervals,
                      failed: Intervals, completions: int, now: float) -> dict[int, dict]:
    """``getPodsWithDelayedDeletionPerIndex``: per index still to run, its latest failed pod."""
    running = {completion_index(p) for p in active}
    delayed: dict[int, dict] = {}
    for pod in pods:
        index = valid_index(pod, completions)
        if index is None or not is_pod_failed(pod, job) or index in running \
                or intervals_have(succeeded, index) or intervals_have(failed, index):
            continue
        last = delayed.get(index)
        if last is None or (absolute_failure_count(last) <= absolute_failure_count(pod)
                            and finished_time(pod, now) >= finished_time(last, now)):
            delayed[index] = pod
    return delayed


def new_index_failure_counts(job: dict, replaced: Optional[dict]) -> tuple[int, int]:
    """``getNewIndexFailureCounts``: the counts a replacement pod carries."""
    if replaced is None:
        return 0, 0
    counted, ignored = index_failure_count(replaced), _annotation_count(replaced, INDEX_IGNORED_FAILURE_COUNT)
    if counts_as_failure(job, replaced):
        counted += 1
    else:
        ignored += 1
    return counted, ignored


def remaining_index_backoff(replaced: Optional[dict], now: float) -> float:
    """``getRemainingTimePerIndex``: the index's own back-off, from its last failure."""
    if replaced is None:
        return 0.0
    delay = backoff_delay(absolute_failure_count(replaced) + 1)
    elapsed = now - finished_time(replaced, now)
    return 0.0 if delay <= elapsed else delay - elapsed


def match_success_policy(job: dict, succeeded: Intervals) -> Optional[str]:
    """``matchSuccessPolicy``: ``Matched rules at index N`` for the first rule the succeeded
    indexes satisfy, or None."""
    policy = job["spec"].get("successPolicy")
    if policy is None or not succeeded:
        return None
    completions = job["spec"].get("completions") or 0
    for index, rule in enumerate(policy.get("rules") or ()):
        count = rule.get("succeededCount")
        if rule.get("succeededIndexes") is not None:
            required = parse_intervals(rule["succeededIndexes"], completions)
            if not required:
                continue
            done = sum(max(0, min(rl, sl) - max(rf, sf) + 1) for rf, rl in required for sf, sl in succeeded)
            if done == intervals_total(required) or (count is not None and done >= count):
                return f"Matched rules at index {index}"
        elif count is not None and intervals_total(succeeded) >= count:
            return f"Matched rules at index {index}"
    return None


def pod_generate_name_with_index(job_name: str, index: int) -> str:
    """``podGenerateNameWithIndex``: ``<job>-<index>-``, the job name cut if it is too long."""
    suffix = f"-{index}-"
    prefix = job_name + suffix
    if len(prefix) > MAX_GENERATED_NAME_LENGTH:
        prefix = prefix[:MAX_GENERATED_NAME_LENGTH - len(suffix)] + suffix
    return prefix


def add_completion_index_env(spec: dict) -> None:
    """``addCompletionIndexEnvVariables``: every (init) container without its own
    ``JOB_COMPLETION_INDEX`` reads it from the pod's label through the downward API."""
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        env = container.setdefault("env", [])
        if any(var.get("name") == COMPLETION_INDEX_ENV for var in env):
            continue
        env.append({"name": COMPLETION_INDEX_ENV, "valueFrom": {"fieldRef": {
            "fieldPath": f"metadata.labels['{COMPLETION_INDEX}']"}}})


def _ready_since(pod: dict) -> Optional[float]:
    cond = ready_condition(pod)
    stamp = cond.get("lastTransitionTime") if cond is not None else None
    return parse_timestamp(stamp) if stamp else None


def _after_or_zero(a: Optional[float], b: Optional[float]) -> bool:
    """``afterOrZero``: an empty time first, then the later one."""
    if a is None or b is None:
        return a is None
    return a > b


def _less_valuable(a: dict, b: dict) -> int:
    """``controller.ActivePods.Less`` as a comparison: negative when ``a`` is deleted first
    (unscheduled, pending, not ready, ready for less time, more restarts, newer), ties by name."""
    node_a, node_b = a.get("spec", {}).get("nodeName", ""), b.get("spec", {}).get("nodeName", "")
    if node_a != node_b and (not node_a or not node_b):
        return -1 if not node_a else 1
    order = {"Pending": 0, "Unknown": 1, "Running": 2}
    phase_a = order.get((a.get("status") or {}).get("phase"), 0)
    phase_b = order.get((b.get("status") or {}).get("phase"), 0)
    if phase_a != phase_b:
        return phase_a - phase_b
    ready_a, ready_b = is_pod_ready(a), is_pod_ready(b)
    if ready_a != ready_b:
        return -1 if not ready_a else 1
    if ready_a and ready_b:
        ta, tb = _ready_since(a), _ready_since(b)
        if ta != tb:
            return -1 if _after_or_zero(ta, tb) else 1
    restarts_a = max((c.get("restartCount", 0) for c in (a.get("status") or {}).get("containerStatuses") or ()), default=0)
    restarts_b = max((c.get("restartCount", 0) for c in (b.get("status") or {}).get("containerStatuses") or ()), default=0)
    if restarts_a != restarts_b:
        return -1 if restarts_a > restarts_b else 1
    ca, cb = (parse_timestamp(p["metadata"]["creationTimestamp"]) if p["metadata"].get("creationTimestamp")
              else None for p in (a, b))
    if ca != cb:
        return -1 if _after_or_zero(ca, cb) else 1
    return -1 if a["metadata"]["name"] < b["metadata"]["name"] else (1 if a["metadata"]["name"] > b["metadata"]["name"] else 0)


def by_deletion_order(pods: list[dict]) -> list[dict]:
    return sorted(pods, key=cmp_to_key(_less_valuable))


def duplicated_index_pods(pods: list[dict], completions: int) -> tuple[list[dict], list[dict]]:
    """``appendDuplicatedIndexPodsForRemoval``: (pods to remove, pods to keep), in index order.
    A pod without an index, or with one beyond the Job's, is removed; of several active pods
    with one index, the most valuable stays."""
    no_index: list[dict] = []
    beyond: list[dict] = []
    by_index: dict[int, list[dict]] = {}
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        index = completion_index(pod)
        if index is None:
            no_index.append(pod)
        elif index >= completions:
            beyond.append(pod)
        else:
            by_index.setdefault(index, []).append(pod)
    remove, keep = list(no_index), []
    for index in sorted(by_index):
        ordered = by_deletion_order(by_index[index])
        remove += ordered[:-1]
        keep.append(ordered[-1])
    beyond.sort(key=lambda p: completion_index(p))
    return remove + beyond, keep


def job_condition(cond_type: str, reason: str, message: str, now: str, status: str = "True") -> dict:
    """``newCondition`` (Job conditions carry lastProbeTime too)."""
    return {"type": cond_type, "status": status, "lastProbeTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


def ensure_condition(conditions: list[dict], cond_type: str, status: str, reason: str, message: str,
                     now: str) -> bool:
    """``ensureJobConditionStatus``: set a condition (a False one only if it exists already)."""
    for cond in conditions:
        if cond.get("type") != cond_type:
            continue
        if cond.get("status") == status and cond.get("reason") == reason and cond.get("message") == message:
            return False
        cond.update(job_condition(cond_type, reason, message, now, status))
        return True
    if status != "True":
        return False
    conditions.append(job_condition(cond_type, reason, message, now, status))
    return True


def ordered_status(status: dict) -> dict:
    """``JobStatus`` in Go's field order; zero counters omitted, ``ready``/``terminating`` kept."""
    out: dict = {}
    for key in ("conditions", "startTime", "completionTime"):
        if status.get(key):
            out[key] = status[key]
    for key in ("active", "succeeded", "failed"):
        if status.get(key):
            out[key] = status[key]
    out["terminating"] = status.get("terminating", 0)
    if status.get("completedIndexes"):
        out["completedIndexes"] = status["completedIndexes"]
    if status.get("failedIndexes") is not None:  # a pointer: "" is kept
        out["failedIndexes"] = status["failedIndexes"]
    uncounted = status.get("uncountedTerminatedPods") or {}
    out["uncountedTerminatedPods"] = {k: list(v) for k, v in uncounted.items() if v}
    out["ready"] = status.get("ready", 0)
    return out


class _Counts:
    """What one sync learned about a Job's pods."""

    def __init__(self, job: dict, pods: list[dict], now: float) -> None:
        self.job = job
        self.pods = pods
        self.active = [p for p in pods if is_pod_active(p)]
        self.ready = sum(1 for p in self.active if is_pod_ready(p))
        self.terminating = sum(1 for p in pods if is_terminating(p))
        status = job.get("status") or {}
        uncounted = status.get("uncountedTerminatedPods") or {}
        self.uncounted_succeeded = list(uncounted.get("succeeded") or ())
        self.uncounted_failed = list(uncounted.get("failed") or ())
        seen = set(self.uncounted_succeeded) | set(self.uncounted_failed)
        self.new_succeeded: list[dict] = []
        self.new_failed: list[dict] = []
        #: Pods deleted after the Job met its success criteria (or, in an Indexed Job, finished
        #: without a valid index): unfinalized, counted nowhere.
        self.unfinalized: list[dict] = []
        self.indexed = is_indexed(job)
        self.per_index = self.indexed and job["spec"].get("backoffLimitPerIndex") is not None
        completions = job["spec"].get("completions") or 0
        uncounted_pods = [p for p in pods if has_tracking_finalizer(p) and p["metadata"]["uid"] not in seen]
        #: Indexed Jobs: the indexes that succeeded before this sync, and now.
        self.prev_indexes = parse_intervals(status.get("completedIndexes") or "", completions) if self.indexed else []
        self.succeeded_indexes = with_indexes(self.prev_indexes, sorted(
            {i for p in uncounted_pods if is_pod_succeeded(p)
             for i in [valid_index(p, completions)] if i is not None and not intervals_have(self.prev_indexes, i)}))
        #: backoffLimitPerIndex: the failed indexes, and per index the last failed pod kept (with
        #: its finalizer) until its replacement carries the failure count on.
        self.failed_indexes: Intervals = []
        self.delayed: dict[int, dict] = {}
        if self.per_index:
            self.failed_indexes = failed_indexes(job, uncounted_pods, completions)
            self.delayed = delayed_per_index(job, uncounted_pods, self.active, self.succeeded_indexes,
                                             self.failed_indexes, completions, now)
        delayed = {id(p) for p in self.delayed.values()}
        #: A success since the last sync resets the pod failure backoff.
        self.any_new_success = False
        #: Every pod failed since the last sync, whether or not the failure counts.
        self.failures: list[dict] = []
        for pod in uncounted_pods:
            if id(pod) in delayed:
                continue
            index = valid_index(pod, completions) if self.indexed else 0
            if is_pod_succeeded(pod):
                self.new_succeeded.append(pod)
                self.any_new_success = self.any_new_success or index is not None
            elif is_pod_failed(pod, job):
                self._failed(pod, index)
        if not self.indexed:
            self.uncounted_succeeded += [p["metadata"]["uid"] for p in self.new_succeeded]
        if self.indexed:
            self.succeeded = intervals_total(self.succeeded_indexes)
        else:
            self.succeeded = status.get("succeeded", 0) + len(self.uncounted_succeeded)
        self.failed = status.get("failed", 0) + len(self.uncounted_failed)

    def _failed(self, pod: dict, index: Optional[int]) -> None:
        self.failures.append(pod)  # the backoff counts every failure, ignored ones too
        if index is not None and counts_as_failure(self.job, pod):
            self.new_failed.append(pod)
            self.uncounted_failed.append(pod["metadata"]["uid"])
        else:
            self.unfinalized.append(pod)

    def release_delayed(self) -> None:
        """A finished Job keeps no pod back: the delayed ones are counted now."""
        completions = self.job["spec"].get("completions") or 0
        for pod in self.delayed.values():
            self._failed(pod, valid_index(pod, completions))
        self.delayed = {}
        self.failed = (self.job.get("status") or {}).get("failed", 0) + len(self.uncounted_failed)


@register
class JobController(KubeController):
    """Creates a Job's pods, counts how they end, and finishes the Job."""

    name = "job-controller"

    def setup(self) -> None:
        self.expectations = Expectations(self.clock)
        #: Per Job: (failures since the last success, time of the last failure).
        self.backoff: dict[str, tuple[int, float]] = {}
        self.job_informer = self.ctx.informers.informer("jobs")
        self.pod_informer = self.ctx.informers.informer("pods")
        self.job_informer.add_indexer(NAMESPACE_INDEX, namespace_index)
        self.pod_informer.add_indexer(CONTROLLER_UID_INDEX, controller_uid_index)
        self.job_informer.add_event_handler(self._add_job, self._update_job, self._delete_job)
        self.pod_informer.add_event_handler(self._add_pod, self._update_pod, self._pod_changed)

    # -- event handlers: compute keys, enqueue ---------------------------------------------------
    def _add_job(self, job: dict) -> None:
        self.enqueue(object_key(job))
        self._requeue_at_deadline(job)

    def _update_job(self, old: dict, cur: dict) -> None:
        if old["metadata"].get("uid") != cur["metadata"].get("uid"):
            self._delete_job(old)
        self.enqueue(object_key(cur))
        if (old.get("spec") or {}).get("activeDeadlineSeconds") != (cur.get("spec") or {}).get("activeDeadlineSeconds"):
            self._requeue_at_deadline(cur)

    def _delete_job(self, job: dict) -> None:
        key = object_key(job)
        self.expectations.delete(key)
        self.backoff.pop(key, None)
        self.enqueue(key)

    def _requeue_at_deadline(self, job: dict) -> None:
        status, spec = job.get("status") or {}, job.get("spec") or {}
        deadline = spec.get("activeDeadlineSeconds")
        if deadline is None or not status.get("startTime") or is_finished(job):
            return
        remaining = parse_timestamp(status["startTime"]) + deadline - self.clock.now()
        self.queue.add_after(object_key(job), max(remaining, 0))

    def _job_of(self, pod: dict) -> Optional[dict]:
        """``resolveControllerRef``: the Job that controls ``pod``, if it exists."""
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != KIND:
            return None
        job = self.job_informer.get_by_name(pod["metadata"].get("namespace"), ref.get("name", ""))
        if job is None or job["metadata"].get("uid") != ref.get("uid"):
            return None
        return job

    def _add_pod(self, pod: dict) -> None:
        self._pod_changed(pod, created=True)

    def _pod_changed(self, pod: dict, created: bool = False) -> None:
        """Pod events reach the Job a batch period later; a finalized pod whose Job is gone
        is queued on its own."""
        job = self._job_of(pod)
        if job is not None:
            key = object_key(job)
            if created:
                self.expectations.creation_observed(key)
            self.queue.add_after(key, SYNC_JOB_BATCH_PERIOD)
        elif has_tracking_finalizer(pod) and self._owned_by_missing_job(pod):
            self.enqueue(ORPHAN_POD + object_key(pod))

    def _owned_by_missing_job(self, pod: dict) -> bool:
        """A pod whose Job is gone still carries the finalizer: ``syncOrphanPod`` drops it."""
        ref = controller_ref(pod)
        return ref is None or ref.get("kind") == KIND

    def _update_pod(self, old: dict, cur: dict) -> None:
        if cur["metadata"].get("resourceVersion") != old["metadata"].get("resourceVersion"):
            self._pod_changed(cur)

    # -- the reconcile loop ------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """``syncJob`` (or ``syncOrphanPod`` for a pod whose Job is gone)."""
        if key.startswith(ORPHAN_POD):
            self._sync_orphan_pod(key[len(ORPHAN_POD):])
            return
        job = self.job_informer.get(key)
        if job is None:
            self.expectations.delete(key)
            self.backoff.pop(key, None)
            return
        pods = self._claim_pods(job)
        if is_finished(job):
            self._remove_finalizers([p for p in pods if has_tracking_finalizer(p)], job)
            return
        job = json_copy(job)
        status = job.setdefault("status", {})
        observed = json_copy(status)  # what the API server has: write only what differs
        counts = _Counts(job, pods, self.clock.now())
        self._record_backoff(key, counts)
        now = self.clock.timestamp()
        conditions = [dict(c) for c in status.get("conditions") or ()]
        suspended = bool(job["spec"].get("suspend"))
        if not status.get("startTime") and not suspended:
            status["startTime"] = now
        failure = self._failure(job, counts, conditions)
        if failure is not None:
            ensure_condition(conditions, "FailureTarget", "True", *failure, now)
        failing = condition({"status": {"conditions": conditions}}, "FailureTarget") is not None
        succeeding = condition({"status": {"conditions": conditions}}, "SuccessCriteriaMet") is not None
        if counts.indexed and not (failing or succeeding):
            matched = match_success_policy(job, counts.succeeded_indexes)
            if matched is not None:
                ensure_condition(conditions, "SuccessCriteriaMet", "True", SUCCESS_POLICY, matched, now)
                succeeding = True
        if not (failing or succeeding or suspended):
            self._requeue_at_deadline(job)  # every sync: a pod event may have replaced the timer
        if failing or succeeding:
            counts.release_delayed()
            self._terminate_active(job, counts, count_as_failed=failing)
        else:
            self._suspend_or_resume(job, status, conditions, suspended, now)
            if suspended:
                self._delete_active(job, counts, counts.active)
            else:
                counts.active = self._manage(job, counts)
        if not failing and not succeeding and self._complete(job, counts):
            counts.release_delayed()
            ensure_condition(conditions, "SuccessCriteriaMet", "True", *COMPLETIONS_REACHED, now)
        self._write(job, status, observed, conditions, counts, now)

    def report(self, where: str, err: BaseException) -> None:
        if self._report is not None:
            self._report(f"{self.name} {where}", err)

    # -- pods ------------------------------------------------------------------------------------
    def _sync_orphan_pod(self, pod_key: str) -> None:
        pod = self.pod_informer.get(pod_key)
        if pod is None or not has_tracking_finalizer(pod) or self._job_of(pod) is not None:
            return
        if controller_ref(pod) is None and pod["metadata"].get("labels"):
            return  # an orphan a Job may still adopt and count
        self._remove_finalizers([pod], {"metadata": {"namespace": pod["metadata"]["namespace"]}})

    def _claim_pods(self, job: dict) -> list[dict]:
        """``getPodsForJob``: our pods and the namespace's matching orphans (adopted)."""
        meta = job["metadata"]
        try:
            selector = selector_from_label_selector(job["spec"].get("selector"))
        except SelectorError as err:
            self.report(f"parsing the selector of job {meta['namespace']}/{meta['name']}", err)
            return []
        mine = self.pod_informer.by_index(CONTROLLER_UID_INDEX, meta["uid"])
        orphans = self.pod_informer.by_index(CONTROLLER_UID_INDEX, ORPHAN_PREFIX + meta["namespace"])
        candidates = sorted(mine + orphans, key=lambda p: p["metadata"]["name"])

        def fresh() -> dict:
            current = self.client.get("jobs", meta["name"], meta["namespace"])
            if current["metadata"].get("uid") != meta["uid"]:
                raise StatusError(409, "Conflict", f"original Job {meta['namespace']}/{meta['name']} "
                                  f"is gone: got uid {current['metadata'].get('uid')}, wanted {meta['uid']}")
            return current

        manager = ControllerRefManager(self.client, "pods", "Pod", job, selector, API_VERSION, KIND,
                                       recheck_deletion_timestamp(fresh))
        claimed, errors = manager.claim(candidates)
        if errors:
            raise errors[0]
        return claimed

    def _record_backoff(self, key: str, counts: _Counts) -> None:
        """``newBackoffRecord``: failures since the last success and when the last one was."""
        failures, last = self.backoff.get(key, (0, 0.0))
        if counts.any_new_success:
            failures, last = 0, 0.0
        for pod in counts.failures:
            failures += 1
            last = max(last, finished_time(pod, self.clock.now()))
        self.backoff[key] = (failures, last)

    def _remaining_backoff(self, key: str) -> float:
        failures, last = self.backoff.get(key, (0, 0.0))
        delay = backoff_delay(failures)
        elapsed = self.clock.now() - last
        return 0.0 if delay <= elapsed else delay - elapsed

    def _manage(self, job: dict, counts: _Counts) -> list[dict]:
        """``manageJob``: create or delete pods so that the wanted number run; returns the active pods."""
        key = object_key(job)
        active = counts.active
        want = self._wanted_active(job, counts)
        excess = self._pods_for_removal(job, active, max(len(active) - want, 0))
        if excess:
            self._delete_active(job, counts, excess)
            return [p for p in active if p not in excess]
        replacing = counts.terminating if only_replace_failed_pods(job) else 0
        if len(active) + replacing >= want or not self.expectations.satisfied(key):
            return active
        remaining = 0.0 if counts.per_index else self._remaining_backoff(key)
        if remaining > 0:
            self.queue.add_after(key, remaining)
            return active
        count = min(want - replacing - len(active), MAX_POD_CREATE_DELETE_PER_SYNC)
        indexes: list[Optional[int]] = [None] * count
        if counts.indexed:
            taken = list(active)
            if replacing:
                taken += [p for p in counts.pods if is_terminating(p)]
            done = with_indexes(counts.succeeded_indexes, []) if not counts.per_index else \
                with_indexes(counts.succeeded_indexes + [list(i) for i in counts.failed_indexes], [])
            indexes = list(first_pending_indexes(taken, done, count, job["spec"]["completions"]))
            if counts.per_index:
                indexes = self._indexes_out_of_backoff(key, counts, indexes)
            count = len(indexes)
        self.expectations.expect_creations(key, count)
        created: list[dict] = []
        pending = iter(indexes)
        successes, err = slow_start_batch(count, 1, lambda: created.append(self._create_pod(job, next(pending), counts)))
        for _ in range(count - successes):
            self.expectations.creation_observed(key)
        if err is not None:
            raise err
        return active + [p for p in created if p is not None]

    def _indexes_out_of_backoff(self, key: str, counts: _Counts, indexes: list[int]) -> list[int]:
        """``getPodCreationInfoForIndependentIndexes``: the indexes whose own back-off is over;
        if none is, the sync comes back when the first one is."""
        now = self.clock.now()
        waits = {i: remaining_index_backoff(counts.delayed.get(i), now) for i in indexes}
        ready = [i for i in indexes if waits[i] == 0]
        if not ready and waits:
            self.queue.add_after(key, min(waits.values()))
        return ready

    @staticmethod
    def _pods_for_removal(job: dict, active: list[dict], at_least: int) -> list[dict]:
        """``activePodsForRemoval``: an Indexed Job's repeated or invalid indexes, then, while
        too many run, the least valuable pods."""
        remove, keep = [], active
        if is_indexed(job):
            remove, keep = duplicated_index_pods(active, job["spec"]["completions"])
        if len(remove) < at_least:
            remove += by_deletion_order(keep)[:at_least - len(remove)]
        return remove[:MAX_POD_CREATE_DELETE_PER_SYNC]

    @staticmethod
    def _wanted_active(job: dict, counts: _Counts) -> int:
        parallelism = job["spec"].get("parallelism", 1)
        completions = job["spec"].get("completions")
        if completions is None:
            return len(counts.active) if counts.succeeded > 0 else parallelism
        return max(0, min(completions - counts.succeeded, parallelism))

    def _create_pod(self, job: dict, index: Optional[int] = None, counts: Optional[_Counts] = None) -> Optional[dict]:
        """``RealPodControl.CreatePodsWithGenerateName`` with the tracking finalizer (and, in an
        Indexed Job, the pod's completion index), and its event."""
        pod = pod_from_template(job["spec"]["template"], job, new_controller_ref(job, API_VERSION, KIND))
        if index is not None:
            self._give_index(job, pod, index)
            if counts is not None and counts.per_index:
                counted, ignored = new_index_failure_counts(job, counts.delayed.get(index))
                pod["metadata"]["annotations"][INDEX_FAILURE_COUNT] = str(counted)
                if ignored:
                    pod["metadata"]["annotations"][INDEX_IGNORED_FAILURE_COUNT] = str(ignored)
        finalizers = pod["metadata"].setdefault("finalizers", [])
        if JOB_TRACKING_FINALIZER not in finalizers:
            finalizers.append(JOB_TRACKING_FINALIZER)
        try:
            created = self.client.create(pod, job["metadata"]["namespace"], hand_over=True)
        except StatusError as err:
            if has_status_cause(err, NAMESPACE_TERMINATING_CAUSE):
                return None
            self.recorder.event(job, WARNING, "FailedCreate", f"Error creating: {err.message}")
            raise
        self.recorder.event(job, NORMAL, "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")
        return created

    @staticmethod
    def _give_index(job: dict, pod: dict, index: int) -> None:
        """The index in the pod's environment, annotation, label, hostname and name."""
        meta, spec = pod["metadata"], pod["spec"]
        add_completion_index_env(spec)
        meta.setdefault("annotations", {})[COMPLETION_INDEX] = str(index)
        meta.setdefault("labels", {})[COMPLETION_INDEX] = str(index)
        spec["hostname"] = f"{job['metadata']['name']}-{index}"
        meta["generateName"] = pod_generate_name_with_index(job["metadata"]["name"], index)

    def _delete_active(self, job: dict, counts: _Counts, pods: list[dict]) -> None:
        """``deleteJobPods``: drop the tracking finalizer (not a failure to count), then delete."""
        self._remove_finalizers([p for p in pods if has_tracking_finalizer(p)], job)
        self._note_deleted(counts, self._delete_pods(job, pods))

    def _terminate_active(self, job: dict, counts: _Counts, count_as_failed: bool) -> None:
        """``deleteActivePods``: the Job has failed (or met its success criteria), so its running
        pods are deleted with their finalizer kept; the status step then unfinalizes them and, if
        the Job failed, counts them as failed ("every non-terminated pod is considered failed")."""
        deleted = self._delete_pods(job, counts.active)
        self._note_deleted(counts, deleted)
        completions = job["spec"].get("completions") or 0
        for pod in deleted:
            if not has_tracking_finalizer(pod):
                continue
            if count_as_failed and (not counts.indexed or valid_index(pod, completions) is not None) \
                    and counts_as_failure(job, pod):
                counts.new_failed.append(pod)
                counts.uncounted_failed.append(pod["metadata"]["uid"])
                counts.failed += 1
            else:
                counts.unfinalized.append(pod)

    @staticmethod
    def _note_deleted(counts: _Counts, deleted: list[dict]) -> None:
        """Deleted pods stop being active (and ready) and start terminating."""
        counts.active = [p for p in counts.active if p not in deleted]
        counts.ready -= sum(1 for p in deleted if is_pod_ready(p))
        counts.terminating += len(deleted)

    def _delete_pods(self, job: dict, pods: list[dict]) -> list[dict]:
        """``PodControl.DeletePod`` for each pod (event ``SuccessfulDelete``); returns those deleted."""
        deleted = []
        for pod in pods:
            name = pod["metadata"]["name"]
            try:
                self.client.delete("pods", name, job["metadata"]["namespace"])
            except StatusError as err:
                if err.code == 404:
                    continue
                self.recorder.event(job, WARNING, "FailedDelete", f"Error deleting: {err.message}")
                raise
            self.recorder.event(job, NORMAL, "SuccessfulDelete", f"Deleted pod: {name}")
            deleted.append(pod)
        return deleted

    def _remove_finalizers(self, pods: list[dict], job: dict) -> None:
        """``removeTrackingFinalizerPatch``: a strategic-merge patch per pod, guarded by its uid."""
        for pod in pods:
            patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": [JOB_TRACKING_FINALIZER],
                                  "uid": pod["metadata"]["uid"]}}
            try:
                self.client.patch("pods", pod["metadata"]["name"], patch,
                                  namespace=job["metadata"]["namespace"])
            except StatusError as err:
                if err.code not in (404, 409):
                    raise

    # -- conditions ----------------------------------------------------------------------------
    def _failure(self, job: dict, counts: _Counts, conditions: list[dict]) -> Optional[tuple[str, str]]:
        """The reason and message to fail with, or None (a Job already failing is not asked)."""
        have = {c["type"] for c in conditions if c.get("status") == "True"}
        if have & {"FailureTarget", "SuccessCriteriaMet"}:
            return None
        message = fail_job_message(job, counts.pods)
        if message is not None:
            return POD_FAILURE_POLICY, message
        spec = job["spec"]
        limit = spec.get("backoffLimit", 6)
        if counts.failed > limit:
            return BACKOFF_LIMIT_EXCEEDED
        if (spec.get("template") or {}).get("spec", {}).get("restartPolicy") == "OnFailure":
            restarts = restarts_of(counts.active)
            if (limit == 0 and restarts > 0) or (limit > 0 and restarts >= limit):
                return BACKOFF_LIMIT_EXCEEDED
        if self._past_deadline(job):
            return DEADLINE_EXCEEDED
        if counts.per_index:
            failed = intervals_total(counts.failed_indexes)
            limit_indexes = spec.get("maxFailedIndexes")
            if limit_indexes is not None and failed > limit_indexes:
                return MAX_FAILED_INDEXES_EXCEEDED
            if failed > 0 and failed + counts.succeeded >= (spec.get("completions") or 0):
                return FAILED_INDEXES
        return None

    def _past_deadline(self, job: dict) -> bool:
        """``pastActiveDeadline``: started more than activeDeadlineSeconds ago."""
        deadline = job["spec"].get("activeDeadlineSeconds")
        start = (job.get("status") or {}).get("startTime")
        if deadline is None or not start or job["spec"].get("suspend"):
            return False
        return self.clock.now() - parse_timestamp(start) >= deadline

    @staticmethod
    def _complete(job: dict, counts: _Counts) -> bool:
        completions = job["spec"].get("completions")
        if counts.active:
            return False
        if completions is None:
            return counts.succeeded > 0
        return counts.succeeded >= completions

    def _suspend_or_resume(self, job: dict, status: dict, conditions: list[dict], suspended: bool,
                           now: str) -> None:
        """The ``Suspended`` condition and its events; resuming restarts the deadline clock."""
        if suspended:
            if ensure_condition(conditions, "Suspended", "True", "JobSuspended", "Job suspended", now):
                self.recorder.event(job, NORMAL, "Suspended", "Job suspended")
            return
        if ensure_condition(conditions, "Suspended", "False", "JobResumed", "Job resumed", now):
            self.recorder.event(job, NORMAL, "Resumed", "Job resumed")
            status["startTime"] = now
            self._requeue_at_deadline(job)

    # -- status ----------------------------------------------------------------------------------
    def _write(self, job: dict, status: dict, observed: dict, conditions: list[dict], counts: _Counts,
               now: str) -> None:
        """``trackJobStatusAndRemoveFinalizers``: record, unfinalize, count, then maybe finish."""
        status["conditions"] = conditions
        status["active"] = len(counts.active)
        status["ready"] = counts.ready
        status["terminating"] = counts.terminating
        if counts.indexed:  # a succeeded index is counted at once: no uncounted UID to track
            status["succeeded"] = counts.succeeded
            status["completedIndexes"] = intervals_text(counts.succeeded_indexes)
        if counts.per_index:
            status["failedIndexes"] = intervals_text(counts.failed_indexes)
        newly = counts.new_succeeded + counts.new_failed
        if newly:
            status["uncountedTerminatedPods"] = {"succeeded": counts.uncounted_succeeded,
                                                 "failed": counts.uncounted_failed}
            job = self._update_status(job, status, observed)
            status = job["status"]
            observed = json_copy(status)
        if counts.unfinalized:
            self._remove_finalizers(counts.unfinalized, job)
        if newly:
            self._remove_finalizers(newly, job)
        if counts.uncounted_succeeded or counts.uncounted_failed:
            status["succeeded"] = counts.succeeded
            status["failed"] = counts.failed
            status["uncountedTerminatedPods"] = {}
        self._finish_if_done(job, status, counts, now)
        self._update_status(job, status, observed)

    def _finish_if_done(self, job: dict, status: dict, counts: _Counts, now: str) -> None:
        """The terminal condition, once no pod of the Job runs or terminates any more."""
        if counts.active or counts.terminating:
            return
        conditions = status.setdefault("conditions", [])
        target = condition(job, "FailureTarget") or next(
            (c for c in conditions if c["type"] == "FailureTarget" and c["status"] == "True"), None)
        met = next((c for c in conditions if c["type"] == "SuccessCriteriaMet" and c["status"] == "True"), None)
        if target is not None:
            if ensure_condition(conditions, "Failed", "True", target["reason"], target["message"], now):
                self.recorder.event(job, WARNING, target["reason"], target["message"])
        elif met is not None:
            if ensure_condition(conditions, "Complete", "True", met["reason"], met["message"], now):
                status["completionTime"] = now
                self.recorder.event(job, NORMAL, "Completed", "Job completed")

    def _update_status(self, job: dict, status: dict, observed: dict) -> dict:
        """Write ``status`` unless it is what the API server already has (``observed``): the
        controller sends a status update only when something changed (``needsStatusUpdate``)."""
        new_status = ordered_status(status)
        if new_status == observed:
            return job
        current = dict(job)
        current["status"] = new_status
        return self.client.update(current, subresource="status")
