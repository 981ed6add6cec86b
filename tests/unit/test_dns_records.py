# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The DNS answer function on hand-built Services and EndpointSlices."""
from __future__ import annotations

from dnslib import QTYPE, RCODE

from kybernetes.dns.records import TTL, answer, reverse_name_ip
from kybernetes.dns.view import ClusterView


def service(name, ns="default", cluster_ip="10.96.0.20", ports=(("http", 80, "TCP"),), **spec):
    body = {"clusterIP": cluster_ip, "ports": [{"name": n, "port": p, "protocol": proto}
                                              for n, p, proto in ports]}
    if cluster_ip and cluster_ip != "None":
        body["clusterIPs"] = [cluster_ip]
    body.update(spec)
    return {"metadata": {"name": name, "namespace": ns}, "spec": body}


def endpoint_slice(svc, endpoints, ns="default", ports=(("http", 8080, "TCP"),), name=None,
                   address_type="IPv4"):
    return {"metadata": {"name": name or f"{svc}-abc", "namespace": ns,
                         "labels": {"kubernetes.io/service-name": svc}},
            "addressType": address_type,
            "ports": [{"name": n, "port": p, "protocol": proto} for n, p, proto in ports],
            "endpoints": [dict(addresses=[ip], conditions={"ready": ready},
                               **({"hostname": host} if host else {}))
                          for ip, ready, host in endpoints]}


def view():
    services = [
        service("web", ports=(("http", 80, "TCP"), ("dns", 53, "UDP"), ("", 9000, "TCP"))),
        service("db", cluster_ip="None", ports=(("pg", 5432, "TCP"),)),
        service("late", cluster_ip="None", publishNotReadyAddresses=True),
        service("ext", cluster_ip="", type="ExternalName", externalName="example.org"),
        service("alias", cluster_ip="", type="ExternalName", externalName="web.default.svc.cluster.local"),
        service("v6", cluster_ip="fd00::10"),
    ]
    slices = [
        endpoint_slice("web", [("10.244.0.5", True, "")]),
        endpoint_slice("db", [("10.244.0.7", True, "db-0"), ("10.244.0.8", True, ""),
                              ("10.244.0.9", False, "db-2")], ports=(("pg", 5432, "TCP"),)),
        endpoint_slice("late", [("10.244.1.1", False, "")]),
    ]
    return ClusterView(services, slices, ["default", "kube-system", "empty"], serial=42)


def rdata(result, rtype=None):
    return sorted(str(rr.rdata) for rr in result.answer if rtype is None or rr.rtype == rtype)


def test_cluster_ip_service_a_record():
    result = answer("web.default.svc.cluster.local.", QTYPE.A, view())
    assert result.rcode == RCODE.NOERROR
    assert rdata(result) == ["10.96.0.20"]
    assert all(rr.ttl == TTL == 5 for rr in result.answer)
    assert str(result.answer[0].rname) == "web.default.svc.cluster.local."


def test_names_are_case_insensitive_and_keep_the_askers_case():
    result = answer("WEB.Default.SVC.cluster.LOCAL.", QTYPE.A, view())
    assert rdata(result) == ["10.96.0.20"]
    assert str(result.answer[0].rname) == "WEB.Default.SVC.cluster.LOCAL."


def test_aaaa_for_ipv4_service_is_nodata_with_soa():
    result = answer("web.default.svc.cluster.local", QTYPE.AAAA, view())
    assert result.rcode == RCODE.NOERROR and not result.answer
    assert [rr.rtype for rr in result.authority] == [QTYPE.SOA]


def test_ipv6_service_answers_aaaa():
    assert rdata(answer("v6.default.svc.cluster.local", QTYPE.AAAA, view())) == ["fd00::10"]
    assert answer("v6.default.svc.cluster.local", QTYPE.A, view()).answer == []


def test_unknown_service_is_nxdomain_with_coredns_soa():
    result = answer("nope.default.svc.cluster.local", QTYPE.A, view())
    assert result.rcode == RCODE.NXDOMAIN
    (soa,) = result.authority
    assert str(soa.rname) == "cluster.local."
    assert str(soa.rdata.mname) == "ns.dns.cluster.local."
    assert str(soa.rdata.rname) == "hostmaster.cluster.local."
    assert soa.rdata.times[0] == 42


