# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Which Ingresses the controller serves, the DefaultIngressClass admission plugin's
choice, and TLS Secret checks."""
from __future__ import annotations

import datetime

import pytest

from kybernetes.apiserver.admission_plugins import ingressclass
from kybernetes.ingress import tls
from kybernetes.ingress.classes import (CONTROLLER_NAME, ClassSelection, default_ingress_class,
                                        handles, our_classes)
from tests.unit.ingress_fixtures import certificate, ingress, tls_secret

SELECTION = ClassSelection()


def klass(name: str, controller: str = CONTROLLER_NAME, default: bool = False,
          created: str = "2026-01-01T00:00:00Z") -> dict:
    annotations = {"ingressclass.kubernetes.io/is-default-class": "true"} if default else {}
    return {"metadata": {"name": name, "annotations": annotations, "creationTimestamp": created},
            "spec": {"controller": controller}}


def test_class_name_must_name_one_of_our_classes():
    ours = our_classes([klass("nginx"), klass("traefik", "traefik.io/ingress-controller")], SELECTION)
    assert set(ours) == {"nginx"}
    assert handles(ingress(class_name="nginx"), ours, SELECTION)
    assert not handles(ingress(class_name="traefik"), ours, SELECTION)
    assert not handles(ingress(class_name="missing"), ours, SELECTION)


def test_legacy_annotation_wins_over_the_class_name():
    ours = our_classes([klass("nginx")], SELECTION)
    legacy = {"kubernetes.io/ingress.class": "nginx"}
    assert handles(ingress(annotations=legacy), ours, SELECTION)
    assert handles(ingress(annotations=legacy, class_name="other"), ours, SELECTION)
    assert not handles(ingress(annotations={"kubernetes.io/ingress.class": "traefik"},
                               class_name="nginx"), ours, SELECTION)
    # with no IngressClass object at all the flag's class name still counts
    assert handles(ingress(annotations=legacy), {}, SELECTION)


def test_ingresses_without_class_only_with_a_default_class_or_the_flag():
    assert not handles(ingress(), our_classes([klass("nginx")], SELECTION), SELECTION)
    assert handles(ingress(), our_classes([klass("nginx", default=True)], SELECTION), SELECTION)
    # another controller's default class does not make them ours
    other_default = our_classes([klass("t", "traefik.io/x", default=True), klass("nginx")], SELECTION)
    assert not handles(ingress(), other_default, SELECTION)
    assert handles(ingress(), {}, ClassSelection(watch_without_class=True))


def test_default_ingress_class_object():
    obj = default_ingress_class()
    assert obj["metadata"]["name"] == "nginx"
    assert obj["spec"]["controller"] == "kybernetes.io/ingress-nginx"
    assert obj["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"


def test_admission_picks_the_newest_default_class():
    older = klass("a", default=True, created="2026-01-01T00:00:00Z")
    newer = klass("b", default=True, created="2026-03-01T00:00:00Z")
    plain = klass("c", created="2026-05-01T00:00:00Z")
    assert ingressclass.default_class([older, plain]) is older
    assert ingressclass.default_class([older, newer, plain]) is newer
    assert ingressclass.default_class([plain]) is None


def test_admission_only_fills_ingresses_without_any_class():
    assert ingressclass.wants_default_class(ingress())
    assert not ingressclass.wants_default_class(ingress(class_name="x"))
    assert not ingressclass.wants_default_class(
        ingress(annotations={"kubernetes.io/ingress.class": "nginx"}))


def test_tls_secret_checks():
    cert, key = certificate(["a.example.test", "*.wild.test"])
    loaded = tls.load_certificate(*tls.secret_pair(tls_secret("s", cert, key)))
    assert loaded.names == ("a.example.test", "*.wild.test")
    assert tls.covers(loaded, "a.example.test") and tls.covers(loaded, "x.wild.test")
    assert not tls.covers(loaded, "b.example.test")
    assert not tls.covers(loaded, "x.y.wild.test")  # a wildcard is one label
    assert not tls.covers(loaded, "wild.test")
    with pytest.raises(tls.TLSError, match="does not match"):
        tls.load_certificate(cert, certificate(["a.example.test"])[1])
    with pytest.raises(tls.TLSError, match="private key"):
        tls.load_certificate(cert, b"not a key")


def test_fake_certificate_is_ingress_nginx_s_and_reusable():
    pem = tls.fake_certificate()
    assert tls.still_valid(pem)
    from cryptography import x509
    cert = x509.load_pem_x509_certificate(pem)
    assert tls.FAKE_CERT_COMMON_NAME in cert.subject.rfc4514_string()
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=360)
    assert not tls.still_valid(pem, later)
    assert not tls.still_valid(b"garbage")


def test_status_address_is_an_ip_or_a_hostname():
    from kybernetes.ingress.controller import desired_status
    assert desired_status("10.0.0.4") == [{"ip": "10.0.0.4"}]
    assert desired_status("fd00::4") == [{"ip": "fd00::4"}]
    assert desired_status("lb.example.test") == [{"hostname": "lb.example.test"}]
    assert desired_status("") == []
