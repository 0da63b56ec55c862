"""The web service's settings dependency.

The settings class lives in the library (:class:`wijkreno.settings.Settings`); the service reads
it through the cached dependency :func:`get_settings`, which tests override with
``app.dependency_overrides[get_settings]`` (or pass a :class:`Settings` to ``create_app``).
"""

from __future__ import annotations

import functools

from wijkreno.settings import Settings

__all__ = ["Settings", "get_settings"]


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process's settings (read once from the environment)."""
    return Settings()
