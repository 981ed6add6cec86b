# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The streaming protocols of exec, attach and port-forward, as pure state machines:
websocket channels (channels.py), SPDY/3.1 (spdy.py), remote command streams over SPDY
(remotecommand.py) and port-forward streams over SPDY or websocket channels
(portforward.py). The kubelet's server (kybernetes.kubelet.server) does the I/O."""
