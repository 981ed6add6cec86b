# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The API server compacts the store's history on --etcd-compaction-interval, as
kube-apiserver compacts etcd, so the SQLite log does not grow without end."""
from __future__ import annotations

import sqlite3
import time

from tests.integration.conftest import Kubectl, Server


def test_history_is_compacted(tmp_path):
    server = Server(tmp_path / "data", ["--etcd-compaction-interval=1s"]).start()
    try:
        kubectl = Kubectl(server, tmp_path / "cache")
        kubectl.run("create", "configmap", "churn", "--from-literal=n=0")
        for n in range(1, 40):
            kubectl.run("patch", "configmap", "churn", "-p", f'{{"data":{{"n":"{n}"}}}}')
        db = sqlite3.connect(server.data_dir / "state.db")
        rows = lambda: db.execute(  # noqa: E731
            "SELECT COUNT(*) FROM kine WHERE key = '/registry/configmaps/default/churn'").fetchone()[0]
        deadline = time.monotonic() + 30
        while rows() > 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert rows() == 1
        assert kubectl.json("get", "configmap", "churn")["data"] == {"n": "39"}
    finally:
        server.stop()
