# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the autoscaling.v2 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "autoscaling.v2.ContainerResourceMetricSource": (
        "1:name:s:k 2:target:autoscaling.v2.MetricTarget 3:container:s:k"
    ),
    "autoscaling.v2.ContainerResourceMetricStatus": (
        "1:name:s:k 2:current:autoscaling.v2.MetricValueStatus 3:container:s:k"
    ),
    "autoscaling.v2.CrossVersionObjectReference": "1:kind:s:k 2:name:s:k 3:apiVersion:s",
    "autoscaling.v2.ExternalMetricSource": (
        "1:metric:autoscaling.v2.MetricIdentifier 2:target:autoscaling.v2.MetricTarget"
    ),
    "autoscaling.v2.ExternalMetricStatus": (
        "1:metric:autoscaling.v2.MetricIdentifier "
        "2:current:autoscaling.v2.MetricValueStatus"
    ),
    "autoscaling.v2.HPAScalingPolicy": "1:type:s:k 2:value:i32:k 3:periodSeconds:i32:k",
    "autoscaling.v2.HPAScalingRules": (
        "1:selectPolicy:s:p 2:policies:autoscaling.v2.HPAScalingPolicy:r "
        "3:stabilizationWindowSeconds:i32:p"
    ),
    "autoscaling.v2.HorizontalPodAutoscaler": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:autoscaling.v2.HorizontalPodAutoscalerSpec "
        "3:status:autoscaling.v2.HorizontalPodAutoscalerStatus"
    ),
    "autoscaling.v2.HorizontalPodAutoscalerBehavior": (
        "1:scaleUp:autoscaling.v2.HPAScalingRules:p "
        "2:scaleDown:autoscaling.v2.HPAScalingRules:p"
    ),
    "autoscaling.v2.HorizontalPodAutoscalerCondition": (
        "1:type:s:k 2:status:s:k 3:lastTransitionTime:@time 4:reason:s 5:message:s"
    ),
    "autoscaling.v2.HorizontalPodAutoscalerList": (
        "1:metadata:meta.v1.ListMeta 2:items:autoscaling.v2.HorizontalPodAutoscaler:r"
    ),
    "autoscaling.v2.HorizontalPodAutoscalerSpec": (
        "1:scaleTargetRef:autoscaling.v2.CrossVersionObjectReference 2:minReplicas:i32:p "
        "3:maxReplicas:i32:k 4:metrics:autoscaling.v2.MetricSpec:r "
        "5:behavior:autoscaling.v2.HorizontalPodAutoscalerBehavior:p"
    ),
    "autoscaling.v2.HorizontalPodAutoscalerStatus": (
        "1:observedGeneration:i64:p 2:lastScaleTime:@time:p 3:currentReplicas:i32 "
        "4:desiredReplicas:i32:k 5:currentMetrics:autoscaling.v2.MetricStatus:r "
        "6:conditions:autoscaling.v2.HorizontalPodAutoscalerCondition:r"
    ),
    "autoscaling.v2.MetricIdentifier": "1:name:s:k 2:selector:meta.v1.LabelSelector:p",
    "autoscaling.v2.MetricSpec": (
        "1:type:s:k 2:object:autoscaling.v2.ObjectMetricSource:p "
        "3:pods:autoscaling.v2.PodsMetricSource:p "
        "4:resource:autoscaling.v2.ResourceMetricSource:p "
        "5:external:autoscaling.v2.ExternalMetricSource:p "
        "7:containerResource:autoscaling.v2.ContainerResourceMetricSource:p"
    ),
    "autoscaling.v2.MetricStatus": (
        "1:type:s:k 2:object:autoscaling.v2.ObjectMetricStatus:p "
        "3:pods:autoscaling.v2.PodsMetricStatus:p "
        "4:resource:autoscaling.v2.ResourceMetricStatus:p "
        "5:external:autoscaling.v2.ExternalMetricStatus:p "
        "7:containerResource:autoscaling.v2.ContainerResourceMetricStatus:p"
    ),
    "autoscaling.v2.MetricTarget": (
        "1:type:s:k 2:value:@quantity:p 3:averageValue:@quantity:p "
        "4:averageUtilization:i32:p"
    ),
    "autoscaling.v2.MetricValueStatus": (
        "1:value:@quantity:p 2:averageValue:@quantity:p 3:averageUtilization:i32:p"
    ),
    "autoscaling.v2.ObjectMetricSource": (
        "1:describedObject:autoscaling.v2.CrossVersionObjectReference "
        "2:target:autoscaling.v2.MetricTarget 3:metric:autoscaling.v2.MetricIdentifier"
    ),
    "autoscaling.v2.ObjectMetricStatus": (
        "1:metric:autoscaling.v2.MetricIdentifier "
        "2:current:autoscaling.v2.MetricValueStatus "
        "3:describedObject:autoscaling.v2.CrossVersionObjectReference"
    ),
    "autoscaling.v2.PodsMetricSource": (
        "1:metric:autoscaling.v2.MetricIdentifier 2:target:autoscaling.v2.MetricTarget"
    ),
    "autoscaling.v2.PodsMetricStatus": (
        "1:metric:autoscaling.v2.MetricIdentifier "
        "2:current:autoscaling.v2.MetricValueStatus"
    ),
    "autoscaling.v2.ResourceMetricSource": "1:name:s:k 2:target:autoscaling.v2.MetricTarget",
    "autoscaling.v2.ResourceMetricStatus": "1:name:s:k 2:current:autoscaling.v2.MetricValueStatus",
}
