# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the admissionregistration.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "admissionregistration.v1.AuditAnnotation": "1:key:s:k 2:valueExpression:s:k",
    "admissionregistration.v1.ExpressionWarning": "2:fieldRef:s:k 3:warning:s:k",
    "admissionregistration.v1.MatchCondition": "1:name:s:k 2:expression:s:k",
    "admissionregistration.v1.MatchResources": (
        "1:namespaceSelector:meta.v1.LabelSelector:p "
        "2:objectSelector:meta.v1.LabelSelector:p "
        "3:resourceRules:admissionregistration.v1.NamedRuleWithOperations:r "
        "4:excludeResourceRules:admissionregistration.v1.NamedRuleWithOperations:r "
        "7:matchPolicy:s:p"
    ),
    "admissionregistration.v1.MutatingWebhook": (
        "1:name:s:k 2:clientConfig:admissionregistration.v1.WebhookClientConfig "
        "3:rules:admissionregistration.v1.RuleWithOperations:r 4:failurePolicy:s:p "
        "5:namespaceSelector:meta.v1.LabelSelector:p 6:sideEffects:s:p "
        "7:timeoutSeconds:i32:p 8:admissionReviewVersions:s:r 9:matchPolicy:s:p "
        "10:reinvocationPolicy:s:p 11:objectSelector:meta.v1.LabelSelector:p "
        "12:matchConditions:admissionregistration.v1.MatchCondition:r"
    ),
    "admissionregistration.v1.MutatingWebhookConfiguration": (
        "1:metadata:meta.v1.ObjectMeta "
        "2:webhooks:admissionregistration.v1.MutatingWebhook:r"
    ),
    "admissionregistration.v1.MutatingWebhookConfigurationList": (
        "1:metadata:meta.v1.ListMeta "
        "2:items:admissionregistration.v1.MutatingWebhookConfiguration:r"
    ),
    "admissionregistration.v1.NamedRuleWithOperations": (
        "1:resourceNames:s:r 2:-:admissionregistration.v1.RuleWithOperations:i"
    ),
    "admissionregistration.v1.ParamKind": "1:apiVersion:s 2:kind:s",
    "admissionregistration.v1.ParamRef": (
        "1:name:s 2:namespace:s 3:selector:meta.v1.LabelSelector:p "
        "4:parameterNotFoundAction:s:p"
    ),
    "admissionregistration.v1.Rule": (
        "1:apiGroups:s:r 2:apiVersions:s:r 3:resources:s:r 4:scope:s:p"
    ),
    "admissionregistration.v1.RuleWithOperations": (
        "1:operations:s:r 2:-:admissionregistration.v1.Rule:i"
    ),
    "admissionregistration.v1.ServiceReference": (
        "1:namespace:s:k 2:name:s:k 3:path:s:p 4:port:i32:p"
    ),
    "admissionregistration.v1.TypeChecking": (
        "1:expressionWarnings:admissionregistration.v1.ExpressionWarning:r"
    ),
    "admissionregistration.v1.ValidatingAdmissionPolicy": (
        "1:metadata:meta.v1.ObjectMeta "
        "2:spec:admissionregistration.v1.ValidatingAdmissionPolicySpec "
        "3:status:admissionregistration.v1.ValidatingAdmissionPolicyStatus"
    ),
    "admissionregistration.v1.ValidatingAdmissionPolicyBinding": (
        "1:metadata:meta.v1.ObjectMeta "
        "2:spec:admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec"
    ),
    "admissionregistration.v1.ValidatingAdmissionPolicyBindingList": (
        "1:metadata:meta.v1.ListMeta "
        "2:items:admissionregistration.v1.ValidatingAdmissionPolicyBinding:r"
    ),
    "admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec": (
        "1:policyName:s 2:paramRef:admissionregistration.v1.ParamRef:p "
        "3:matchResources:admissionregistration.v1.MatchResources:p "
        "4:validationActions:s:r"
    ),
    "admissionregistration.v1.ValidatingAdmissionPolicyList": (
        "1:metadata:meta.v1.ListMeta "
        "2:items:admissionregistration.v1.ValidatingAdmissionPolicy:r"
    ),
    "admissionregistration.v1.ValidatingAdmissionPolicySpec": (
        "1:paramKind:admissionregistration.v1.ParamKind:p "
        "2:matchConstraints:admissionregistration.v1.MatchResources:p "
        "3:validations:admissionregistration.v1.Validation:r 4:failurePolicy:s:p "
        "5:auditAnnotations:admissionregistration.v1.AuditAnnotation:r "
        "6:matchConditions:admissionregistration.v1.MatchCondition:r "
        "7:variables:admissionregistration.v1.Variable:r"
    ),
    "admissionregistration.v1.ValidatingAdmissionPolicyStatus": (
        "1:observedGeneration:i64 2:typeChecking:admissionregistration.v1.TypeChecking:p "
        "3:conditions:meta.v1.Condition:r"
    ),
    "admissionregistration.v1.ValidatingWebhook": (
        "1:name:s:k 2:clientConfig:admissionregistration.v1.WebhookClientConfig "
        "3:rules:admissionregistration.v1.RuleWithOperations:r 4:failurePolicy:s:p "
        "5:namespaceSelector:meta.v1.LabelSelector:p 6:sideEffects:s:p "
        "7:timeoutSeconds:i32:p 8:admissionReviewVersions:s:r 9:matchPolicy:s:p "
        "10:objectSelector:meta.v1.LabelSelector:p "
        "11:matchConditions:admissionregistration.v1.MatchCondition:r"
    ),
    "admissionregistration.v1.ValidatingWebhookConfiguration": (
        "1:metadata:meta.v1.ObjectMeta "
        "2:webhooks:admissionregistration.v1.ValidatingWebhook:r"
    ),
    "admissionregistration.v1.ValidatingWebhookConfigurationList": (
        "1:metadata:meta.v1.ListMeta "
        "2:items:admissionregistration.v1.ValidatingWebhookConfiguration:r"
    ),
    "admissionregistration.v1.Validation": (
        "1:expression:s:k 2:message:s 3:reason:s:p 4:messageExpression:s"
    ),
    "admissionregistration.v1.Variable": "1:name:s:k 2:expression:s:k",
    "admissionregistration.v1.WebhookClientConfig": (
        "1:service:admissionregistration.v1.ServiceReference:p 2:caBundle:y:p 3:url:s:p"
    ),
}
