# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Ingress controller: Ingress objects rendered into nginx configuration
(ingress-nginx's behaviour: classes, path types, TLS, default backend), and the nginx
master process it keeps reloading."""
