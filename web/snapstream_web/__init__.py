"""SnapStream's website: ``create_app()`` builds the Flask application (see blueprints)."""

from snapstream_web.app import create_app

__all__ = ["create_app"]
