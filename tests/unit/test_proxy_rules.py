# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-proxy's iptables rule generator on hand-built Services and EndpointSlices."""
from __future__ import annotations

import base64
import hashlib

from kybernetes.controllers.servicelb import desired_ingress, node_addresses
from kybernetes.proxy.iptables import chains_in_save, cleanup_text
from kybernetes.proxy.model import build_service_ports
from kybernetes.proxy.rules import ProxyConfig, endpoint_chain, generate, service_chain

NODE = "node-a"


def service(name="web", kind="ClusterIP", cluster_ip="10.96.0.20", node_port=0, **spec):
    port = {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}
    if node_port:
        port["nodePort"] = node_port
    body = {"type": kind, "clusterIP": cluster_ip, "ports": [port], **spec}
    status = spec.pop("status", None)
    out = {"metadata": {"name": name, "namespace": "default"}, "spec": body}
    if status:
        out["status"] = status
        body.pop("status")
    return out


def slice_for(name="web", endpoints=(("10.244.0.5", NODE, True),)):
    return {"metadata": {"namespace": "default", "labels": {"kubernetes.io/service-name": name}},
            "addressType": "IPv4", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip], "nodeName": node, "conditions": {"ready": ready}}
                          for ip, node, ready in endpoints]}


def rules(services, slices, existing=frozenset()):
    text = generate(build_service_ports(services, slices), ProxyConfig(NODE), existing)
    nat = text.split("*nat", 1)[1]
    filter_ = text.split("*nat", 1)[0]
    return text, [line for line in filter_.splitlines() if line.startswith("-A")], \
        [line for line in nat.splitlines() if line.startswith("-A")]


def test_chain_names_are_upstreams_hash_of_port_name_and_protocol():
    port = build_service_ports([service()], [slice_for()])[0]
    expected = base64.b32encode(hashlib.sha256(b"default/web:httptcp").digest()).decode()[:16]
    assert service_chain(port) == "KUBE-SVC-" + expected
    sep = base64.b32encode(hashlib.sha256(b"default/web:httptcp10.244.0.5:8080").digest()).decode()[:16]
    assert endpoint_chain(port, port.endpoints[0]) == "KUBE-SEP-" + sep


def test_cluster_ip_spreads_randomly_over_ready_endpoints_only():
    eps = [("10.244.0.5", NODE, True), ("10.244.0.6", NODE, True), ("10.244.0.7", "b", True),
           ("10.244.0.8", "b", False)]
    _, _, nat = rules([service()], [slice_for(endpoints=eps)])
    svc = service_chain(build_service_ports([service()], [slice_for()])[0])
    assert any(f"-d 10.96.0.20 --dport 80 -j {svc}" in r and r.startswith("-A KUBE-SERVICES") for r in nat)
    picks = [r for r in nat if r.startswith(f"-A {svc}") and "KUBE-SEP-" in r]
    assert [p.split("--probability ")[1].split()[0] for p in picks[:2]] == ["0.3333333333", "0.5000000000"]
    assert "--probability" not in picks[2] and len(picks) == 3
    assert not any("10.244.0.8" in r for r in nat)
    dnat = [r for r in nat if "DNAT" in r]
    assert sorted(r.split("--to-destination ")[1] for r in dnat) == [
        "10.244.0.5:8080", "10.244.0.6:8080", "10.244.0.7:8080"]
    # traffic from outside the pod network is masqueraded, and hairpin traffic too
    assert any(f"-A {svc}" in r and "! -s 10.244.0.0/16 -j KUBE-MARK-MASQ" in r for r in nat)
    assert any("-s 10.244.0.5 -j KUBE-MARK-MASQ" in r for r in nat)
    assert "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000" in nat


def test_service_without_endpoints_is_rejected_in_filter_table():
    _, filter_, nat = rules([service(kind="NodePort", node_port=30024)], [slice_for(endpoints=())])
    assert any(r.startswith("-A KUBE-SERVICES") and "has no endpoints" in r and "-d 10.96.0.20" in r
               and r.endswith("-j REJECT --reject-with icmp-port-unreachable") for r in filter_)
    assert any(r.startswith("-A KUBE-EXTERNAL-SERVICES") and "--dport 30024" in r and "REJECT" in r
               for r in filter_)
    assert not any("KUBE-SVC-" in r for r in nat)


def test_headless_and_external_name_services_get_nothing():
    headless = service(cluster_ip="None")
    external = service(name="ext", kind="ExternalName", cluster_ip="", externalName="example.com")
    _, filter_, nat = rules([headless, external], [slice_for()])
    assert not any("default/web" in r or "default/ext" in r for r in filter_ + nat)


