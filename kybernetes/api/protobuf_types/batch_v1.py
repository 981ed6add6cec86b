# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the batch.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "batch.v1.CronJob": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:batch.v1.CronJobSpec "
        "3:status:batch.v1.CronJobStatus"
    ),
    "batch.v1.CronJobList": "1:metadata:meta.v1.ListMeta 2:items:batch.v1.CronJob:r",
    "batch.v1.CronJobSpec": (
        "1:schedule:s:k 2:startingDeadlineSeconds:i64:p 3:concurrencyPolicy:s "
        "4:suspend:b:p 5:jobTemplate:batch.v1.JobTemplateSpec "
        "6:successfulJobsHistoryLimit:i32:p 7:failedJobsHistoryLimit:i32:p 8:timeZone:s:p"
    ),
    "batch.v1.CronJobStatus": (
        "1:active:core.v1.ObjectReference:r 4:lastScheduleTime:@time:p "
        "5:lastSuccessfulTime:@time:p"
    ),
    "batch.v1.Job": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:batch.v1.JobSpec "
        "3:status:batch.v1.JobStatus"
    ),
    "batch.v1.JobCondition": (
        "1:type:s:k 2:status:s:k 3:lastProbeTime:@time 4:lastTransitionTime:@time "
        "5:reason:s 6:message:s"
    ),
    "batch.v1.JobList": "1:metadata:meta.v1.ListMeta 2:items:batch.v1.Job:r",
    "batch.v1.JobSpec": (
        "1:parallelism:i32:p 2:completions:i32:p 3:activeDeadlineSeconds:i64:p "
        "4:selector:meta.v1.LabelSelector:p 5:manualSelector:b:p "
        "6:template:core.v1.PodTemplateSpec 7:backoffLimit:i32:p "
        "8:ttlSecondsAfterFinished:i32:p 9:completionMode:s:p 10:suspend:b:p "
        "11:podFailurePolicy:batch.v1.PodFailurePolicy:p 12:backoffLimitPerIndex:i32:p "
        "13:maxFailedIndexes:i32:p 14:podReplacementPolicy:s:p 15:managedBy:s:p "
        "16:successPolicy:batch.v1.SuccessPolicy:p"
    ),
    "batch.v1.JobStatus": (
        "1:conditions:batch.v1.JobCondition:r 2:startTime:@time:p "
        "3:completionTime:@time:p 4:active:i32 5:succeeded:i32 6:failed:i32 "
        "7:completedIndexes:s "
        "8:uncountedTerminatedPods:batch.v1.UncountedTerminatedPods:p 9:ready:i32:p "
        "10:failedIndexes:s:p 11:terminating:i32:p"
    ),
    "batch.v1.JobTemplateSpec": "1:metadata:meta.v1.ObjectMeta 2:spec:batch.v1.JobSpec",
    "batch.v1.PodFailurePolicy": "1:rules:batch.v1.PodFailurePolicyRule:r",
    "batch.v1.PodFailurePolicyOnExitCodesRequirement": (
        "1:containerName:s:p 2:operator:s:k 3:values:i32:r"
    ),
    "batch.v1.PodFailurePolicyOnPodConditionsPattern": "1:type:s:k 2:status:s:k",
    "batch.v1.PodFailurePolicyRule": (
        "1:action:s:k 2:onExitCodes:batch.v1.PodFailurePolicyOnExitCodesRequirement:p "
        "3:onPodConditions:batch.v1.PodFailurePolicyOnPodConditionsPattern:r"
    ),
    "batch.v1.SuccessPolicy": "1:rules:batch.v1.SuccessPolicyRule:r",
    "batch.v1.SuccessPolicyRule": "1:succeededIndexes:s:p 2:succeededCount:i32:p",
    "batch.v1.UncountedTerminatedPods": "1:succeeded:s:r 2:failed:s:r",
}
