"""Jobs (batch/v1).

Mirrors pkg/apis/batch/validation/validation.go of Kubernetes 1.32 (``ValidateJob``,
``validateGeneratedSelector``, ``ValidateJobSpec``, ``validateJobSpec``,
``validatePodReplacementPolicy``, ``ValidateJobSpecUpdate``) with the options the Job strategy
passes (``RequirePrefixedLabels`` on create and for Jobs that already carry the
``batch.kubernetes.io/`` labels).

Errors come in kube-apiserver's order: metadata, the generated selector's labels, the spec's
numbers, the pod template, ``restartPolicy``, the selector, then the update rules. A Job's pods
must not be restarted forever, so a template whose ``restartPolicy`` is left out (defaulted to
``Always``) is refused with ``Required value: valid values: "OnFailure", "Never"``.

CronJobs (``ValidateCronJobCreate``, ``ValidateCronJobUpdate``, ``validateCronJobSpec``,
``validateScheduleFormat``, ``validateTimeZone``, ``ValidateJobTemplateSpec``): the schedule is
parsed by :mod:`labkube.core.cron` (robfig/cron's words), ``TZ=``/``CRON_TZ=`` in a new schedule
is refused, ``timeZone`` must name a zone of the IANA database, a new CronJob's name has at most
52 characters (its Jobs add ``-`` and 10 digits of minutes and must fit in 63), and the
jobTemplate is validated like a Job's spec without a selector.

``podFailurePolicy`` (``validatePodFailurePolicy``): at most 20 rules, each with an action and
exactly one of ``onExitCodes`` (operator ``In``/``NotIn``, 1 to 255 ordered, distinct values,
no 0 for ``In``, a container name of the template) or ``onPodConditions`` (at most 20 patterns
of a qualified condition type and a status); ``FailIndex`` needs ``backoffLimitPerIndex``.

``successPolicy`` (``validateSuccessPolicy``): Indexed Jobs only, 1 to 20 rules, each with
``succeededIndexes`` (an increasing index list below ``completions``, ``validateIndexesFormat``'s
messages) and/or a ``succeededCount`` no larger than ``completions`` or than those indexes.

Not modelled: managedBy (labkube's controller does not act on it); it is accepted as given.
"""

from __future__ import annotations

import re

from labkube.core import cron
from labkube.core.api import labels
from labkube.core.api.validation import meta, names, pods
from labkube.core.errors import FieldError, GoText, go_quote

#: pkg/apis/batch: the labels the Job strategy puts on a Job's pod template.
CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
LEGACY_JOB_NAME_LABEL = "job-name"

#: ``maxParallelismForIndexedJob``.
MAX_PARALLELISM_FOR_INDEXED_JOB = 100000
COMPLETION_MODES = ("NonIndexed", "Indexed")
POD_REPLACEMENT_POLICIES = ("Failed", "TerminatingOrFailed")  # sets.List: sorted
#: ``supportedPodFailurePolicyActions`` and friends, sorted as ``sets.List`` lists them.
POD_FAILURE_POLICY_ACTIONS = ("Count", "FailIndex", "FailJob", "Ignore")
EXIT_CODE_OPERATORS = ("In", "NotIn")
CONDITION_STATUSES = ("False", "True", "Unknown")
MAX_POD_FAILURE_POLICY_RULES = 20
MAX_EXIT_CODE_VALUES = 255
MAX_CONDITION_PATTERNS = 20
MAX_SUCCESS_POLICY_RULES = 20
#: ``maxFailedIndexesForIndexedJob``, ``completionsSoftLimit`` and the limits above it.
MAX_FAILED_INDEXES = 100_000
COMPLETIONS_SOFT_LIMIT = 100_000
PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS = 10_000
MAX_FAILED_INDEXES_FOR_HIGH_COMPLETIONS = 10_000
MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024
_GO_ATOI = re.compile(r"[+-]?[0-9]+\Z")


