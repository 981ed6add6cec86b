# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the policy.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "policy.v1.Eviction": "1:metadata:meta.v1.ObjectMeta 2:deleteOptions:meta.v1.DeleteOptions:p",
    "policy.v1.PodDisruptionBudget": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:policy.v1.PodDisruptionBudgetSpec "
        "3:status:policy.v1.PodDisruptionBudgetStatus"
    ),
    "policy.v1.PodDisruptionBudgetList": (
        "1:metadata:meta.v1.ListMeta 2:items:policy.v1.PodDisruptionBudget:r"
    ),
    "policy.v1.PodDisruptionBudgetSpec": (
        "1:minAvailable:@intorstr:p 2:selector:meta.v1.LabelSelector:p "
        "3:maxUnavailable:@intorstr:p 4:unhealthyPodEvictionPolicy:s:p"
    ),
    "policy.v1.PodDisruptionBudgetStatus": (
        "1:observedGeneration:i64 2:disruptedPods:{@time} 3:disruptionsAllowed:i32:k "
        "4:currentHealthy:i32:k 5:desiredHealthy:i32:k 6:expectedPods:i32:k "
        "7:conditions:meta.v1.Condition:r"
    ),
}
