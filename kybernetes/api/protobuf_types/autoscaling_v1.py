# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the autoscaling.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "autoscaling.v1.ContainerResourceMetricSource": (
        "1:name:s:k 2:targetAverageUtilization:i32:p 3:targetAverageValue:@quantity:p "
        "5:container:s:k"
    ),
    "autoscaling.v1.ContainerResourceMetricStatus": (
        "1:name:s:k 2:currentAverageUtilization:i32:p 3:currentAverageValue:@quantity "
        "4:container:s:k"
    ),
    "autoscaling.v1.CrossVersionObjectReference": "1:kind:s:k 2:name:s:k 3:apiVersion:s",
    "autoscaling.v1.ExternalMetricSource": (
        "1:metricName:s:k 2:metricSelector:meta.v1.LabelSelector:p "
        "3:targetValue:@quantity:p 4:targetAverageValue:@quantity:p"
    ),
    "autoscaling.v1.ExternalMetricStatus": (
        "1:metricName:s:k 2:metricSelector:meta.v1.LabelSelector:p "
        "3:currentValue:@quantity 4:currentAverageValue:@quantity:p"
    ),
    "autoscaling.v1.HorizontalPodAutoscaler": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:autoscaling.v1.HorizontalPodAutoscalerSpec "
        "3:status:autoscaling.v1.HorizontalPodAutoscalerStatus"
    ),
    "autoscaling.v1.HorizontalPodAutoscalerCondition": (
        "1:type:s:k 2:status:s:k 3:lastTransitionTime:@time 4:reason:s 5:message:s"
    ),
    "autoscaling.v1.HorizontalPodAutoscalerList": (
        "1:metadata:meta.v1.ListMeta 2:items:autoscaling.v1.HorizontalPodAutoscaler:r"
    ),
    "autoscaling.v1.HorizontalPodAutoscalerSpec": (
        "1:scaleTargetRef:autoscaling.v1.CrossVersionObjectReference 2:minReplicas:i32:p "
        "3:maxReplicas:i32:k 4:targetCPUUtilizationPercentage:i32:p"
    ),
    "autoscaling.v1.HorizontalPodAutoscalerStatus": (
        "1:observedGeneration:i64:p 2:lastScaleTime:@time:p 3:currentReplicas:i32:k "
        "4:desiredReplicas:i32:k 5:currentCPUUtilizationPercentage:i32:p"
    ),
    "autoscaling.v1.MetricSpec": (
        "1:type:s:k 2:object:autoscaling.v1.ObjectMetricSource:p "
        "3:pods:autoscaling.v1.PodsMetricSource:p "
        "4:resource:autoscaling.v1.ResourceMetricSource:p "
        "5:external:autoscaling.v1.ExternalMetricSource:p "
        "7:containerResource:autoscaling.v1.ContainerResourceMetricSource:p"
    ),
    "autoscaling.v1.MetricStatus": (
        "1:type:s:k 2:object:autoscaling.v1.ObjectMetricStatus:p "
        "3:pods:autoscaling.v1.PodsMetricStatus:p "
        "4:resource:autoscaling.v1.ResourceMetricStatus:p "
        "5:external:autoscaling.v1.ExternalMetricStatus:p "
        "7:containerResource:autoscaling.v1.ContainerResourceMetricStatus:p"
    ),
    "autoscaling.v1.ObjectMetricSource": (
        "1:target:autoscaling.v1.CrossVersionObjectReference 2:metricName:s:k "
        "3:targetValue:@quantity 4:selector:meta.v1.LabelSelector:p "
        "5:averageValue:@quantity:p"
    ),
    "autoscaling.v1.ObjectMetricStatus": (
        "1:target:autoscaling.v1.CrossVersionObjectReference 2:metricName:s:k "
        "3:currentValue:@quantity 4:selector:meta.v1.LabelSelector:p "
        "5:averageValue:@quantity:p"
    ),
    "autoscaling.v1.PodsMetricSource": (
        "1:metricName:s:k 2:targetAverageValue:@quantity "
        "3:selector:meta.v1.LabelSelector:p"
    ),
    "autoscaling.v1.PodsMetricStatus": (
        "1:metricName:s:k 2:currentAverageValue:@quantity "
        "3:selector:meta.v1.LabelSelector:p"
    ),
    "autoscaling.v1.ResourceMetricSource": (
        "1:name:s:k 2:targetAverageUtilization:i32:p 3:targetAverageValue:@quantity:p"
    ),
    "autoscaling.v1.ResourceMetricStatus": (
        "1:name:s:k 2:currentAverageUtilization:i32:p 3:currentAverageValue:@quantity"
    ),
    "autoscaling.v1.Scale": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:autoscaling.v1.ScaleSpec "
        "3:status:autoscaling.v1.ScaleStatus"
    ),
    "autoscaling.v1.ScaleSpec": "1:replicas:i32",
    "autoscaling.v1.ScaleStatus": "1:replicas:i32:k 2:selector:s",
}
