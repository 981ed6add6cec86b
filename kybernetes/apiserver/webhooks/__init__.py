# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Admission webhooks (admissionregistration.k8s.io/v1), called as kube-apiserver calls
them: which webhooks a request goes to (rules.py), the AdmissionReview exchanged
(review.py), the HTTPS call (client.py), the live set of configurations
(configurations.py) and the mutating and validating dispatch (dispatch.py). The
admission plugin that puts them on the write path is
kybernetes/apiserver/admission_plugins/webhooks.py."""
