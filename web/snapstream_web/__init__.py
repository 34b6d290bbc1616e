"""The SnapStream website (Flask application factory and blueprints)."""
