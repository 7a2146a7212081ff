"""``kubectl create <generator>``: namespace, deployment, configmap, secret generic,
serviceaccount, role, clusterrole, rolebinding, clusterrolebinding, job, cronjob, quota.

Mirrors k8s.io/kubectl/pkg/cmd/create/create_*.go. Each generator builds the object exactly as
kubectl does (same fields, same order, ``creationTimestamp: null`` and the empty ``{}``
structs kubectl's typed objects carry), so ``--dry-run=client -o yaml`` prints byte-for-byte
what kubectl 1.32 prints. Without ``--dry-run=client`` the object is sent with
``Client.create`` and kubectl's ``<kind>/<name> created`` line is printed.

The builders (``build_deployment`` ...) are pure functions of their arguments, for tests and
for the Python API.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from labkube.core.apply import LAST_APPLIED_ANNOTATION as LAST_APPLIED
from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    namespace_for,
    parse_targets,
    print_operation,
    resolve_type,
)
from labkube.kubectl.commands.create_cronjob import build_cron_job
from labkube.kubectl.commands.create_ingress import GoPanic, build_ingress, validate as validate_ingress
from labkube.kubectl.commands.create_secret_docker import KEY as DOCKER_KEY
from labkube.kubectl.commands.create_secret_docker import SECRET_TYPE as DOCKER_SECRET_TYPE
from labkube.kubectl.commands.create_secret_docker import docker_config_json, validate as validate_docker
from labkube.kubectl.commands.create_service import SERVICE_TYPES, build_service, validate as validate_service
from labkube.kubectl.commands.create_secret_tls import SECRET_TYPE as TLS_SECRET_TYPE
from labkube.kubectl.commands.create_secret_tls import read_pair as read_tls_pair
from labkube.kubectl.commands.create_job import build_job, build_job_from_cron_job
from labkube.kubectl.commands.create_priorityclass import build_priority_class
from labkube.kubectl.commands.create_quota import QuotaArgumentError, build_quota
from labkube.kubectl.commands.create_pdb import PDBArgumentError, build_pdb
from labkube.kubectl.errors import KubectlError

RBAC_GROUP = "rbac.authorization.k8s.io"


def _meta(name: str, namespace: str | None, **extra: Any) -> dict:
    """ObjectMeta in Go field order: name, namespace, creationTimestamp, labels."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    meta.update(extra)
    return meta


# ---------------------------------------------------------------------------------------
# Builders (pure)
# ---------------------------------------------------------------------------------------


def build_namespace(name: str) -> dict:
    return {"kind": "Namespace", "apiVersion": "v1", "metadata": _meta(name, None),
            "spec": {}, "status": {}}


def build_serviceaccount(name: str, namespace: str | None = None) -> dict:
    return {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": _meta(name, namespace)}


def container_names(images: list[str], random_suffix: Callable[[], str]) -> list[str]:
    """kubectl's container names: the image's last path part, minus tag and digest.

    A name with ``_`` or ``.`` is sanitized (both become ``-``) and made unique with a
    random five-letter suffix, as ``sanitizeAndUniquify`` does.
    """
    names = []
    for image in images:
        name = image.split("/")[-1].split(":")[0].split("@")[0]
        if "_" in name or "." in name:
            name = name.replace("_", "-").replace(".", "-") + "-" + random_suffix()
        names.append(name)
    return names


def build_deployment(
    name: str,
    images: list[str],
    *,
    replicas: int = 1,
    port: int = -1,
    command: list[str] | None = None,
    namespace: str | None = None,
    random_suffix: Callable[[], str] = lambda: "x",
) -> dict:
    labels = {"app": name}
    containers = []
    for container_name, image in zip(container_names(images, random_suffix), images):
        container: dict[str, Any] = {"name": container_name, "image": image}
        if command:
            container["command"] = list(command)
        if port >= 0:
            container["ports"] = [{"containerPort": port}]
        container["resources"] = {}
        containers.append(container)
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": _meta(name, namespace, labels=dict(labels)),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": dict(labels)},
                "spec": {"containers": containers},
            },
            "strategy": {},
        },
        "status": {},
    }


