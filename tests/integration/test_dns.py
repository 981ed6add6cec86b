# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Cluster DNS against a real `kybernetes server`: the kube-dns Service it publishes,
CoreDNS's records for objects made with kubectl, and forwarding to a stand-in upstream
named in the server's --resolv-conf. The stand-in listens on port 53 of a random
127/8 address (resolv.conf has no port), so no query ever leaves the machine."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid

import pytest
from dnslib import QTYPE, RCODE, DNSRecord

from kybernetes.dns.static_server import StaticDNSServer
from tests.integration.conftest import Kubectl, Server
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the stand-in upstream needs port 53 (root)")

UPSTREAM = {"example.org": ["192.0.2.1"], "outside.test": ["192.0.2.7", "192.0.2.8"]}


@pytest.fixture(scope="module")
def upstream():
    for _ in range(5):
        address = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        try:
            server = StaticDNSServer(UPSTREAM, host=address, port=53).start()
        except OSError:
            continue
        yield server
        server.stop()
        return
    pytest.skip("no loopback address with a free port 53")


@pytest.fixture(scope="module")
def resolv_conf(tmp_path_factory, upstream):
    path = tmp_path_factory.mktemp("dns-resolv") / "resolv.conf"
    path.write_text(f"search example\nnameserver {upstream.host}\noptions ndots:1\n")
    return path


@pytest.fixture(scope="module")
def dns_cluster(tmp_path_factory, resolv_conf):
    # a simulated node: pods get addresses and readiness without containers
    server = Server(tmp_path_factory.mktemp("dns-cluster"),
                    ["--resolv-conf", str(resolv_conf), "--runtime", "fake"], command="server").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def k(dns_cluster, tmp_path_factory) -> Kubectl:
    return Kubectl(dns_cluster, tmp_path_factory.mktemp("dns-kubectl-cache"))


@pytest.fixture(scope="module")
def dns_port(k) -> int:
    """Where the in-process DNS listens, as its kube-dns EndpointSlice says."""
    def published():
        result = k.run("get", "endpointslices", "-n", "kube-system",
                       "-l", "endpointslice.kubernetes.io/managed-by=kybernetes-dns", "-o", "json")
        items = json.loads(result.stdout)["items"]
        return items[0] if items else None
    endpoint_slice = wait_for(published, timeout=60)
    assert endpoint_slice["endpoints"][0]["addresses"] == ["127.0.0.1"]
    ports = {p["name"]: p["port"] for p in endpoint_slice["ports"]}
    assert ports["dns"] == ports["dns-tcp"]
    return ports["dns"]


@pytest.fixture
def ns(k) -> str:
    name = f"dns-{uuid.uuid4().hex[:8]}"
    k.run("create", "namespace", name)
    yield name
    k.run("delete", "namespace", name, "--wait=false", check=False)


def query(port: int, name: str, qtype: str = "A", tcp: bool = False) -> DNSRecord:
    return DNSRecord.parse(DNSRecord.question(name, qtype).send("127.0.0.1", port, tcp=tcp, timeout=5))


def addresses(reply: DNSRecord) -> list[str]:
    return sorted(str(rr.rdata) for rr in reply.rr if rr.rtype in (QTYPE.A, QTYPE.AAAA))


def apply(k: Kubectl, obj: dict) -> None:
    k.run("apply", "-f", "-", input=json.dumps(obj))


def test_kube_dns_service_is_published_at_the_tenth_address(k, dns_port):
    svc = k.json("get", "svc", "kube-dns", "-n", "kube-system")
    assert svc["spec"]["clusterIP"] == "10.96.0.10"
    assert "selector" not in svc["spec"]
    assert svc["metadata"]["labels"]["k8s-app"] == "kube-dns"
    assert svc["metadata"]["labels"]["kubernetes.io/name"] == "CoreDNS"
    assert sorted((p["name"], p["port"], p["protocol"]) for p in svc["spec"]["ports"]) == [
        ("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")]
    # the DNS server answers for its own service
    reply = query(dns_port, "kube-dns.kube-system.svc.cluster.local")
    assert addresses(reply) == ["10.96.0.10"]
    assert addresses(query(dns_port, "kube-dns.kube-system.svc.cluster.local", tcp=True)) == ["10.96.0.10"]


def test_cluster_ip_service_a_and_srv(k, dns_port, ns):
    k.run("create", "service", "clusterip", "web", "--tcp=80:8080", "-n", ns)
    ip = k.json("get", "svc", "web", "-n", ns)["spec"]["clusterIP"]
    name = f"web.{ns}.svc.cluster.local"
    reply = wait_for(lambda: (r := query(dns_port, name)).rr and r)
    assert reply.header.rcode == RCODE.NOERROR and addresses(reply) == [ip]
    assert all(rr.ttl == 5 for rr in reply.rr)
    srv = query(dns_port, f"_80-8080._tcp.{name}", "SRV")
    assert [(rr.rdata.port, str(rr.rdata.target)) for rr in srv.rr] == [(80, name + ".")]
    reverse = query(dns_port, ".".join(reversed(ip.split("."))) + ".in-addr.arpa", "PTR")
    assert [str(rr.rdata) for rr in reverse.rr] == [name + "."]
    k.run("delete", "service", "web", "-n", ns)
    wait_for(lambda: query(dns_port, name).header.rcode == RCODE.NXDOMAIN)


