# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the coordination.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "coordination.v1.Lease": "1:metadata:meta.v1.ObjectMeta 2:spec:coordination.v1.LeaseSpec",
    "coordination.v1.LeaseList": "1:metadata:meta.v1.ListMeta 2:items:coordination.v1.Lease:r",
    "coordination.v1.LeaseSpec": (
        "1:holderIdentity:s:p 2:leaseDurationSeconds:i32:p 3:acquireTime:@microtime:p "
        "4:renewTime:@microtime:p 5:leaseTransitions:i32:p 6:strategy:s:p "
        "7:preferredHolder:s:p"
    ),
}
