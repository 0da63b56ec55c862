"""Renovation measures, packages and step-by-step trajectories per dwelling."""
