# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the node.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "node.v1.Overhead": "1:podFixed:{@quantity}",
    "node.v1.RuntimeClass": (
        "1:metadata:meta.v1.ObjectMeta 2:handler:s:k 3:overhead:node.v1.Overhead:p "
        "4:scheduling:node.v1.Scheduling:p"
    ),
    "node.v1.RuntimeClassList": "1:metadata:meta.v1.ListMeta 2:items:node.v1.RuntimeClass:r",
    "node.v1.Scheduling": "1:nodeSelector:{s} 2:tolerations:core.v1.Toleration:r",
}
