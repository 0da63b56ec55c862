"""Routers of the web service. ``create_app`` includes every router named in :data:`ROUTERS`
and, when their modules exist, ``api.routes.pages`` and ``api.routes.search``."""

ROUTERS: list[str] = ["public", "addresses", "register", "jobs", "reports", "auth", "officer"]
"""Modules under ``api.routes`` whose ``router`` the app includes (missing ones are skipped)."""

OPTIONAL_ROUTERS: list[str] = ["search", "pages"]
"""Included when the module exists (the map page and address search, issue 7 part 2)."""
