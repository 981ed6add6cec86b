# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Secrets encrypted at rest (--encryption-provider-config), checked in the store itself:
the SQLite file under the data dir, and etcd through its gRPC gateway. kubectl still
reads plaintext; rotation by `kubectl get secrets -A -o json | kubectl replace -f -`;
a value under an unknown key is an internal error naming it; bad configs stop startup."""
from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
import threading
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl, Server, free_port
from tests.support.etcd import EtcdMember, etcd_available
from tests.support.waiting import wait_for

KEY1, KEY2, KEY3 = (base64.b64encode(os.urandom(32)).decode() for _ in range(3))
PLAINTEXT = f"correct-horse-{uuid.uuid4().hex}"
PREFIX1 = b"k8s:enc:aescbc:v1:key1:"


def write_config(path: Path, providers: str, resources: str = "[secrets]") -> Path:
    path.write_text(f"""apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: {resources}
    providers:
{providers}""")
    return path


def aescbc(*keys: tuple[str, str]) -> str:
    lines = "      - aescbc:\n          keys:\n"
    for name, secret in keys:
        lines += f"            - name: {name}\n              secret: {secret}\n"
    return lines


IDENTITY = "      - identity: {}\n"


def stored_values(data_dir: Path, key_prefix: str) -> dict[str, bytes]:
    """The newest value of each key under `key_prefix`, read from the SQLite file."""
    with sqlite3.connect(f"file:{data_dir / 'state.db'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT key, value, deleted FROM kine WHERE key >= ? AND key < ? "
                          "ORDER BY id", (key_prefix, key_prefix + "\xff")).fetchall()
    latest: dict[str, bytes] = {}
    for key, value, deleted in rows:
        if deleted:
            latest.pop(key, None)
        else:
            latest[key] = bytes(value)
    return latest


def database_bytes(data_dir: Path) -> bytes:
    """Every byte SQLite holds for the store: the database file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in data_dir.glob("state.db*"))


@pytest.fixture
def encrypted(tmp_path):
    config = write_config(tmp_path / "enc.yaml", aescbc(("key1", KEY1)) + IDENTITY)
    server = Server(tmp_path / "data", ["--encryption-provider-config", str(config)]).start()
    yield server, Kubectl(server, tmp_path / "cache"), config
    server.stop()


def test_secrets_are_encrypted_in_sqlite_and_plain_through_the_api(encrypted):
    server, kubectl, _ = encrypted
    kubectl.run("create", "secret", "generic", "db-pass", f"--from-literal=password={PLAINTEXT}")
    kubectl.run("create", "configmap", "settings", f"--from-literal=note={PLAINTEXT}-cm")
    values = stored_values(server.data_dir, "/registry/secrets/default/db-pass")
    assert values["/registry/secrets/default/db-pass"].startswith(PREFIX1)
    raw = database_bytes(server.data_dir)
    assert PLAINTEXT.encode() not in raw.replace(f"{PLAINTEXT}-cm".encode(), b"")
    assert base64.b64encode(PLAINTEXT.encode()) not in raw
    assert b"db-pass" not in values["/registry/secrets/default/db-pass"]  # metadata too
    # configmaps are not listed: stored as plain JSON
    cm = stored_values(server.data_dir, "/registry/configmaps/default/settings")
    assert f"{PLAINTEXT}-cm".encode() in cm["/registry/configmaps/default/settings"]
    # the API serves plaintext: get, list and watch
    got = kubectl.run("get", "secret", "db-pass", "-o", "jsonpath={.data.password}").stdout
    assert base64.b64decode(got).decode() == PLAINTEXT
    listed = kubectl.json("get", "secrets")
    assert any(base64.b64decode(item["data"]["password"]).decode() == PLAINTEXT
               for item in listed["items"] if item["metadata"]["name"] == "db-pass")
    watch = subprocess.Popen(
        [kubectl.binary, "--cache-dir", str(kubectl.cache_dir), "get", "secrets", "--watch",
         "--output-watch-events", "-o", "json"], stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, KUBECONFIG=str(server.kubeconfig)))
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(watch.stdout.readline, "")),
                              daemon=True)
    reader.start()
    try:
        kubectl.run("create", "secret", "generic", "watched",
                    f"--from-literal=password={PLAINTEXT}-w")
        encoded = base64.b64encode(f"{PLAINTEXT}-w".encode()).decode()
        wait_for(lambda: any(encoded in line for line in seen), timeout=60)
    finally:
        watch.terminate()
        watch.wait(10)
    assert stored_values(server.data_dir, "/registry/secrets/default/watched")[
        "/registry/secrets/default/watched"].startswith(PREFIX1)


