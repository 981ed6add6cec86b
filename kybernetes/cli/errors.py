# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The one error type the CLI turns into a one-line message and exit status 2. It lives
apart from main.py so that `python -m kybernetes.cli.main` (where main.py is __main__)
and the components share one class."""


class UsageError(Exception):
    pass
