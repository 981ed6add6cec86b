# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes certs` (expiration table, renewal keeping key, subject and SANs) and
`kybernetes init`'s pure helpers (server flags, endpoints, the systemd unit)."""
from __future__ import annotations

import argparse
import datetime
from pathlib import Path

import pytest
from cryptography import x509

from kybernetes.cli import bootstrap_certs, bootstrap_init
from kybernetes.cli.bootstrap import join_command, parse_ttl
from kybernetes.cli.errors import UsageError
from kybernetes.pki import certs, kubeconfig

@pytest.mark.parametrize("seconds,text", [(-5, "<invalid>"), (0, "0s"), (59, "59s"), (61, "1m"),
                                          (3 * 3600, "3h"), (47 * 3600, "47h"), (364 * 86400, "364d"),
                                          (3650 * 86400, "10y")])
def test_residual_time(seconds: int, text: str) -> None:
    assert bootstrap_certs.residual(datetime.timedelta(seconds=seconds)) == text


def _pki(tmp_path: Path) -> Path:
    pki = tmp_path / "pki"
    certs.ensure_pki(pki, (["localhost", "cp.example"], ["127.0.0.1", "10.0.0.9"]))
    ca = certs.load_pair(pki / "ca.crt", pki / "ca.key")
    kubeconfig.write_kubeconfig(tmp_path / "scheduler.conf", kubeconfig.kubeconfig_yaml(
        "https://cp.example:6443", ca.cert_pem, client=certs.new_client_cert(ca, "system:kube-scheduler", []),
        user_name="system:kube-scheduler"))
    return pki


def test_expiration_report_lists_leaves_kubeconfigs_and_cas(tmp_path) -> None:
    pki = _pki(tmp_path)
    report = bootstrap_certs.expiration_report(pki, tmp_path, datetime.datetime.now(datetime.timezone.utc))
    leaves, cas = report.split("\n\n")
    rows = {line.split()[0]: line.split() for line in leaves.splitlines()[1:]}
    assert set(rows) == {"apiserver", "apiserver-kubelet-client", "front-proxy-client", "scheduler.conf"}
    assert rows["front-proxy-client"][-2:] == ["front-proxy-ca", "no"]
    assert rows["scheduler.conf"][-3:] == ["364d", "ca", "no"]
    assert [line.split()[0] for line in cas.splitlines()[1:]] == ["ca", "front-proxy-ca"]
    (pki / "front-proxy-ca.key").unlink()
    cas = bootstrap_certs.expiration_report(pki, tmp_path, datetime.datetime.now(datetime.timezone.utc)).split("\n\n")[1]
    assert cas.splitlines()[2].split()[-1] == "yes"  # no key: externally managed


def test_renew_keeps_key_subject_and_sans(tmp_path) -> None:
    pki = _pki(tmp_path)
    entries = {e.name: e for e in bootstrap_certs.entries(pki, tmp_path)}
    before = (pki / "apiserver.crt").read_bytes()
    bootstrap_certs.renew(entries["apiserver"], pki)
    after = (pki / "apiserver.crt").read_bytes()
    old, new = x509.load_pem_x509_certificate(before), x509.load_pem_x509_certificate(after)
    assert new.serial_number != old.serial_number
    assert new.subject == old.subject and certs.cert_sans(after) == certs.cert_sans(before)
    assert new.public_key().public_numbers() == old.public_key().public_numbers()
    assert certs.is_signed_by(after, (pki / "ca.crt").read_bytes())
    conf_before = kubeconfig.load_kubeconfig(tmp_path / "scheduler.conf").client_cert_pem()
    bootstrap_certs.renew(entries["scheduler.conf"], pki)
    conf_after = kubeconfig.load_kubeconfig(tmp_path / "scheduler.conf").client_cert_pem()
    assert conf_after != conf_before and certs.is_signed_by(conf_after, (pki / "ca.crt").read_bytes())
    assert x509.load_pem_x509_certificate(conf_after).subject.rfc4514_string() == "CN=system:kube-scheduler"


