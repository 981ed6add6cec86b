# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""An acknowledged SqliteStore write survives kill -9 of the writing process.

A child process writes keys with several concurrent writers (so group commit batches them)
and prints each key once its create has returned. The test SIGKILLs it mid-run, reopens the
database and checks that every printed key is there with its value.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from kybernetes.storage.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import asyncio, sys
from kybernetes.storage.sqlite import SqliteStore

async def main(path):
    store = SqliteStore(path)
    async def writer(number):
        sequence = 0
        while True:
            key = f"/durable/{number}/{sequence}"
            await store.create(key, f"value of {key}".encode())
            sys.stdout.write(key + "\n")
            sys.stdout.flush()
            sequence += 1
    await asyncio.gather(*(writer(n) for n in range(8)))

asyncio.run(main(sys.argv[1]))
"""


def test_acknowledged_writes_survive_sigkill(tmp_path):
    path = str(tmp_path / "state.db")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", WRITER, path], stdout=subprocess.PIPE,
                             env=env, cwd=str(ROOT))
    acknowledged = []
    try:
        for line in child.stdout:
            acknowledged.append(line.decode().strip())
            if len(acknowledged) >= 2000:
                break
        child.send_signal(signal.SIGKILL)
        remaining, _ = child.communicate()  # lines already written were acknowledged too
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    acknowledged += remaining.decode().split("\n")[:-1]  # a cut-off last line: not printed
    assert len(acknowledged) >= 2000

    async def check():
        store = SqliteStore(path)
        try:
            missing = []
            for key in acknowledged:
                kv = await store.get(key)
                if kv is None or kv.value != f"value of {key}".encode():
                    missing.append(key)
            stored = await store.count("/durable/")
            return missing, stored
        finally:
            await store.close()

    missing, stored = asyncio.run(check())
    assert missing == []
    assert stored >= len(acknowledged)
