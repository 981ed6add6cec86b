# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A container's argv from its image config and the pod's command/args, and the
`$(VAR)` expansion Kubernetes applies to command, args, env values and subPathExpr.

Upstream's rules: `command` replaces the image Entrypoint (and drops its Cmd); `args`
alone replace the Cmd and keep the Entrypoint; neither runs Entrypoint + Cmd.
`$(VAR)` becomes VAR's value when VAR is defined, else stays as written; `$$` is an
escaped `$`; any other `$` is literal.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping


def expand(text: str, lookup: Mapping[str, str] | Callable[[str], str | None]) -> str:
    """`text` with each defined `$(VAR)` replaced, `$$(VAR)` left as `$(VAR)`."""
    get = lookup.get if isinstance(lookup, Mapping) else lookup
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char != "$" or i + 1 >= n:
            out.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "(":
            end = text.find(")", i + 2)
            if end < 0:  # unterminated: the text stays as written
                out.append(text[i:])
                break
            name = text[i + 2:end]
            value = get(name) if name else None
            out.append(value if value is not None else text[i:end + 1])
            i = end + 1
        else:
            out.append("$")
            i += 1
    return "".join(out)


def container_argv(image_config: dict, command: list[str] | None, args: list[str] | None,
                   env: Mapping[str, str]) -> list[str]:
    """The process the container runs (empty when neither the image nor the pod says)."""
    entrypoint = list(image_config.get("Entrypoint") or [])
    cmd = list(image_config.get("Cmd") or [])
    command_x = [expand(part, env) for part in command or []]
    args_x = [expand(part, env) for part in args or []]
    if command:
        return command_x + args_x
    if args:
        return entrypoint + args_x
    return entrypoint + cmd
