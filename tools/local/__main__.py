"""``python -m tools.local`` (``make dev``): SnapStream on http://127.0.0.1:8080 against a local
AWS, from freshly synthesized templates, until Ctrl-C."""

from __future__ import annotations

import logging
import secrets
import warnings
from typing import Any

from tools.local.platform import running_platform


def _synthesized_templates() -> dict[tuple[str, str], dict[str, Any]]:
    import tempfile
    from pathlib import Path

    from tools.assembly import stacks
    from tools.synthesis import synthesize_all

    outdir = synthesize_all(Path(tempfile.mkdtemp(prefix="snapstream-local-")))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for stack in stacks(outdir):
        _, env, name = stack.stack_name.split("-", 2)
        found[env, name] = stack.template
    return found


def main() -> None:
    """``make dev``: SnapStream on http://127.0.0.1:8080 against local AWS, until Ctrl-C."""
    import time

    from snapstream_runtime.adapters.table import Table
    from snapstream_web import accounts

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("snapstream").setLevel(logging.INFO)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    print("synthesizing the app (the local resources are made from its templates)…", flush=True)
    templates = _synthesized_templates()
    with running_platform(templates, site_port=8080) as platform:
        password = secrets.token_urlsafe(12)
        table = Table(platform.settings.table_name)
        accounts.register(table, email="demo@example.com", username="demo", password=password)
        accounts.set_role(table, "demo@example.com", "admin")
        print(
            f"\nSnapStream is running at {platform.site_url}\n"
            f"  demo account (admin): demo@example.com / {password}\n"
            f"  local AWS (moto server): {platform.endpoint}\n"
            f"  e-mail is not sent: the site's messages wait at {platform.site_url}/dev/outbox\n"
            "  videos are transcoded by ffmpeg from the MediaConvert job template; images, audio\n"
            "  and video get local technical analysis (labels and transcripts run on AWS only)\n"
            "  everything is in memory: stopping forgets all accounts and media\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopping…", flush=True)


if __name__ == "__main__":
    main()
