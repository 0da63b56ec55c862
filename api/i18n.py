"""User-interface strings of the map page and print view: Dutch first, English second.

Every text the page shows lives here (the JavaScript receives the dictionary of the chosen
language as JSON). Add a language by adding a dictionary with the same keys; a test holds the
keys of every language equal.
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "nl"

STRINGS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Wijkrenovatie — prioriteitenkaart",
        "search_placeholder": "Zoek een adres: straat en huisnummer",
        "search_label": "Adres zoeken",
        "search_none": "Geen adres gevonden. Controleer de straatnaam.",
        "search_error": "Zoeken mislukt",
        "layer": "Kaartlaag",
        "layer_priority_score": "Prioriteitsscore (0 = laag, 1 = hoog)",
        "layer_epc_score_mean_kwh_per_m2": "Gemiddelde EPC-score [kWh/m² per jaar]",
        "layer_label_ef_frac": "Aandeel woningen met label E of F",
        "no_data": "geen gegevens",
        "dwellings_legend": "EPC-label woningen (vanaf zoomniveau 15)",
        "zoom_in": "Zoom in om de woningen te zien.",
        "too_many": "Te veel woningen in beeld; zoom verder in.",
        "intro": "Klik op een wijk voor de cijfers of zoek een adres. Berekende "
                 "(gestandaardiseerde) waarden, geen gemeten verbruik en geen officieel EPC.",
        "close": "Sluiten",
        "sector": "Statistische sector",
        "priority_score": "Prioriteitsscore",
        "priority_rank": "rang",
        "n_dwellings": "Woningen",
        "epc_score_mean": "Gemiddelde EPC-score [kWh/m²]",
        "label_ef_frac": "Aandeel label E of F",
        "co2": "CO2-uitstoot [ton/jaar]",
        "plan_net_cost": "Netto kost renovatieplan [€]",
        "components": "Waarom deze score (componenten, 0–1)",
        "comp_label_ef": "label E/F",
        "comp_epc_score": "EPC-score",
        "comp_co2_saving": "CO2-besparing",
        "comp_energy_poverty": "energie-armoede",
        "comp_collective": "collectief potentieel",
        "comp_tenants": "huurders",
        "comp_low_income": "laag inkomen",
        "address": "Adres",
        "address_id": "adres-id",
        "current_label": "EPC-label nu",
        "current_score": "EPC-score nu [kWh/m² per jaar]",
        "energy_cost": "Energiekost [€/jaar]",
        "epc_basis": "EPC-berekening (gestandaardiseerd)",
        "basis_standardised": "EPC-berekening (gestandaardiseerd)",
        "basis_expected": "verwacht werkelijk verbruik",
        "basis_calibrated": "gekalibreerd op Fluvius-meters",
        "basis_metered": "gemeten verbruik (eigen meter)",
        "basis_note": "Vergelijk uw factuur met de energiekost op basis van het verwachte "
                      "verbruik, niet met de EPC-score.",
        "co2_dwelling": "CO2-uitstoot [kg/jaar]",
        "target": "Doel",
        "reached": "Doel gehaald",
        "not_reached": "Doel niet gehaald",
        "trajectory": "Renovatietraject",
        "step": "Stap",
        "measure": "Maatregel",
        "net_cost": "Netto [€]",
        "saving": "Besparing [€/jaar]",
        "label_after": "Label",
        "total_net_cost": "Totale netto kost [€]",
        "label_path": "EPC-score na elke stap",
        "now": "nu",
        "no_steps": "Geen maatregelen nodig of mogelijk.",
        "print_sheet": "Print blad",
        "loading": "Laden…",
        "load_error": "Kon de gegevens niet laden",
        "print": "Afdrukken",
        "back_to_map": "Terug naar de kaart",
        "language": "Taal",
        "estimate_note": "Geschatte waarden (standaardklimaat en -gebruik); laat een "
                         "energiedeskundige of renovatiecoach de toestand nakijken.",
        "attribution": "Gebouwen: Basisregisters Vlaanderen; sectoren: Statbel; "
                       "berekeningen: wijkreno",
    },
    "en": {
        "title": "Neighbourhood renovation — priority map",
        "search_placeholder": "Find an address: street and house number",
        "search_label": "Address search",
        "search_none": "No address found. Check the street name.",
        "search_error": "Search failed",
        "layer": "Map layer",
        "layer_priority_score": "Priority score (0 = low, 1 = high)",
        "layer_epc_score_mean_kwh_per_m2": "Mean EPC score [kWh/m² per year]",
        "layer_label_ef_frac": "Share of dwellings labelled E or F",
        "no_data": "no data",
        "dwellings_legend": "EPC label of dwellings (from zoom level 15)",
        "zoom_in": "Zoom in to see the dwellings.",
        "too_many": "Too many dwellings in view; zoom in further.",
        "intro": "Click an area for its figures or search an address. Calculated "
                 "(standardised) values, not metered use and not an official EPC.",
        "close": "Close",
        "sector": "Statistical sector",
        "priority_score": "Priority score",
        "priority_rank": "rank",
        "n_dwellings": "Dwellings",
        "epc_score_mean": "Mean EPC score [kWh/m²]",
        "label_ef_frac": "Share labelled E or F",
        "co2": "CO2 emissions [tonne/year]",
        "plan_net_cost": "Net cost of renovation plan [€]",
        "components": "Why this score (components, 0–1)",
        "comp_label_ef": "label E/F",
        "comp_epc_score": "EPC score",
        "comp_co2_saving": "CO2 saving",
        "comp_energy_poverty": "energy poverty",
        "comp_collective": "collective potential",
        "comp_tenants": "tenants",
        "comp_low_income": "low income",
        "address": "Address",
        "address_id": "address id",
        "current_label": "EPC label now",
        "current_score": "EPC score now [kWh/m² per year]",
        "energy_cost": "Energy cost [€/year]",
        "epc_basis": "EPC calculation (standardised)",
        "basis_standardised": "EPC calculation (standardised)",
        "basis_expected": "expected real use",
        "basis_calibrated": "calibrated to Fluvius meters",
        "basis_metered": "metered use (own meter)",
        "basis_note": "Compare your bill with the energy cost on expected use, not with the "
                      "EPC score.",
        "co2_dwelling": "CO2 emissions [kg/year]",
        "target": "Target",
        "reached": "Target reached",
        "not_reached": "Target not reached",
        "trajectory": "Renovation trajectory",
        "step": "Step",
        "measure": "Measure",
        "net_cost": "Net [€]",
        "saving": "Saving [€/year]",
        "label_after": "Label",
        "total_net_cost": "Total net cost [€]",
        "label_path": "EPC score after each step",
        "now": "now",
        "no_steps": "No measures needed or possible.",
        "print_sheet": "Print sheet",
        "loading": "Loading…",
        "load_error": "Could not load the data",
        "print": "Print",
        "back_to_map": "Back to the map",
        "language": "Language",
        "estimate_note": "Estimated values (standard climate and use); have an energy "
                         "assessor or renovation coach check the dwelling.",
        "attribution": "Buildings: Basisregisters Vlaanderen; sectors: Statbel; "
                       "calculations: wijkreno",
    },
}
"""UI strings per language code."""

LANGUAGES: tuple[str, ...] = tuple(STRINGS)

MEASURE_NAMES_EN: dict[str, str] = {
    "heat_pump_boiler": "heat-pump water heater",
    "keep": "no change",
    "roof_insulation": "roof insulation",
    "attic_floor_insulation": "attic floor insulation",
    "cavity_fill": "cavity wall insulation",
    "external_insulation": "external wall insulation (ETICS)",
    "inside_insulation": "internal wall insulation",
    "floor_insulation": "floor or cellar ceiling insulation",
    "hr_glazing": "high-performance glazing with new frames",
    "ventilation_c": "airtightness + ventilation C",
    "ventilation_d": "airtightness + ventilation D (heat recovery)",
    "heat_pump_air_water": "air-to-water heat pump",
    "hybrid_heat_pump": "hybrid heat pump",
    "heat_pump_ground": "ground-source heat pump",
    "pv": "solar panels (PV)",
    "solar_water_heater": "solar water heater",
}
"""English names of the renovation measures (the Dutch ones come from the catalogue)."""


def measure_names(language: str) -> dict[str, str]:
    """Names of the measures in ``language``: the catalogue's ``label_nl`` or English."""
    from wijkreno.reports.sheets import measure_names_nl

    dutch = measure_names_nl()
    if language == "en":
        return {k: MEASURE_NAMES_EN.get(k, v) for k, v in dutch.items()}
    return dict(dutch)


def pick_language(requested: str | None, cookie: str | None = None) -> str:
    """The language to show: ``?lang=`` when known, else the cookie, else Dutch."""
    for candidate in (requested, cookie):
        if candidate and candidate.lower() in STRINGS:
            return candidate.lower()
    return DEFAULT_LANGUAGE


def strings(language: str) -> dict[str, str]:
    """The UI strings of ``language`` (Dutch for an unknown code)."""
    return STRINGS.get(language, STRINGS[DEFAULT_LANGUAGE])


__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "MEASURE_NAMES_EN", "STRINGS", "measure_names",
           "pick_language", "strings"]
