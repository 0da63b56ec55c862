"""Per-dwelling energy simulation."""
