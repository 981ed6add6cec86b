# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Bootstrap tokens as kubeadm makes them: `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}),
stored in kube-system Secrets `bootstrap-token-<id>` of type bootstrap.kubernetes.io/token.
Pure functions: generation, parsing, the Secret a token becomes, and back."""
from __future__ import annotations

import base64
import datetime
import re
import secrets as random
from dataclasses import dataclass, field

__all__ = ["TOKEN_PATTERN", "ID_PATTERN", "SECRET_TYPE", "NAMESPACE", "DEFAULT_GROUP",
           "DEFAULT_USAGES", "BootstrapToken", "TokenError", "generate_token", "parse_token",
           "token_secret", "token_from_secret", "secret_field", "is_expired", "secret_name", "rfc3339",
           "parse_rfc3339", "token_table"]

TOKEN_PATTERN = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")
ID_PATTERN = re.compile(r"^[a-z0-9]{6}$")
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
SECRET_TYPE = "bootstrap.kubernetes.io/token"
SECRET_PREFIX = "bootstrap-token-"
NAMESPACE = "kube-system"
DEFAULT_GROUP = "system:bootstrappers:kubeadm:default-node-token"
DEFAULT_USAGES = ("signing", "authentication")
USAGE_PREFIX = "usage-bootstrap-"
GROUP_PATTERN = re.compile(r"^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$")


class TokenError(ValueError):
    """A malformed token, group or usage."""


@dataclass
class BootstrapToken:
    token_id: str
    token_secret: str
    description: str = ""
    expires: datetime.datetime | None = None
    usages: list[str] = field(default_factory=lambda: list(DEFAULT_USAGES))
    groups: list[str] = field(default_factory=lambda: [DEFAULT_GROUP])

    @property
    def token(self) -> str:
        return f"{self.token_id}.{self.token_secret}"


def generate_token() -> str:
    """A fresh random token `<6>.<16>` from [a-z0-9], as `kubeadm token generate`."""
    pick = lambda n: "".join(random.choice(ALPHABET) for _ in range(n))  # noqa: E731
    return f"{pick(6)}.{pick(16)}"


def parse_token(text: str) -> tuple[str, str]:
    match = TOKEN_PATTERN.match(text.strip())
    if not match:
        raise TokenError(f'the bootstrap token "{text}" was not of the form '
                         f'"{TOKEN_PATTERN.pattern}"')
    return match.group(1), match.group(2)


def secret_name(token_id: str) -> str:
    return SECRET_PREFIX + token_id


def rfc3339(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def validate_groups(groups: list[str]) -> list[str]:
    for group in groups:
        if not GROUP_PATTERN.match(group):
            raise TokenError(f'--groups: "{group}" must match {GROUP_PATTERN.pattern}')
    return groups


def validate_usages(usages: list[str]) -> list[str]:
    for usage in usages:
        if usage not in DEFAULT_USAGES:
            raise TokenError(f'--usages: unknown usage "{usage}" (known: '
                             f'{", ".join(DEFAULT_USAGES)})')
    return usages


def token_secret(token: BootstrapToken) -> dict:
    """The Secret kubeadm writes for the token (stringData-free: data is base64)."""
    data = {"token-id": token.token_id, "token-secret": token.token_secret}
    if token.description:
        data["description"] = token.description
    if token.expires is not None:
        data["expiration"] = rfc3339(token.expires)
    for usage in token.usages:
        data[USAGE_PREFIX + usage] = "true"
    if token.groups:
        data["auth-extra-groups"] = ",".join(token.groups)
    return {"apiVersion": "v1", "kind": "Secret", "type": SECRET_TYPE,
            "metadata": {"name": secret_name(token.token_id), "namespace": NAMESPACE},
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}


def secret_field(secret: dict, key: str) -> str:
    """A token Secret's field, decoded (stringData counts, as before the API merges it)."""
    value = (secret.get("data") or {}).get(key)
    if value is None:
        return (secret.get("stringData") or {}).get(key, "")
    try:
        return base64.b64decode(value).decode()
    except (ValueError, UnicodeDecodeError):
        return ""


def token_from_secret(secret: dict) -> BootstrapToken | None:
    """The token a Secret holds, or None when it is not a well-formed bootstrap token."""
    if secret.get("type") != SECRET_TYPE:
        return None
    token_id, token_secret_ = secret_field(secret, "token-id"), secret_field(secret, "token-secret")
    if not TOKEN_PATTERN.match(f"{token_id}.{token_secret_}"):
        return None
    if (secret.get("metadata") or {}).get("name") != secret_name(token_id):
        return None
    expires = None
    if secret_field(secret, "expiration"):
        try:
            expires = parse_rfc3339(secret_field(secret, "expiration"))
        except ValueError:
            # unreadable expirations count as already expired, as upstream
            expires = datetime.datetime.fromtimestamp(0, datetime.timezone.utc)
    usages = sorted(key[len(USAGE_PREFIX):] for key in (secret.get("data") or {})
                    if key.startswith(USAGE_PREFIX) and secret_field(secret, key) == "true")
    groups = [g.strip() for g in secret_field(secret, "auth-extra-groups").split(",") if g.strip()]
    return BootstrapToken(token_id, token_secret_, secret_field(secret, "description"), expires,
                          usages, groups)


def is_expired(token: BootstrapToken, now: datetime.datetime) -> bool:
    return token.expires is not None and now >= token.expires


def _human_duration(seconds: float) -> str:
    """kubectl's short durations: 23h, 5d, 45m, 30s."""
    seconds = int(seconds)
    if seconds < 120:
        return f"{max(seconds, 0)}s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    return f"{hours // 24}d"


def token_table(tokens: list[BootstrapToken], now: datetime.datetime) -> str:
    """`kubeadm token list`'s table."""
    rows = [["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"]]
    for token in tokens:
        if token.expires is None:
            ttl, expires = "<forever>", "<never>"
        elif now >= token.expires:
            ttl, expires = "<invalid>", rfc3339(token.expires)
        else:
            ttl, expires = _human_duration((token.expires - now).total_seconds()), rfc3339(token.expires)
        rows.append([token.token, ttl, expires, ",".join(token.usages) or "<none>",
                     token.description or "<none>", ",".join(token.groups) or "<none>"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join("   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n" for r in rows)
