# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""/etc/hosts, /etc/resolv.conf and the hostname as upstream's kubelet writes them."""
from __future__ import annotations

from kybernetes.kubelet.hostfiles import (hosts_file, parse_resolv_conf, pod_hostname, resolv_conf,
                                          uts_hostname, write_in_place)

HOST_RESOLV = "# host\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n"


def make_pod(**spec) -> dict:
    return {"metadata": {"name": "web-0", "namespace": "shop", "uid": "u"}, "spec": spec}


def test_hosts_file_for_a_pod():
    text = hosts_file(make_pod(), ["10.244.0.7"], "cluster.local")
    assert text == ("# Kubernetes-managed hosts file.\n"
                    "127.0.0.1\tlocalhost\n"
                    "::1\tlocalhost ip6-localhost ip6-loopback\n"
                    "fe00::0\tip6-localnet\n"
                    "fe00::0\tip6-mcastprefix\n"
                    "fe00::1\tip6-allnodes\n"
                    "fe00::2\tip6-allrouters\n"
                    "10.244.0.7\tweb-0\n")


def test_hosts_file_with_subdomain_and_aliases():
    pod = make_pod(hostname="db", subdomain="backend",
                   hostAliases=[{"ip": "192.0.2.9", "hostnames": ["foo.local", "bar.local"]}])
    lines = hosts_file(pod, ["10.244.0.8"], "cluster.local").splitlines()
    assert lines[-3:] == ["10.244.0.8\tdb.backend.shop.svc.cluster.local\tdb",
                          "# Entries added by HostAliases.",
                          "192.0.2.9\tfoo.local\tbar.local"]


def test_hosts_file_of_a_host_network_pod_is_the_nodes():
    text = hosts_file(make_pod(hostNetwork=True), [], "cluster.local", host_hosts="127.0.0.1 localhost\n")
    assert text == "# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n"


def test_hostname_rules():
    assert pod_hostname(make_pod(), "cluster.local") == ("web-0", "")
    assert pod_hostname(make_pod(hostname="h", subdomain="s"), "c.l") == ("h", "s.shop.svc.c.l")
    assert uts_hostname(make_pod(hostname="h", subdomain="s", setHostnameAsFQDN=True), "c.l") == \
        "h.s.shop.svc.c.l"
    long = {"metadata": {"name": "a" * 62 + "-b", "namespace": "n"}, "spec": {}}
    assert pod_hostname(long, "c.l")[0] == "a" * 62  # cut to 63, trailing '-' dropped


def test_resolv_conf_cluster_first():
    text = resolv_conf(make_pod(), ["10.96.0.10"], "cluster.local", host_resolv=HOST_RESOLV)
    assert text == ("search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
                    "nameserver 10.96.0.10\n"
                    "options ndots:5\n")


def test_resolv_conf_policies():
    assert resolv_conf(make_pod(dnsPolicy="Default"), ["10.96.0.10"], "cluster.local",
                       host_resolv=HOST_RESOLV) == ("search corp.example\nnameserver 192.0.2.53\n"
                                                    "options edns0\n")
    # a host-network pod with ClusterFirst uses the node's resolver
    assert "192.0.2.53" in resolv_conf(make_pod(hostNetwork=True), ["10.96.0.10"], "cluster.local",
                                       host_resolv=HOST_RESOLV)
    assert "10.96.0.10" in resolv_conf(make_pod(hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet"),
                                       ["10.96.0.10"], "cluster.local", host_resolv=HOST_RESOLV)
    none = make_pod(dnsPolicy="None", dnsConfig={
        "nameservers": ["1.1.1.1"], "searches": ["a.example"],
        "options": [{"name": "ndots", "value": "2"}, {"name": "single-request"}]})
    assert resolv_conf(none, ["10.96.0.10"], "cluster.local", host_resolv=HOST_RESOLV) == \
        "search a.example\nnameserver 1.1.1.1\noptions ndots:2 single-request\n"


def test_dns_config_merges_into_cluster_first():
    pod = make_pod(dnsConfig={"nameservers": ["1.1.1.1"], "options": [{"name": "ndots", "value": "1"}]})
    text = resolv_conf(pod, ["10.96.0.10"], "cluster.local", host_resolv="")
    assert "nameserver 10.96.0.10\nnameserver 1.1.1.1\n" in text
    assert text.endswith("options ndots:1\n")


def test_parse_resolv_conf():
    assert parse_resolv_conf(HOST_RESOLV) == (["192.0.2.53"], ["corp.example"], ["edns0"])


def test_write_in_place_keeps_the_inode(tmp_path):
    path = tmp_path / "hosts"
    write_in_place(path, "one\n")
    inode = path.stat().st_ino
    write_in_place(path, "two\n")
    assert path.read_text() == "two\n" and path.stat().st_ino == inode
