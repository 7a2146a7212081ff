"""Name and label syntax rules, with Kubernetes' exact messages.

Mirrors k8s.io/apimachinery/pkg/util/validation (``IsDNS1123Label``, ``IsDNS1123Subdomain``,
``IsDNS1035Label``, ``IsQualifiedName``, ``IsValidLabelValue``, ``IsValidPortNum``,
``IsValidPortName``, ``IsConfigMapKey``, ``IsCIdentifier`` ...) and the ``NameIsDNS...``
helpers of apimachinery/pkg/api/validation. Each ``is_*`` returns a list of messages (empty
when valid), as the Go functions return ``[]string``.

    >>> is_dns1123_subdomain("Web_App")[0][:48]
    'a lowercase RFC 1123 subdomain must consist of l'
"""

from __future__ import annotations

import re


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """``validation.RegexError``."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)  # Go's loop leaves two spaces before "or"
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def empty_error() -> str:
    return "must be non-empty"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def inclusive_range_error(lo: int, hi: int) -> str:
    return f"must be between {lo} and {hi}, inclusive"


QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QUALIFIED_NAME_ERR = ("must consist of alphanumeric characters, '-', '_' or '.', and must start "
                      "and end with an alphanumeric character")
QUALIFIED_NAME_MAX = 63
LABEL_VALUE_FMT = f"({QUALIFIED_NAME_FMT})?"
LABEL_VALUE_ERR = ("a valid label must be an empty string or consist of alphanumeric characters, "
                   "'-', '_' or '.', and must start and end with an alphanumeric character")
LABEL_VALUE_MAX = 63

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL_ERR = ("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                     "characters or '-', and must start and end with an alphanumeric character")
DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1123_SUBDOMAIN_ERR = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                         "characters, '-' or '.', and must start and end with an alphanumeric "
                         "character")
DNS1123_SUBDOMAIN_MAX = 253
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_ERR = ("a DNS-1035 label must consist of lower case alphanumeric characters or "
                     "'-', start with an alphabetic character, and end with an alphanumeric "
                     "character")
DNS1035_LABEL_MAX = 63
CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
C_IDENTIFIER_FMT = "[A-Za-z_][A-Za-z0-9_]*"
C_IDENTIFIER_ERR = ("a valid C identifier must start with alphabetic character or '_', followed "
                    "by a string of alphanumeric characters or '_'")
ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
ENV_VAR_NAME_ERR = ("a valid environment variable name must consist of alphabetic characters, "
                    "digits, '_', '-', or '.', and must not start with a digit")

_qualified = re.compile(f"^{QUALIFIED_NAME_FMT}$").match
_label_value = re.compile(f"^{LABEL_VALUE_FMT}$").match
_dns1123_label = re.compile(f"^{DNS1123_LABEL_FMT}$").match
_dns1123_subdomain = re.compile(f"^{DNS1123_SUBDOMAIN_FMT}$").match
_dns1035_label = re.compile(f"^{DNS1035_LABEL_FMT}$").match
_config_map_key = re.compile(f"^{CONFIG_MAP_KEY_FMT}$").match
_c_identifier = re.compile(f"^{C_IDENTIFIER_FMT}$").match
_env_var_name = re.compile(f"^{ENV_VAR_NAME_FMT}$").match
_port_name_chars = re.compile("^[-a-z0-9]+$").match
_port_name_letter = re.compile("[a-z]").search


def is_dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1123_LABEL_MAX:
        errs.append(max_len_error(DNS1123_LABEL_MAX))
    if not _dns1123_label(value):
        if _dns1123_subdomain(value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX))
    if not _dns1123_subdomain(value):
        errs.append(regex_error(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def is_dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1035_LABEL_MAX:
        errs.append(max_len_error(DNS1035_LABEL_MAX))
    if not _dns1035_label(value):
        errs.append(regex_error(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


_QUALIFIED_CACHE_SIZE = 4096
_qualified_cache: dict[str, tuple[str, ...]] = {}


def is_qualified_name(value: str) -> list[str]:
    """``IsQualifiedName``: an optional DNS subdomain prefix and '/', then a name part.

    Memoized (bounded): the same few label, annotation and toleration keys are checked on
    every create. Each call still returns a new list."""
    if type(value) is not str:
        return _qualified_name_messages(value)
    messages = _qualified_cache.get(value)
    if messages is None:
        messages = tuple(_qualified_name_messages(value))
        if len(_qualified_cache) >= _QUALIFIED_CACHE_SIZE:
            _qualified_cache.clear()
        _qualified_cache[value] = messages
    return list(messages)


def _qualified_name_messages(value: str) -> list[str]:
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + empty_error())
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return [
            "a qualified name "
            + regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part " + empty_error())
    elif len(name) > QUALIFIED_NAME_MAX:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX))
    if not _qualified(name):
        errs.append("name part " + regex_error(
            QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def is_valid_label_value(value: str) -> list[str]:
    errs = []
    if len(value) > LABEL_VALUE_MAX:
        errs.append(max_len_error(LABEL_VALUE_MAX))
    if not _label_value(value):
        errs.append(regex_error(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def is_config_map_key(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX))
    if not _config_map_key(value):
        errs.append(regex_error(CONFIG_MAP_KEY_ERR, CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME",
                                "key-name"))
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


RELAXED_ENV_VAR_NAME_ERR = ("a valid environment variable name must consist only of printable ASCII "
                            "characters other than '='")


def is_relaxed_env_var_name(value: str) -> list[str]:
    """``IsRelaxedEnvVarName`` (RelaxedEnvironmentVariableValidation, beta and on in 1.32)."""
    errs = []
    if not value:
        errs.append("environment variable name " + empty_error())
    if any(not (32 <= ord(ch) < 127) or ch == "=" for ch in value):
        errs.append(RELAXED_ENV_VAR_NAME_ERR)
    return errs


def is_env_var_name(value: str) -> list[str]:
    errs = []
    if not _env_var_name(value):
        errs.append(regex_error(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME",
                                "MyEnvName1"))
    errs.extend(_dots_errors(value))
    return errs


def _dots_errors(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


def is_c_identifier(value: str) -> list[str]:
    if _c_identifier(value):
        return []
    return [regex_error(C_IDENTIFIER_ERR, C_IDENTIFIER_FMT, "my_name", "MY_NAME", "MyName")]


def is_valid_port_num(port: int) -> list[str]:
    if 1 <= port <= 65535:
        return []
    return [inclusive_range_error(1, 65535)]


def is_valid_port_name(port: str) -> list[str]:
    """``IsValidPortName``: an IANA_SVC_NAME."""
    errs = []
    if len(port) > 15:
        errs.append(max_len_error(15))
    if not _port_name_chars(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _port_name_letter(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def is_valid_ip(value: str) -> list[str]:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    return []


# ``NameIsDNS...`` (apimachinery/pkg/api/validation/generic.go): prefix=True checks a
# generateName prefix, which may end in '-'.
def _maybe_prefix(value: str, prefix: bool) -> str:
    return value + "a" if prefix else value


def name_is_dns_subdomain(name: str, prefix: bool = False) -> list[str]:
    return is_dns1123_subdomain(_maybe_prefix(name, prefix))


def name_is_dns_label(name: str, prefix: bool = False) -> list[str]:
    return is_dns1123_label(_maybe_prefix(name, prefix))


def name_is_dns1035_label(name: str, prefix: bool = False) -> list[str]:
    return is_dns1035_label(_maybe_prefix(name, prefix))


def path_segment_name(name: str, prefix: bool = False) -> list[str]:
    """``path.IsValidPathSegmentName`` (RBAC names may be anything but '.', '..', '/' or '%')."""
    errs = []
    if not prefix:
        if name in (".", ".."):
            return [f"may not be '{name}'"]
    for illegal in ("/", "%"):
        if illegal in name:
            errs.append(f"may not contain '{illegal}'")
    return errs
