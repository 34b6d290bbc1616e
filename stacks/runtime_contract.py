"""The names infrastructure and runtime share, imported from the runtime's own contract module.

``runtime/`` is the Lambda asset root (``snapstream_runtime`` is importable from it exactly as in
Lambda); its ``contract`` module has no AWS imports, so the CDK app can use it directly.
"""

from __future__ import annotations

import sys
from pathlib import Path

RUNTIME_ROOT = Path(__file__).resolve().parent.parent / "runtime"
if str(RUNTIME_ROOT) not in sys.path:
    sys.path.append(str(RUNTIME_ROOT))

from snapstream_runtime import contract  # noqa: E402

EVENT_SOURCE = contract.EVENT_SOURCE
UPLOADS_PREFIX = contract.UPLOADS_PREFIX
MEDIA_PREFIX = contract.MEDIA_PREFIX

__all__ = ["EVENT_SOURCE", "MEDIA_PREFIX", "RUNTIME_ROOT", "UPLOADS_PREFIX", "contract"]
