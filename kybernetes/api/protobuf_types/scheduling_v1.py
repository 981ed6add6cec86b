# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the scheduling.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "scheduling.v1.PriorityClass": (
        "1:metadata:meta.v1.ObjectMeta 2:value:i32:k 3:globalDefault:b 4:description:s "
        "5:preemptionPolicy:s:p"
    ),
    "scheduling.v1.PriorityClassList": (
        "1:metadata:meta.v1.ListMeta 2:items:scheduling.v1.PriorityClass:r"
    ),
}
