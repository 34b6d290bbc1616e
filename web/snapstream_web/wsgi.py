"""The WSGI entry point gunicorn runs (``snapstream_web.wsgi:app``): configured from the
environment the instance's systemd unit provides."""

from snapstream_web.app import create_app

app = create_app()
