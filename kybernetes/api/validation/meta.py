# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Names, labels, annotations, selectors and ObjectMeta, checked as apimachinery checks them.

The `is_*` functions return upstream's messages (a list, empty when valid); the
`validate_*` functions return causes at a field path.
"""
from __future__ import annotations

import ipaddress
import re

from .errors import (Cause, GoValue, forbidden, go_quote, immutable, invalid, join, required,
                     too_long)

QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QUALIFIED_NAME_ERR = ("must consist of alphanumeric characters, '-', '_' or '.', and must start "
                      "and end with an alphanumeric character")
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
LABEL_VALUE_ERR = ("a valid label must be an empty string or consist of alphanumeric characters, "
                   "'-', '_' or '.', and must start and end with an alphanumeric character")
DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL_ERR = ("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                     "characters or '-', and must start and end with an alphanumeric character")
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1123_SUBDOMAIN_ERR = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                         "characters, '-' or '.', and must start and end with an alphanumeric "
                         "character")
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_ERR = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                     "start with an alphabetic character, and end with an alphanumeric character")
C_IDENTIFIER_FMT = "[A-Za-z_][A-Za-z0-9_]*"
ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
ENV_VAR_NAME_ERR = ("a valid environment variable name must consist of alphabetic characters, "
                    "digits, '_', '-', or '.', and must not start with a digit")
CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
PERCENT_FMT = "[0-9]+%"
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
FIELD_IMMUTABLE = "field is immutable"

_full = lambda fmt: re.compile("^(?:" + fmt + ")$")  # noqa: E731
_QUALIFIED_NAME_RE = _full(QUALIFIED_NAME_FMT)
_LABEL_VALUE_RE = _full(LABEL_VALUE_FMT)
_DNS1123_LABEL_RE = _full(DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = _full(DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL_RE = _full(DNS1035_LABEL_FMT)
_C_IDENTIFIER_RE = _full(C_IDENTIFIER_FMT)
_ENV_VAR_NAME_RE = _full(ENV_VAR_NAME_FMT)
_CONFIG_MAP_KEY_RE = _full(CONFIG_MAP_KEY_FMT)
_PERCENT_RE = _full(PERCENT_FMT)


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """Upstream's wording (including its doubled space between examples)."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    text = message + " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            text += " or "
        text += f"'{example}', "
    return text + f"regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def inclusive_range_error(low: int, high: int) -> str:
    return f"must be between {low} and {high}, inclusive"


