"""Address search of the map page.

The matching core lives in the library, :mod:`wijkreno.twin.address_search`, because the
register's import by address (:mod:`wijkreno.register.upload`) resolves a row's street, number
and box with the same rules as the search box; this module keeps the names the web app imports.
"""

from __future__ import annotations

from wijkreno.twin.address_search import (
    ADDRESS_MATCH_STATUSES,
    MAX_NEAREST,
    MAX_QUERY_CHARS,
    AddressIndex,
    AddressMatch,
    ParsedQuery,
    SearchAnswer,
    build_address_index,
    edit_distances,
    normalise_text,
    parse_query,
    street_key,
)

__all__ = ["ADDRESS_MATCH_STATUSES", "MAX_NEAREST", "MAX_QUERY_CHARS", "AddressIndex",
           "AddressMatch", "ParsedQuery", "SearchAnswer", "build_address_index",
           "edit_distances", "normalise_text", "parse_query", "street_key"]
