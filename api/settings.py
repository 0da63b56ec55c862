"""The web service's settings dependency.

The settings class lives in the library (:class:`wijkreno.settings.Settings`); the service reads
it through the cached dependency :func:`get_settings`, which tests override with
``app.dependency_overrides[get_settings]`` (or pass a :class:`Settings` to ``create_app``).
"""

from __future__ import annotations

import functools

from fastapi import HTTPException

from wijkreno.settings import Settings

__all__ = ["Settings", "check_page_size", "get_settings"]


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process's settings (read once from the environment)."""
    return Settings()


def check_page_size(page_size: int, settings: Settings) -> None:
    """400 when a paged list asks more rows than ``settings.max_page_size``."""
    if page_size > settings.max_page_size:
        raise HTTPException(status_code=400, detail=(
            f"page_size {page_size} is te groot (maximum {settings.max_page_size}); vraag "
            "kleinere pagina's op met page=2, 3, …"))
