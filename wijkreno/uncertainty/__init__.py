"""Uncertainty of imputed inputs: Monte Carlo ensembles per dwelling and per area."""

from wijkreno.uncertainty.ensemble import (
    METRICS,
    TOTAL_METRICS,
    EnsembleDraws,
    UncertaintyParams,
    aggregate_ensemble,
    label_column,
    load_uncertainty_params,
    per_draw_totals,
    period_probabilities,
    simulate_ensemble,
    tabula_period_shares,
)

__all__ = [
    "METRICS",
    "TOTAL_METRICS",
    "EnsembleDraws",
    "UncertaintyParams",
    "aggregate_ensemble",
    "label_column",
    "load_uncertainty_params",
    "per_draw_totals",
    "period_probabilities",
    "simulate_ensemble",
    "tabula_period_shares",
]