def test_node_port_load_balancer_and_external_ips_go_through_ext_chain():
    svc = service(kind="LoadBalancer", node_port=30024, externalIPs=["192.0.2.9"],
                  status={"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}})
    _, _, nat = rules([svc], [slice_for()])
    port = build_service_ports([svc], [slice_for()])[0]
    ext = service_chain(port).replace("KUBE-SVC-", "KUBE-EXT-")
    assert any(r.startswith("-A KUBE-NODEPORTS") and f"--dport 30024 -j {ext}" in r for r in nat)
    assert any("external IP" in r and f"-d 192.0.2.9 --dport 80 -j {ext}" in r for r in nat)
    assert any("loadbalancer IP" in r and f"-d 192.0.2.10 --dport 80 -j {ext}" in r for r in nat)
    assert f"-A {ext} -j {service_chain(port)}" in nat
    assert any(r.startswith(f"-A {ext}") and "KUBE-MARK-MASQ" in r for r in nat)
    assert nat[-1].endswith("-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS")


def test_external_traffic_policy_local_uses_only_local_endpoints_without_snat():
    svc = service(kind="NodePort", node_port=30100, externalTrafficPolicy="Local")
    eps = [("10.244.0.5", NODE, True), ("10.244.1.5", "other", True)]
    _, _, nat = rules([svc], [slice_for(endpoints=eps)])
    port = build_service_ports([svc], [slice_for(endpoints=eps)])[0]
    svl = service_chain(port).replace("KUBE-SVC-", "KUBE-SVL-")
    ext = service_chain(port).replace("KUBE-SVC-", "KUBE-EXT-")
    local_rules = [r for r in nat if r.startswith(f"-A {svl}")]
    assert len(local_rules) == 1 and "10.244.0.5:8080" in local_rules[0]
    assert f"-A {ext} -j {svl}" in nat
    # only node-local sources are masqueraded, not external clients
    assert not any(r == f"-A {ext} -j KUBE-MARK-MASQ" for r in nat)
    assert any(r.startswith(f"-A {ext}") and "--src-type LOCAL -j KUBE-MARK-MASQ" in r for r in nat)


def test_internal_traffic_policy_local_without_local_endpoints_drops():
    svc = service(internalTrafficPolicy="Local")
    _, filter_, nat = rules([svc], [slice_for(endpoints=[("10.244.1.5", "other", True)])])
    assert any("has no local endpoints" in r and r.endswith("-j DROP") for r in filter_)
    assert not any(r.startswith("-A KUBE-SERVICES") and "default/web" in r for r in nat)


def test_session_affinity_client_ip_uses_recent_module():
    svc = service(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 600}})
    _, _, nat = rules([svc], [slice_for()])
    assert any("--rcheck --seconds 600 --reap" in r for r in nat)
    assert any("-m recent --name KUBE-SEP-" in r and "--set -j DNAT" in r for r in nat)


def test_stale_chains_are_deleted_and_foreign_chains_left_alone():
    text, _, _ = rules([service()], [slice_for()], {"KUBE-SVC-GONE", "KUBE-SEP-GONE", "CNI-HOSTPORT-DNAT"})
    assert "-X KUBE-SVC-GONE" in text and "-X KUBE-SEP-GONE" in text
    assert "CNI-HOSTPORT" not in text


def test_cleanup_text_removes_only_kube_proxy_chains():
    saved = "*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-X - [0:0]\n" \
            ":CNI-HOSTPORT-DNAT - [0:0]\nCOMMIT\n*filter\n:KUBE-FORWARD - [0:0]\nCOMMIT\n"
    assert chains_in_save(saved)["nat"] == {"PREROUTING", "KUBE-SERVICES", "KUBE-SVC-X", "CNI-HOSTPORT-DNAT"}
    text = cleanup_text(saved)
    assert "-X KUBE-SVC-X" in text and "-X KUBE-FORWARD" in text
    assert "CNI-HOSTPORT" not in text and "PREROUTING" not in text


def test_servicelb_gives_load_balancers_the_ready_node_ips():
    nodes = [{"status": {"conditions": [{"type": "Ready", "status": "True"}],
                         "addresses": [{"type": "InternalIP", "address": "192.0.2.1"},
                                       {"type": "Hostname", "address": "a"}]}},
             {"status": {"conditions": [{"type": "Ready", "status": "False"}],
                         "addresses": [{"type": "InternalIP", "address": "192.0.2.2"}]}}]
    assert node_addresses(nodes) == ["192.0.2.1"]
    assert desired_ingress(service(kind="LoadBalancer"), ["192.0.2.1"]) == [{"ip": "192.0.2.1"}]
    assert desired_ingress(service(kind="NodePort"), ["192.0.2.1"]) is None
