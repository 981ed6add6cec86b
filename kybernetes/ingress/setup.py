# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The ingress controller inside `kybernetes server`: its own identity on the server's
socket, nginx under DATA_DIR/ingress, the node's address published in Ingress status."""
from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from kybernetes.ingress.controller import IngressController

log = logging.getLogger("kybernetes.ingress")


def local_ingress(config, args: argparse.Namespace) -> IngressController | None:
    """The controller `kybernetes server` runs, or None (turned off, or no nginx)."""
    from kybernetes.cli.main import disabled_components
    from kybernetes.client.rest import Client
    from kybernetes.ingress.component import USER, check_port, ingress_options
    from kybernetes.ingress.nginx import nginx_binary
    if "ingress" in disabled_components(args):
        return None
    http_port = getattr(args, "ingress_http_port", 80)
    https_port = getattr(args, "ingress_https_port", 443)
    check_port("--ingress-http-port", http_port)
    check_port("--ingress-https-port", https_port)
    if http_port == https_port:
        from kybernetes.cli.main import UsageError
        raise UsageError("--ingress-http-port and --ingress-https-port must differ")
    binary = nginx_binary()
    if binary is None:
        log.warning("not running the ingress controller: nginx is not installed")
        return None
    if os.geteuid() != 0 and min(http_port, https_port) < 1024:
        log.warning("not running the ingress controller: ports %d and %d need root "
                    "(choose others with --ingress-http-port/--ingress-https-port)",
                    http_port, https_port)
        return None
    socket = config.internal_socket
    client = Client.in_process(socket, USER, user_agent="nginx-ingress-controller")
    # the default IngressClass is written as k3s writes its packaged manifests: as admin
    installer = Client.in_process(socket, "system:apiserver", user_agent="kybernetes-ingress")
    options = ingress_options(Path(str(socket)).parent / "ingress", http_port, https_port,
                              config.advertise_address, binary=binary)
    return IngressController(client, options, installer=installer)