def build_configmap(name: str, data: dict[str, str], binary: dict[str, bytes] | None = None,
                    namespace: str | None = None) -> dict:
    obj: dict[str, Any] = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": _meta(name, namespace)}
    if data:
        obj["data"] = dict(sorted(data.items()))
    if binary:
        obj["binaryData"] = {k: base64.b64encode(v).decode() for k, v in sorted(binary.items())}
    return obj


def build_secret(name: str, data: dict[str, bytes], secret_type: str = "",
                 namespace: str | None = None) -> dict:
    obj: dict[str, Any] = {"kind": "Secret", "apiVersion": "v1", "metadata": _meta(name, namespace)}
    if data:
        obj["data"] = {k: base64.b64encode(v).decode() for k, v in sorted(data.items())}
    if secret_type:
        obj["type"] = secret_type
    return obj


def build_role(kind: str, name: str, rules: list[dict], namespace: str | None = None) -> dict:
    return {"kind": kind, "apiVersion": f"{RBAC_GROUP}/v1",
            "metadata": _meta(name, namespace if kind == "Role" else None), "rules": rules}


def build_binding(kind: str, name: str, role_kind: str, role: str, subjects: list[dict],
                  namespace: str | None = None) -> dict:
    obj: dict[str, Any] = {"kind": kind, "apiVersion": f"{RBAC_GROUP}/v1",
                           "metadata": _meta(name, namespace if kind == "RoleBinding" else None)}
    if subjects:
        obj["subjects"] = subjects
    obj["roleRef"] = {"apiGroup": RBAC_GROUP, "kind": role_kind, "name": role}
    return obj


def subjects_from(users: list[str], groups: list[str], service_accounts: list[str]) -> list[dict]:
    """Users, then groups, then ``namespace:name`` service accounts, as kubectl orders them."""
    subjects = [{"kind": "User", "apiGroup": RBAC_GROUP, "name": u} for u in users]
    subjects += [{"kind": "Group", "apiGroup": RBAC_GROUP, "name": g} for g in groups]
    for sa in service_accounts:
        namespace, sep, sa_name = sa.partition(":")
        if not sep or not namespace or not sa_name:
            raise KubectlError(f"error: serviceaccount must be <namespace>:<name>")
        subjects.append({"kind": "ServiceAccount", "name": sa_name, "namespace": namespace})
    return subjects


# ---------------------------------------------------------------------------------------
# Data sources: --from-literal, --from-file, --from-env-file
# ---------------------------------------------------------------------------------------

_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_KEY_MESSAGE = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)


def parse_literal(source: str) -> tuple[str, str]:
    """``ParseLiteralSource``: split at the first ``=``; surrounding quotes are trimmed."""
    key, sep, value = source.partition("=")
    if not sep or not key:
        raise KubectlError(f"error: invalid literal source {source}, expected key=value")
    return key, value.strip("\"'")


def _file_sources(spec: str) -> list[tuple[str, Path]]:
    key, sep, path = spec.partition("=")
    if sep:
        if not key:
            raise KubectlError(f"error: key name for file path {path} missing")
        return [(key, Path(path))]
    source = Path(spec)
    if not source.exists():
        raise KubectlError(f"error: error reading {spec}: no such file or directory")
    if source.is_dir():
        return [(p.name, p) for p in sorted(source.iterdir()) if p.is_file()]
    return [(source.name, source)]


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KubectlError(f"error: error reading {path}: no such file or directory") from None


def _env_file(spec: str) -> list[tuple[str, str]]:
    path = Path(spec)
    if not path.exists():
        raise KubectlError(f"error: error reading {spec}: no such file or directory")
    pairs = []
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:  # Go prints the line's bytes with %v
            raise KubectlError(f"error: env file {spec} contains invalid utf8 bytes at line {number}: "
                               f"[{' '.join(str(b) for b in raw)}]") from None
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        pairs.append((key, value if sep else ""))
    return pairs


def collect_sources(ctx: Context) -> list[tuple[str, bytes]]:
    """Files first, then literals, then env files, as kubectl reads them."""
    entries: list[tuple[str, bytes]] = []
    for spec in ctx.flags.get("from-file", []):
        entries.extend((key, _read_file(path)) for key, path in _file_sources(spec))
    for literal in ctx.flags.get("from-literal", []):
        key, value = parse_literal(literal)
        entries.append((key, value.encode()))
    for spec in ctx.flags.get("from-env-file", []):
        entries.extend((key, value.encode()) for key, value in _env_file(spec))
    return entries