def test_rotation_by_rewriting_and_unknown_keys(encrypted, tmp_path):
    server, kubectl, config = encrypted
    namespace = f"rot-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "namespace", namespace)
    for name in ("one", "two"):
        kubectl.run("create", "secret", "generic", name, "-n", namespace,
                    f"--from-literal=password={PLAINTEXT}-{name}")
    prefix = f"/registry/secrets/{namespace}/"
    assert all(v.startswith(PREFIX1) for v in stored_values(server.data_dir, prefix).values())
    # the new key goes first; the old one stays to read what it wrote
    server.stop()
    write_config(config, aescbc(("key2", KEY2), ("key1", KEY1)) + IDENTITY)
    server.start()
    assert _read_password(kubectl, namespace, "one") == f"{PLAINTEXT}-one"
    everything = kubectl.run("get", "secrets", "-A", "-o", "json").stdout
    kubectl.run("replace", "-f", "-", input=everything)
    rewritten = stored_values(server.data_dir, prefix)
    assert rewritten and all(v.startswith(b"k8s:enc:aescbc:v1:key2:") for v in rewritten.values())
    # key1 can go now
    server.stop()
    write_config(config, aescbc(("key2", KEY2)) + IDENTITY)
    server.start()
    assert _read_password(kubectl, namespace, "two") == f"{PLAINTEXT}-two"
    # a configuration that has lost the key: that object is an internal error naming its
    # store key and the missing encryption key; the server keeps serving the rest
    server.stop()
    write_config(config, aescbc(("key3", KEY3)) + IDENTITY)
    server.start()
    failed = kubectl.run("get", "secret", "one", "-n", namespace, check=False)
    assert failed.returncode != 0
    assert "Internal error occurred: unable to transform key" in failed.stderr
    assert f"/registry/secrets/{namespace}/one" in failed.stderr and '"key2"' in failed.stderr
    listed = kubectl.run("get", "secrets", "-n", namespace, check=False)
    assert listed.returncode != 0 and "unable to transform key" in listed.stderr
    kubectl.run("get", "namespaces")  # the server is alive
    kubectl.run("create", "secret", "generic", "fresh", f"--from-literal=password={PLAINTEXT}")
    assert stored_values(server.data_dir, "/registry/secrets/default/fresh")[
        "/registry/secrets/default/fresh"].startswith(b"k8s:enc:aescbc:v1:key3:")


def _read_password(kubectl: Kubectl, namespace: str, name: str) -> str:
    out = kubectl.run("get", "secret", name, "-n", namespace, "-o", "jsonpath={.data.password}")
    return base64.b64decode(out.stdout).decode()


def test_identity_first_writes_plain_and_still_reads_encrypted(encrypted):
    server, kubectl, config = encrypted
    kubectl.run("create", "secret", "generic", "before", f"--from-literal=password={PLAINTEXT}")
    server.stop()
    write_config(config, IDENTITY + aescbc(("key1", KEY1)))
    server.start()
    assert _read_password(kubectl, "default", "before") == PLAINTEXT
    kubectl.run("create", "secret", "generic", "after", f"--from-literal=password={PLAINTEXT}")
    after = stored_values(server.data_dir, "/registry/secrets/default/after")
    assert after["/registry/secrets/default/after"].startswith(b"{")


def test_automatic_reload_switches_the_writing_key(tmp_path):
    config = write_config(tmp_path / "enc.yaml", aescbc(("key1", KEY1)) + IDENTITY)
    server = Server(tmp_path / "data", ["--encryption-provider-config", str(config),
                                        "--encryption-provider-config-automatic-reload"]).start()
    try:
        kubectl = Kubectl(server, tmp_path / "cache")
        kubectl.run("create", "secret", "generic", "a", "--from-literal=k=v")
        write_config(config, aescbc(("key2", KEY2), ("key1", KEY1)) + IDENTITY)

        def written_with_key2():
            name = f"b-{uuid.uuid4().hex[:6]}"
            kubectl.run("create", "secret", "generic", name, "--from-literal=k=v")
            value = stored_values(server.data_dir, f"/registry/secrets/default/{name}")
            return value[f"/registry/secrets/default/{name}"].startswith(
                b"k8s:enc:aescbc:v1:key2:")
        wait_for(written_with_key2, timeout=60, interval=1)
        assert kubectl.run("get", "secret", "a", "-o", "jsonpath={.data.k}").stdout == "dg=="
        # rewriting moves the older secret to the new key, with no restart
        kubectl.run("replace", "-f", "-", input=kubectl.run("get", "secret", "a", "-o",
                                                            "json").stdout)
        assert stored_values(server.data_dir, "/registry/secrets/default/a")[
            "/registry/secrets/default/a"].startswith(b"k8s:enc:aescbc:v1:key2:")
    finally:
        server.stop()


