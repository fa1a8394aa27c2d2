"""Site selection for a new innovation factory: candidate sites, criteria, ranking on the map (see docs/hubs.md)."""
