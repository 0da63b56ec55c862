"""Official field names of the building and address downloads, and the house names they become.

This module is the one place where a source's field names are written down. Each supported file
layout is a :class:`SourceLayout`: the official fields that identify it, the renaming to house
names, and the fields that hold the object's identifier. The readers in
:mod:`wijkreno.io.sources` recognise a file's layout from its columns (case-insensitive) and
apply the renaming; columns a layout does not name are dropped.

House names (see :mod:`wijkreno.twin.schema`): ``gebouw_id`` and ``adres_id`` are the register's
objectId as a string (a persistent URI ``https://data.vlaanderen.be/id/gebouw/5811158`` becomes
``"5811158"``), ``building_status``, ``height_m`` (only where a source really has a height),
``street``, ``house_number``, ``box_number``, ``postcode``, ``nis_code``, ``address_status``.
Status values are translated to one English vocabulary (:data:`BUILDING_STATUS_VALUES`,
:data:`ADDRESS_STATUS_VALUES`) so that every layout reads the same.

Sources of the field names
--------------------------
Gebouwenregister / Adressenregister downloads (Digitaal Vlaanderen, "Basisregisters
Vlaanderen" extracts, shapefile ``Gebouw`` / ``Adres``): the dBase schemas in the registers' own
code, Informatievlaanderen/building-registry
``src/BuildingRegistry.Projections.Extract/BuildingExtract/BuildingDbaseSchema.cs`` (fields
``id, gebouwid, versieid, geommet, status``; status and method values in
``BuildingExtractV2EsriProjections.cs``) and Informatievlaanderen/address-registry
``src/AddressRegistry.Projections.Extract/AddressExtract/AddressDbaseSchemaV2.cs`` (fields
``id, adresid, [creatieid,] versieid, posspec, posgeommet, straatnmid, straatnm, huisnr, busnr,
postcode, gemeenteid, gemeentenm, status, offtoegknd, voladres``; status values in
``AddressExtractProjectionsV2.cs``).

GRB "Gbg" (gebouw aan de grond): the attribute list of the GRB WFS layer ``GRB:GBG``
(``UIDN, OIDN, VERSIE, BEGINDATUM, VERSDATUM, TYPE, LBLTYPE, OPNDATUM, BGNINV, LBLBGNINV``) as
recorded from the service's DescribeFeatureType in public code; the GRB shapefile download
carries the same names.

BeST-Address CSV (FPS BOSA, ``openaddress-bevlg.csv``, the Flemish addresses of the
Adressenregister as one CSV; header as written by Fedict/best-tools): ``EPSG:31370_x,
EPSG:31370_y, EPSG:4326_lat, EPSG:4326_lon, address_id, box_number, house_number,
municipality_id, municipality_name_de, municipality_name_fr, municipality_name_nl, postcode,
postname_fr, postname_nl, street_id, streetname_de, streetname_fr, streetname_nl, region_code,
status``. BOSA announced that the Lambert-72 columns become ``EPSG:3812_x/_y`` (Lambert 2008)
in later files; both are recognised (:data:`BEST_COORDINATE_COLUMNS`).

Baarle-Hertog extract (``../shared/data/baarle_hertog_buildings``, a derivative of the GRAR
``gebouw.shp``; see its PROVENANCE.md): ``gebouw_id`` (persistent URI), ``gebouw_nr``
(objectId), ``area_m2``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from wijkreno.crs import CRS_EPSG


class SourceLayout(NamedTuple):
    """One official file layout and how its fields become house names.

    Attributes
    ----------
    name : str
        Short name of the layout (stored in ``frame.attrs["source_layout"]`` by the readers).
    description : str
        What the layout is and where it comes from.
    required : tuple of str
        Official field names (lower case) that must all be present to recognise the layout.
    rename : Mapping of str to str
        Official field name (lower case) → house name. Fields not listed are dropped.
    id_fields : tuple of str
        Official fields (lower case) holding the object id, by preference: the first one with a
        value wins. URIs are reduced to their last path segment (the objectId).
    """

    name: str
    description: str
    required: tuple[str, ...]
    rename: Mapping[str, str]
    id_fields: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# buildings

GEBOUWENREGISTER_BUILDINGS = SourceLayout(
    name="gebouwenregister",
    description="Gebouwenregister download (Digitaal Vlaanderen extract, layer Gebouw)",
    required=("gebouwid", "status"),
    rename={
        "gebouwid": "gebouw_id",  # persistent local id (objectId), Int32 in the dBase file
        "status": "building_status",  # Gepland, InAanbouw, Gerealiseerd, NietGerealiseerd, ...
        "geommet": "geometry_method",  # IngemetenGRB (measured) or Ingeschetst (sketched)
    },
    id_fields=("gebouwid", "id"),  # id = https://data.vlaanderen.be/id/gebouw/<objectId>
)

GRB_GBG = SourceLayout(
    name="grb_gbg",
    description="GRB Gbg, gebouw aan de grond (Digitaal Vlaanderen)",
    required=("oidn", "uidn", "type"),
    rename={
        "oidn": "gebouw_id",  # object identification number of the GRB object
        "type": "grb_type",  # 1 hoofdgebouw, 2 bijgebouw, 3 gebouw afgezoomd met virtuele gevels
        "lbltype": "grb_type_label",
    },
    id_fields=("oidn",),
)

BAARLE_EXTRACT = SourceLayout(
    name="baarle_extract",
    description="Gebouwenregister footprints as in ../shared/data/baarle_hertog_buildings",
    required=("gebouw_id", "gebouw_nr"),
    rename={},  # area_m2 is recomputed from the geometry downstream
    id_fields=("gebouw_nr", "gebouw_id"),
)

HOUSE_BUILDINGS = SourceLayout(
    name="house",
    description="a footprint file already in wijkreno's house names",
    required=("gebouw_id",),
    rename={
        "gebouw_id": "gebouw_id",
        "building_status": "building_status",
        "height_m": "height_m",
        "construction_year": "construction_year",
    },
    id_fields=("gebouw_id",),
)

BUILDING_LAYOUTS: tuple[SourceLayout, ...] = (
    GEBOUWENREGISTER_BUILDINGS,
    GRB_GBG,
    BAARLE_EXTRACT,
    HOUSE_BUILDINGS,
)
"""Building layouts, most specific first: the first whose required fields are all present wins."""

BUILDING_STATUS_VALUES: Mapping[str, str] = {
    # Gebouwenregister (BuildingExtractV2EsriProjections.cs)
    "gepland": "planned",
    "inaanbouw": "under_construction",
    "gerealiseerd": "realized",
    "nietgerealiseerd": "not_realized",
    "gehistoreerd": "retired",
    # already English (house layout)
    "planned": "planned",
    "under_construction": "under_construction",
    "realized": "realized",
    "not_realized": "not_realized",
    "retired": "retired",
}
"""Official building status (lower case) → house value."""

NOT_EXISTING_BUILDING_STATUSES: frozenset[str] = frozenset({"planned", "not_realized", "retired"})
"""House building statuses of footprints that do not stand (yet, or any more)."""


# ---------------------------------------------------------------------------------------------
# addresses

ADRESSENREGISTER_ADDRESSES = SourceLayout(
    name="adressenregister",
    description="Adressenregister download (Digitaal Vlaanderen extract, layer Adres)",
    required=("adresid", "huisnr", "postcode"),
    rename={
        "adresid": "adres_id",
        "straatnm": "street",
        "huisnr": "house_number",
        "busnr": "box_number",
        "postcode": "postcode",
        "gemeenteid": "nis_code",
        "gemeentenm": "municipality_name",
        "status": "address_status",  # InGebruik, Voorgesteld, Gehistoreerd, Afgekeurd
        "posgeommet": "position_method",  # AangeduidDoorBeheerder, AfgeleidVanObject, ...
        "posspec": "position_specification",  # Gebouweenheid, Perceel, Ingang, Lot, ...
        "gebouwid": "gebouw_id",  # present only in a file joined with the building-unit link
    },
    id_fields=("adresid", "id"),  # id = https://data.vlaanderen.be/id/adres/<objectId>
)

BEST_ADDRESSES = SourceLayout(
    name="best_address",
    description="BeST-Address CSV of FPS BOSA (openaddress-bevlg.csv)",
    required=("address_id", "house_number", "postcode", "streetname_nl"),
    rename={
        "address_id": "adres_id",
        "streetname_nl": "street",
        "house_number": "house_number",
        "box_number": "box_number",
        "postcode": "postcode",
        "municipality_id": "nis_code",
        "municipality_name_nl": "municipality_name",
        "status": "address_status",  # current, proposed, retired, rejected
    },
    id_fields=("address_id",),
)

HOUSE_ADDRESSES = SourceLayout(
    name="house",
    description="an address file already in wijkreno's house names",
    required=("adres_id",),
    rename={
        "adres_id": "adres_id",
        "street": "street",
        "house_number": "house_number",
        "box_number": "box_number",
        "postcode": "postcode",
        "nis_code": "nis_code",
        "municipality_name": "municipality_name",
        "address_status": "address_status",
        "gebouw_id": "gebouw_id",
    },
    id_fields=("adres_id",),
)

ADDRESS_FIELD_ALIASES: dict[str, str] = {
    "adres_id": "adresid", "adresidentificator": "adresid", "objectid": "adresid",
    "straatnaam": "straatnm", "huisnummer": "huisnr", "busnummer": "busnr",
    "gemeentenaam": "gemeentenm", "niscode": "gemeenteid", "nisgemeentecode": "gemeenteid",
    "gemeentecode": "gemeenteid", "adresstatus": "status",
    "positiegeometriemethode": "posgeommet", "positiespecificatie": "posspec",
}
"""Spelled-out Dutch column names (lower case) of Adressenregister exports other than the
shapefile (CSV, GeoJSON, GeoPackage, WFS) → the shapefile's short field names, so that such a
file matches the Adressenregister layout instead of losing its street, number, box and status.
Used only when the short name is absent; issue 14. Not checked against every export variant:
columns left unmapped are reported (``frame.attrs["unmapped_columns"]``)."""

ADDRESS_LAYOUTS: tuple[SourceLayout, ...] = (
    ADRESSENREGISTER_ADDRESSES,
    BEST_ADDRESSES,
    HOUSE_ADDRESSES,
)
"""Address layouts, most specific first."""

BEST_COORDINATE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("EPSG:31370_x", "EPSG:31370_y", CRS_EPSG),
    ("EPSG:3812_x", "EPSG:3812_y", 3812),
    ("EPSG:4326_lon", "EPSG:4326_lat", 4326),
)
"""Coordinate columns of the BeST-Address CSV (x, y, EPSG code named in the header), by
preference. The CRS of these columns is the one their name declares."""

ADDRESS_STATUS_VALUES: Mapping[str, str] = {
    # Adressenregister (AddressExtractProjectionsV2.cs)
    "ingebruik": "current",
    "voorgesteld": "proposed",
    "gehistoreerd": "retired",
    "afgekeurd": "rejected",
    # BeST-Address and house layout
    "current": "current",
    "proposed": "proposed",
    "retired": "retired",
    "rejected": "rejected",
}
"""Official address status (lower case) → house value."""
