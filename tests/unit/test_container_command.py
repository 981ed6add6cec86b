# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A container's argv from its image config and command/args, and $(VAR) expansion."""
from __future__ import annotations

import pytest

from kybernetes.kubelet.command import container_argv, expand

IMAGE = {"Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"]}


@pytest.mark.parametrize("command,args,expected", [
    (None, None, ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]),
    (["sh", "-c"], None, ["sh", "-c"]),
    (None, ["echo", "hi"], ["/docker-entrypoint.sh", "echo", "hi"]),
    (["sh"], ["-c", "true"], ["sh", "-c", "true"]),
    ([], [], ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]),
])
def test_argv_rules(command, args, expected):
    assert container_argv(IMAGE, command, args, {}) == expected


def test_image_without_entrypoint_uses_cmd_and_args_replace_it():
    image = {"Cmd": ["sh"]}
    assert container_argv(image, None, None, {}) == ["sh"]
    assert container_argv(image, None, ["date"], {}) == ["date"]
    assert container_argv({}, None, None, {}) == []


def test_argv_expands_pod_variables_but_not_image_ones():
    image = {"Entrypoint": ["echo", "$(NAME)"]}
    assert container_argv(image, None, ["$(NAME)", "$$(NAME)"], {"NAME": "x"}) == \
        ["echo", "$(NAME)", "x", "$(NAME)"]


@pytest.mark.parametrize("text,expected", [
    ("$(A)", "1"),
    ("pre-$(A)-$(B)-post", "pre-1-two-post"),
    ("$(MISSING)", "$(MISSING)"),
    ("$$(A)", "$(A)"),
    ("$$$(A)", "$1"),
    ("$$", "$"),
    ("a$b", "a$b"),
    ("$", "$"),
    ("$(A", "$(A"),
    ("$()", "$()"),
    ("100$", "100$"),
])
def test_expand(text, expected):
    assert expand(text, {"A": "1", "B": "two"}) == expected


def test_expand_with_a_function():
    assert expand("$(X)/$(Y)", lambda name: {"X": "x"}.get(name)) == "x/$(Y)"