@pytest.mark.skipif(not etcd_available(), reason="etcd is not installed")
def test_secrets_are_encrypted_in_etcd(tmp_path):
    member = EtcdMember(tmp_path / "etcd").start()
    config = write_config(tmp_path / "enc.yaml", aescbc(("key1", KEY1)) + IDENTITY)
    server = Server(tmp_path / "data", ["--etcd-servers", member.url,
                                        "--encryption-provider-config", str(config)])
    try:
        server.start()
        kubectl = Kubectl(server, tmp_path / "cache")
        kubectl.run("create", "secret", "generic", "in-etcd",
                    f"--from-literal=password={PLAINTEXT}")
        key = b"/registry/secrets/default/in-etcd"
        request = urllib.request.Request(
            member.url + "/v3/kv/range", method="POST",
            data=json.dumps({"key": base64.b64encode(key).decode()}).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            found = json.loads(response.read())
        value = base64.b64decode(found["kvs"][0]["value"])
        assert value.startswith(PREFIX1)
        assert PLAINTEXT.encode() not in value
        assert base64.b64encode(PLAINTEXT.encode()) not in value
        assert _read_password(kubectl, "default", "in-etcd") == PLAINTEXT
    finally:
        server.stop()
        member.stop()


def test_seed_000_flags_with_the_current_config_kind(tmp_path):
    """Seed 000's kube-apiserver flags (its crypt-config.yml in the current kind): the
    secret is encrypted; the audit flags without a policy record nothing, as upstream."""
    crypt = tmp_path / "crypt-config.yml"
    write_config(crypt, aescbc(("key1", KEY1)) + IDENTITY)
    server = Server(tmp_path / "data", [
        "--audit-log-maxage=30", "--audit-log-maxbackup=3", "--audit-log-maxsize=100",
        f"--audit-log-path={tmp_path / 'audit.log'}", f"--encryption-provider-config={crypt}",
        "--authorization-mode=Node,RBAC", "--event-ttl=1h"])
    try:
        server.start()
        kubectl = Kubectl(server, tmp_path / "cache")
        kubectl.run("create", "secret", "generic", "seed", f"--from-literal=k={PLAINTEXT}")
        assert stored_values(server.data_dir, "/registry/secrets/default/seed")[
            "/registry/secrets/default/seed"].startswith(PREFIX1)
        assert _read_password_key(kubectl, "seed", "k") == PLAINTEXT
    finally:
        server.stop()
    assert not (tmp_path / "audit.log").exists() or not (tmp_path / "audit.log").read_text()


def _read_password_key(kubectl: Kubectl, name: str, key: str) -> str:
    out = kubectl.run("get", "secret", name, "-o", f"jsonpath={{.data.{key}}}")
    return base64.b64decode(out.stdout).decode()


@pytest.mark.parametrize("config_text, flag, message", [
    ("kind: EncryptionConfig\napiVersion: v1\nresources:\n  - resources: [secrets]\n"
     "    providers:\n      - identity: {}\n", "--encryption-provider-config",
     "use apiVersion: apiserver.config.k8s.io/v1 with kind: EncryptionConfiguration"),
    ("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
     "  - resources: [secrets]\n    providers:\n      - aescbc:\n          keys:\n"
     "            - name: key1\n              secret: dG9vLXNob3J0\n",
     "--encryption-provider-config", "secret is not of the expected length, got 9"),
    ("", "--experimental-encryption-provider-config",
     "flag --experimental-encryption-provider-config has been removed; use "
     "--encryption-provider-config instead"),
])
def test_bad_configuration_is_a_one_line_startup_error(tmp_path, config_text, flag, message):
    path = tmp_path / "enc.yaml"
    path.write_text(config_text)
    result = subprocess.run(
        [sys.executable, "-m", "kybernetes.cli.main", "apiserver", "--data-dir",
         str(tmp_path / "data"), "--port", str(free_port()), flag, str(path)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
