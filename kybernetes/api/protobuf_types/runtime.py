# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the runtime messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "runtime.TypeMeta": "1:apiVersion:s 2:kind:s",
    "runtime.Unknown": "1:-:runtime.TypeMeta:i 2:raw:y:p 3:ContentEncoding:s:k 4:ContentType:s:k",
}