def test_headless_service_endpoints_and_hostnames(k, dns_port, ns):
    apply(k, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": ns},
              "spec": {"clusterIP": "None", "ports": [{"name": "pg", "port": 5432}]}})
    apply(k, {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
              "metadata": {"name": "db-1", "namespace": ns,
                           "labels": {"kubernetes.io/service-name": "db"}},
              "addressType": "IPv4", "ports": [{"name": "pg", "port": 5432, "protocol": "TCP"}],
              "endpoints": [
                  {"addresses": ["10.244.5.1"], "hostname": "db-0", "conditions": {"ready": True}},
                  {"addresses": ["10.244.5.2"], "conditions": {"ready": True}},
                  {"addresses": ["10.244.5.3"], "hostname": "db-2", "conditions": {"ready": False}}]})
    name = f"db.{ns}.svc.cluster.local"
    reply = wait_for(lambda: (r := query(dns_port, name)).rr and r)
    assert addresses(reply) == ["10.244.5.1", "10.244.5.2"]
    assert addresses(query(dns_port, f"db-0.{name}")) == ["10.244.5.1"]
    assert query(dns_port, f"db-2.{name}").header.rcode == RCODE.NXDOMAIN
    srv = query(dns_port, f"_pg._tcp.{name}", "SRV")
    assert sorted(str(rr.rdata.target) for rr in srv.rr) == [
        f"10-244-5-2.{name}.", f"db-0.{name}."]
    assert sorted(str(rr.rdata) for rr in srv.ar if rr.rtype == QTYPE.A) == ["10.244.5.1", "10.244.5.2"]
    ptr = query(dns_port, "1.5.244.10.in-addr.arpa", "PTR")
    assert [str(rr.rdata) for rr in ptr.rr] == [f"db-0.{name}."]


def test_pod_hostname_and_subdomain_through_its_headless_service(k, dns_port, ns):
    """A pod with hostname and subdomain is named by the headless service of that name
    once it is ready: the EndpointSlice controller carries the hostname to DNS."""
    apply(k, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "sub", "namespace": ns},
              "spec": {"clusterIP": "None", "selector": {"app": "dns-sub"},
                       "ports": [{"name": "http", "port": 80}]}})
    apply(k, {"apiVersion": "v1", "kind": "Pod",
              "metadata": {"name": "web-0", "namespace": ns, "labels": {"app": "dns-sub"}},
              "spec": {"hostname": "web-0", "subdomain": "sub",
                       "containers": [{"name": "c", "image": "busybox"}]}})
    pod_ip = wait_for(lambda: k.json("get", "pod", "web-0", "-n", ns).get("status", {}).get("podIP"))
    name = f"web-0.sub.{ns}.svc.cluster.local"
    reply = wait_for(lambda: (r := query(dns_port, name)).rr and r)
    assert addresses(reply) == [pod_ip]
    assert addresses(query(dns_port, f"sub.{ns}.svc.cluster.local")) == [pod_ip]
    srv = query(dns_port, f"_http._tcp.sub.{ns}.svc.cluster.local", "SRV")
    assert [(str(rr.rdata.target), rr.rdata.port) for rr in srv.rr] == [(name + ".", 80)]


def test_external_name_and_unknown_names(k, dns_port, ns):
    k.run("create", "service", "externalname", "ext", "--external-name=outside.test", "-n", ns)
    name = f"ext.{ns}.svc.cluster.local"
    reply = wait_for(lambda: (r := query(dns_port, name)).rr and r)
    assert [(QTYPE[rr.rtype], str(rr.rdata)) for rr in reply.rr] == [
        ("CNAME", "outside.test."), ("A", "192.0.2.7"), ("A", "192.0.2.8")]
    missing = query(dns_port, f"nothing.{ns}.svc.cluster.local")
    assert missing.header.rcode == RCODE.NXDOMAIN
    assert [str(rr.rdata.mname) for rr in missing.auth] == ["ns.dns.cluster.local."]
    assert query(dns_port, f"{ns}.svc.cluster.local").header.rcode == RCODE.NOERROR
    pod = query(dns_port, f"10-244-7-7.{ns}.pod.cluster.local")
    assert addresses(pod) == ["10.244.7.7"]


def test_other_names_go_to_the_nodes_resolvers(dns_port, upstream):
    reply = query(dns_port, "example.org")
    assert addresses(reply) == ["192.0.2.1"]
    assert query(dns_port, "not-there.example").header.rcode == RCODE.NXDOMAIN
    assert ("example.org", "udp") in upstream.queries


def test_standalone_dns_command(dns_cluster, k, resolv_conf, tmp_path):
    log = open(tmp_path / "dns.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "kybernetes.cli.main", "dns", "--kubeconfig", str(dns_cluster.kubeconfig),
         "--bind-address", "127.0.0.1", "--port", "0", "--upstream-resolv", str(resolv_conf)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        def listening_port():
            text = (tmp_path / "dns.log").read_text()
            assert process.poll() is None, text
            marker = "listening on 127.0.0.1:"
            return int(text.split(marker, 1)[1].split()[0]) if marker in text else None
        port = wait_for(listening_port, timeout=60)
        reply = wait_for(lambda: (r := query(port, "kubernetes.default.svc.cluster.local")).rr and r)
        assert addresses(reply) == ["10.96.0.1"]
        assert addresses(query(port, "example.org", tcp=True)) == ["192.0.2.1"]
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_dns_command_rejects_a_missing_kubeconfig(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "dns", "--kubeconfig",
                             str(tmp_path / "nope"), "--port", "0"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "--kubeconfig" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr
