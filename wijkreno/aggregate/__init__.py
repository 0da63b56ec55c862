"""Collective renovation groups, aggregation to sectors / wijken / municipalities, priorities."""
