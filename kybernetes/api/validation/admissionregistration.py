# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Validation of MutatingWebhookConfiguration and ValidatingWebhookConfiguration
(admissionregistration.k8s.io/v1), with upstream's rules and messages: fully qualified
unique webhook names, rules, failure/match/reinvocation policies, sideEffects,
timeoutSeconds 1..30, admissionReviewVersions, selectors, and a clientConfig with
exactly one of an https url or a service reference."""
from __future__ import annotations

from urllib.parse import urlsplit

from .errors import (Cause, GoValue, duplicate, index, invalid, join, not_supported,
                     required)
from .meta import (is_dns1035_label, is_dns1123_subdomain, is_port_number,
                   validate_label_selector)

OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
SCOPES = ("*", "Cluster", "Namespaced")
FAILURE_POLICIES = ("Fail", "Ignore")
MATCH_POLICIES = ("Equivalent", "Exact")
SIDE_EFFECTS = ("None", "NoneOnDryRun")
REINVOCATION_POLICIES = ("IfNeeded", "Never")
REVIEW_VERSIONS = ("v1", "v1beta1")
_URL_FORM = "; desired format: https://host[/path]"


def fully_qualified_name(path: str, name: str) -> list[Cause]:
    if not name:
        return [required(path)]
    problems = is_dns1123_subdomain(name)
    if problems:
        return [invalid(path, name, ",".join(problems))]
    if len(name.split(".")) < 3:
        return [invalid(path, name, "should be a domain with at least three segments "
                                    "separated by dots")]
    return []


def _resources(resources: list | None, path: str) -> list[Cause]:
    if not resources:
        return [required(path)]
    causes: list[Cause] = []
    wildcard_sub_of: set[str] = set()  # x/*
    wildcard_res_for: set[str] = set()  # */x
    double = single = plain = False
    for i, text in enumerate(resources):
        if not text:
            causes.append(required(index(path, i)))
            continue
        double = double or text == "*/*"
        single = single or text == "*"
        resource, slash, sub = text.partition("/")
        if not slash:
            plain = plain or text != "*"
            continue
        if resource in wildcard_sub_of:
            causes.append(invalid(index(path, i), text,
                                  f"if '{resource}/*' is present, must not specify {text}"))
        if sub in wildcard_res_for:
            causes.append(invalid(index(path, i), text,
                                  f"if '*/{sub}' is present, must not specify {text}"))
        if sub == "*":
            wildcard_sub_of.add(resource)
        if resource == "*":
            wildcard_res_for.add(sub)
    if len(resources) > 1 and double:
        causes.append(invalid(path, resources, "if '*/*' is present, must not specify other "
                                               "resources"))
    if single and plain:
        causes.append(invalid(path, resources, "if '*' is present, must not specify other "
                                               "resources without subresources"))
    return causes


def _rule(rule: dict, path: str) -> list[Cause]:
    causes: list[Cause] = []
    operations = rule.get("operations") or []
    if not operations:
        causes.append(required(join(path, "operations")))
    if len(operations) > 1 and "*" in operations:
        rendering = "[]admissionregistration.OperationType{" + ", ".join(
            f'"{o}"' for o in operations) + "}"
        causes.append(invalid(join(path, "operations"), GoValue(rendering),
                              "if '*' is present, must not specify other operations"))
    for i, operation in enumerate(operations):
        if operation not in OPERATIONS:
            causes.append(not_supported(index(join(path, "operations"), i), operation, OPERATIONS))
    groups = rule.get("apiGroups")
    if not groups:
        causes.append(required(join(path, "apiGroups")))
    elif len(groups) > 1 and "*" in groups:
        causes.append(invalid(join(path, "apiGroups"), groups,
                              "if '*' is present, must not specify other API groups"))
    versions = rule.get("apiVersions")
    if not versions:
        causes.append(required(join(path, "apiVersions")))
    else:
        if len(versions) > 1 and "*" in versions:
            causes.append(invalid(join(path, "apiVersions"), versions,
                                  "if '*' is present, must not specify other API versions"))
        causes.extend(required(index(join(path, "apiVersions"), i))
                      for i, version in enumerate(versions) if not version)
    causes.extend(_resources(rule.get("resources"), join(path, "resources")))
    scope = rule.get("scope")
    if scope is not None and scope not in SCOPES:
        causes.append(not_supported(join(path, "scope"), scope, SCOPES))
    return causes


def webhook_url(path: str, url: str) -> list[Cause]:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        return [required(path, f"url must be a valid URL: {exc}{_URL_FORM}")]
    causes: list[Cause] = []
    if parts.scheme != "https":
        causes.append(invalid(path, parts.scheme, "'https' is the only allowed URL scheme" + _URL_FORM))
    if not parts.netloc.rpartition("@")[2]:
        causes.append(invalid(path, "", "host must be specified" + _URL_FORM))
    if "@" in parts.netloc:
        causes.append(invalid(path, parts.netloc.rpartition("@")[0],
                              "user information is not permitted in the URL"))
    if parts.fragment:
        causes.append(invalid(path, parts.fragment, "fragments are not permitted in the URL"))
    if parts.query:
        causes.append(invalid(path, parts.query, "query parameters are not permitted in the URL"))
    return causes


def webhook_service(path: str, service: dict) -> list[Cause]:
    causes: list[Cause] = []
    if not service.get("name"):
        causes.append(required(join(path, "name"), "service name is required"))
    if not service.get("namespace"):
        causes.append(required(join(path, "namespace"), "service namespace is required"))
    port = service.get("port", 443)
    problems = is_port_number(port)
    if problems:
        causes.append(invalid(join(path, "port"), port, "port is not valid: " + ", ".join(problems)))
    url_path = service.get("path")
    if url_path is None or url_path in ("", "/"):
        return causes
    field = join(path, "path")
    if url_path == "//":
        return causes + [invalid(field, url_path, "segment[0] may not be empty")]
    if not url_path.startswith("/"):
        causes.append(invalid(field, url_path, "must start with a '/'"))
    steps = url_path[1:]
    if steps.endswith("/"):
        steps = steps[:-1]
    for i, step in enumerate(steps.split("/")):
        if not step:
            causes.append(invalid(field, url_path, f"segment[{i}] may not be empty"))
            continue
        causes.extend(invalid(field, url_path, f"segment[{i}]: {problem}")
                      for problem in is_dns1123_subdomain(step))
    return causes


def _review_versions(versions: list | None, path: str) -> list[Cause]:
    if not versions:
        return [required(path, "must specify one of " + ", ".join(REVIEW_VERSIONS))]
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, version in enumerate(versions):
        if version in seen:
            causes.append(invalid(index(path, i), version, "duplicate version"))
            continue
        seen.add(version)
        causes.extend(invalid(index(path, i), version, m) for m in is_dns1035_label(str(version)))
    if not any(v in REVIEW_VERSIONS for v in versions):
        causes.append(invalid(path, versions, "must include at least one of " +
                              ", ".join(REVIEW_VERSIONS)))
    return causes


def _webhook(hook: dict, path: str, mutating: bool) -> list[Cause]:
    causes = fully_qualified_name(join(path, "name"), hook.get("name") or "")
    for i, rule in enumerate(hook.get("rules") or []):
        causes.extend(_rule(rule if isinstance(rule, dict) else {}, index(join(path, "rules"), i)))
    for field, allowed in (("failurePolicy", FAILURE_POLICIES), ("matchPolicy", MATCH_POLICIES)):
        value = hook.get(field)
        if value is not None and value not in allowed:
            causes.append(not_supported(join(path, field), value, allowed))
    for field in ("namespaceSelector", "objectSelector"):
        causes.extend(validate_label_selector(hook.get(field), join(path, field)))
    side_effects = hook.get("sideEffects")
    if side_effects is None:
        causes.append(required(join(path, "sideEffects"),
                               "must specify one of " + ", ".join(SIDE_EFFECTS)))
    elif side_effects not in SIDE_EFFECTS:
        causes.append(not_supported(join(path, "sideEffects"), side_effects, SIDE_EFFECTS))
    timeout = hook.get("timeoutSeconds")
    if timeout is not None and (not isinstance(timeout, int) or not 1 <= timeout <= 30):
        causes.append(invalid(join(path, "timeoutSeconds"), timeout,
                              "the timeout value must be between 1 and 30 seconds"))
    if mutating:
        policy = hook.get("reinvocationPolicy")
        if policy is not None and policy not in REINVOCATION_POLICIES:
            causes.append(not_supported(join(path, "reinvocationPolicy"), policy,
                                        REINVOCATION_POLICIES))
    config = hook.get("clientConfig") or {}
    config_path = join(path, "clientConfig")
    url, service = config.get("url"), config.get("service")
    if (url is None) == (service is None):
        causes.append(required(config_path, "exactly one of url or service is required"))
    elif url is not None:
        causes.extend(webhook_url(join(config_path, "url"), url))
    else:
        causes.extend(webhook_service(join(config_path, "service"), service))
    causes.extend(_match_conditions(hook.get("matchConditions"), join(path, "matchConditions")))
    return causes


def _match_conditions(conditions: list | None, path: str) -> list[Cause]:
    """Names (qualified, unique) and non-empty expressions; at most 64."""
    causes: list[Cause] = []
    if not conditions:
        return causes
    if len(conditions) > 64:
        from .errors import too_many
        causes.append(too_many(path, len(conditions), 64))
    seen: set[str] = set()
    for i, condition in enumerate(conditions):
        item = index(path, i)
        name = (condition or {}).get("name") or ""
        if not name:
            causes.append(required(join(item, "name")))
        elif name in seen:
            causes.append(duplicate(join(item, "name"), name))
        seen.add(name)
        if not (condition or {}).get("expression"):
            causes.append(required(join(item, "expression")))
    return causes


def validate_webhook_configuration(obj: dict, mutating: bool) -> list[Cause]:
    causes: list[Cause] = []
    names: set[str] = set()
    for i, hook in enumerate(obj.get("webhooks") or []):
        path = index("webhooks", i)
        if not isinstance(hook, dict):
            causes.append(invalid(path, hook, "must be an object"))
            continue
        causes.extend(_webhook(hook, path, mutating))
        causes.extend(_review_versions(hook.get("admissionReviewVersions"),
                                       join(path, "admissionReviewVersions")))
        name = hook.get("name") or ""
        if name:
            if name in names:
                causes.append(duplicate(join(path, "name"), name))
            names.add(name)
    return causes
