"""wijkreno web service (issue 7): a thin FastAPI layer over the wijkreno library.

``create_app`` in :mod:`api.app` builds the application; settings come from
:mod:`api.settings` (environment variables with the ``WIJKRENO_`` prefix).
"""

from api.app import create_app

__all__ = ["create_app"]