def _configmap_data(name: str, entries: list[tuple[str, bytes]]) -> tuple[dict, dict]:
    data: dict[str, str] = {}
    binary: dict[str, bytes] = {}
    for key, raw in entries:
        if not _KEY.match(key):
            raise KubectlError(f'error: "{key}" is not a valid key name for a ConfigMap: {_KEY_MESSAGE}')
        if key in data or key in binary:
            raise KubectlError(
                f'error: cannot add key "{key}", another key by that name already exists in Data '
                f'for ConfigMap "{name}"'
            )
        try:
            data[key] = raw.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = raw
    return data, binary


def _secret_data(entries: list[tuple[str, bytes]]) -> dict[str, bytes]:
    data: dict[str, bytes] = {}
    for key, raw in entries:
        if not _KEY.match(key):
            raise KubectlError(f'error: "{key}" is not valid key name for a Secret {_KEY_MESSAGE}')
        if key in data:
            raise KubectlError(f"error: cannot add key {key}, another key by that name already exists")
        data[key] = raw
    return data


# ---------------------------------------------------------------------------------------
# RBAC rules
# ---------------------------------------------------------------------------------------

#: validResourceVerbs and validNonResourceVerbs of create_role.go / create_clusterrole.go.
VALID_VERBS = ("*", "get", "delete", "list", "create", "update", "patch", "watch", "proxy",
               "deletecollection", "use", "bind", "escalate", "impersonate")
VALID_NON_RESOURCE_VERBS = ("*", "get", "post", "put", "delete", "patch", "head", "options")

#: Verbs that only make sense on some resources (kubectl's specialVerbs): (group, resource).
SPECIAL_VERBS = {
    "use": (("policy", "podsecuritypolicies"), ("extensions", "podsecuritypolicies")),
    "bind": ((RBAC_GROUP, "roles"), (RBAC_GROUP, "clusterroles")),
    "escalate": ((RBAC_GROUP, "roles"), (RBAC_GROUP, "clusterroles")),
    "impersonate": (("", "users"), ("", "serviceaccounts"), ("", "groups"),
                    ("authentication.k8s.io", "userextras")),
}


@dataclass(frozen=True)
class ResourceOption:
    """One ``--resource`` value: ``deployments.apps/scale`` -> resource, group, subresource."""

    resource: str
    group: str = ""
    subresource: str = ""


def unique(items: list[str]) -> list[str]:
    """Drop repeats, keeping the first of each (kubectl's arrayContains loops)."""
    return list(dict.fromkeys(items))


def rule_verbs(verbs: list[str]) -> list[str]:
    """Repeats dropped; ``*`` stands for every verb, so it replaces the rest."""
    return ["*"] if "*" in verbs else unique(verbs)


def resource_options(texts: list[str]) -> list[ResourceOption]:
    """``--resource`` values as CreateRoleOptions.Complete reads them; a bare ``*`` is all."""
    options: list[ResourceOption] = []
    for text in texts:
        base, _, sub = text.partition("/")
        resource, _, group = base.partition(".")
        if resource == "*" and "." not in base and "/" not in text:
            return [ResourceOption("*")]
        options.append(ResourceOption(resource, group, sub))
    return options


def check_role(ctx: Context, verbs: list[str], resources: list[ResourceOption]) -> None:
    """CreateRoleOptions.Validate after its name check (``run`` makes that), in its order;
    warnings for odd verbs go to stderr."""
    if not verbs:
        raise KubectlError("error: at least one verb must be specified")
    for verb in verbs:
        if verb not in VALID_VERBS:
            ctx.term.err_line(f"Warning: '{verb}' is not a standard resource verb")
    if not resources:
        raise KubectlError("error: at least one resource must be specified")
    check_resources(ctx, verbs, resources)


