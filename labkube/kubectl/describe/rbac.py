"""describe for Role, ClusterRole, RoleBinding and ClusterRoleBinding.

Mirrors RoleDescriber/ClusterRoleDescriber (rules broken down per group, resource and verb by
``rbac.BreakdownRule``, merged back per resource by ``rbac.CompactRules``, sorted by the
rule's protobuf ``String()`` — so rules with more verbs come first) and the binding describers.
"""

from __future__ import annotations

from labkube.kubectl.describe.writer import PrefixWriter, annotations_multiline, go_list, labels_multiline


def _breakdown(rule: dict) -> list[dict]:
    out = []
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            for verb in rule.get("verbs") or []:
                names = rule.get("resourceNames") or []
                if names:
                    out.extend({"apiGroups": [group], "resources": [resource], "verbs": [verb],
                                "resourceNames": [n]} for n in names)
                else:
                    out.append({"apiGroups": [group], "resources": [resource], "verbs": [verb]})
    for url in rule.get("nonResourceURLs") or []:
        for verb in rule.get("verbs") or []:
            out.append({"nonResourceURLs": [url], "verbs": [verb]})
    return out


def _compact(rules: list[dict]) -> list[dict]:
    compacted, simple = [], {}
    for rule in rules:
        if rule.get("nonResourceURLs") or len(rule.get("resourceNames") or []) > 1:
            compacted.append(rule)
            continue
        key = (rule["apiGroups"][0], rule["resources"][0], tuple(rule.get("resourceNames") or ()))
        if key in simple:  # kubectl 1.32 adds only the verbs the merged rule lacks
            verbs = simple[key]["verbs"]
            simple[key]["verbs"] = verbs + [v for v in rule["verbs"] if v not in verbs]
        else:
            simple[key] = {k: list(v) for k, v in rule.items()}
    return compacted + list(simple.values())


def _rule_string(rule: dict) -> str:
    """gogo-protobuf's ``PolicyRule.String()``, the sort key kubectl uses."""
    return ("&PolicyRule{" + f"Verbs:{go_list(rule.get('verbs'))},APIGroups:{go_list(rule.get('apiGroups'))},"
            f"Resources:{go_list(rule.get('resources'))},ResourceNames:{go_list(rule.get('resourceNames'))},"
            f"NonResourceURLs:{go_list(rule.get('nonResourceURLs'))}," + "}")


def _combine_resource_group(resources: list[str] | None, groups: list[str] | None) -> str:
    if not resources:
        return ""
    resource, _, sub = resources[0].partition("/")
    text = resource
    if groups and groups[0]:
        text += "." + groups[0]
    if sub:
        text += "/" + sub
    return text


def describe_role(role: dict) -> str:
    meta = role.get("metadata") or {}
    rules = [r for rule in role.get("rules") or [] for r in _breakdown(rule)]
    rules = sorted(_compact(rules), key=_rule_string)
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "PolicyRule:\n")
    w.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.write(1, "---------\t-----------------\t--------------\t-----\n")
    for rule in rules:
        w.write(1, f"{_combine_resource_group(rule.get('resources'), rule.get('apiGroups'))}\t"
                   f"{go_list(rule.get('nonResourceURLs'))}\t{go_list(rule.get('resourceNames'))}\t"
                   f"{go_list(rule.get('verbs'))}\n")
    return w.text()


def describe_binding(binding: dict) -> str:
    meta, ref = binding.get("metadata") or {}, binding.get("roleRef") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Role:\n")
    w.write(1, f"Kind:\t{ref.get('kind', '')}\n")
    w.write(1, f"Name:\t{ref.get('name', '')}\n")
    w.write(0, "Subjects:\n")
    w.write(1, "Kind\tName\tNamespace\n")
    w.write(1, "----\t----\t---------\n")
    for subject in binding.get("subjects") or []:
        w.write(1, f"{subject.get('kind', '')}\t{subject.get('name', '')}\t{subject.get('namespace', '')}\n")
    return w.text()
