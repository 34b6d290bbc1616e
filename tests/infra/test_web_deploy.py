"""The files the instances install the site with: web/deploy/install.sh and the systemd unit."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "web" / "deploy"
INSTALL = DEPLOY / "install.sh"
UNIT = DEPLOY / "snapstream-web.service"
VALID = [
    "--bundle",
    "/nonexistent/site.zip",
    "--port",
    "8000",
    "--health-path",
    "/healthz",
    "--wsgi-app",
    "snapstream_web.wsgi:app",
    "--workers",
    "auto",
    "--",
]


def _unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def test_install_script_parses() -> None:
    subprocess.run(["bash", "-n", str(INSTALL)], check=True)


def test_unit_runs_gunicorn_as_an_unprivileged_user_with_hardening() -> None:
    unit = _unit_settings()
    assert unit["User"] == ["snapstream"]
    assert unit["EnvironmentFile"] == ["/etc/snapstream/web.env"]
    assert unit["Restart"] == ["always"]
    [command] = unit["ExecStart"]
    assert command.startswith("@VENV_DIR@/bin/gunicorn --workers @WORKERS@ ")
    assert "--bind 0.0.0.0:@PORT@ --access-logfile - @WSGI_APP@" in command
    assert "PYTHONPATH=@APP_DIR@" in unit["Environment"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert unit[key] == [value], key


def test_install_script_fills_in_every_placeholder_of_the_unit() -> None:
    placeholders = set(re.findall(r"@([A-Z_]+)@", UNIT.read_text()))
    filled = set(re.findall(r'-e "s\|@([A-Z_]+)@\|', INSTALL.read_text()))
    assert placeholders == filled == {"APP_DIR", "VENV_DIR", "WORKERS", "PORT", "WSGI_APP"}


def test_unit_passes_systemd_verification(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    gunicorn = tmp_path / "venv" / "bin" / "gunicorn"
    gunicorn.parent.mkdir(parents=True)
    gunicorn.write_text("#!/bin/sh\n")
    gunicorn.chmod(0o755)
    rendered = UNIT.read_text()
    for name, value in {
        "APP_DIR": "/opt/snapstream/app",
        "VENV_DIR": str(tmp_path / "venv"),
        "WORKERS": "3",
        "PORT": "8000",
        "WSGI_APP": "snapstream_web.wsgi:app",
    }.items():
        rendered = rendered.replace(f"@{name}@", value)
    (tmp_path / "snapstream-web.service").write_text(rendered)
    result = subprocess.run(
        [analyze, "verify", "--man=no", "./snapstream-web.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr.strip()) == (0, "")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--port": "http"}, "--port"),
        ({"--health-path": "healthz"}, "--health-path"),
        ({"--wsgi-app": "app; rm -rf /"}, "--wsgi-app"),
        ({"--workers": "0"}, "--workers"),
        ({"setting": "lower_case=1"}, "bad setting name"),
        ({"setting": "TABLE_NAME=it's"}, "quote"),
        ({"setting": "TABLE_NAME=a\nEVIL=1"}, "control character"),
    ],
)
def test_install_script_refuses_bad_arguments_before_touching_anything(
    change: dict[str, str], message: str
) -> None:
    arguments = list(VALID)
    for flag, value in change.items():
        if flag == "setting":
            arguments.append(value)
        else:
            arguments[arguments.index(flag) + 1] = value
    result = subprocess.run(
        ["bash", str(INSTALL), *arguments], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "creating the service user" not in result.stdout
