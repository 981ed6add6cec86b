# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the discovery.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "discovery.v1.Endpoint": (
        "1:addresses:s:r 2:conditions:discovery.v1.EndpointConditions 3:hostname:s:p "
        "4:targetRef:core.v1.ObjectReference:p 5:deprecatedTopology:{s} 6:nodeName:s:p "
        "7:zone:s:p 8:hints:discovery.v1.EndpointHints:p"
    ),
    "discovery.v1.EndpointConditions": "1:ready:b:p 2:serving:b:p 3:terminating:b:p",
    "discovery.v1.EndpointHints": "1:forZones:discovery.v1.ForZone:r",
    "discovery.v1.EndpointPort": "1:name:s:p 2:protocol:s:p 3:port:i32:p 4:appProtocol:s:p",
    "discovery.v1.EndpointSlice": (
        "1:metadata:meta.v1.ObjectMeta 2:endpoints:discovery.v1.Endpoint:r "
        "3:ports:discovery.v1.EndpointPort:r 4:addressType:s:k"
    ),
    "discovery.v1.EndpointSliceList": (
        "1:metadata:meta.v1.ListMeta 2:items:discovery.v1.EndpointSlice:r"
    ),
    "discovery.v1.ForZone": "1:name:s:k",
}
