# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the authentication.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "authentication.v1.BoundObjectReference": "1:kind:s 2:apiVersion:s 3:name:s 4:uid:s",
    "authentication.v1.SelfSubjectReview": (
        "1:metadata:meta.v1.ObjectMeta 2:status:authentication.v1.SelfSubjectReviewStatus"
    ),
    "authentication.v1.SelfSubjectReviewStatus": "1:userInfo:authentication.v1.UserInfo",
    "authentication.v1.TokenRequest": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:authentication.v1.TokenRequestSpec "
        "3:status:authentication.v1.TokenRequestStatus"
    ),
    "authentication.v1.TokenRequestSpec": (
        "1:audiences:s:r 3:boundObjectRef:authentication.v1.BoundObjectReference:p "
        "4:expirationSeconds:i64:p"
    ),
    "authentication.v1.TokenRequestStatus": "1:token:s:k 2:expirationTimestamp:@time",
    "authentication.v1.TokenReview": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:authentication.v1.TokenReviewSpec "
        "3:status:authentication.v1.TokenReviewStatus"
    ),
    "authentication.v1.TokenReviewSpec": "1:token:s 2:audiences:s:r",
    "authentication.v1.TokenReviewStatus": (
        "1:authenticated:b 2:user:authentication.v1.UserInfo 3:error:s 4:audiences:s:r"
    ),
    "authentication.v1.UserInfo": "1:username:s 2:uid:s 3:groups:s:r 4:extra:{@strings}",
}
