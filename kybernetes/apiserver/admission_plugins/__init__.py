# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Admission plugins beyond the built-in service allocation. Each module here defines
`ORDER` and `plugins(server) -> list[Plugin]` (see kybernetes.apiserver.admission)."""
