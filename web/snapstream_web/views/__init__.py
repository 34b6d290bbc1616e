"""Blueprints: accounts (register/login/profile), pages, admin, the JSON API, local media."""
