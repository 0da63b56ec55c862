"""The building-stock digital twin: buildings and dwellings built from public sources."""
