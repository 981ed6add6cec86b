# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the rbac.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "rbac.v1.AggregationRule": "1:clusterRoleSelectors:meta.v1.LabelSelector:r",
    "rbac.v1.ClusterRole": (
        "1:metadata:meta.v1.ObjectMeta 2:rules:rbac.v1.PolicyRule:r "
        "3:aggregationRule:rbac.v1.AggregationRule:p"
    ),
    "rbac.v1.ClusterRoleBinding": (
        "1:metadata:meta.v1.ObjectMeta 2:subjects:rbac.v1.Subject:r "
        "3:roleRef:rbac.v1.RoleRef"
    ),
    "rbac.v1.ClusterRoleBindingList": (
        "1:metadata:meta.v1.ListMeta 2:items:rbac.v1.ClusterRoleBinding:r"
    ),
    "rbac.v1.ClusterRoleList": "1:metadata:meta.v1.ListMeta 2:items:rbac.v1.ClusterRole:r",
    "rbac.v1.PolicyRule": (
        "1:verbs:s:r 2:apiGroups:s:r 3:resources:s:r 4:resourceNames:s:r "
        "5:nonResourceURLs:s:r"
    ),
    "rbac.v1.Role": "1:metadata:meta.v1.ObjectMeta 2:rules:rbac.v1.PolicyRule:r",
    "rbac.v1.RoleBinding": (
        "1:metadata:meta.v1.ObjectMeta 2:subjects:rbac.v1.Subject:r "
        "3:roleRef:rbac.v1.RoleRef"
    ),
    "rbac.v1.RoleBindingList": "1:metadata:meta.v1.ListMeta 2:items:rbac.v1.RoleBinding:r",
    "rbac.v1.RoleList": "1:metadata:meta.v1.ListMeta 2:items:rbac.v1.Role:r",
    "rbac.v1.RoleRef": "1:apiGroup:s:k 2:kind:s:k 3:name:s:k",
    "rbac.v1.Subject": "1:kind:s:k 2:apiGroup:s 3:name:s:k 4:namespace:s",
}
