"""The schema catches what a stage must not hand over."""

from __future__ import annotations

import pytest

from tests.twin.fixtures import street
from wijkreno.errors import CRSError, SchemaError
from wijkreno.twin.build import build_twin
from wijkreno.twin.schema import BUILDINGS, DWELLINGS, schema_markdown, validate_table


@pytest.fixture(scope="module")
def twin():
    return build_twin(street(), nis_code="13002", seed=0)


def test_each_problem_is_named(twin):
    b = twin.buildings.copy()
    b.loc[0, "footprint_area_m2"] = -1.0
    b.loc[1, "gebouw_id"] = b.loc[0, "gebouw_id"]
    b = b.drop(columns="perimeter_m")
    with pytest.raises(SchemaError) as err:
        validate_table(b, BUILDINGS)
    text = str(err.value)
    assert "missing columns ['perimeter_m']" in text
    assert "footprint_area_m2" in text and "below 0.0" in text
    assert "duplicate gebouw_id" in text


def test_unknown_category_and_source_flag(twin):
    d = twin.dwellings.copy()
    d["typology"] = d["typology"].astype(str)
    d.loc[d.index[0], "typology"] = "castle"
    d["u_wall_w_per_m2k_source"] = d["u_wall_w_per_m2k_source"].astype(str)
    d.loc[d.index[0], "u_wall_w_per_m2k_source"] = "guessed"
    with pytest.raises(SchemaError, match="castle") as err:
        validate_table(d, DWELLINGS)
    assert "guessed" in str(err.value)


def test_crs_checked(twin):
    with pytest.raises(CRSError, match="to_crs"):
        validate_table(twin.buildings.to_crs(4326), BUILDINGS)


def test_markdown_lists_every_column_with_unit():
    text = schema_markdown()
    for schema in (BUILDINGS, DWELLINGS):
        for col in schema.columns:
            assert f"| `{col.name}` |" in text
    assert "W/(m²·K)" in text


def test_committed_schema_docs_are_up_to_date():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "twin_schema.md"
    # regenerate with `wijkreno twin schema -o docs/twin_schema.md`
    assert docs.read_text(encoding="utf-8") == schema_markdown() + "\n"