def is_dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _DNS1123_LABEL_RE.match(value):
        if _DNS1123_SUBDOMAIN_RE.match(value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _DNS1123_SUBDOMAIN_RE.match(value):
        errs.append(regex_error(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def is_dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _DNS1035_LABEL_RE.match(value):
        errs.append(regex_error(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def is_qualified_name(value: str) -> list[str]:
    errs = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return [("a qualified name " + regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName",
                                                    "my.name", "123-abc")
                 + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + max_len_error(63))
    if not _QUALIFIED_NAME_RE.match(name):
        errs.append("name part " + regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName",
                                               "my.name", "123-abc"))
    return errs


def is_label_value(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _LABEL_VALUE_RE.match(value):
        errs.append(regex_error(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def is_c_identifier(value: str) -> list[str]:
    if _C_IDENTIFIER_RE.match(value):
        return []
    return [regex_error("a valid C identifier must start with alphabetic character or '_', "
                        "followed by a string of alphanumeric characters or '_'",
                        C_IDENTIFIER_FMT, "my_name", "MY_NAME", "MyName")]


def _chdir_prefix(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


def is_env_var_name(value: str) -> list[str]:
    errs = []
    if not _ENV_VAR_NAME_RE.match(value):
        errs.append(regex_error(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME",
                                "MyEnvName1"))
    return errs + _chdir_prefix(value)


def is_config_map_key(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _CONFIG_MAP_KEY_RE.match(value):
        errs.append(regex_error(CONFIG_MAP_KEY_ERR, CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME",
                                "key-name"))
    return errs + _chdir_prefix(value)


def is_port_name(value: str) -> list[str]:
    errs = []
    if len(value) > 15:
        errs.append(max_len_error(15))
    if not re.match(r"^[-a-z0-9]+$", value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def is_port_number(port) -> list[str]:
    if isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535:
        return []
    return [inclusive_range_error(1, 65535)]


def is_percent(value: str) -> list[str]:
    if _PERCENT_RE.match(value):
        return []
    return [regex_error("a valid percent string must be a numeric string followed by an ending '%'",
                        PERCENT_FMT, "1%", "93%")]


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def validate_ip(path: str, value: str) -> list[Cause]:
    if is_ip(value):
        return []
    return [invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]


def validate_cidr(path: str, value: str) -> list[Cause]:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return [invalid(path, value,
                        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
    return []


# Name validators: (name, is_prefix) -> messages, as upstream's ValidateNameFunc.
def _mask_trailing_dash(name: str) -> str:
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name


def name_is_dns_subdomain(name: str, prefix: bool = False) -> list[str]:
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool = False) -> list[str]:
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name: str, prefix: bool = False) -> list[str]:
    return is_dns1035_label(_mask_trailing_dash(name) if prefix else name)


def name_is_path_segment(name: str, prefix: bool = False) -> list[str]:
    """RBAC names and others: anything that can be one segment of a URL path."""
    errs = []
    if not prefix and name in (".", ".."):
        errs.append(f"may not be '{name}'")
    for bad in ("/", "%"):
        if bad in name:
            errs.append(f"may not contain '{bad}'")
    return errs


def validate_nonnegative(path: str, value) -> list[Cause]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")]
    return []


def validate_positive(path: str, value) -> list[Cause]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0:
        return [invalid(path, value, "must be greater than 0")]
    return []


def validate_dns1123_label(path: str, value: str) -> list[Cause]:
    return [invalid(path, value, m) for m in is_dns1123_label(value)]


def validate_dns1123_subdomain(path: str, value: str) -> list[Cause]:
    return [invalid(path, value, m) for m in is_dns1123_subdomain(value)]


def validate_labels(labels, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for k, v in (labels or {}).items():
        causes.extend(invalid(path, k, m) for m in is_qualified_name(k))
        causes.extend(invalid(path, v, m) for m in is_label_value(str(v)))
    return causes


def validate_annotations(annotations, path: str) -> list[Cause]:
    causes: list[Cause] = []
    total = 0
    for k, v in (annotations or {}).items():
        causes.extend(invalid(path, k, m) for m in is_qualified_name(k.lower()))
        total += len(k.encode()) + len(str(v).encode())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        causes.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return causes


def validate_finalizers(finalizers, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for name in finalizers or []:
        causes.extend(invalid(path, name, m) for m in is_qualified_name(name))
    if "orphan" in (finalizers or []) and "foregroundDeletion" in (finalizers or []):
        causes.append(invalid(path, list(finalizers),
                              "finalizer orphan and foregroundDeletion cannot be both set"))
    return causes


def validate_owner_references(refs, path: str) -> list[Cause]:
    causes: list[Cause] = []
    controller = ""
    for ref in refs or []:
        api_version = ref.get("apiVersion", "")
        version = api_version.rpartition("/")[2]
        if not version:
            causes.append(invalid(join(path, "apiVersion"), api_version,
                                  "version must not be empty"))
        if not ref.get("kind"):
            causes.append(invalid(join(path, "kind"), ref.get("kind", ""), "kind must not be empty"))
        if not ref.get("name"):
            causes.append(invalid(join(path, "name"), ref.get("name", ""), "name must not be empty"))
        if not ref.get("uid"):
            causes.append(invalid(join(path, "uid"), ref.get("uid", ""), "uid must not be empty"))
        if api_version == "v1" and ref.get("kind") == "Event":
            causes.append(invalid(path, GoValue("v1.OwnerReference{...}"),
                                  "/v1, Kind=Event is disallowed from being an owner"))
        if ref.get("controller") is True:
            current = f"{ref.get('kind', '')}/{ref.get('name', '')}"
            if controller:
                causes.append(invalid(path, GoValue("[]v1.OwnerReference{...}"),
                                      'Only one reference can have Controller set to true. Found '
                                      f'"true" in references for {controller} and {current}'))
            else:
                controller = current
    return causes


def validate_object_meta(meta: dict, namespaced: bool, name_fn, path: str = "metadata") -> list[Cause]:
    causes: list[Cause] = []
    generate_name = meta.get("generateName") or ""
    name = meta.get("name") or ""
    if generate_name:
        causes.extend(invalid(join(path, "generateName"), generate_name, m)
                      for m in name_fn(generate_name, True))
    if not name:
        causes.append(required(join(path, "name"), "name or generateName is required"))
    else:
        causes.extend(invalid(join(path, "name"), name, m) for m in name_fn(name, False))
    namespace = meta.get("namespace") or ""
    if namespaced:
        if not namespace:
            causes.append(required(join(path, "namespace")))
        else:
            causes.extend(invalid(join(path, "namespace"), namespace, m)
                          for m in is_dns1123_label(namespace))
    elif namespace:
        causes.append(forbidden(join(path, "namespace"), "not allowed on this type"))
    causes.extend(validate_nonnegative(join(path, "generation"), meta.get("generation", 0)))
    causes.extend(validate_labels(meta.get("labels"), join(path, "labels")))
    causes.extend(validate_annotations(meta.get("annotations"), join(path, "annotations")))
    causes.extend(validate_owner_references(meta.get("ownerReferences"),
                                            join(path, "ownerReferences")))
    causes.extend(validate_finalizers(meta.get("finalizers"), join(path, "finalizers")))
    return causes


def validate_object_meta_update(new: dict, old: dict, path: str = "metadata") -> list[Cause]:
    causes: list[Cause] = []
    if old.get("deletionTimestamp"):
        added = sorted(set(new.get("finalizers") or []) - set(old.get("finalizers") or []))
        if added:
            rendering = "[]string{" + ", ".join(go_quote(f) for f in added) + "}"
            causes.append(forbidden(join(path, "finalizers"),
                                    "no new finalizers can be added if the object is being "
                                    f"deleted, found new finalizers {rendering}"))
    if (new.get("generation") or 0) < (old.get("generation") or 0):
        causes.append(invalid(join(path, "generation"), new.get("generation") or 0,
                              "must not be decremented"))
    for field in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                  "deletionGracePeriodSeconds"):
        if field in ("creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds") \
                and field not in new:
            continue  # the server carries these over; a body that omits them is not a change
        if (new.get(field) or None) != (old.get(field) or None):
            causes.append(immutable(join(path, field), new.get(field) or ""))
    causes.extend(validate_labels(new.get("labels"), join(path, "labels")))
    causes.extend(validate_annotations(new.get("annotations"), join(path, "annotations")))
    causes.extend(validate_owner_references(new.get("ownerReferences"),
                                            join(path, "ownerReferences")))
    causes.extend(validate_finalizers(new.get("finalizers"), join(path, "finalizers")))
    return causes


_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def label_selector_repr(selector: dict | None) -> GoValue:
    """%#v of a metav1.LabelSelector, as upstream prints it in error messages."""
    selector = selector or {}
    labels = selector.get("matchLabels")
    if labels is None:
        labels_text = "map[string]string(nil)"
    else:
        labels_text = "map[string]string{" + ", ".join(
            f"{go_quote(k)}:{go_quote(str(v))}" for k, v in sorted(labels.items())) + "}"
    exprs = selector.get("matchExpressions")
    if exprs is None:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    else:
        items = []
        for e in exprs:
            values = e.get("values")
            values_text = ("[]string(nil)" if values is None else
                           "[]string{" + ", ".join(go_quote(str(v)) for v in values) + "}")
            items.append(f"v1.LabelSelectorRequirement{{Key:{go_quote(e.get('key', ''))}, "
                         f"Operator:{go_quote(e.get('operator', ''))}, Values:{values_text}}}")
        exprs_text = "[]v1.LabelSelectorRequirement{" + ", ".join(items) + "}"
    return GoValue(f"v1.LabelSelector{{MatchLabels:{labels_text}, MatchExpressions:{exprs_text}}}")


def validate_label_selector(selector: dict | None, path: str) -> list[Cause]:
    if selector is None:
        return []
    causes = validate_labels(selector.get("matchLabels"), join(path, "matchLabels"))
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        epath = f"{path}.matchExpressions[{i}]"
        op = expr.get("operator", "")
        values = expr.get("values") or []
        if op in ("In", "NotIn"):
            if not values:
                causes.append(required(join(epath, "values"),
                                       "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                causes.append(forbidden(join(epath, "values"), "may not be specified when "
                                        "`operator` is 'Exists' or 'DoesNotExist'"))
        else:
            causes.append(invalid(join(epath, "operator"), op, "not a valid selector operator"))
        key = expr.get("key", "")
        causes.extend(invalid(join(epath, "key"), key, m) for m in is_qualified_name(key))
        for j, value in enumerate(values):
            causes.extend(invalid(f"{epath}.values[{j}]", value, m)
                          for m in is_label_value(str(value)))
    return causes


def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    """Whether a LabelSelector selects a set of labels (an empty selector selects all)."""
    labels = labels or {}
    selector = selector or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        k, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(k) not in values:
            return False
        if op == "NotIn" and k in labels and labels[k] in values:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True
