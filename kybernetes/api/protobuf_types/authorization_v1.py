# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the authorization.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "authorization.v1.FieldSelectorAttributes": (
        "1:rawSelector:s 2:requirements:meta.v1.FieldSelectorRequirement:r"
    ),
    "authorization.v1.LabelSelectorAttributes": (
        "1:rawSelector:s 2:requirements:meta.v1.LabelSelectorRequirement:r"
    ),
    "authorization.v1.LocalSubjectAccessReview": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:authorization.v1.SubjectAccessReviewSpec "
        "3:status:authorization.v1.SubjectAccessReviewStatus"
    ),
    "authorization.v1.NonResourceAttributes": "1:path:s 2:verb:s",
    "authorization.v1.NonResourceRule": "1:verbs:s:r 2:nonResourceURLs:s:r",
    "authorization.v1.ResourceAttributes": (
        "1:namespace:s 2:verb:s 3:group:s 4:version:s 5:resource:s 6:subresource:s "
        "7:name:s 8:fieldSelector:authorization.v1.FieldSelectorAttributes:p "
        "9:labelSelector:authorization.v1.LabelSelectorAttributes:p"
    ),
    "authorization.v1.ResourceRule": (
        "1:verbs:s:r 2:apiGroups:s:r 3:resources:s:r 4:resourceNames:s:r"
    ),
    "authorization.v1.SelfSubjectAccessReview": (
        "1:metadata:meta.v1.ObjectMeta "
        "2:spec:authorization.v1.SelfSubjectAccessReviewSpec "
        "3:status:authorization.v1.SubjectAccessReviewStatus"
    ),
    "authorization.v1.SelfSubjectAccessReviewSpec": (
        "1:resourceAttributes:authorization.v1.ResourceAttributes:p "
        "2:nonResourceAttributes:authorization.v1.NonResourceAttributes:p"
    ),
    "authorization.v1.SelfSubjectRulesReview": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:authorization.v1.SelfSubjectRulesReviewSpec "
        "3:status:authorization.v1.SubjectRulesReviewStatus"
    ),
    "authorization.v1.SelfSubjectRulesReviewSpec": "1:namespace:s",
    "authorization.v1.SubjectAccessReview": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:authorization.v1.SubjectAccessReviewSpec "
        "3:status:authorization.v1.SubjectAccessReviewStatus"
    ),
    "authorization.v1.SubjectAccessReviewSpec": (
        "1:resourceAttributes:authorization.v1.ResourceAttributes:p "
        "2:nonResourceAttributes:authorization.v1.NonResourceAttributes:p 3:user:s "
        "4:groups:s:r 5:extra:{@strings} 6:uid:s"
    ),
    "authorization.v1.SubjectAccessReviewStatus": (
        "1:allowed:b:k 2:reason:s 3:evaluationError:s 4:denied:b"
    ),
    "authorization.v1.SubjectRulesReviewStatus": (
        "1:resourceRules:authorization.v1.ResourceRule:r "
        "2:nonResourceRules:authorization.v1.NonResourceRule:r 3:incomplete:b:k "
        "4:evaluationError:s"
    ),
}
