# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NetworkPolicy -> iptables rules, pure: the upstream documentation's examples and the
semantics around them (isolation, additivity, peers, ports, named ports, ipBlock)."""
from __future__ import annotations

import re

from kybernetes.netpol.model import ip_block_networks, pod_endpoint
from kybernetes.netpol.rules import (EGRESS_PREFIX, FORWARD_CHAIN, INGRESS_PREFIX, desired_chains,
                                     drifted, own_chains_in_save, restore_text)

NODE = "node-a"


def pod(name, namespace="default", labels=None, ip="10.244.0.2", node=NODE, ports=(),
        phase="Running", host_network=False):
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "spec": {"nodeName": node, "hostNetwork": host_network,
                     "containers": [{"name": "c", "ports": [dict(p) for p in ports]}]},
            "status": {"phase": phase, "podIP": ip, "podIPs": [{"ip": ip}] if ip else []}}


def namespace(name, labels=None):
    return {"metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name, **(labels or {})}}}


def policy(name, namespace="default", pod_selector=None, ingress=None, egress=None, types=None):
    spec = {"podSelector": pod_selector or {}}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    if types is not None:
        spec["policyTypes"] = types
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


NAMESPACES = [namespace("default"), namespace("a", {"team": "x"}), namespace("b", {"team": "y"})]


def chains_for(policies, pods, namespaces=NAMESPACES, node=NODE):
    return desired_chains(policies, pods, namespaces, node)


def chain_of(chains, prefix, address):
    """The per-pod chain FORWARD_CHAIN jumps to for `address` (-s for egress, -d ingress)."""
    flag = "-s" if prefix == EGRESS_PREFIX else "-d"
    for rule in chains[FORWARD_CHAIN]:
        found = re.search(rf"{flag} {re.escape(address)}/32 -j ({prefix}\S+)$", rule)
        if found:
            return found.group(1)
    return None


def allowed(chains, direction, pod_ip, peer_ip, protocol="tcp", port=80):
    """Evaluate the generated rules for one NEW packet, as the kernel would: the pod's
    chain is walked top down; RETURN means allowed, DROP denied; no chain: not isolated."""
    prefix = INGRESS_PREFIX if direction == "ingress" else EGRESS_PREFIX
    chain = chain_of(chains, prefix, pod_ip)
    if chain is None:
        return True
    flag = "-s" if direction == "ingress" else "-d"
    import ipaddress
    for rule in chains[chain]:
        if rule.endswith("-j DROP"):
            return False
        address = re.search(rf"{flag} (\S+)", rule)
        if address and ipaddress.ip_address(peer_ip) not in ipaddress.ip_network(address.group(1)):
            continue
        proto = re.search(r"-p (\w+)", rule)
        if proto and proto.group(1) != protocol:
            continue
        single = re.search(r"--dport (\S+)", rule)
        many = re.search(r"--dports (\S+)", rule)
        if single and not _in_range(port, single.group(1)):
            continue
        if many and not any(_in_range(port, item) for item in many.group(1).split(",")):
            continue
        return True
    raise AssertionError(f"{chain} has no final DROP")


def _in_range(port, item):
    first, _, last = item.partition(":")
    return int(first) <= port <= int(last or first)


DB = pod("db", "a", {"app": "db"}, "10.244.0.10", ports=[{"name": "http", "containerPort": 80}])
FRONT_A = pod("front-a", "a", {"role": "frontend"}, "10.244.0.11")
OTHER_A = pod("other-a", "a", {"role": "other"}, "10.244.0.12")
FRONT_B = pod("front-b", "b", {"role": "frontend"}, "10.244.0.13")
PODS = [DB, FRONT_A, OTHER_A, FRONT_B]


def test_no_policy_writes_nothing():
    assert chains_for([], PODS) == {}
    assert restore_text({}, {}) == ""


def test_policy_selecting_no_local_pod_writes_nothing():
    remote_db = pod("db", "a", {"app": "db"}, "10.244.1.10", node="node-b")
    assert chains_for([policy("deny", "a", {"matchLabels": {"app": "db"}}, types=["Ingress"])],
                      [remote_db, FRONT_A]) == {}


def test_default_deny_ingress_isolates_every_pod_in_its_namespace_only():
    chains = chains_for([policy("default-deny-ingress", "a", types=["Ingress"])], PODS)
    for target in (DB, FRONT_A, OTHER_A):
        ip = target["status"]["podIP"]
        assert not allowed(chains, "ingress", ip, "10.244.0.13")
        assert chain_of(chains, EGRESS_PREFIX, ip) is None  # egress untouched
    assert allowed(chains, "ingress", "10.244.0.13", "10.244.0.11")  # namespace b not isolated
    assert "RELATED,ESTABLISHED -j RETURN" in chains[FORWARD_CHAIN][0]  # replies first


def test_allow_all_ingress_beside_deny_all_is_additive():
    chains = chains_for([policy("deny", "a", types=["Ingress"]),
                         policy("allow-all", "a", ingress=[{}])], PODS)
    assert allowed(chains, "ingress", "10.244.0.10", "192.0.2.7", port=1234)


def test_allow_from_pods_with_role_frontend_on_port_6379():
    redis = pod("redis", "default", {"role": "db"}, "10.244.0.20")
    front = pod("front", "default", {"role": "frontend"}, "10.244.0.21")
    back = pod("back", "default", {"role": "backend"}, "10.244.0.22")
    chains = chains_for([policy("test-network-policy", "default", {"matchLabels": {"role": "db"}},
                                ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}],
                                          "ports": [{"protocol": "TCP", "port": 6379}]}])],
                        [redis, front, back])
    assert allowed(chains, "ingress", "10.244.0.20", "10.244.0.21", port=6379)
    assert not allowed(chains, "ingress", "10.244.0.20", "10.244.0.21", port=80)
    assert not allowed(chains, "ingress", "10.244.0.20", "10.244.0.21", "udp", 6379)
    assert not allowed(chains, "ingress", "10.244.0.20", "10.244.0.22", port=6379)
    chain = chain_of(chains, INGRESS_PREFIX, "10.244.0.20")
    assert any("-s 10.244.0.21/32 -p tcp -m tcp --dport 6379 -j RETURN" in r for r in chains[chain])


def test_allow_from_namespace_by_label():
    chains = chains_for([policy("from-team-x", "a", {"matchLabels": {"app": "db"}},
                                ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "x"}}}]}])],
                        PODS)
    assert allowed(chains, "ingress", "10.244.0.10", "10.244.0.11")
    assert allowed(chains, "ingress", "10.244.0.10", "10.244.0.12")
    assert not allowed(chains, "ingress", "10.244.0.10", "10.244.0.13")


def test_pod_and_namespace_selector_in_one_peer_is_an_and_two_peers_an_or():
    both = chains_for([policy("and", "a", {"matchLabels": {"app": "db"}}, ingress=[{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "y"}},
         "podSelector": {"matchLabels": {"role": "frontend"}}}]}])], PODS)
    assert allowed(both, "ingress", "10.244.0.10", "10.244.0.13")
    assert not allowed(both, "ingress", "10.244.0.10", "10.244.0.11")  # frontend, wrong namespace
    either = chains_for([policy("or", "a", {"matchLabels": {"app": "db"}}, ingress=[{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "y"}}},
        {"podSelector": {"matchLabels": {"role": "frontend"}}}]}])], PODS)
    assert allowed(either, "ingress", "10.244.0.10", "10.244.0.13")
    assert allowed(either, "ingress", "10.244.0.10", "10.244.0.11")
    assert not allowed(either, "ingress", "10.244.0.10", "10.244.0.12")


def test_empty_namespace_selector_means_every_namespace():
    chains = chains_for([policy("all-ns", "a", {"matchLabels": {"app": "db"}}, ingress=[{"from": [
        {"namespaceSelector": {}, "podSelector": {"matchExpressions": [
            {"key": "role", "operator": "In", "values": ["frontend"]}]}}]}])], PODS)
    assert allowed(chains, "ingress", "10.244.0.10", "10.244.0.11")
    assert allowed(chains, "ingress", "10.244.0.10", "10.244.0.13")
    assert not allowed(chains, "ingress", "10.244.0.10", "10.244.0.12")


def test_egress_to_ip_block_except_a_slash_24():
    chains = chains_for([policy("egress-block", "a", {"matchLabels": {"role": "frontend"}}, egress=[
        {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.2.0/24"]}}],
         "ports": [{"protocol": "TCP", "port": 5978}]}], types=["Egress"])], PODS)
    assert allowed(chains, "egress", "10.244.0.11", "10.1.3.4", port=5978)
    assert allowed(chains, "egress", "10.244.0.11", "10.0.0.1", port=5978)
    assert not allowed(chains, "egress", "10.244.0.11", "10.1.2.9", port=5978)
    assert not allowed(chains, "egress", "10.244.0.11", "10.1.3.4", port=80)
    assert not allowed(chains, "egress", "10.244.0.11", "192.168.1.1", port=5978)
    assert chain_of(chains, INGRESS_PREFIX, "10.244.0.11") is None


def test_ip_block_except_expansion_covers_exactly_the_rest():
    import ipaddress
    networks = ip_block_networks({"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24", "172.17.1.128/25"]})
    total = sum(n.num_addresses for n in networks)
    assert total == 65536 - 256
    assert not any(ipaddress.ip_address("172.17.1.5") in n for n in networks)
    assert any(ipaddress.ip_address("172.17.2.5") in n for n in networks)
    assert ip_block_networks({"cidr": "10.0.0.0/24"}) == [ipaddress.ip_network("10.0.0.0/24")]


def test_upstream_example_policy_both_directions():
    db = pod("db", "default", {"role": "db"}, "10.244.0.30")
    client = pod("client", "default", {"role": "frontend"}, "10.244.0.31")
    chains = chains_for([policy("test-network-policy", "default", {"matchLabels": {"role": "db"}},
                                types=["Ingress", "Egress"],
                                ingress=[{"from": [{"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                                                   {"namespaceSelector": {"matchLabels": {"project": "myproject"}}},
                                                   {"podSelector": {"matchLabels": {"role": "frontend"}}}],
                                          "ports": [{"protocol": "TCP", "port": 6379}]}],
                                egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                                         "ports": [{"protocol": "TCP", "port": 5978}]}])],
                        [db, client], NAMESPACES + [namespace("p", {"project": "myproject"})])
    assert allowed(chains, "ingress", "10.244.0.30", "172.17.2.1", port=6379)
    assert not allowed(chains, "ingress", "10.244.0.30", "172.17.1.1", port=6379)
    assert allowed(chains, "ingress", "10.244.0.30", "10.244.0.31", port=6379)
    assert allowed(chains, "egress", "10.244.0.30", "10.0.0.9", port=5978)
    assert not allowed(chains, "egress", "10.244.0.30", "10.244.0.31", port=5978)


def test_named_ingress_port_resolves_on_the_policed_pod():
    web1 = pod("web1", "a", {"app": "web"}, "10.244.0.40", ports=[{"name": "http", "containerPort": 8080}])
    web2 = pod("web2", "a", {"app": "web"}, "10.244.0.41", ports=[{"name": "http", "containerPort": 9090}])
    bare = pod("bare", "a", {"app": "web"}, "10.244.0.42")
    chains = chains_for([policy("named", "a", {"matchLabels": {"app": "web"}},
                                ingress=[{"ports": [{"port": "http", "protocol": "TCP"}]}])],
                        [web1, web2, bare])
    assert allowed(chains, "ingress", "10.244.0.40", "1.2.3.4", port=8080)
    assert not allowed(chains, "ingress", "10.244.0.40", "1.2.3.4", port=9090)
    assert allowed(chains, "ingress", "10.244.0.41", "1.2.3.4", port=9090)
    # no port of that name: the rule admits nothing, the pod is still isolated
    assert not allowed(chains, "ingress", "10.244.0.42", "1.2.3.4", port=8080)


def test_named_egress_port_resolves_on_each_destination_pod():
    dns1 = pod("dns1", "b", {"k8s-app": "dns"}, "10.244.0.50",
               ports=[{"name": "dns", "containerPort": 53, "protocol": "UDP"}])
    dns2 = pod("dns2", "b", {"k8s-app": "dns"}, "10.244.1.51", node="node-b",
               ports=[{"name": "dns", "containerPort": 5353, "protocol": "UDP"}])
    client = pod("client", "a", {"app": "c"}, "10.244.0.52")
    chains = chains_for([policy("dns-only", "a", {}, types=["Egress"], egress=[
        {"to": [{"namespaceSelector": {"matchLabels": {"team": "y"}}}],
         "ports": [{"port": "dns", "protocol": "UDP"}]}])], [dns1, dns2, client])
    assert allowed(chains, "egress", "10.244.0.52", "10.244.0.50", "udp", 53)
    assert allowed(chains, "egress", "10.244.0.52", "10.244.1.51", "udp", 5353)
    assert not allowed(chains, "egress", "10.244.0.52", "10.244.1.51", "udp", 53)
    assert not allowed(chains, "egress", "10.244.0.52", "10.244.0.50", "tcp", 53)


def test_end_port_range_and_protocol_only_ports():
    chains = chains_for([policy("range", "a", {"matchLabels": {"app": "db"}}, ingress=[{"ports": [
        {"protocol": "TCP", "port": 32000, "endPort": 32768}, {"protocol": "UDP"}]}])], PODS)
    chain = chain_of(chains, INGRESS_PREFIX, "10.244.0.10")
    assert any("-p tcp -m tcp --dport 32000:32768 -j RETURN" in r for r in chains[chain])
    assert allowed(chains, "ingress", "10.244.0.10", "1.1.1.1", port=32500)
    assert not allowed(chains, "ingress", "10.244.0.10", "1.1.1.1", port=31999)
    assert allowed(chains, "ingress", "10.244.0.10", "1.1.1.1", "udp", 9999)


def test_many_ports_split_into_multiport_rules_of_fifteen_slots():
    ports = [{"protocol": "TCP", "port": 1000 + i} for i in range(20)] + \
        [{"protocol": "TCP", "port": 3000, "endPort": 3010}]
    chains = chains_for([policy("ports", "a", {"matchLabels": {"app": "db"}}, ingress=[{"ports": ports}])], PODS)
    rules = [r for r in chains[chain_of(chains, INGRESS_PREFIX, "10.244.0.10")] if "--dports" in r]
    assert len(rules) == 2
    for rule in rules:
        items = re.search(r"--dports (\S+)", rule).group(1).split(",")
        assert sum(2 if ":" in i else 1 for i in items) <= 15
    for port in (1000, 1019, 3005):
        assert allowed(chains, "ingress", "10.244.0.10", "1.1.1.1", port=port)


def test_default_deny_egress_and_both_types():
    chains = chains_for([policy("deny-all", "a", types=["Ingress", "Egress"])], PODS)
    assert not allowed(chains, "egress", "10.244.0.11", "8.8.8.8", "udp", 53)
    assert not allowed(chains, "ingress", "10.244.0.11", "10.244.0.13")
    # egress jumps come before ingress jumps, the replies rule before both
    rules = chains[FORWARD_CHAIN]
    first_ingress = next(i for i, r in enumerate(rules) if INGRESS_PREFIX in r)
    assert all(EGRESS_PREFIX not in r for r in rules[first_ingress:])


def test_egress_rules_without_policy_types_default_to_both():
    chains = chains_for([policy("eg", "a", {"matchLabels": {"role": "frontend"}},
                                egress=[{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}])], PODS)
    assert allowed(chains, "egress", "10.244.0.11", "10.244.0.10", port=5432)
    assert not allowed(chains, "egress", "10.244.0.11", "10.244.0.12")
    assert not allowed(chains, "ingress", "10.244.0.11", "10.244.0.12")  # Ingress defaulted too


def test_ingress_only_policy_with_egress_list_ignores_it():
    chains = chains_for([policy("ing", "a", {"matchLabels": {"app": "db"}}, types=["Ingress"],
                                egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}])], PODS)
    assert chain_of(chains, EGRESS_PREFIX, "10.244.0.10") is None


def test_pods_without_address_host_network_or_finished_are_skipped():
    assert pod_endpoint(pod("p", ip="")) is None
    assert pod_endpoint(pod("p", host_network=True)) is None
    assert pod_endpoint(pod("p", phase="Succeeded")) is None
    assert pod_endpoint(pod("p", ip="fd00::1")) is None
    done = pod("done", "a", {"role": "frontend"}, "10.244.0.11", phase="Failed")
    chains = chains_for([policy("x", "a", {"matchLabels": {"app": "db"}}, ingress=[
        {"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}])], [DB, done])
    assert not allowed(chains, "ingress", "10.244.0.10", "10.244.0.11")


def test_selector_matching_no_pods_admits_nobody():
    chains = chains_for([policy("x", "a", {"matchLabels": {"app": "db"}}, ingress=[
        {"from": [{"podSelector": {"matchLabels": {"role": "ghost"}}}]}])], PODS)
    chain = chain_of(chains, INGRESS_PREFIX, "10.244.0.10")
    assert chains[chain] == [chains[chain][-1]] and chains[chain][-1].endswith("-j DROP")


def test_remote_pods_are_peers_but_get_no_chains():
    remote = pod("front-remote", "a", {"role": "frontend"}, "10.244.1.7", node="node-b")
    chains = chains_for([policy("deny", "a", types=["Ingress"]),
                         policy("allow", "a", {"matchLabels": {"app": "db"}}, ingress=[
                             {"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}])],
                        PODS + [remote])
    assert allowed(chains, "ingress", "10.244.0.10", "10.244.1.7")
    assert chain_of(chains, INGRESS_PREFIX, "10.244.1.7") is None


def test_restore_text_is_incremental_and_deletes_stale_chains():
    first = chains_for([policy("deny", "a", types=["Ingress"])], PODS)
    full = restore_text(first, None)
    assert full.startswith("*filter\n") and full.endswith("COMMIT\n")
    assert restore_text(first, first) == ""
    # one more pod isolated: only it and the dispatch chain are rewritten
    extra = pod("new", "a", {}, "10.244.0.14")
    second = chains_for([policy("deny", "a", types=["Ingress"])], PODS + [extra])
    text = restore_text(second, first)
    declared = [line[1:].split()[0] for line in text.splitlines() if line.startswith(":")]
    assert sorted(declared) == sorted([FORWARD_CHAIN, chain_of(second, INGRESS_PREFIX, "10.244.0.14")])
    # back to the first: the extra pod's chain is flushed and deleted
    text = restore_text(first, second)
    stale = chain_of(second, INGRESS_PREFIX, "10.244.0.14")
    assert f"-X {stale}" in text and f":{stale} - [0:0]" in text
    # nothing wanted: every chain, including ones an earlier run left, goes
    text = restore_text({}, None, {"KUBE-NWPLCY-I-LEFTOVER", "KUBE-SERVICES"})
    assert "-X KUBE-NWPLCY-I-LEFTOVER" in text and "KUBE-SERVICES" not in text


def test_drift_detection_reads_iptables_save():
    chains = chains_for([policy("deny", "a", types=["Ingress"])], PODS)
    save = "*filter\n:FORWARD ACCEPT [0:0]\n" + "".join(f":{c} - [0:0]\n" for c in chains) + \
        "".join(f"-A {c} {r}\n" for c, rules in chains.items() for r in rules) + "COMMIT\n"
    assert own_chains_in_save(save) == {c: len(r) for c, r in chains.items()}
    assert not drifted(chains, save)
    flushed = "\n".join(line for line in save.splitlines() if not line.startswith(f"-A {FORWARD_CHAIN}"))
    assert drifted(chains, flushed)


def test_chain_names_fit_iptables_limit_and_are_stable():
    chains = chains_for([policy("deny", "a", types=["Ingress", "Egress"])], PODS)
    assert all(len(name) <= 28 for name in chains)
    assert chains == chains_for([policy("deny", "a", types=["Ingress", "Egress"])], list(reversed(PODS)))
