"""Record every AWS call SnapStream's own code makes, with who makes it.

botocore is patched once (``install``): every API call, presigned URL and presigned POST of any
client is seen with its parameters. A call counts as the product's when the innermost frame of
this repository that leads to it lies in ``runtime/`` or ``web/`` (test set-up and the local
stand-ins in ``tools/`` are not the product). Its *actor* is the Lambda handler module on the
stack (``snapstream_runtime.handlers.<name>``) or, failing that, the site (``snapstream_web``).
A test may also call a handler's logic directly (``video.package``): each function a handler
module imports from the runtime's logic modules is that handler's entry point, and stands for it
when no handler or site frame does. A product call with none of these is kept as unattributed:
it cannot be checked against a role.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any

import botocore.client
import botocore.signers

REPOSITORY = Path(__file__).resolve().parents[2]
_PRODUCT = tuple(str(REPOSITORY / part) + "/" for part in ("runtime", "web"))
_NOT_PRODUCT = tuple(str(REPOSITORY / part) + "/" for part in ("tools", "tests", "bench"))
SITE = "site"
HANDLERS = "snapstream_runtime.handlers."
#: Local stand-ins that run product code in place of a function (make dev, the e2e tests): the
#: analysis services are stood in for inside the analysis step, whose writes they make.
STAND_INS = {"tools.local.analysis": HANDLERS + "analysis"}


@dataclass(frozen=True)
class Call:
    """One AWS request as the code made it (``operation`` is the API operation name)."""

    service: str  # botocore's service name: "dynamodb", "s3", "mediapackage-vod", ...
    operation: str
    params: dict[str, Any]
    actor: str  # "site" or a handler module, "snapstream_runtime.handlers.ingest"
    region: str


@dataclass
class Recording:
    calls: list[Call] = field(default_factory=list)
    #: product calls with no handler or site on the stack (logic called straight from a test)
    unattributed: list[tuple[str, str]] = field(default_factory=list)


_active: list[Recording] = []
_installed = False


_SHARED = {"observability", "settings", "contract", "clock"}


def _imported_logic(path: Path) -> Iterator[tuple[str, str]]:
    """(module, name) of what ``path`` imports from the runtime's logic modules."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        module = getattr(node, "module", None) or ""
        if not isinstance(node, ast.ImportFrom) or not module.startswith("snapstream_runtime."):
            continue
        if module.startswith((HANDLERS, "snapstream_runtime.adapters")):
            continue
        if module.rsplit(".", 1)[-1] not in _SHARED:
            yield from ((module, alias.name) for alias in node.names)


@cache
def entry_points() -> dict[tuple[str, str], str]:
    """(logic module, function) -> the one actor whose code imports it: a handler module, or
    the site. A function imported by more than one actor stands for none."""
    found: dict[tuple[str, str], set[str]] = {}
    folder = REPOSITORY / "runtime" / "snapstream_runtime" / "handlers"
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.FunctionDef) and n.name == "handler" for n in tree.body):
            for entry in _imported_logic(path):
                found.setdefault(entry, set()).add(HANDLERS + path.stem)
    for path in (REPOSITORY / "web" / "snapstream_web").rglob("*.py"):
        for entry in _imported_logic(path):
            found.setdefault(entry, set()).add(SITE)
    return {entry: next(iter(actors)) for entry, actors in found.items() if len(actors) == 1}


def _actor(frame: FrameType | None) -> tuple[bool, str | None]:
    """(is a product call, actor)."""
    product: bool | None = None
    actor: str | None = None
    entry: str | None = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if product is None:
            if filename.startswith(_PRODUCT):
                product = True
            elif filename.startswith(_NOT_PRODUCT):
                return False, None
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(HANDLERS) and frame.f_code.co_name == "handler":
            actor = module  # keep walking: the outermost handler is the Lambda entry point
        elif actor is None and module.startswith("snapstream_web"):
            actor = SITE
        elif actor is None and module in STAND_INS:
            actor = STAND_INS[module]
        elif (module, frame.f_code.co_name) in entry_points():
            entry = entry_points()[module, frame.f_code.co_name]
        frame = frame.f_back
    return bool(product), actor or entry


def _record(client: Any, operation: str, params: dict[str, Any]) -> None:
    if not _active:
        return
    product, actor = _actor(sys._getframe(2))
    if not product:
        return
    service = client.meta.service_model.service_name
    for recording in _active:
        if actor is None:
            recording.unattributed.append((service, operation))
        else:
            call = Call(service, operation, dict(params), actor, client.meta.region_name)
            recording.calls.append(call)


def install() -> None:
    """Patch botocore (idempotent). Clients created before this are not seen."""
    global _installed  # noqa: PLW0603 (one process-wide patch)
    if _installed:
        return
    _installed = True
    client_class: Any = botocore.client.BaseClient  # private botocore API: typed loosely
    signers: Any = botocore.signers
    make_api_call = client_class._make_api_call
    presigned_url = signers.generate_presigned_url
    presigned_post = signers.generate_presigned_post

    def recorded_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        _record(self, operation_name, api_params)
        return make_api_call(self, operation_name, api_params)

    def recorded_presigned_url(self: Any, ClientMethod: str, Params: Any = None, **kw: Any) -> Any:
        operation = self._PY_TO_OP_NAME.get(ClientMethod, ClientMethod)
        _record(self, f"presigned:{operation}", dict(Params or {}))
        return presigned_url(self, ClientMethod, Params, **kw)

    def recorded_presigned_post(self: Any, Bucket: str, Key: str, *args: Any, **kw: Any) -> Any:
        conditions = kw.get("Conditions") or (args[1] if len(args) > 1 else None) or []
        _record(
            self, "presigned:PostObject", {"Bucket": Bucket, "Key": Key, "Conditions": conditions}
        )
        return presigned_post(self, Bucket, Key, *args, **kw)

    client_class._make_api_call = recorded_api_call
    signers.generate_presigned_url = recorded_presigned_url
    signers.generate_presigned_post = recorded_presigned_post


@contextmanager
def recording() -> Iterator[Recording]:
    """Calls made inside the block (by clients created after :func:`install`)."""
    install()
    found = Recording()
    _active.append(found)
    try:
        yield found
    finally:
        _active.remove(found)
