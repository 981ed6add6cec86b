# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""--token-auth-file: a CSV file of `token,user,uid,"group1,group2"` lines."""
from __future__ import annotations

import csv
import hmac
import io
import logging

from kybernetes.apiserver.authn import make_user, with_authenticated_group

log = logging.getLogger("kybernetes.apiserver.authn")


class TokenFileError(ValueError):
    pass


def parse_token_file(text: str, path: str = "") -> dict[str, dict]:
    """token -> user. A record needs at least token, user name and uid (upstream's
    rule); empty tokens are skipped and a repeated token keeps its last record."""
    tokens: dict[str, dict] = {}
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    for number, record in enumerate(reader, start=1):
        if not record or record == [""]:
            continue
        if len(record) < 3:
            raise TokenFileError(f"token file '{path}' must have at least 3 columns "
                                 f"(token, user name, user uid), found {len(record)}")
        token = record[0].strip()
        if not token:
            log.warning("empty token has been found in token file '%s', record number '%d'",
                        path, number)
            continue
        if token in tokens:
            log.warning("duplicate token has been found in token file '%s', record number '%d'",
                        path, number)
        groups = [g.strip() for g in record[3].split(",") if g.strip()] if len(record) > 3 else []
        tokens[token] = make_user(record[1].strip(), groups, record[2].strip())
    return tokens


class TokenFileAuthenticator:
    def __init__(self, tokens: dict[str, dict]) -> None:
        self.tokens = tokens

    @classmethod
    def from_file(cls, path: str) -> "TokenFileAuthenticator":
        with open(path, encoding="utf-8") as f:
            return cls(parse_token_file(f.read(), path))

    def authenticate_token(self, token: str) -> dict | None:
        for known, user in self.tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return with_authenticated_group(make_user(
                    user["name"], user["groups"], user["uid"], user["extra"]))
        return None
