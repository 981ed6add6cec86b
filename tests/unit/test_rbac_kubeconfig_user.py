# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes kubeconfig user NAME --group G`: the certificate names the user and groups
and is signed by the cluster CA."""
from __future__ import annotations

import base64

import pytest
import yaml
from cryptography import x509
from cryptography.x509.oid import NameOID

from kybernetes.cli.errors import UsageError
from kybernetes.cli.kubeconfig_user import user_kubeconfig
from kybernetes.cli.main import main
from kybernetes.pki import certs


def _pki(tmp_path):
    ca = certs.new_ca()
    certs.write_pair(ca, tmp_path / "pki" / "ca.crt", tmp_path / "pki" / "ca.key")
    return ca


def test_user_kubeconfig(tmp_path):
    ca = _pki(tmp_path)
    text = user_kubeconfig("bob", ["dev", "ops", "dev"], tmp_path / "pki", "https://127.0.0.1:6443",
                           namespace="team")
    config = yaml.safe_load(text)
    assert config["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:6443"
    assert config["users"][0]["name"] == "bob"
    assert config["contexts"][0]["context"] == {"cluster": "kybernetes", "user": "bob",
                                                "namespace": "team"}
    pem = base64.b64decode(config["users"][0]["user"]["client-certificate-data"])
    cert = x509.load_pem_x509_certificate(pem)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "bob"
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)] == ["dev", "ops"]
    assert certs.is_signed_by(pem, ca.cert_pem)


def test_missing_ca_is_a_clear_error(tmp_path):
    with pytest.raises(UsageError, match="has no ca.crt and ca.key"):
        user_kubeconfig("bob", [], tmp_path / "nowhere", "https://x")


def test_cli_reads_the_server_from_the_admin_kubeconfig(tmp_path, capsys):
    from kybernetes.pki import kubeconfig
    ca = _pki(tmp_path)
    kubeconfig.write_kubeconfig(tmp_path / "admin.kubeconfig", kubeconfig.kubeconfig_yaml(
        "https://10.0.0.1:7443", ca.cert_pem))
    assert main(["kubeconfig", "user", "system:node:n1", "--group", "system:nodes",
                 "--data-dir", str(tmp_path)]) == 0
    config = yaml.safe_load(capsys.readouterr().out)
    assert config["clusters"][0]["cluster"]["server"] == "https://10.0.0.1:7443"
    assert main(["kubeconfig", "user", "x", "--data-dir", str(tmp_path / "empty")]) == 2
    assert "pass --server URL" in capsys.readouterr().err
