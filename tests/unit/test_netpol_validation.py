# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NetworkPolicy defaulting and validation as a 1.32 API server does them: the field
at fault and upstream's wording."""
from __future__ import annotations

from kybernetes.api.defaults import apply_defaults
from kybernetes.api.validation import invalid_message, validate


def check(spec: dict) -> str:
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
           "metadata": {"name": "p", "namespace": "default"}, "spec": spec}
    apply_defaults("networking.k8s.io", "v1", "NetworkPolicy", obj)
    causes = validate("networking.k8s.io", "v1", "NetworkPolicy", obj)
    return invalid_message("NetworkPolicy", "p", causes, "networking.k8s.io") if causes else ""


def test_defaults_policy_types_and_protocol():
    obj = {"spec": {"ingress": [{"ports": [{"port": 80}]}]}}
    apply_defaults("networking.k8s.io", "v1", "NetworkPolicy", obj)
    assert obj["spec"]["policyTypes"] == ["Ingress"]
    assert obj["spec"]["ingress"][0]["ports"][0]["protocol"] == "TCP"
    explicit = {"spec": {"policyTypes": ["Egress"], "podSelector": {"matchLabels": {"a": "b"}}}}
    apply_defaults("networking.k8s.io", "v1", "NetworkPolicy", explicit)
    assert explicit["spec"]["policyTypes"] == ["Egress"]


def test_valid_documentation_examples():
    assert check({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}) == ""
    assert check({"podSelector": {"matchLabels": {"role": "db"}},
                  "ingress": [{"from": [{"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                                        {"namespaceSelector": {"matchLabels": {"project": "myproject"}}},
                                        {"podSelector": {"matchLabels": {"role": "frontend"}}}],
                               "ports": [{"protocol": "TCP", "port": 6379}]}],
                  "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                              "ports": [{"protocol": "TCP", "port": 32000, "endPort": 32768}]}]}) == ""


def test_end_port_errors_name_the_field():
    assert check({"egress": [{"ports": [{"port": 32000, "endPort": 31000}]}]}) == (
        'NetworkPolicy.networking.k8s.io "p" is invalid: spec.egress[0].ports[0].endPort: '
        'Invalid value: 31000: must be greater than or equal to `port`')
    assert "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when " \
           "`port` is non-numeric" in check({"ingress": [{"ports": [{"port": "http", "endPort": 90}]}]})
    assert "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when " \
           "`port` is not specified" in check({"ingress": [{"ports": [{"endPort": 90}]}]})
    assert "spec.ingress[0].ports[0].endPort: Invalid value: 70000: must be between 1 and 65535" \
        in check({"ingress": [{"ports": [{"port": 80, "endPort": 70000}]}]})


def test_ip_block_errors_name_the_field():
    message = check({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8",
                                                        "except": ["192.168.0.0/24", "10.0.0.0/8"]}}]}]})
    assert "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"192.168.0.0/24\": " \
           "must be a strict subset of `cidr`" in message
    assert "spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: \"10.0.0.0/8\": " \
           "must be a strict subset of `cidr`" in message
    assert "spec.egress[0].to[0].ipBlock.cidr: Invalid value: \"10.0.0.300/8\"" in check(
        {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.300/8"}}]}]})
    assert "spec.egress[0].to[0].ipBlock.except[0]: Invalid value: \"nonsense\"" in check(
        {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["nonsense"]}}]}]})
    assert "spec.egress[0].to[0].ipBlock.cidr: Required value" in check(
        {"egress": [{"to": [{"ipBlock": {}}]}]})


def test_peer_errors():
    assert "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer" in check(
        {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]})
    assert "spec.ingress[0].from[0]: Required value: must specify a peer" in check(
        {"ingress": [{"from": [{}]}]})


def test_policy_types_and_protocol_errors():
    assert "spec.policyTypes[0]: Unsupported value: \"Sideways\"" in check({"policyTypes": ["Sideways"]})
    assert "may not specify more than two policyTypes" in check(
        {"policyTypes": ["Ingress", "Egress", "Ingress"]})
    assert "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\"" in check(
        {"ingress": [{"ports": [{"protocol": "ICMP", "port": 1}]}]})
