# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the events.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "events.v1.Event": (
        "1:metadata:meta.v1.ObjectMeta 2:eventTime:@microtime "
        "3:series:events.v1.EventSeries:p 4:reportingController:s 5:reportingInstance:s "
        "6:action:s 7:reason:s 8:regarding:core.v1.ObjectReference "
        "9:related:core.v1.ObjectReference:p 10:note:s 11:type:s "
        "12:deprecatedSource:core.v1.EventSource 13:deprecatedFirstTimestamp:@time "
        "14:deprecatedLastTimestamp:@time 15:deprecatedCount:i32"
    ),
    "events.v1.EventList": "1:metadata:meta.v1.ListMeta 2:items:events.v1.Event:r",
    "events.v1.EventSeries": "1:count:i32:k 2:lastObservedTime:@microtime",
}