def test_renew_needs_the_ca_key(tmp_path) -> None:
    pki = _pki(tmp_path)
    (pki / "front-proxy-ca.key").unlink()
    entry = next(e for e in bootstrap_certs.entries(pki, tmp_path) if e.name == "front-proxy-client")
    with pytest.raises(UsageError, match="externally managed"):
        bootstrap_certs.renew(entry, pki)


def test_ttl_and_join_command() -> None:
    assert parse_ttl("0") is None
    assert parse_ttl("24h") == datetime.timedelta(hours=24)
    ca = certs.new_ca()
    assert join_command("https://10.0.0.1:6443", "abcdef.0123456789abcdef", ca.cert_pem) == (
        f"kybernetes join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash "
        f"{certs.ca_hash(ca.cert_pem)}")


def _init_args(**overrides) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bootstrap_init.add_init_flags(parser)
    args = parser.parse_args([])
    for key, value in overrides.items():
        setattr(args, key, value)
    return args


def test_init_server_flags_and_endpoint() -> None:
    args = _init_args(control_plane_endpoint="cp.example:7443", pod_network_cidr="10.50.0.0/16",
                      pki_dir=Path("/x/pki"))
    argv = bootstrap_init.server_argv(args, "10.0.0.5")
    assert argv[:3] == ["server", "--data-dir", "/var/lib/kybernetes"]
    flags = dict(zip(argv[1::2], argv[2::2]))
    assert flags["--cluster-cidr"] == "10.50.0.0/16" and flags["--advertise-address"] == "10.0.0.5"
    assert flags["--tls-san"] == "cp.example" and flags["--cluster-signing-key-file"] == "/x/pki/ca.key"
    assert bootstrap_init.server_url(args, "10.0.0.5") == "https://cp.example:7443"
    assert bootstrap_init.server_url(_init_args(), "10.0.0.5") == "https://10.0.0.5:6443"
    assert bootstrap_init.split_endpoint("[fd00::1]:6443") == ("fd00::1", 6443)
    assert bootstrap_init.split_endpoint("cp.example") == ("cp.example", None)
    with pytest.raises(UsageError):
        bootstrap_init.split_endpoint("cp.example:https")
    unit = bootstrap_init.systemd_unit(argv)
    assert "ExecStart=" in unit and "--cluster-cidr 10.50.0.0/16" in unit and "WantedBy=multi-user.target" in unit


def test_preflight_errors_warnings_and_ignores(tmp_path) -> None:
    from kybernetes.cli import bootstrap_preflight as preflight
    swaps = tmp_path / "swaps"
    swaps.write_text("Filename\tType\tSize\tUsed\tPriority\n/swapfile file 1024 0 -2\n")
    forward = tmp_path / "ip_forward"
    forward.write_text("0\n")
    existing = tmp_path / "admin.conf"
    existing.write_text("x")
    checks = [preflight.swap_off(swaps), preflight.file_content(forward, "1"), preflight.file_available(existing),
              preflight.file_existing("definitely-not-a-binary-xyz")]
    with pytest.raises(UsageError) as error:
        preflight.run_preflight(checks, {"Swap"})
    text = str(error.value)
    assert "[ERROR Swap]" not in text
    assert f"[ERROR FileContent-{str(forward).replace('/', '-')}]: {forward} contents are not set to 1" in text
    assert f"[ERROR FileAvailable-{str(existing).replace('/', '-')}]: {existing} already exists" in text
    assert "[ERROR FileExisting-definitely-not-a-binary-xyz]" in text
    warnings = preflight.run_preflight(checks, {"all"})
    assert "\t[WARNING Swap]: running with swap on is not supported. Please disable swap" in warnings
    assert len(warnings) == 4
    swaps.write_text("Filename\tType\tSize\tUsed\tPriority\n")
    assert preflight.run_preflight([preflight.swap_off(swaps)], set()) == []
