# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-apiserver's encryption-at-rest and audit flags, and their checks at startup (a bad
file is a one-line error before anything listens)."""
from __future__ import annotations

import argparse
from pathlib import Path

from kybernetes.cli.errors import UsageError


def _bool(text: str) -> bool:
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_encryption_audit_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--encryption-provider-config", type=Path, default=None,
                        help="EncryptionConfiguration (apiserver.config.k8s.io/v1) saying how "
                             "resources are encrypted in the store")
    parser.add_argument("--encryption-provider-config-automatic-reload", type=_bool,
                        default=False, nargs="?", const=True,
                        help="reload --encryption-provider-config when the file changes")
    parser.add_argument("--audit-policy-file", default="",
                        help="audit.k8s.io/v1 Policy: which requests are logged, at what level")
    parser.add_argument("--audit-log-path", default="",
                        help="write audit events (JSON lines) here; '-' means stdout")
    parser.add_argument("--audit-log-maxsize", type=int, default=0,
                        help="megabytes before the audit log is rotated (0: 100)")
    parser.add_argument("--audit-log-maxbackup", type=int, default=0,
                        help="rotated audit logs to keep (0: all)")
    parser.add_argument("--audit-log-maxage", type=int, default=0,
                        help="days to keep rotated audit logs (0: forever)")
    parser.add_argument("--audit-log-compress", type=_bool, default=False, nargs="?", const=True,
                        help="gzip rotated audit logs")
    parser.add_argument("--audit-log-format", default="json", choices=("json", "legacy"),
                        help="json (legacy is accepted and written as json)")
    parser.add_argument("--audit-log-mode", default="blocking",
                        choices=("batch", "blocking", "blocking-strict"),
                        help="accepted for compatibility: events are always queued to a writer "
                             "thread and flushed on shutdown")
    parser.add_argument("--audit-log-version", default="audit.k8s.io/v1",
                        choices=("audit.k8s.io/v1",))


def encryption_audit_settings(args: argparse.Namespace) -> dict:
    """The flags as APIServerConfig fields, with their files checked."""
    from kybernetes.apiserver.audit import AuditPolicyError, load_policy
    from kybernetes.apiserver.audit_http import AuditOptions
    from kybernetes.apiserver.encryption import EncryptionConfigError, load_encryption_config
    settings: dict = {}
    if args.encryption_provider_config is not None:
        try:
            load_encryption_config(args.encryption_provider_config)
        except EncryptionConfigError as exc:
            raise UsageError(f"--encryption-provider-config: {exc}") from None
        settings["encryption_provider_config"] = args.encryption_provider_config.resolve()
        settings["encryption_provider_config_automatic_reload"] = \
            args.encryption_provider_config_automatic_reload
    for flag in ("maxsize", "maxbackup", "maxage"):
        if getattr(args, f"audit_log_{flag}") < 0:
            raise UsageError(f"--audit-log-{flag} {getattr(args, f'audit_log_{flag}')} must be "
                             f"a non-negative number")
    if args.audit_policy_file:
        try:
            load_policy(args.audit_policy_file)
        except AuditPolicyError as exc:
            raise UsageError(f"--audit-policy-file: {exc}") from None
    if args.audit_policy_file or args.audit_log_path:
        log_path = args.audit_log_path
        if log_path and log_path != "-":
            log_path = str(Path(log_path).expanduser().resolve())
        settings["audit"] = AuditOptions(
            policy_file=args.audit_policy_file, log_path=log_path,
            log_maxsize=args.audit_log_maxsize, log_maxbackup=args.audit_log_maxbackup,
            log_maxage=args.audit_log_maxage, log_compress=args.audit_log_compress,
            log_format="json")
    return settings
