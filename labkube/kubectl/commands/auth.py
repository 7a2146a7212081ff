"""``kubectl auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]`` and ``kubectl auth can-i --list``.

Mirrors k8s.io/kubectl/pkg/cmd/auth/cani.go. kubectl asks the API server a
SelfSubjectAccessReview (one question) or a SelfSubjectRulesReview (``--list``: every rule that
applies to the user in the namespace); here the acting client's server answers through its
authorizer and its RBAC rule resolver.

* ``yes`` (exit 0) or ``no`` (exit 1); ``-q`` prints nothing; ``-A`` asks about all namespaces.
  ``TYPE/NAME`` names one object: ``pods/exec`` is the pod named ``exec``, the subresource is
  ``--subresource=exec``. A path (``/healthz``) is a non-resource URL.
* Warnings on stderr, as kubectl's: an unknown resource (``the server doesn't have a resource
  type 'foo'``), a cluster-scoped resource asked about in a namespace (``resource 'nodes' is
  not namespace scoped``), an unknown verb (``verb 'run' is not a known verb``).
* ``--list`` prints the rules as a table (Resources, Non-Resource URLs, Resource Names, Verbs):
  broken down per verb, merged back per resource and sorted as ``kubectl describe role`` does.
"""

from __future__ import annotations

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context
from labkube.kubectl.describe.rbac import _breakdown, _combine_resource_group, _compact, _rule_string
from labkube.kubectl.describe.writer import go_list
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.printers.tabwriter import kubectl_table

RESOURCE_VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
                            "use", "bind", "impersonate", "*", "approve", "sign", "escalate", "attest"})
NON_RESOURCE_VERBS = frozenset({"get", "put", "post", "head", "options", "delete", "patch", "*"})
#: Resources the server authorizes but does not serve (the impersonate verb's).
NON_STANDARD_RESOURCES = frozenset({"users", "groups"})


def run(ctx: Context) -> list[BaseException]:
    if ctx.flags["list"]:
        return _run_list(ctx)
    args = ctx.parsed.all_args
    if len(args) != 2:
        raise KubectlError(
            "error: you must specify two arguments: verb resource or verb resource/resourceName.\n"
            "See 'kubectl auth can-i -h' for help and examples."
        )
    verb, target = args
    if target.startswith("/"):
        allowed = _ask_url(ctx, verb, target)
    else:
        resource, _, name = target.partition("/")
        allowed = _ask(ctx, verb, resource, name)
    if not ctx.flags["quiet"]:
        ctx.term.line("yes" if allowed else "no")
    if not allowed:
        raise KubectlError("", exit_code=1)
    return []


def _ask(ctx: Context, verb: str, resource: str, name: str) -> bool:
    all_namespaces = ctx.flags["all-namespaces"]
    namespace = "" if all_namespaces else ctx.namespace
    subresource = ctx.flags["subresource"] or None
    rtype = _resolve(ctx, resource)
    if rtype is not None and not rtype.namespaced and not all_namespaces:
        where = f" in group '{rtype.group}'" if rtype.group else ""
        ctx.term.err_line(f"Warning: resource '{rtype.plural}' is not namespace scoped{where}")
    if rtype is not None and verb not in RESOURCE_VERBS:
        ctx.term.err_line(f"Warning: verb '{verb}' is not a known verb")
    _no_headers_without_list(ctx)
    if rtype is None:
        return _ask_raw(ctx, verb, resource, namespace, name, subresource)
    return ctx.client.can_i(verb, rtype, namespace or None, name=name or None, subresource=subresource)


def _resolve(ctx: Context, resource: str):
    """kubectl's RESTMapper lookup; None (after kubectl's warning) for what the server lacks."""
    if resource == "*":
        return None
    try:
        return ctx.registry.resolve(resource)
    except StatusError:
        plural, _, group = resource.lower().partition(".")
        if plural not in NON_STANDARD_RESOURCES or group:
            where = f" in group '{group}'" if group else ""
            ctx.term.err_line(f"Warning: the server doesn't have a resource type '{plural}'{where}")
        return None