def test_namespace_and_zone_names_exist_without_records():
    for name in ("default.svc.cluster.local", "empty.svc.cluster.local", "svc.cluster.local",
                 "cluster.local"):
        result = answer(name, QTYPE.A, view())
        assert result.rcode == RCODE.NOERROR and result.answer == [], name
    assert answer("missing.svc.cluster.local", QTYPE.A, view()).rcode == RCODE.NXDOMAIN
    assert answer("foo.cluster.local", QTYPE.A, view()).rcode == RCODE.NXDOMAIN
    assert answer("cluster.local", QTYPE.SOA, view()).answer[0].rtype == QTYPE.SOA


def test_headless_service_answers_ready_endpoints_only():
    assert rdata(answer("db.default.svc.cluster.local", QTYPE.A, view())) == ["10.244.0.7", "10.244.0.8"]


def test_publish_not_ready_addresses_includes_not_ready_endpoints():
    assert rdata(answer("late.default.svc.cluster.local", QTYPE.A, view())) == ["10.244.1.1"]


def test_headless_service_without_ready_endpoints_is_nodata():
    empty = ClusterView([service("db", cluster_ip="None")], [endpoint_slice("db", [("10.0.0.1", False, "")])])
    result = answer("db.default.svc.cluster.local", QTYPE.A, empty)
    assert result.rcode == RCODE.NOERROR and result.answer == [] and result.authority


def test_srv_for_named_port_of_cluster_ip_service():
    result = answer("_http._tcp.web.default.svc.cluster.local", QTYPE.SRV, view())
    (srv,) = result.answer
    assert (srv.rdata.priority, srv.rdata.weight, srv.rdata.port) == (0, 100, 80)
    assert str(srv.rdata.target) == "web.default.svc.cluster.local."
    assert [str(rr.rdata) for rr in result.additional] == ["10.96.0.20"]
    udp = answer("_dns._udp.web.default.svc.cluster.local", QTYPE.SRV, view())
    assert [rr.rdata.port for rr in udp.answer] == [53]


def test_srv_for_wrong_protocol_or_unknown_port_is_nxdomain():
    assert answer("_http._udp.web.default.svc.cluster.local", QTYPE.SRV, view()).rcode == RCODE.NXDOMAIN
    assert answer("_nope._tcp.web.default.svc.cluster.local", QTYPE.SRV, view()).rcode == RCODE.NXDOMAIN


def test_srv_name_asked_for_a_is_nodata():
    result = answer("_http._tcp.web.default.svc.cluster.local", QTYPE.A, view())
    assert result.rcode == RCODE.NOERROR and result.answer == [] and result.authority


def test_srv_of_headless_service_names_each_endpoint():
    result = answer("_pg._tcp.db.default.svc.cluster.local", QTYPE.SRV, view())
    targets = sorted((str(rr.rdata.target), rr.rdata.port, rr.rdata.weight) for rr in result.answer)
    assert targets == [("10-244-0-8.db.default.svc.cluster.local.", 5432, 50),
                       ("db-0.db.default.svc.cluster.local.", 5432, 50)]
    assert sorted(str(rr.rdata) for rr in result.additional) == ["10.244.0.7", "10.244.0.8"]


def test_srv_on_the_service_name_lists_every_port():
    result = answer("web.default.svc.cluster.local", QTYPE.SRV, view())
    assert sorted(rr.rdata.port for rr in result.answer) == [53, 80, 9000]


def test_endpoint_hostname_and_dashed_ip_names():
    assert rdata(answer("db-0.db.default.svc.cluster.local", QTYPE.A, view())) == ["10.244.0.7"]
    assert rdata(answer("10-244-0-8.db.default.svc.cluster.local", QTYPE.A, view())) == ["10.244.0.8"]
    # db-2 is not ready: its name is not published
    assert answer("db-2.db.default.svc.cluster.local", QTYPE.A, view()).rcode == RCODE.NXDOMAIN


