# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet certificate manager's pure parts and its file store: the jittered 70-90%
deadline, the pem bundle, the -current symlink and the kubeconfig that names it; and
the controller manager's token refresh schedule (--use-service-account-credentials)."""
from __future__ import annotations

import datetime
import ssl

import pytest

from kybernetes.controllers import clientbuilder
from kybernetes.kubelet import certrotation
from kybernetes.pki import certs
from kybernetes.pki.kubeconfig import load_kubeconfig


@pytest.fixture(scope="module")
def ca():
    return certs.new_ca("test-ca")


def test_deadline_is_70_to_90_percent_of_the_lifetime():
    assert certrotation.rotation_deadline(1000, 2000, 0.0) == 1700
    assert certrotation.rotation_deadline(1000, 2000, 0.5) == 1800
    assert certrotation.rotation_deadline(1000, 2000, 0.999) == pytest.approx(1899.8)
    assert certrotation.rotation_deadline(2000, 1000, 0.5) == 2000  # nonsense times: at once


def test_pem_bundle_round_trip_and_store(tmp_path, ca):
    pair = certs.new_client_cert(ca, "system:node:n1", ["system:nodes"])
    with pytest.raises(ValueError):
        certrotation.split_pem(pair.cert_pem)
    store = certrotation.CertificateStore(tmp_path / "pki")
    assert store.load() is None
    first = store.update(pair.cert_pem, pair.key_pem, datetime.datetime(2026, 1, 2, 3, 4, 5))
    assert first.name == "kubelet-client-2026-01-02-03-04-05.pem"
    assert (first.stat().st_mode & 0o777) == 0o600
    assert store.current.is_symlink() and store.current.resolve() == first
    cert_pem, key_pem = store.load()
    assert cert_pem.strip() == pair.cert_pem.strip() and key_pem.strip() == pair.key_pem.strip()
    second_pair = certs.new_client_cert(ca, "system:node:n1", ["system:nodes"])
    second = store.update(second_pair.cert_pem, second_pair.key_pem, datetime.datetime(2026, 1, 2, 3, 4, 6))
    assert store.current.resolve() == second and first.exists()  # older files are kept, as upstream
    not_before, not_after, serial = certrotation.certificate_times(store.load()[0])
    assert serial == second_pair.certificate().serial_number and not_after > not_before


def test_kubeconfig_names_the_current_pem(tmp_path, ca):
    pair = certs.new_client_cert(ca, "system:node:n1", ["system:nodes"])
    kubeconfig = tmp_path / "kubelet.kubeconfig"
    current = certrotation.write_bootstrapped(kubeconfig, tmp_path / "pki", "https://10.0.0.1:6443",
                                              ca.cert_pem, pair.cert_pem, pair.key_pem)
    assert certrotation.rotating_pem_of(kubeconfig) == current
    config = load_kubeconfig(kubeconfig)
    assert config.server() == "https://10.0.0.1:6443" and config.ca_pem() == ca.cert_pem
    # one file holds both: ssl finds the certificate and the key in it
    context = certrotation.ssl_context_for(*certrotation.split_pem(config.client_cert_pem()), ca.cert_pem)
    assert isinstance(context, ssl.SSLContext)
    # an embedded certificate is moved into the store when rotation is turned on
    embedded = tmp_path / "embedded.kubeconfig"
    from kybernetes.pki.kubeconfig import kubeconfig_yaml, write_kubeconfig
    write_kubeconfig(embedded, kubeconfig_yaml("https://10.0.0.1:6443", ca.cert_pem, client=pair))
    assert certrotation.rotating_pem_of(embedded) is None
    adopted = certrotation.adopt_embedded(embedded, tmp_path / "pki2")
    assert adopted is not None and certrotation.rotating_pem_of(embedded) == adopted
    assert certrotation.split_pem(adopted.read_bytes())[0].strip() == pair.cert_pem.strip()


def test_rotation_request_is_a_self_node_client_csr():
    from kybernetes.cli.bootstrap_join import node_csr
    _, csr_pem = node_csr("n1")
    body = certrotation.rotation_csr(csr_pem)
    assert body["metadata"] == {"generateName": "csr-"}
    assert body["spec"]["signerName"] == "kubernetes.io/kube-apiserver-client-kubelet"
    assert body["spec"]["usages"] == ["digital signature", "client auth"]


def test_controller_tokens_are_renewed_at_80_percent():
    assert clientbuilder.refresh_at(1000, 4600) == pytest.approx(3880)
    assert clientbuilder.expiry_of({"expirationTimestamp": "2026-01-01T01:00:00Z"}, 0) == \
        datetime.datetime(2026, 1, 1, 1, tzinfo=datetime.timezone.utc).timestamp()
    assert clientbuilder.expiry_of({}, 100) == 100 + clientbuilder.EXPIRATION_SECONDS
    assert clientbuilder.token_request()["spec"] == {"expirationSeconds": 3600}
    assert clientbuilder.CONTROLLER_SERVICE_ACCOUNTS["deployment"] == "deployment-controller"
    assert "serviceaccount-token" not in clientbuilder.CONTROLLER_SERVICE_ACCOUNTS  # the manager's own


def test_every_mapped_account_has_its_upstream_role():
    from kybernetes.apiserver.authz.controller_policy import controller_roles
    namespaced = {"bootstrap-signer", "token-cleaner"}  # Roles in kube-system / kube-public
    for account in set(clientbuilder.CONTROLLER_SERVICE_ACCOUNTS.values()) - namespaced:
        assert account in controller_roles(), account


def test_rotate_certificates_flag_and_config_field(tmp_path):
    import argparse
    from kybernetes.kubelet.flags import add_agent_flags
    from kybernetes.kubelet.kubeletconfig import apply_config_file
    parser = argparse.ArgumentParser()
    add_agent_flags(parser)
    assert parser.parse_args(["--kubeconfig", "k"]).rotate_certificates is None  # decided by the kubeconfig
    assert parser.parse_args(["--kubeconfig", "k", "--rotate-certificates"]).rotate_certificates is True
    assert parser.parse_args(["--kubeconfig", "k", "--rotate-certificates=false"]).rotate_certificates is False
    config = tmp_path / "kubelet.yaml"
    config.write_text("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                      "rotateCertificates: true\n")
    args = parser.parse_args(["--kubeconfig", "k", "--config", str(config)])
    apply_config_file(args)
    assert args.rotate_certificates is True
    args = parser.parse_args(["--kubeconfig", "k", "--config", str(config), "--rotate-certificates=false"])
    apply_config_file(args)
    assert args.rotate_certificates is False  # the flag wins over the file
