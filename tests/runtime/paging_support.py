"""The page-cursor signer the runtime tests pass to listing functions (the site derives its own
from its session secret)."""

from __future__ import annotations

from snapstream_runtime.pagination import Cursors

CURSORS = Cursors.from_secret("test-only-cursor-secret")
