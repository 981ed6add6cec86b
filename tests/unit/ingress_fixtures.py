# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Objects for the ingress tests: Ingresses, Services, EndpointSlices, TLS Secrets."""
from __future__ import annotations

import base64
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def backend(service: str, port: int | str = 80) -> dict:
    ref = {"number": port} if isinstance(port, int) else {"name": port}
    return {"service": {"name": service, "port": ref}}


def path(p: str, service: str, path_type: str = "Prefix", port: int | str = 80) -> dict:
    return {"path": p, "pathType": path_type, "backend": backend(service, port)}


def ingress(name: str = "web", rules: list | None = None, *, namespace: str = "default",
            class_name: str | None = None, annotations: dict | None = None, tls: list | None = None,
            default_backend: dict | None = None, created: str = "2026-01-01T00:00:00Z") -> dict:
    spec: dict = {}
    if rules is not None:
        spec["rules"] = rules
    if class_name is not None:
        spec["ingressClassName"] = class_name
    if tls is not None:
        spec["tls"] = tls
    if default_backend is not None:
        spec["defaultBackend"] = default_backend
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": created,
                         "annotations": annotations or {}, "generation": 1, "uid": f"uid-{name}"},
            "spec": spec}


def rule(host: str, *paths: dict) -> dict:
    out: dict = {"http": {"paths": list(paths)}}
    if host:
        out["host"] = host
    return out


def service(name: str, ports: list[tuple[str, int, int]] = (("", 80, 8080),), *,
            namespace: str = "default", kind: str = "ClusterIP") -> dict:
    return {"metadata": {"name": name, "namespace": namespace},
            "spec": {"type": kind, "ports": [
                {**({"name": n} if n else {}), "port": p, "targetPort": t, "protocol": "TCP"}
                for n, p, t in ports]}}


def endpoint_slice(service_name: str, addresses: list[str], ports: list[tuple[str, int]] = (("", 8080),),
                   *, namespace: str = "default", ready: bool | None = True,
                   address_type: str = "IPv4", suffix: str = "x") -> dict:
    conditions = {} if ready is None else {"ready": ready}
    return {"metadata": {"name": f"{service_name}-{suffix}", "namespace": namespace,
                         "labels": {"kubernetes.io/service-name": service_name}},
            "addressType": address_type,
            "ports": [{"name": n, "port": p, "protocol": "TCP"} for n, p in ports],
            "endpoints": [{"addresses": [a], "conditions": conditions} for a in addresses]}


def certificate(hosts: list[str], days: int = 30) -> tuple[bytes, bytes]:
    """A self-signed certificate (its own CA) for `hosts`, and its key, as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def tls_secret(name: str, cert: bytes, key: bytes, namespace: str = "default") -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": name, "namespace": namespace},
            "data": {"tls.crt": base64.b64encode(cert).decode(),
                     "tls.key": base64.b64encode(key).decode()}}
