# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Every write the API acknowledged survives `kill -9` of the server and a restart."""
from __future__ import annotations

import json
import signal
import threading
import time

import urllib3

from tests.integration.conftest import Server


def test_acknowledged_writes_survive_kill_9(tmp_path):
    server = Server(tmp_path / "data").start()
    pki = server.data_dir / "pki"
    http = urllib3.PoolManager(maxsize=8, cert_reqs="CERT_REQUIRED", ca_certs=str(pki / "ca.crt"),
                               cert_file=str(pki / "admin.crt"), key_file=str(pki / "admin.key"),
                               retries=False, timeout=5)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker: int) -> None:
        n = 0
        while not stop.is_set():
            name = f"w{worker}-{n}"
            body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                    "data": {"n": str(n)}}
            try:
                response = http.request("POST", server.url + "/api/v1/namespaces/default/configmaps",
                                        body=json.dumps(body).encode(),
                                        headers={"Content-Type": "application/json"})
            except Exception:  # the server is gone: stop writing
                return
            if response.status == 201:
                with lock:
                    acknowledged.append(name)
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join()
    assert len(acknowledged) >= 300
    restarted = Server(server.data_dir)
    restarted.port = server.port
    restarted.url = server.url
    restarted.start()
    try:
        response = http.request("GET", restarted.url + "/api/v1/namespaces/default/configmaps")
        stored = {item["metadata"]["name"]: item for item in json.loads(response.data)["items"]}
        missing = [name for name in acknowledged if name not in stored]
        assert missing == []
        for name in acknowledged:
            assert stored[name]["data"]["n"] == name.split("-")[1]
        # the restarted server's watch history begins at its start: older is 410 Gone
        response = http.request("GET", restarted.url + "/api/v1/namespaces/default/configmaps"
                                "?watch=true&resourceVersion=2&timeoutSeconds=2")
        event = json.loads(response.data.split(b"\n")[0])
        assert event["type"] == "ERROR" and event["object"]["code"] == 410
        assert event["object"]["reason"] == "Expired"
        assert event["object"]["message"].startswith("too old resource version: 2 (")
    finally:
        restarted.stop()
