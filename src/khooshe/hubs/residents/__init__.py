"""Residencies under contracts, the journey from idea to graduation with gates and KPI snapshots (see docs/hubs.md)."""
