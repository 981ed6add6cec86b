# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Who is asking (authentication) and may they (authorization).

Authentication lives in kybernetes.apiserver.authn; the names here are kept for the
modules that import them from this place. The authorizer below allows every request;
RBAC and the Node authorizer replace it.
"""
from __future__ import annotations

from kybernetes.apiserver.authn import AUTHENTICATED, anonymous_user
from kybernetes.apiserver.authn.chain import (COMPONENT_HEADER, AuthenticationOptions,
                                              Authenticator, internal_user)
from kybernetes.apiserver.authn.x509 import user_from_peercert

__all__ = ["AUTHENTICATED", "ANONYMOUS", "COMPONENT_HEADER", "AuthenticationOptions",
           "Authenticator", "internal_user", "user_from_peercert", "AlwaysAllowAuthorizer"]

ANONYMOUS = anonymous_user()


class AlwaysAllowAuthorizer:
    def authorize_attributes(self, user: dict, resource_attributes: dict,
                             non_resource_attributes: dict | None) -> tuple[bool, str]:
        return bool(user.get("name")), ""

    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[dict]]:
        return ([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                [{"verbs": ["*"], "nonResourceURLs": ["*"]}])