def check_clusterrole(ctx: Context, verbs: list[str], resources: list[ResourceOption],
                      names: list[str], urls: list[str], aggregation: dict) -> None:
    """CreateClusterRoleOptions.Validate after its name check (``run`` makes that), in its order."""
    if aggregation:
        if urls or verbs or resources or names:
            raise KubectlError("error: aggregation rule must be specified without nonResourceURLs, "
                               "verbs, resources or resourceNames")
        return
    if not verbs:
        raise KubectlError("error: at least one verb must be specified")
    if not resources and not urls:
        raise KubectlError("error: one of resource or nonResourceURL must be specified")
    if resources:
        bad = next((v for v in verbs if v not in VALID_VERBS), None)
        if bad is not None:
            raise KubectlError(f"error: invalid verb: '{bad}'")
        check_resources(ctx, verbs, resources)
    if urls:
        bad = next((v for v in verbs if v not in VALID_NON_RESOURCE_VERBS), None)
        if bad is not None:
            raise KubectlError(f"error: invalid verb: '{bad}' for nonResourceURL")
        for url in urls:
            if url == "*":
                continue
            if not url.startswith("/"):
                raise KubectlError("error: nonResourceURL should start with /")
            if "*" in url[:-1]:
                raise KubectlError("error: nonResourceURL only supports wildcard matches when '*' is at the end")


def check_resources(ctx: Context, verbs: list[str], resources: list[ResourceOption]) -> None:
    """validateResource: each resource exists, and special verbs name their resources."""
    for option in resources:
        if not option.resource:
            raise KubectlError("error: resource must be specified if apiGroup/subresource specified")
        if option.resource == "*":
            return
        group, plural, missing = _mapped(ctx, option)
        for verb in verbs:
            allowed = SPECIAL_VERBS.get(verb)
            if allowed is None:
                continue
            if (group, plural) not in allowed:
                raise KubectlError(f"error: can not perform '{verb}' on '{plural}' in group '{group}'")
            missing = None
        if missing is not None:
            raise missing


def _mapped(ctx: Context, option: ResourceOption) -> tuple[str, str, KubectlError | None]:
    """The RESTMapper's answer: (group, plural) of a known resource, else the words as typed
    and kubectl's NoResourceMatch error."""
    try:
        rtype = ctx.registry.resolve(f"{option.resource}.{option.group}" if option.group else option.resource)
    except StatusError:
        where = f' in group "{option.group}"' if option.group else ""
        return option.group, option.resource, KubectlError(
            f'error: the server doesn\'t have a resource type "{option.resource}"{where}')
    return rtype.group, rtype.plural, None


def policy_rules(ctx: Context, verbs: list[str], resources: list[ResourceOption], names: list[str],
                 urls: list[str] = ()) -> list[dict]:
    """generateResourcePolicyRules: one rule per API group (groups sorted), then one for URLs."""
    by_group: dict[str, list[str]] = {}
    for option in resources:
        group, plural, _ = _mapped(ctx, option)
        plural = f"{plural}/{option.subresource}" if option.subresource else plural
        bucket = by_group.setdefault(group, [])
        if plural not in bucket:
            bucket.append(plural)
    rules = []
    for group in sorted(by_group):
        rule: dict[str, Any] = {"verbs": list(verbs), "apiGroups": [group], "resources": by_group[group]}
        if names:
            rule["resourceNames"] = list(names)
        rules.append(rule)
    if urls:
        rules.append({"verbs": list(verbs), "nonResourceURLs": list(urls)})
    return rules


# ---------------------------------------------------------------------------------------
# --append-hash (k8s.io/kubectl/pkg/util/hash)
# ---------------------------------------------------------------------------------------


def content_hash(obj: dict) -> str:
    """ConfigMapHash / SecretHash: sha256 of the kind, name, data (and a Secret's type) as Go's
    json.Marshal writes them, its first ten hex digits with 0, 1, 3, a, e swapped for
    consonants so that no word can form (``web-7h2tk5m9gb``)."""
    meta = obj["metadata"]
    fields: dict[str, Any] = {"kind": obj["kind"], "name": meta["name"], "data": obj.get("data") or {}}
    if obj["kind"] == "Secret":
        fields["type"] = obj.get("type", "")
    elif obj.get("binaryData"):
        fields["binaryData"] = obj["binaryData"]
    digest = hashlib.sha256(_go_json(fields).encode()).hexdigest()
    return digest[:10].translate(str.maketrans("013ae", "ghkmt"))


