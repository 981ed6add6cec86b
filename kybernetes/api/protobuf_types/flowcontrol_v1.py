# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the flowcontrol.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "flowcontrol.v1.ExemptPriorityLevelConfiguration": (
        "1:nominalConcurrencyShares:i32:p 2:lendablePercent:i32:p"
    ),
    "flowcontrol.v1.FlowDistinguisherMethod": "1:type:s:k",
    "flowcontrol.v1.FlowSchema": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:flowcontrol.v1.FlowSchemaSpec "
        "3:status:flowcontrol.v1.FlowSchemaStatus"
    ),
    "flowcontrol.v1.FlowSchemaCondition": (
        "1:type:s 2:status:s 3:lastTransitionTime:@time 4:reason:s 5:message:s"
    ),
    "flowcontrol.v1.FlowSchemaList": (
        "1:metadata:meta.v1.ListMeta 2:items:flowcontrol.v1.FlowSchema:r"
    ),
    "flowcontrol.v1.FlowSchemaSpec": (
        "1:priorityLevelConfiguration:flowcontrol.v1.PriorityLevelConfigurationReference "
        "2:matchingPrecedence:i32:k "
        "3:distinguisherMethod:flowcontrol.v1.FlowDistinguisherMethod:p "
        "4:rules:flowcontrol.v1.PolicyRulesWithSubjects:r"
    ),
    "flowcontrol.v1.FlowSchemaStatus": "1:conditions:flowcontrol.v1.FlowSchemaCondition:r",
    "flowcontrol.v1.GroupSubject": "1:name:s:k",
    "flowcontrol.v1.LimitResponse": "1:type:s:k 2:queuing:flowcontrol.v1.QueuingConfiguration:p",
    "flowcontrol.v1.LimitedPriorityLevelConfiguration": (
        "1:nominalConcurrencyShares:i32:p 2:limitResponse:flowcontrol.v1.LimitResponse "
        "3:lendablePercent:i32:p 4:borrowingLimitPercent:i32:p"
    ),
    "flowcontrol.v1.NonResourcePolicyRule": "1:verbs:s:r 6:nonResourceURLs:s:r",
    "flowcontrol.v1.PolicyRulesWithSubjects": (
        "1:subjects:flowcontrol.v1.Subject:r "
        "2:resourceRules:flowcontrol.v1.ResourcePolicyRule:r "
        "3:nonResourceRules:flowcontrol.v1.NonResourcePolicyRule:r"
    ),
    "flowcontrol.v1.PriorityLevelConfiguration": (
        "1:metadata:meta.v1.ObjectMeta "
        "2:spec:flowcontrol.v1.PriorityLevelConfigurationSpec "
        "3:status:flowcontrol.v1.PriorityLevelConfigurationStatus"
    ),
    "flowcontrol.v1.PriorityLevelConfigurationCondition": (
        "1:type:s 2:status:s 3:lastTransitionTime:@time 4:reason:s 5:message:s"
    ),
    "flowcontrol.v1.PriorityLevelConfigurationList": (
        "1:metadata:meta.v1.ListMeta 2:items:flowcontrol.v1.PriorityLevelConfiguration:r"
    ),
    "flowcontrol.v1.PriorityLevelConfigurationReference": "1:name:s:k",
    "flowcontrol.v1.PriorityLevelConfigurationSpec": (
        "1:type:s:k 2:limited:flowcontrol.v1.LimitedPriorityLevelConfiguration:p "
        "3:exempt:flowcontrol.v1.ExemptPriorityLevelConfiguration:p"
    ),
    "flowcontrol.v1.PriorityLevelConfigurationStatus": (
        "1:conditions:flowcontrol.v1.PriorityLevelConfigurationCondition:r"
    ),
    "flowcontrol.v1.QueuingConfiguration": (
        "1:queues:i32:k 2:handSize:i32:k 3:queueLengthLimit:i32:k"
    ),
    "flowcontrol.v1.ResourcePolicyRule": (
        "1:verbs:s:r 2:apiGroups:s:r 3:resources:s:r 4:clusterScope:b 5:namespaces:s:r"
    ),
    "flowcontrol.v1.ServiceAccountSubject": "1:namespace:s:k 2:name:s:k",
    "flowcontrol.v1.Subject": (
        "1:kind:s:k 2:user:flowcontrol.v1.UserSubject:p "
        "3:group:flowcontrol.v1.GroupSubject:p "
        "4:serviceAccount:flowcontrol.v1.ServiceAccountSubject:p"
    ),
    "flowcontrol.v1.UserSubject": "1:name:s:k",
}
