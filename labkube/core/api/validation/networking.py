"""Ingresses and IngressClasses (networking.k8s.io/v1).

Mirrors pkg/apis/networking/validation/validation.go: ``ValidateIngressCreate``
(``ValidateIngressSpec``, ``validateIngressRules``, ``validateHTTPIngressPath``,
``validateIngressBackend``) and ``ValidateIngressClass`` (``spec.controller`` is a required,
domain-prefixed path, immutable on update). ``pathType`` has no default: it is required.
"""

from __future__ import annotations

import ipaddress
import re

from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError

PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES = ("/..", "/.")
WILDCARD_FMT = "\\*\\." + names.DNS1123_SUBDOMAIN_FMT
WILDCARD_ERR = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
                "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' "
                "and end with an alphanumeric character")
_wildcard = re.compile(f"^{WILDCARD_FMT}$").match
HTTP_PATH_FMT = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"
_http_path = re.compile(f"^{HTTP_PATH_FMT}$").match


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def validate_ingress(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    spec = obj.get("spec") or {}
    rules = spec.get("rules") or []
    if not rules and spec.get("defaultBackend") is None:
        shown = "[]networking.IngressRule(nil)" if not spec.get("rules") else "[]networking.IngressRule{}"
        errs.append(meta.invalid_go("spec", rules, shown,
                                    "either `defaultBackend` or `rules` must be specified"))
    if spec.get("defaultBackend") is not None:
        errs.extend(_backend(spec["defaultBackend"], "spec.defaultBackend"))
    for i, rule in enumerate(rules):
        errs.extend(_rule(rule, f"spec.rules[{i}]"))
    for i, tls in enumerate(spec.get("tls") or ()):
        for j, host in enumerate(tls.get("hosts") or ()):
            hpath = f"spec.tls[{i}].hosts[{j}]"
            if "*" in host:
                if not _wildcard(host):
                    errs.append(FieldError.invalid(hpath, host, names.regex_error(
                        WILDCARD_ERR, WILDCARD_FMT, "*.example.com")))
            else:
                errs.extend(meta.dns1123_subdomain(host, hpath))
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        errs.extend(FieldError.invalid("spec.ingressClassName", class_name, m)
                    for m in names.name_is_dns_subdomain(class_name))
    annotation = ((obj.get("metadata") or {}).get("annotations") or {}).get("kubernetes.io/ingress.class")
    if old is None and annotation is not None and class_name is not None and annotation != class_name:
        errs.append(FieldError.invalid("annotations.kubernetes.io/ingress.class", annotation,
                                       "must match `ingressClassName` when both are specified"))
    return errs


def _rule(rule: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    host = rule.get("host", "")
    if host:
        if _is_ip(host):
            errs.append(FieldError.invalid(path + ".host", host, "must be a DNS name, not an IP address"))
        if "*" in host:
            if not _wildcard(host) or len(host) > 253:
                errs.append(FieldError.invalid(path + ".host", host, names.regex_error(
                    WILDCARD_ERR, WILDCARD_FMT, "*.example.com")))
        else:
            errs.extend(meta.dns1123_subdomain(host, path + ".host"))
    http = rule.get("http")
    if http is not None:
        paths = http.get("paths") or []
        if not paths:
            errs.append(FieldError.required(path + ".http.paths"))
        for i, http_path in enumerate(paths):
            errs.extend(_http_path_rule(http_path, f"{path}.http.paths[{i}]"))
    return errs


def _http_path_rule(rule: dict, path: str) -> list[FieldError]:
    path_type = rule.get("pathType")
    if path_type is None:
        return [FieldError.required(path + ".pathType", "pathType must be specified")]
    errs: list[FieldError] = []
    value = rule.get("path", "")
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.append(FieldError.invalid(path + ".path", value, "must be an absolute path"))
        if value:
            errs.extend(FieldError.invalid(path + ".path", value, f"must not contain '{seq}'")
                        for seq in INVALID_PATH_SEQUENCES if seq in value)
            errs.extend(FieldError.invalid(path + ".path", value, f"cannot end with '{suffix}'")
                        for suffix in INVALID_PATH_SUFFIXES if value.endswith(suffix))
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.append(FieldError.invalid(path + ".path", value, "must be an absolute path"))
    else:
        errs.append(FieldError.not_supported(path + ".pathType", path_type, PATH_TYPES))
    errs.extend(_backend(rule.get("backend") or {}, path + ".backend"))
    return errs


def _backend(backend: dict, path: str) -> list[FieldError]:
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        return [FieldError.invalid(path, "", "cannot set both resource and service backends")]
    if resource is not None:
        errs = []
        if not resource.get("kind"):
            errs.append(FieldError.required(path + ".resource.kind"))
        if not resource.get("name"):
            errs.append(FieldError.required(path + ".resource.name"))
        return errs
    if service is None:
        return [FieldError.invalid(path, "", "resource or service backend is required")]
    errs: list[FieldError] = []
    name = service.get("name", "")
    if not name:
        errs.append(FieldError.required(path + ".service.name"))
    else:
        errs.extend(FieldError.invalid(path + ".service.name", name, m)
                    for m in names.name_is_dns1035_label(name))
    port = service.get("port") or {}
    port_name, number = port.get("name", ""), port.get("number", 0)
    if port_name and number:
        errs.append(FieldError.invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        errs.extend(FieldError.invalid(path + ".service.port.name", port_name, m)
                    for m in names.is_valid_port_name(port_name))
    elif number:
        errs.extend(FieldError.invalid(path + ".service.port.number", number, m)
                    for m in names.is_valid_port_num(number))
    else:
        errs.append(FieldError.required(path, "port name or number is required"))
    return errs


def validate_ingress_class(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), False, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    spec = obj.get("spec") or {}
    controller = spec.get("controller", "")
    if len(controller) > 250:
        errs.append(FieldError("TooLong", "spec.controller", controller, "may not be more than 250 bytes"))
    errs.extend(_domain_prefixed_path(controller, "spec.controller"))
    if old is not None:
        errs.extend(meta.immutable(controller, (old.get("spec") or {}).get("controller", ""),
                                   "spec.controller"))
    params = spec.get("parameters")
    if params is not None:
        if not params.get("kind"):
            errs.append(FieldError.required("spec.parameters.kind"))
        if not params.get("name"):
            errs.append(FieldError.required("spec.parameters.name"))
        scope = params.get("scope")
        if scope is not None and scope not in ("Cluster", "Namespace"):
            errs.append(FieldError.not_supported("spec.parameters.scope", scope, ("Cluster", "Namespace")))
    return errs


def _domain_prefixed_path(value: str, path: str) -> list[FieldError]:
    """``validation.IsDomainPrefixedPath``."""
    if not value:
        return [FieldError.required(path)]
    host, sep, rest = value.partition("/")
    if not sep or not host or not rest:
        return [FieldError.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    errs = [FieldError.invalid(path, host, m) for m in names.is_dns1123_subdomain(host)]
    if not _http_path(rest):
        errs.append(FieldError.invalid(path, rest, names.regex_error("Invalid path", HTTP_PATH_FMT)))
    return errs