def _go_json(value: Any) -> str:
    """encoding/json's Marshal of a map: sorted keys, no spaces, HTML characters escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------


#: Generators whose Validate refuses an empty NAME (deployment and clusterrolebinding do not).
_NAME_MUST_BE_SET = ("create namespace", "create serviceaccount", "create configmap",
                     "create secret generic", "create role", "create clusterrole", "create rolebinding")

#: Generators whose Run wraps the API server's error: the text before it (``failed to create
#: job: <error>``; create_secret_docker.go leaves out the colon).
_WRAPPED_CREATE_ERRORS = {
    "create job": "failed to create job: ", "create cronjob": "failed to create cronjob: ",
    "create ingress": "failed to create ingress: ",
    **{f"create service {sub}": f"failed to create {kind} service: " for sub, kind in SERVICE_TYPES.items()},
    "create secret docker-registry": "failed to create secret ",
    "create secret tls": "failed to create secret: ",
}

#: Flags cobra marks required (``MarkFlagRequired``) per generator.
_REQUIRED_FLAGS = {"create deployment": ("image",), "create clusterrolebinding": ("clusterrole",),
                   "create cronjob": ("image", "schedule"),
                   "create service externalname": ("external-name",)}


def run(ctx: Context) -> list[BaseException]:
    path = ctx.parsed.path
    missing = [flag for flag in _REQUIRED_FLAGS.get(path, ()) if not ctx.parsed.given(flag)]
    if missing:  # cobra checks these before the command runs
        raise KubectlError(f"error: required flag(s) {', '.join(chr(34) + m + chr(34) for m in missing)} not set")
    name = _single_name(ctx)  # Complete: NameFromCommandArgs first, then dry-run and printer
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    if path == "create deployment" and len(ctx.flags["image"]) > 1 and ctx.parsed.after_dash:
        raise KubectlError("error: cannot specify multiple --image options and command")
    if path in _NAME_MUST_BE_SET and not name:  # the first check of these generators' Validate
        raise KubectlError("error: name must be specified")
    obj = _BUILDERS[path](ctx, name)
    if ctx.flags.get("append-hash"):
        obj["metadata"]["name"] = f"{name}-{content_hash(obj)}"
    if ctx.flags.get("save-config"):
        save_config(obj)
    if strategy == "client":
        print_operation(ctx, obj, "created", strategy)
        return []
    try:
        # POSTed to the namespace of -n or the kubeconfig's context (the object names one only for -n)
        created = ctx.client.create(_without_nulls(obj), ctx.namespace, dry_run=api_dry_run(strategy))
    except StatusError as err:
        if path in _WRAPPED_CREATE_ERRORS:  # fmt.Errorf("failed to create job: %v", err)
            raise KubectlError(f"error: {_WRAPPED_CREATE_ERRORS[path]}{err.message}") from None
        raise
    print_operation(ctx, created, "created", strategy)
    return []


def save_config(obj: dict) -> None:
    """``--save-config``: the object's own JSON (Go field order) as last-applied-configuration."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"
    meta = obj["metadata"]
    annotations = dict(meta.get("annotations") or {})
    annotations[LAST_APPLIED] = text
    meta["annotations"] = annotations
    for key in ("ownerReferences", "finalizers", "managedFields"):  # keep Go order after annotations
        if key in meta:
            meta[key] = meta.pop(key)


def _single_name(ctx: Context) -> str:
    args = ctx.parsed.args
    if len(args) != 1:
        raise ctx.usage_error(f"exactly one NAME is required, got {len(args)}")
    return args[0]


def _namespace(ctx: Context) -> str | None:
    """kubectl writes the namespace into generated objects only when ``-n`` was given."""
    return ctx.namespace if ctx.namespace_explicit else None