def test_pod_records_in_insecure_mode():
    assert rdata(answer("10-244-3-4.default.pod.cluster.local", QTYPE.A, view())) == ["10.244.3.4"]
    assert rdata(answer("fd00--1.any.pod.cluster.local", QTYPE.AAAA, view())) == ["fd00::1"]
    assert answer("not-an-ip.default.pod.cluster.local", QTYPE.A, view()).rcode == RCODE.NXDOMAIN
    nodata = answer("10-244-3-4.default.pod.cluster.local", QTYPE.AAAA, view())
    assert nodata.rcode == RCODE.NOERROR and nodata.answer == []


def test_external_name_is_a_cname_resolved_upstream():
    result = answer("ext.default.svc.cluster.local", QTYPE.A, view())
    assert [(rr.rtype, str(rr.rdata)) for rr in result.answer] == [(QTYPE.CNAME, "example.org.")]
    assert result.external_target == "example.org"
    only_cname = answer("ext.default.svc.cluster.local", QTYPE.CNAME, view())
    assert only_cname.external_target == "" and len(only_cname.answer) == 1


def test_external_name_inside_the_cluster_is_chased():
    result = answer("alias.default.svc.cluster.local", QTYPE.A, view())
    assert [(rr.rtype, str(rr.rdata)) for rr in result.answer] == [
        (QTYPE.CNAME, "web.default.svc.cluster.local."), (QTYPE.A, "10.96.0.20")]
    assert result.external_target == ""


def test_external_name_loop_is_servfail():
    loop = ClusterView([service("a", cluster_ip="", type="ExternalName", externalName="b.default.svc.cluster.local"),
                        service("b", cluster_ip="", type="ExternalName", externalName="a.default.svc.cluster.local")])
    assert answer("a.default.svc.cluster.local", QTYPE.A, loop).rcode == RCODE.SERVFAIL


def test_ptr_for_service_and_endpoint_addresses():
    svc = answer("20.0.96.10.in-addr.arpa.", QTYPE.PTR, view())
    assert rdata(svc) == ["web.default.svc.cluster.local."]
    ep = answer("7.0.244.10.in-addr.arpa", QTYPE.PTR, view())
    assert rdata(ep) == ["db-0.db.default.svc.cluster.local."]
    dashed = answer("5.0.244.10.in-addr.arpa", QTYPE.PTR, view())
    assert rdata(dashed) == ["10-244-0-5.web.default.svc.cluster.local."]


def test_unknown_reverse_and_outside_names_fall_through_to_upstream():
    assert answer("9.9.9.9.in-addr.arpa", QTYPE.PTR, view()) is None
    assert answer("example.com.", QTYPE.A, view()) is None
    assert answer("notcluster.local", QTYPE.A, view()) is None


def test_reverse_names():
    assert reverse_name_ip("4.3.2.1.in-addr.arpa") == "1.2.3.4"
    assert reverse_name_ip("1.2.3.in-addr.arpa") is None
    nibbles = ".".join(reversed("fd00" + "0" * 26 + "10"))
    assert reverse_name_ip(nibbles + ".ip6.arpa") == "fd00::10"
    assert rdata(answer(nibbles + ".ip6.arpa", QTYPE.PTR, view())) == ["v6.default.svc.cluster.local."]


def test_other_cluster_domain():
    other = ClusterView([service("web")])
    assert rdata(answer("web.default.svc.example.internal", QTYPE.A, other,
                        domain="example.internal")) == ["10.96.0.20"]
    assert answer("web.default.svc.cluster.local", QTYPE.A, other, domain="example.internal") is None


def test_slices_of_one_service_are_merged_and_deduplicated():
    merged = ClusterView([service("db", cluster_ip="None")], [
        endpoint_slice("db", [("10.0.0.1", True, "")], name="db-1"),
        endpoint_slice("db", [("10.0.0.1", True, ""), ("10.0.0.2", True, "")], name="db-2")])
    assert rdata(answer("db.default.svc.cluster.local", QTYPE.A, merged)) == ["10.0.0.1", "10.0.0.2"]


def test_dns_version_record():
    result = answer("dns-version.cluster.local", QTYPE.TXT, view())
    assert [str(rr.rdata) for rr in result.answer] == ['"1.1.0"']