def _ask_url(ctx: Context, verb: str, path: str) -> bool:
    from labkube.core.api import auth

    if ctx.flags["subresource"]:
        raise KubectlError("error: --subresource can not be used with NonResourceURL")
    if verb not in NON_RESOURCE_VERBS:
        ctx.term.err_line(f"Warning: verb '{verb}' is not a known verb")
    _no_headers_without_list(ctx)
    return ctx.client.server.authorize(auth.non_resource_attributes(_user(ctx), verb, path)).allowed


def _no_headers_without_list(ctx: Context) -> None:
    if ctx.flags["no-headers"]:
        raise KubectlError("error: --no-headers cannot be set without --list specified")


def _user(ctx: Context):
    from labkube.core.api import auth

    return getattr(ctx.client, "user", None) or auth.ANONYMOUS


def _ask_raw(ctx: Context, verb: str, resource: str, namespace: str, name: str,
             subresource: str | None) -> bool:
    """A resource the server does not serve (or ``*``): the authorizer still answers, as for a
    SelfSubjectAccessReview naming an arbitrary resource."""
    from labkube.core.api import auth

    plural, _, group = resource.partition(".")
    attrs = auth.request_attributes(_user(ctx), verb, plural, namespace=namespace or None,
                                    name=name or None, api_group=group, subresource=subresource)
    return ctx.client.server.authorize(attrs).allowed


# ---------------------------------------------------------------------------
# --list: the SelfSubjectRulesReview
# ---------------------------------------------------------------------------


def _run_list(ctx: Context) -> list[BaseException]:
    if ctx.parsed.all_args:
        raise KubectlError("error: list option must be specified with no arguments")
    if ctx.flags["quiet"] or ctx.flags["all-namespaces"] or ctx.flags["subresource"]:
        raise KubectlError("error: list option can't be specified with neither quiet, all-namespaces "
                           "nor subresource options")
    status = rules_review(ctx.client.server, _user(ctx), ctx.namespace)
    if status["incomplete"]:
        ctx.term.err_line(f"Warning: the list may be incomplete: {status.get('evaluationError', '')}")
    rules = [{"verbs": r.get("verbs"), "apiGroups": r.get("apiGroups"), "resources": r.get("resources"),
              "resourceNames": r.get("resourceNames")} for r in status["resourceRules"]]
    rules += [{"verbs": r.get("verbs"), "nonResourceURLs": r.get("nonResourceURLs")}
              for r in status["nonResourceRules"]]
    broken = [sub for rule in rules for sub in _breakdown(rule)]
    compacted = sorted(_compact(broken), key=_rule_string)
    lines = [] if ctx.flags["no-headers"] else ["Resources\tNon-Resource URLs\tResource Names\tVerbs\n"]
    lines += [f"{_combine_resource_group(r.get('resources'), r.get('apiGroups'))}\t"
              f"{go_list(r.get('nonResourceURLs'))}\t{go_list(r.get('resourceNames'))}\t"
              f"{go_list(r.get('verbs'))}\n" for r in compacted]
    ctx.term.out(kubectl_table("".join(lines)))
    return []


def rules_review(server, user, namespace: str) -> dict:
    """The status of a SelfSubjectRulesReview, as kube-apiserver's rule resolvers on a kubeadm
    cluster fill it: the Node authorizer cannot list a kubelet's rules (incomplete), then
    RBAC's rules, cluster-wide first (the system:masters shortcut is no rule resolver)."""
    from labkube.core.api import auth, rbac

    resource_rules: list[dict] = []
    non_resource_rules: list[dict] = []
    incomplete, errors = False, []
    if auth.node_name(user) is not None:
        incomplete = True
        errors.append("node authorizer does not support user rule resolution")
    resolver = rbac.find_rbac(server.authorizer)
    if resolver is not None:
        found = resolver.rules_for(user, namespace)
        resource_rules += [dict(r) for r in found.resource_rules]
        non_resource_rules += [dict(r) for r in found.non_resource_rules]
        if found.evaluation_error:
            errors.append(found.evaluation_error)
    status = {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": incomplete}
    if errors:
        status["evaluationError"] = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    return status