def _without_nulls(obj: Any) -> Any:
    """What the typed object serializes to on the wire (``creationTimestamp: null`` dropped)."""
    if isinstance(obj, dict):
        return {k: _without_nulls(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_without_nulls(v) for v in obj]
    return obj


def _deployment(ctx: Context, name: str) -> dict:
    return build_deployment(
        name, ctx.flags["image"], replicas=ctx.flags["replicas"], port=ctx.flags["port"],
        command=ctx.parsed.after_dash or None, namespace=_namespace(ctx),
        random_suffix=lambda: ctx.clock.random_suffix(5),
    )


def _configmap(ctx: Context, name: str) -> dict:
    data, binary = _configmap_data(name, collect_sources(ctx))
    return build_configmap(name, data, binary, _namespace(ctx))


def _secret(ctx: Context, name: str) -> dict:
    return build_secret(name, _secret_data(collect_sources(ctx)), ctx.flags.get("type", ""), _namespace(ctx))


def _role(ctx: Context, name: str) -> dict:
    verbs, resources = rule_verbs(ctx.flags["verb"]), resource_options(ctx.flags["resource"])
    check_role(ctx, verbs, resources)
    rules = policy_rules(ctx, verbs, resources, unique(ctx.flags["resource-name"]))
    return build_role("Role", name, rules, _namespace(ctx))


def _clusterrole(ctx: Context, name: str) -> dict:
    verbs, resources = rule_verbs(ctx.flags["verb"]), resource_options(ctx.flags["resource"])
    names, urls = unique(ctx.flags["resource-name"]), unique(ctx.flags["non-resource-url"])
    aggregation = ctx.flags["aggregation-rule"]
    check_clusterrole(ctx, verbs, resources, names, urls, aggregation)
    if aggregation:
        obj = build_role("ClusterRole", name, None)  # rules: null, as kubectl prints it
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": dict(aggregation)}]}
        return obj
    return build_role("ClusterRole", name, policy_rules(ctx, verbs, resources, names, urls))


def _rolebinding(ctx: Context, name: str) -> dict:
    role, clusterrole = ctx.flags.get("role", ""), ctx.flags.get("clusterrole", "")
    if bool(role) == bool(clusterrole):
        raise KubectlError("error: exactly one of clusterrole or role must be specified")
    subjects = subjects_from(ctx.flags["user"], ctx.flags["group"], ctx.flags["serviceaccount"])
    role_kind, role_name = ("Role", role) if role else ("ClusterRole", clusterrole)
    return build_binding("RoleBinding", name, role_kind, role_name, subjects, _namespace(ctx))


def _clusterrolebinding(ctx: Context, name: str) -> dict:
    clusterrole = ctx.flags.get("clusterrole", "")
    if not clusterrole:
        raise KubectlError('error: required flag(s) "clusterrole" not set')
    subjects = subjects_from(ctx.flags["user"], ctx.flags["group"], ctx.flags["serviceaccount"])
    return build_binding("ClusterRoleBinding", name, "ClusterRole", clusterrole, subjects)


def _job(ctx: Context, name: str) -> dict:
    """``CreateJobOptions.Validate`` then ``createJob`` or ``createJobFromCronJob``."""
    image, source = ctx.flags["image"], ctx.flags["from"]
    if bool(image) == bool(source):
        raise KubectlError("error: either --image or --from must be specified")
    if source and ctx.parsed.after_dash:
        raise KubectlError("error: cannot specify --from and command")
    if source:
        return build_job_from_cron_job(name, _from_cron_job(ctx, source), _namespace(ctx))
    return build_job(name, image, ctx.parsed.after_dash or [], _namespace(ctx))


def _from_cron_job(ctx: Context, source: str) -> dict:
    """The builder's ``ResourceTypeOrNameArgs(false, from)``, ``Latest()``: one CronJob, fetched."""
    targets = parse_targets(ctx, [source])
    if targets and not targets[0].names:
        raise KubectlError("error: resource(s) were provided, but no name was specified")
    found = [(target.rtype, ctx.client.get(target.rtype, name, namespace_for(ctx, target.rtype)))
             for target in targets for name in target.names]
    if len(found) != 1:
        raise KubectlError("error: from must be an existing cronjob")
    rtype, obj = found[0]
    if (rtype.group, rtype.kind) != ("batch", "CronJob"):
        raise KubectlError(f"error: unknown object type *{rtype.version}.{rtype.kind}")
    return obj


def _ingress(ctx: Context, name: str) -> dict:
    """``CreateIngressOptions``: Validate, then ``createIngress`` (see create_ingress.py)."""
    flags = ctx.flags
    validate_ingress(flags["rule"], flags["annotation"], flags["default-backend"])
    try:
        return build_ingress(name, flags["rule"], ingress_class=flags["class"], default_backend=flags["default-backend"],
                             annotations=flags["annotation"], namespace=_namespace(ctx))
    except GoPanic as panic:
        raise KubectlError(str(panic), exit_code=2) from None


def _service(ctx: Context, name: str) -> dict:
    """``ServiceOptions``: Validate, then ``createService`` (see create_service.py)."""
    flags, service_type = ctx.flags, SERVICE_TYPES[ctx.parsed.path.rsplit(" ", 1)[1]]
    tcp = [entry for entry in flags.get("tcp") or [] if entry]
    validate_service(service_type, tcp, flags.get("clusterip") or "", flags.get("external-name") or "")
    return build_service(name, service_type, tcp, cluster_ip=flags.get("clusterip") or "",
                         node_port=flags.get("node-port") or 0, external_name=flags.get("external-name") or "",
                         namespace=_namespace(ctx))


def _docker_registry_secret(ctx: Context, name: str) -> dict:
    """``CreateSecretDockerRegistryOptions``: Validate, then ``createSecretDockerRegistry``."""
    flags = ctx.flags
    username, password = flags["docker-username"] or "", flags["docker-password"] or ""
    validate_docker(name, flags["from-file"], username, password, flags["docker-server"] or "")
    if flags["from-file"]:
        data = _secret_data(collect_sources(ctx))
    else:
        data = {DOCKER_KEY: docker_config_json(username, password, flags["docker-email"] or "",
                                               flags["docker-server"] or "")}
    return build_secret(name, data, DOCKER_SECRET_TYPE, _namespace(ctx))


def _tls_secret(ctx: Context, name: str) -> dict:
    """``CreateSecretTLSOptions``: Validate, then ``createSecretTLS`` (see create_secret_tls.py)."""
    if not ctx.flags["key"] or not ctx.flags["cert"]:
        raise KubectlError("error: key and cert must be specified")
    return build_secret(name, read_tls_pair(ctx.flags["cert"], ctx.flags["key"]), TLS_SECRET_TYPE, _namespace(ctx))


def _quota(ctx: Context, name: str) -> dict:
    """``QuotaOpts.createQuota``: kubectl refuses a malformed --hard or --scopes itself."""
    try:
        return build_quota(name, ctx.flags["hard"] or "", ctx.flags["scopes"] or "", _namespace(ctx))
    except QuotaArgumentError as err:
        raise KubectlError(f"error: {err}") from None


def _pdb(ctx: Context, name: str) -> dict:
    """``PodDisruptionBudgetOpts``: Validate, then ``createPodDisruptionBudgets``."""
    try:
        return build_pdb(name, ctx.flags["selector"] or "", ctx.flags["min-available"] or "",
                         ctx.flags["max-unavailable"] or "", _namespace(ctx))
    except PDBArgumentError as err:
        raise KubectlError(f"error: {err}") from None


_BUILDERS: dict[str, Callable[[Context, str], dict]] = {
    "create namespace": lambda ctx, name: build_namespace(name),
    "create serviceaccount": lambda ctx, name: build_serviceaccount(name, _namespace(ctx)),
    "create deployment": _deployment,
    "create job": _job,
    "create cronjob": lambda ctx, name: build_cron_job(
        name, ctx.flags["image"] or "", ctx.flags["schedule"] or "", ctx.parsed.after_dash or [],
        ctx.flags["restart"] or "", _namespace(ctx)),
    "create quota": _quota,
    "create ingress": _ingress,
    "create poddisruptionbudget": _pdb,
    "create priorityclass": lambda ctx, name: build_priority_class(
        name, ctx.flags["value"] or 0, bool(ctx.flags["global-default"]), ctx.flags["description"] or "",
        ctx.flags["preemption-policy"] or ""),
    "create configmap": _configmap,
    "create secret generic": _secret,
    "create secret docker-registry": _docker_registry_secret,
    "create secret tls": _tls_secret,
    **{f"create service {sub}": _service for sub in SERVICE_TYPES},
    "create role": _role,
    "create clusterrole": _clusterrole,
    "create rolebinding": _rolebinding,
    "create clusterrolebinding": _clusterrolebinding,
}
