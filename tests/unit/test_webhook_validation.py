# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Defaulting and validation of Mutating/ValidatingWebhookConfiguration as upstream."""
from __future__ import annotations

import copy

import pytest

from kybernetes.api import defaults, validation

GROUP = "admissionregistration.k8s.io"


def config(kind="ValidatingWebhookConfiguration", **hook_fields) -> dict:
    hook = {"name": "deny.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
            "clientConfig": {"url": "https://127.0.0.1:8443/validate"},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                       "resources": ["pods"]}]}
    hook.update(hook_fields)
    hook = {k: v for k, v in hook.items() if v is not None}
    return {"apiVersion": f"{GROUP}/v1", "kind": kind, "metadata": {"name": "cfg"},
            "webhooks": [hook]}


def check(obj: dict) -> list[tuple[str, str]]:
    defaults.apply_defaults(GROUP, "v1", obj["kind"], obj)
    return [(c["field"], c["message"]) for c in
            validation.validate(GROUP, "v1", obj["kind"], obj, None)]


def test_defaults_as_upstream():
    obj = config("MutatingWebhookConfiguration",
                 clientConfig={"service": {"name": "hook", "namespace": "ns"}})
    assert check(obj) == []
    hook = obj["webhooks"][0]
    assert hook["failurePolicy"] == "Fail" and hook["matchPolicy"] == "Equivalent"
    assert hook["namespaceSelector"] == {} and hook["objectSelector"] == {}
    assert hook["timeoutSeconds"] == 10 and hook["reinvocationPolicy"] == "Never"
    assert hook["rules"][0]["scope"] == "*"
    assert hook["clientConfig"]["service"]["port"] == 443
    validating = config()
    check(validating)
    assert "reinvocationPolicy" not in validating["webhooks"][0]


@pytest.mark.parametrize("fields,expected", [
    ({"sideEffects": None}, ("webhooks[0].sideEffects",
                             "Required value: must specify one of None, NoneOnDryRun")),
    ({"sideEffects": "Some"}, ("webhooks[0].sideEffects",
                               'Unsupported value: "Some": supported values: "None", "NoneOnDryRun"')),
    ({"admissionReviewVersions": None}, ("webhooks[0].admissionReviewVersions",
                                         "Required value: must specify one of v1, v1beta1")),
    ({"admissionReviewVersions": ["v2"]}, ("webhooks[0].admissionReviewVersions",
                                           'Invalid value: []string{"v2"}: must include at least '
                                           "one of v1, v1beta1")),
    ({"timeoutSeconds": 31}, ("webhooks[0].timeoutSeconds",
                              "Invalid value: 31: the timeout value must be between 1 and 30 seconds")),
    ({"timeoutSeconds": 0}, ("webhooks[0].timeoutSeconds",
                             "Invalid value: 0: the timeout value must be between 1 and 30 seconds")),
    ({"failurePolicy": "Maybe"}, ("webhooks[0].failurePolicy",
                                  'Unsupported value: "Maybe": supported values: "Fail", "Ignore"')),
    ({"matchPolicy": "Close"}, ("webhooks[0].matchPolicy",
                                'Unsupported value: "Close": supported values: "Equivalent", "Exact"')),
    ({"name": "deny"}, ("webhooks[0].name", 'Invalid value: "deny": should be a domain with at '
                                            "least three segments separated by dots")),
    ({"name": "Deny.Example.com"}, ("webhooks[0].name", None)),
    ({"clientConfig": {"url": "http://127.0.0.1/x"}}, (
        "webhooks[0].clientConfig.url",
        "Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: "
        "https://host[/path]")),
    ({"clientConfig": {"url": "https://127.0.0.1/x?a=b"}}, (
        "webhooks[0].clientConfig.url",
        'Invalid value: "a=b": query parameters are not permitted in the URL')),
    ({"clientConfig": {}}, ("webhooks[0].clientConfig",
                            "Required value: exactly one of url or service is required")),
    ({"clientConfig": {"url": "https://a/", "service": {"name": "s", "namespace": "n"}}},
     ("webhooks[0].clientConfig", "Required value: exactly one of url or service is required")),
    ({"clientConfig": {"service": {"name": "s", "namespace": "n", "path": "nope"}}},
     ("webhooks[0].clientConfig.service.path", "Invalid value: \"nope\": must start with a '/'")),
    ({"clientConfig": {"service": {"namespace": "n", "port": 70000}}},
     ("webhooks[0].clientConfig.service.name", "Required value: service name is required")),
    ({"rules": [{"operations": ["*", "CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                 "resources": ["pods"]}]},
     ("webhooks[0].rules[0].operations", "Invalid value: []admissionregistration.OperationType"
                                         '{"*", "CREATE"}: if \'*\' is present, must not specify '
                                         "other operations")),
    ({"rules": [{"operations": ["PATCH"], "apiGroups": [""], "apiVersions": ["v1"],
                 "resources": ["pods"]}]},
     ("webhooks[0].rules[0].operations[0]", 'Unsupported value: "PATCH": supported values: '
                                            '"*", "CONNECT", "CREATE", "DELETE", "UPDATE"')),
    ({"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                 "resources": ["*/*", "pods"]}]},
     ("webhooks[0].rules[0].resources", "Invalid value: []string{\"*/*\", \"pods\"}: if '*/*' is "
                                        "present, must not specify other resources")),
    ({"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                 "resources": ["pods/*", "pods/status"]}]},
     ("webhooks[0].rules[0].resources[1]", "Invalid value: \"pods/status\": if 'pods/*' is "
                                           "present, must not specify pods/status")),
    ({"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                 "resources": ["pods"], "scope": "Everywhere"}]},
     ("webhooks[0].rules[0].scope", 'Unsupported value: "Everywhere": supported values: "*", '
                                    '"Cluster", "Namespaced"')),
    ({"rules": [{"operations": ["CREATE"], "apiVersions": ["v1"], "resources": ["pods"]}]},
     ("webhooks[0].rules[0].apiGroups", "Required value")),
    ({"namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}},
     ("webhooks[0].namespaceSelector.matchExpressions[0].operator",
      'Invalid value: "Near": not a valid selector operator')),
])
def test_invalid_webhooks_name_the_field(fields, expected):
    causes = check(config(**fields))
    field, message = expected
    assert field in [f for f, _ in causes], causes
    if message is not None:
        assert (field, message) in causes, causes


def test_reinvocation_policy_checked_on_mutating_only():
    causes = check(config("MutatingWebhookConfiguration", reinvocationPolicy="Always"))
    assert ("webhooks[0].reinvocationPolicy",
            'Unsupported value: "Always": supported values: "IfNeeded", "Never"') in causes


def test_webhook_names_are_unique():
    obj = config()
    obj["webhooks"].append(copy.deepcopy(obj["webhooks"][0]))
    assert ("webhooks[1].name", 'Duplicate value: "deny.example.com"') in check(obj)
