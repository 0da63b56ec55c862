"""Loaders refuse or report what they cannot trust (issue 14): multi-layer GeoPackages, a 1 km²
"footprint", Lambert coordinates in a GeoJSON, unmapped address columns, title rows above a
register upload's headers."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from wijkreno.errors import CRSError, InputError
from wijkreno.io.sources import read_addresses, read_buildings
from wijkreno.pipeline import _input_row


def _grb(n: int, x0: float, size: float = 10.0) -> gpd.GeoDataFrame:
    boxes = [shapely.box(x0 + 20 * i, 200000, x0 + 20 * i + size, 200000 + size)
             for i in range(n)]
    return gpd.GeoDataFrame({"OIDN": range(1, n + 1), "UIDN": range(1, n + 1),
                             "TYPE": [1] * n}, geometry=boxes, crs=31370)


def _grb_package(path: Path, layers: dict[str, int]) -> Path:
    for k, (name, n) in enumerate(layers.items()):
        _grb(n, 150000 + 1000 * k).to_file(path, layer=name, driver="GPKG")
    return path


def test_grb_package_reads_the_gbg_layer_and_says_so(tmp_path):
    path = _grb_package(tmp_path / "grb.gpkg", {"Adp": 3, "Gba": 2, "Gbg": 5})
    loaded = read_buildings(path)
    assert len(loaded.frame) == 5 and loaded.frame.attrs["source_layer"] == "Gbg"
    row = _input_row("buildings", loaded.n_in, len(loaded.rejected), frame=loaded.frame)
    assert row["layer"] == "Gbg"  # the twin's quality["inputs"] records the layer
    chosen = read_buildings(path, layer="Gba")
    assert len(chosen.frame) == 2 and chosen.frame.attrs["source_layer"] == "Gba"


def test_several_fitting_layers_without_a_known_name_ask_for_layer(tmp_path):
    path = _grb_package(tmp_path / "two.gpkg", {"laag_a": 3, "laag_b": 2})
    with pytest.raises(InputError, match="--layer"):
        read_buildings(path)


def test_a_square_kilometre_footprint_is_rejected_with_its_reason(tmp_path):
    frame = _grb(3, 150000)
    frame.loc[1, "geometry"] = shapely.box(160000, 200000, 161000, 201000)  # 1 km²
    path = tmp_path / "big.gpkg"
    frame.to_file(path, driver="GPKG")
    loaded = read_buildings(path)
    assert len(loaded.frame) == 2
    assert loaded.rejected["reason"].str.startswith("large_area: footprint area 1,000,000 m²"
                                                    ).tolist() == [True]


def test_geojson_with_lambert_coordinates_says_so(tmp_path):
    feature = {"type": "Feature", "properties": {"OIDN": 1, "UIDN": 1, "TYPE": 1},
               "geometry": shapely.geometry.mapping(shapely.box(150000, 200000, 150010,
                                                                200010))}
    path = tmp_path / "lambert.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(CRSError, match="not degrees.*Lambert 72"):
        read_buildings(path)
    loaded = read_buildings(path, crs=31370)  # the user says what the file holds
    assert len(loaded.frame) == 1
    assert loaded.frame.geometry.iloc[0].area == pytest.approx(100.0)


def test_unmapped_address_columns_are_reported(tmp_path, caplog):
    path = tmp_path / "adressen.csv"
    path.write_text("adres_id;straatnaam;huisnummer;x;y\nA1;Kerkstraat;5;150000;200000\n")
    loaded = read_addresses(path, crs=31370)
    assert loaded.frame.attrs["unmapped_columns"] == ["straatnaam", "huisnummer"]
    assert "not kept" in caplog.text
    assert _input_row("addresses", 1, 0, frame=loaded.frame)["unmapped_columns"] == \
        "straatnaam, huisnummer"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_title_row_above_register_headers_gets_a_clear_message(tmp_path, fmt):
    from wijkreno.register import open_register
    from wijkreno.register.upload import import_file

    rows = [["Renovaties gemeente 99001 - 2024", None, None],
            ["adres_id", "maatregel", "datum_uitvoering"],
            ["A1", "dakisolatie", "2024-03-01"]]
    path = tmp_path / f"met_titel.{fmt}"
    if fmt == "csv":
        path.write_text("\n".join(";".join(c or "" for c in r) for r in rows) + "\n")
    else:
        pd.DataFrame(rows).to_excel(path, header=False, index=False)
    with open_register(f"sqlite:///{tmp_path / 'r.sqlite'}") as reg, \
            pytest.raises(InputError, match="rij 2.*verwijder de titelrij"):
        import_file(reg, path, "renovations", nis_code="99001", dwellings=None, user="an")


def test_spelled_out_adressenregister_names_keep_street_number_box_and_status(tmp_path):
    path = tmp_path / "adressen.csv"
    path.write_text("AdresId;Straatnaam;Huisnummer;Busnummer;Postcode;NISCode;AdresStatus;"
                    "Opmerking;x;y\n"
                    "300001;Dorpsstraat;5;;2999;99001;InGebruik;;150000;200000\n"
                    "300001;Dorpsstraat;5;;2999;99001;Gehistoreerd;oud;150001;200000\n"
                    "300002;Dorpsstraat;7;0.1;2999;99001;InGebruik;;150010;200000\n")
    loaded = read_addresses(path, crs=31370)
    out = loaded.frame
    assert out.attrs["source_layout"] == "adressenregister"
    assert out["street"].tolist() == ["Dorpsstraat", "Dorpsstraat"]
    assert out["house_number"].tolist() == ["5", "7"]
    assert out["box_number"].iloc[1] == "0.1"
    assert out["address_status"].tolist() == ["current", "current"]
    assert out.attrs["unmapped_columns"] == ["Opmerking"]
    assert loaded.rejected["reason"].str.startswith("duplicate_id").sum() == 1
