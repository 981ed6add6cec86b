# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the certificates.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "certificates.v1.CertificateSigningRequest": (
        "1:metadata:meta.v1.ObjectMeta "
        "2:spec:certificates.v1.CertificateSigningRequestSpec "
        "3:status:certificates.v1.CertificateSigningRequestStatus"
    ),
    "certificates.v1.CertificateSigningRequestCondition": (
        "1:type:s:k 2:reason:s 3:message:s 4:lastUpdateTime:@time "
        "5:lastTransitionTime:@time 6:status:s:k"
    ),
    "certificates.v1.CertificateSigningRequestList": (
        "1:metadata:meta.v1.ListMeta 2:items:certificates.v1.CertificateSigningRequest:r"
    ),
    "certificates.v1.CertificateSigningRequestSpec": (
        "1:request:y:p 2:username:s 3:uid:s 4:groups:s:r 5:usages:s:r 6:extra:{@strings} "
        "7:signerName:s:k 8:expirationSeconds:i32:p"
    ),
    "certificates.v1.CertificateSigningRequestStatus": (
        "1:conditions:certificates.v1.CertificateSigningRequestCondition:r "
        "2:certificate:y:p"
    ),
}
