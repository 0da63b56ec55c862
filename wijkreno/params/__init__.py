"""Versioned parameter files of wijkreno (TOML and CSV, each value with its source)."""
