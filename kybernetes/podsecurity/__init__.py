# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pod Security Standards (privileged, baseline, restricted) and the PodSecurity admission
decisions, as k8s.io/pod-security-admission implements them for Kubernetes 1.32.

Pure: no I/O besides reading a configuration file. Policy versions v1.0 to v1.32 apply
the checks as they were at that version; "latest" and any newer v1.x mean v1.32.

- levels: levels, versions, namespace labels -> Policy
- baseline, restricted: the checks; registry: which apply at a level and version
- admission: what a create/update of a namespace, pod or workload leads to
- config: PodSecurityConfiguration and the AdmissionConfiguration file
"""
from kybernetes.podsecurity.admission import Decision, PodSecurityAdmission, pod_template
from kybernetes.podsecurity.config import (ConfigError, PodSecurityConfiguration,
                                           load_admission_configuration,
                                           parse_pod_security_configuration)
from kybernetes.podsecurity.levels import LevelVersion, Policy, Version, policy_to_evaluate
from kybernetes.podsecurity.registry import evaluate_pod
from kybernetes.podsecurity.results import AggregateResult, CheckResult, aggregate

__all__ = ["AggregateResult", "CheckResult", "ConfigError", "Decision", "LevelVersion",
           "PodSecurityAdmission", "PodSecurityConfiguration", "Policy", "Version", "aggregate",
           "evaluate_pod", "load_admission_configuration", "parse_pod_security_configuration",
           "pod_template", "policy_to_evaluate"]