def validate_job(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateJob`` (and ``ValidateJobUpdate`` when ``old`` is given)."""
    job_meta = obj.get("metadata") or {}
    if old is None:
        errs = meta.validate_object_meta(job_meta, True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(job_meta, old.get("metadata"))
    errs.extend(_generated_selector(obj, _require_prefixed_labels(old)))
    spec = obj.get("spec") or {}
    errs.extend(validate_job_spec(spec, "spec"))
    errs.extend(_indexed_hostnames(job_meta.get("name", ""), spec))
    if old is not None:
        errs.extend(_spec_update(spec, old))
    return errs


def _require_prefixed_labels(old: dict | None) -> bool:
    """New Jobs need the ``batch.kubernetes.io/`` labels; old ones only if they had them."""
    if old is None:
        return True
    template_labels = _template_labels(old.get("spec") or {})
    return JOB_NAME_LABEL in template_labels and CONTROLLER_UID_LABEL in template_labels


def _template_labels(spec: dict) -> dict:
    return ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}


def _has_label(template_labels: dict, key: str, value: str) -> list[FieldError]:
    """``ValidateHasLabel``."""
    path = f"spec.template.metadata.labels[{key}]"
    if key not in template_labels:
        return [FieldError.required(path)]
    if template_labels[key] != value:
        return [FieldError.invalid(path, template_labels[key], f"must be '{value}'")]
    return []


def _generated_selector(job: dict, prefixed: bool) -> list[FieldError]:
    """``validateGeneratedSelector``: the labels the strategy generated are still there."""
    spec = job.get("spec") or {}
    if spec.get("manualSelector") or spec.get("selector") is None:
        return []
    job_meta = job.get("metadata") or {}
    uid, name = job_meta.get("uid", ""), job_meta.get("name", "")
    errs: list[FieldError] = []
    if not uid:
        errs.append(FieldError.required("metadata.uid"))
    template_labels = _template_labels(spec)
    errs.extend(_has_label(template_labels, LEGACY_CONTROLLER_UID_LABEL, uid))
    errs.extend(_has_label(template_labels, LEGACY_JOB_NAME_LABEL, name))
    expected = {LEGACY_CONTROLLER_UID_LABEL: uid, LEGACY_JOB_NAME_LABEL: name}
    if prefixed:
        errs.extend(_has_label(template_labels, CONTROLLER_UID_LABEL, uid))
        errs.extend(_has_label(template_labels, JOB_NAME_LABEL, name))
        expected.update({CONTROLLER_UID_LABEL: uid, JOB_NAME_LABEL: name})
    selector = _parsed(spec.get("selector"))
    if selector is not None and not selector.matches(expected):
        errs.append(meta.invalid_go("spec.selector", spec["selector"],
                                    meta.go_label_selector(spec["selector"]),
                                    "`selector` not auto-generated"))
    return errs


def _parsed(selector: dict | None):
    try:
        return labels.selector_from_label_selector(selector)
    except labels.SelectorError:
        return None


def validate_job_spec(spec: dict, path: str) -> list[FieldError]:
    """``ValidateJobSpec``: the spec, then its selector and whether it matches the template."""
    errs = _job_spec_fields(spec, path)
    selector = spec.get("selector")
    if selector is None:
        errs.append(FieldError.required(path + ".selector"))
    else:
        errs.extend(meta.validate_label_selector(selector, path + ".selector"))
    parsed = _parsed(selector) if selector is not None else None
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if parsed is not None and not parsed.matches(template_labels or {}):
        errs.append(meta.invalid_go(path + ".template.metadata.labels", template_labels,
                                    meta.go_string_map(template_labels),
                                    "`selector` does not match template `labels`"))
    return errs


def _job_spec_fields(spec: dict, path: str) -> list[FieldError]:
    """``validateJobSpec``: everything but the selector (a CronJob's jobTemplate has none)."""
    errs = _numbers(spec, path)
    errs.extend(_completion_mode(spec, path))
    if spec.get("podFailurePolicy") is not None:
        errs.extend(_pod_failure_policy(spec, path + ".podFailurePolicy"))
    if spec.get("successPolicy") is not None:
        if spec.get("completionMode") != "Indexed":
            errs.append(FieldError.invalid(path + ".successPolicy", spec["successPolicy"],
                                           "requires indexed completion mode"))
        else:
            errs.extend(_success_policy(spec, path + ".successPolicy"))
    errs.extend(_pod_replacement_policy(spec, path + ".podReplacementPolicy"))
    errs.extend(_template(spec, path + ".template"))
    return errs


def _numbers(spec: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for key in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"):
        if spec.get(key) is not None:
            errs.extend(meta.nonnegative(spec[key], f"{path}.{key}"))
        if key == "maxFailedIndexes" and spec.get(key) is not None and spec.get("backoffLimitPerIndex") is None:
            errs.append(FieldError.required(path + ".backoffLimitPerIndex",
                                            "when maxFailedIndexes is specified"))
    return errs


def _completion_mode(spec: dict, path: str) -> list[FieldError]:
    mode = spec.get("completionMode")
    errs: list[FieldError] = []
    if mode is not None and mode not in COMPLETION_MODES:
        errs.append(FieldError.not_supported(path + ".completionMode", mode, COMPLETION_MODES))
    if mode == "Indexed":
        if spec.get("completions") is None:
            errs.append(FieldError.required(path + ".completions", "when completion mode is Indexed"))
        parallelism = spec.get("parallelism")
        if parallelism is not None and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
            errs.append(FieldError.invalid(
                path + ".parallelism", parallelism,
                f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed"))
        errs.extend(_per_index_limits(spec, path))
    if mode in (None, "NonIndexed"):
        for key in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(key) is not None:
                errs.append(FieldError.invalid(f"{path}.{key}", spec[key], "requires indexed completion mode"))
    return errs


def _per_index_limits(spec: dict, path: str) -> list[FieldError]:
    """The limits on ``maxFailedIndexes`` (and, above 100,000 completions with a per-index
    backoff limit, on ``parallelism``) that keep ``status.failedIndexes`` short."""
    errs: list[FieldError] = []
    completions, parallelism = spec.get("completions"), spec.get("parallelism")
    max_failed = spec.get("maxFailedIndexes")
    if completions is not None and max_failed is not None and max_failed > completions:
        errs.append(FieldError.invalid(path + ".maxFailedIndexes", max_failed, "must be less than or equal to completions"))
    if max_failed is not None and max_failed > MAX_FAILED_INDEXES:
        errs.append(FieldError.invalid(path + ".maxFailedIndexes", max_failed,
                                       f"must be less than or equal to {MAX_FAILED_INDEXES}"))
    if completions is not None and completions > COMPLETIONS_SOFT_LIMIT and spec.get("backoffLimitPerIndex") is not None:
        high = f"when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"
        if max_failed is None:
            errs.append(FieldError.required(path + ".maxFailedIndexes",
                                            f"must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}"))
        if parallelism is not None and parallelism > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS:
            errs.append(FieldError.invalid(path + ".parallelism", parallelism,
                                           f"must be less than or equal to {PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} {high}"))
        if max_failed is not None and max_failed > MAX_FAILED_INDEXES_FOR_HIGH_COMPLETIONS:
            errs.append(FieldError.invalid(path + ".maxFailedIndexes", max_failed,
                                           f"must be less than or equal to {MAX_FAILED_INDEXES_FOR_HIGH_COMPLETIONS} {high}"))
    return errs


def _pod_failure_policy(spec: dict, path: str) -> list[FieldError]:
    """``validatePodFailurePolicy``: its rules, each naming containers of the template."""
    rules = (spec.get("podFailurePolicy") or {}).get("rules") or []
    errs: list[FieldError] = []
    if len(rules) > MAX_POD_FAILURE_POLICY_RULES:
        errs.append(FieldError.too_many(path + ".rules", len(rules), MAX_POD_FAILURE_POLICY_RULES))
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    containers = {c.get("name") for c in (pod_spec.get("containers") or []) + (pod_spec.get("initContainers") or [])}
    for index, rule in enumerate(rules):
        errs.extend(_pod_failure_policy_rule(spec, rule or {}, f"{path}.rules[{index}]", containers))
    return errs


def _pod_failure_policy_rule(spec: dict, rule: dict, path: str, containers: set) -> list[FieldError]:
    """``validatePodFailurePolicyRule``."""
    errs: list[FieldError] = []
    action = rule.get("action") or ""
    if not action:
        errs.append(FieldError.required(path + ".action", "valid values: " + _go_string_list(POD_FAILURE_POLICY_ACTIONS)))
    elif action == "FailIndex":
        if spec.get("backoffLimitPerIndex") is None:
            errs.append(FieldError.invalid(path + ".action", action, "requires the backoffLimitPerIndex to be set"))
    elif action not in POD_FAILURE_POLICY_ACTIONS:
        errs.append(FieldError.not_supported(path + ".action", action, POD_FAILURE_POLICY_ACTIONS))
    on_exit_codes, on_conditions = rule.get("onExitCodes"), rule.get("onPodConditions") or []
    if on_exit_codes is not None:
        errs.extend(_on_exit_codes(on_exit_codes, path + ".onExitCodes", containers))
    if on_conditions:
        errs.extend(_on_pod_conditions(on_conditions, path + ".onPodConditions"))
    if on_exit_codes is not None and on_conditions:
        errs.append(FieldError("Invalid", path, detail="specifying both OnExitCodes and OnPodConditions is not supported"))
    if on_exit_codes is None and not on_conditions:
        errs.append(FieldError("Invalid", path, detail="specifying one of OnExitCodes and OnPodConditions is required"))
    return errs


def _go_string_list(values) -> str:
    """Go's ``%q`` of a string slice: ``["Count" "FailJob"]``."""
    return "[" + " ".join(f'"{v}"' for v in values) + "]"


def _go_int32s(values: list) -> GoText:
    """Go's ``%#v`` of an ``[]int32``."""
    return GoText("[]int32{" + ", ".join(str(v) for v in values) + "}")


def _on_exit_codes(requirement: dict, path: str, containers: set) -> list[FieldError]:
    """``validatePodFailurePolicyRuleOnExitCodes``."""
    errs: list[FieldError] = []
    operator = requirement.get("operator") or ""
    if not operator:
        errs.append(FieldError.required(path + ".operator", "valid values: " + _go_string_list(EXIT_CODE_OPERATORS)))
    elif operator not in EXIT_CODE_OPERATORS:
        errs.append(FieldError.not_supported(path + ".operator", operator, EXIT_CODE_OPERATORS))
    name = requirement.get("containerName")
    if name is not None and name not in containers:
        errs.append(FieldError.invalid(path + ".containerName", name,
                                       "must be one of the container or initContainer names in the pod template"))
    values = requirement.get("values") or []
    if not values:
        errs.append(FieldError.invalid(path + ".values", _go_int32s(values), "at least one value is required"))
    elif len(values) > MAX_EXIT_CODE_VALUES:
        errs.append(FieldError.too_many(path + ".values", len(values), MAX_EXIT_CODE_VALUES))
    seen: set = set()
    for index, value in enumerate(values):
        if operator == "In" and value == 0:
            errs.append(FieldError.invalid(f"{path}.values[{index}]", value, "must not be 0 for the In operator"))
        if value in seen:
            errs.append(FieldError.duplicate(f"{path}.values[{index}]", value))
        seen.add(value)
    if any(a > b for a, b in zip(values, values[1:])):
        errs.append(FieldError.invalid(path + ".values", _go_int32s(values), "must be ordered"))
    return errs


def _on_pod_conditions(patterns: list, path: str) -> list[FieldError]:
    """``validatePodFailurePolicyRuleOnPodConditions``."""
    errs: list[FieldError] = []
    if len(patterns) > MAX_CONDITION_PATTERNS:
        errs.append(FieldError.too_many(path, len(patterns), MAX_CONDITION_PATTERNS))
    for index, pattern in enumerate(patterns):
        pattern = pattern or {}
        errs.extend(meta.qualified_name(pattern.get("type") or "", f"{path}[{index}].type"))
        status = pattern.get("status") or ""
        if not status:
            errs.append(FieldError.required(f"{path}[{index}].status",
                                            "valid values: " + _go_string_list(CONDITION_STATUSES)))
        elif status not in CONDITION_STATUSES:
            errs.append(FieldError.not_supported(f"{path}[{index}].status", status, CONDITION_STATUSES))
    return errs


def _success_policy(spec: dict, path: str) -> list[FieldError]:
    """``validateSuccessPolicy``."""
    rules = (spec.get("successPolicy") or {}).get("rules") or []
    errs: list[FieldError] = []
    if not rules:
        errs.append(FieldError.required(path + ".rules", "at least one rules must be specified when the successPolicy is specified"))
    if len(rules) > MAX_SUCCESS_POLICY_RULES:
        errs.append(FieldError.too_many(path + ".rules", len(rules), MAX_SUCCESS_POLICY_RULES))
    completions = spec.get("completions") or 0
    for index, rule in enumerate(rules):
        errs.extend(_success_policy_rule(rule or {}, f"{path}.rules[{index}]", completions))
    return errs


def _success_policy_rule(rule: dict, path: str, completions: int) -> list[FieldError]:
    """``validateSuccessPolicyRule``."""
    errs: list[FieldError] = []
    indexes, count = rule.get("succeededIndexes"), rule.get("succeededCount")
    if indexes is None and count is None:
        errs.append(FieldError.required(path, "at least one of succeededCount or succeededIndexes must be specified"))
    total = 0
    if indexes is not None:
        if len(indexes) > MAX_SUCCEEDED_INDEXES_LENGTH:
            errs.append(FieldError.too_long(path + ".succeededIndexes", indexes, MAX_SUCCEEDED_INDEXES_LENGTH))
        try:
            total = indexes_total(indexes, completions)
        except ValueError as err:
            errs.append(FieldError.invalid(path + ".succeededIndexes", indexes, f"error parsing succeededIndexes: {err}"))
    if count is not None:
        errs.extend(meta.nonnegative(count, path + ".succeededCount"))
        if count > completions:
            errs.append(FieldError.invalid(path + ".succeededCount", count,
                                           f"must be less than or equal to {completions} (the number of specified completions)"))
        if indexes is not None and count > total:
            errs.append(FieldError.invalid(
                path + ".succeededCount", count,
                f"must be less than or equal to {total} (the number of indexes in the specified succeededIndexes field)"))
    return errs


def indexes_total(text: str, completions: int) -> int:
    """``validateIndexesFormat``: how many indexes ``"0,2-4"`` names; ValueError with the
    API server's words when it is malformed, unordered or reaches ``completions``."""
    if not text:
        return 0
    last, total = None, 0
    for interval in text.split(","):
        first, end = _index_interval(interval, completions)
        if last is not None and last >= first:
            raise ValueError(f"non-increasing order, previous: {last}, current: {first}")
        total += end - first + 1
        last = end
    return total


def _index_interval(interval: str, completions: int) -> tuple[int, int]:
    """``parseIndexInterval``."""
    limits = interval.split("-")
    if len(limits) > 2:
        raise ValueError(f"the fragment {go_quote(interval)} violates the requirement that an index interval "
                         "can have at most two parts separated by '-'")
    values = []
    for text in limits:
        if not _GO_ATOI.match(text):
            raise ValueError(f"cannot convert string to integer for index: {go_quote(text)}")
        if int(text) >= completions:
            raise ValueError(f"too large index: {go_quote(text)}")
        values.append(int(text))
    if len(values) == 2 and values[0] >= values[1]:
        raise ValueError(f"non-increasing order, previous: {values[0]}, current: {values[1]}")
    return values[0], values[-1]


def _pod_replacement_policy(spec: dict, path: str) -> list[FieldError]:
    policy = spec.get("podReplacementPolicy")
    if policy is None:
        return []
    if spec.get("podFailurePolicy") is not None:
        return [] if policy == "Failed" else [FieldError.not_supported(path, policy, ("Failed",))]
    if policy not in POD_REPLACEMENT_POLICIES:
        return [FieldError.not_supported(path, policy, POD_REPLACEMENT_POLICIES)]
    return []


def _template(spec: dict, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpec`` and the Job's rule on ``restartPolicy``."""
    template = spec.get("template") or {}
    template_meta = template.get("metadata") or {}
    errs = meta.validate_labels(template_meta.get("labels"), path + ".metadata.labels")
    errs.extend(meta.validate_annotations(template_meta.get("annotations"), path + ".metadata.annotations"))
    pod_spec = template.get("spec") or {}
    errs.extend(pods.validate_pod_spec(pod_spec, path + ".spec"))
    policy = pod_spec.get("restartPolicy") or ""
    policy_path = path + ".spec.restartPolicy"
    if policy in ("Always", ""):
        errs.append(FieldError.required(policy_path, 'valid values: "OnFailure", "Never"'))
    elif policy not in ("OnFailure", "Never"):
        if policy not in pods.RESTART_POLICIES:  # validate_pod_spec said it already otherwise
            errs.append(FieldError.not_supported(policy_path, policy, ("OnFailure", "Never")))
    elif spec.get("podFailurePolicy") is not None and policy != "Never":
        errs.append(FieldError.invalid(policy_path, policy,
                                       'only "Never" is supported when podFailurePolicy is specified'))
    return errs


def _indexed_hostnames(name: str, spec: dict) -> list[FieldError]:
    """An Indexed Job's last pod is ``<name>-<completions-1>``: it must be a DNS label."""
    completions = spec.get("completions")
    if spec.get("completionMode") != "Indexed" or not completions or completions <= 0:
        return []
    hostname = f"{name}-{completions - 1}"
    if names.is_dns1123_label(hostname):
        return [FieldError.invalid("metadata.name", name,
                                   f"will not able to create pod with invalid DNS label: {hostname}")]
    return []


def _spec_update(spec: dict, old: dict) -> list[FieldError]:
    """``ValidateJobSpecUpdate``: what a Job may not change once created."""
    old_spec = old.get("spec") or {}
    errs = _completions_update(spec, old_spec)
    if spec.get("selector") != old_spec.get("selector"):
        selector = spec.get("selector")
        errs.append(meta.invalid_go("spec.selector", selector, meta.go_label_selector(selector),
                                    meta.FIELD_IMMUTABLE))
    errs.extend(_template_update(spec, old_spec, _never_started(old)))
    for key in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"):
        if spec.get(key) != old_spec.get(key):
            errs.append(FieldError.invalid(f"spec.{key}", spec.get(key), meta.FIELD_IMMUTABLE))
    return errs


def _completions_update(spec: dict, old_spec: dict) -> list[FieldError]:
    """``validateCompletions``: Indexed Jobs may scale completions with parallelism."""
    new, old = spec.get("completions"), old_spec.get("completions")
    if new == old:
        return []
    indexed = spec.get("completionMode") == "Indexed" and old_spec.get("completionMode") == "Indexed"
    if not indexed or new is None or old is None:
        return [FieldError.invalid("spec.completions", new, meta.FIELD_IMMUTABLE)]
    if new != spec.get("parallelism"):
        return [FieldError.invalid("spec.completions", new,
                                   "can only be modified in tandem with spec.parallelism")]
    return []


#: What a suspended Job that never started may still change in its pod template.
_SCHEDULING_DIRECTIVES = ("nodeSelector", "tolerations", "schedulingGates")


def _template_update(spec: dict, old_spec: dict, never_started: bool) -> list[FieldError]:
    template, old_template = spec.get("template") or {}, old_spec.get("template") or {}
    if template == old_template:
        return []
    if old_spec.get("suspend") and never_started:
        template, old_template = _without_scheduling_directives(template), \
            _without_scheduling_directives(old_template)
        if template == old_template:
            return []
    return [meta.invalid_go("spec.template", spec.get("template"), "core.PodTemplateSpec{...}",
                            meta.FIELD_IMMUTABLE)]


def _never_started(old: dict) -> bool:
    return not (old.get("status") or {}).get("startTime")


def _without_scheduling_directives(template: dict) -> dict:
    """``AllowMutableSchedulingDirectives``: labels, annotations, node affinity, node selector,
    tolerations and scheduling gates may change."""
    out = dict(template)
    out["metadata"] = {k: v for k, v in (template.get("metadata") or {}).items()
                       if k not in ("labels", "annotations")}
    pod_spec = {k: v for k, v in (template.get("spec") or {}).items() if k not in _SCHEDULING_DIRECTIVES}
    affinity = dict(pod_spec.get("affinity") or {})
    affinity.pop("nodeAffinity", None)
    if affinity:
        pod_spec["affinity"] = affinity
    else:
        pod_spec.pop("affinity", None)
    out["spec"] = pod_spec
    return out


# -- CronJob ------------------------------------------------------------------------------------

#: ``DNS1035LabelMaxLength - 11``: a CronJob's Jobs are named ``<name>-<minutes>``.
MAX_CRON_JOB_NAME_LENGTH = 52
CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
#: ``validTimeZoneCharacters``: each ``/``-separated part of a zone name.
_TIME_ZONE_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")


def validate_cron_job(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateCronJobCreate`` (and ``ValidateCronJobUpdate`` when ``old`` is given)."""
    cj_meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    if old is None:
        errs = meta.validate_object_meta(cj_meta, True, names.name_is_dns_subdomain)
        errs.extend(validate_cron_job_spec(spec, None, "spec"))
        name = cj_meta.get("name") or ""
        if len(name) > MAX_CRON_JOB_NAME_LENGTH:
            errs.append(FieldError.invalid("metadata.name", name,
                                           f"must be no more than {MAX_CRON_JOB_NAME_LENGTH} characters"))
        return errs
    errs = meta.validate_object_meta_update(cj_meta, old.get("metadata"))
    errs.extend(validate_cron_job_spec(spec, old.get("spec") or {}, "spec"))
    return errs


def validate_cron_job_spec(spec: dict, old_spec: dict | None, path: str) -> list[FieldError]:
    """``validateCronJobSpec``: schedule, deadline, zone, policy, jobTemplate, history limits."""
    errs: list[FieldError] = []
    schedule = spec.get("schedule") or ""
    if not schedule:
        errs.append(FieldError.required(path + ".schedule"))
    else:
        allow_tz = old_spec is not None and "TZ" in (old_spec.get("schedule") or "")
        errs.extend(_schedule_format(schedule, allow_tz, spec.get("timeZone"), path + ".schedule"))
    if spec.get("startingDeadlineSeconds") is not None:
        errs.extend(meta.nonnegative(spec["startingDeadlineSeconds"], path + ".startingDeadlineSeconds"))
    if old_spec is None or old_spec.get("timeZone") != spec.get("timeZone"):
        errs.extend(_time_zone(spec.get("timeZone"), path + ".timeZone"))
    errs.extend(_concurrency_policy(spec.get("concurrencyPolicy") or "", path + ".concurrencyPolicy"))
    errs.extend(validate_job_template_spec(spec.get("jobTemplate") or {}, path + ".jobTemplate"))
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        if spec.get(key) is not None:
            errs.extend(meta.nonnegative(spec[key], f"{path}.{key}"))
    return errs


def _schedule_format(schedule: str, allow_tz: bool, time_zone, path: str) -> list[FieldError]:
    """``validateScheduleFormat``: robfig/cron must parse it; TZ only where it already was."""
    errs: list[FieldError] = []
    try:
        cron.parse_standard(schedule)
    except cron.CronSyntaxError as err:
        errs.append(FieldError.invalid(path, schedule, str(err)))
    if allow_tz and "TZ" in schedule and time_zone is not None:
        errs.append(FieldError.invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
    elif not allow_tz and "TZ" in schedule:
        errs.append(FieldError.invalid(path, schedule,
                                       "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
    return errs


def _time_zone(time_zone, path: str) -> list[FieldError]:
    """``validateTimeZone``: unset, or a zone name the IANA database knows."""
    if time_zone is None:
        return []
    if time_zone == "":
        return [FieldError.invalid(path, time_zone, "timeZone must be nil or non-empty string")]
    for part in time_zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TIME_ZONE_PART.match(part):
            return [FieldError.invalid(path, time_zone, f"unknown time zone {time_zone}")]
    errs: list[FieldError] = []
    if time_zone.lower() == "local":
        errs.append(FieldError.invalid(
            path, time_zone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"))
    try:
        cron.load_location(time_zone)
    except cron.CronSyntaxError as err:
        errs.append(FieldError.invalid(path, time_zone, str(err)))
    return errs


def _concurrency_policy(policy: str, path: str) -> list[FieldError]:
    if policy in CONCURRENCY_POLICIES:
        return []
    if policy == "":
        return [FieldError.required(path)]
    return [FieldError.not_supported(path, policy, CONCURRENCY_POLICIES)]


def validate_job_template_spec(template: dict, path: str) -> list[FieldError]:
    """``ValidateJobTemplateSpec``: a Job's spec whose selector the Job strategy will generate."""
    job_spec = template.get("spec") or {}
    errs = _job_spec_fields(job_spec, path + ".spec")
    selector = job_spec.get("selector")
    if selector is not None:
        errs.append(meta.invalid_go(path + ".spec.selector", selector, meta.go_label_selector(selector),
                                    "`selector` will be auto-generated"))
    if job_spec.get("manualSelector"):
        errs.append(FieldError.not_supported(path + ".spec.manualSelector", True, ("nil", "false")))
    return errs
