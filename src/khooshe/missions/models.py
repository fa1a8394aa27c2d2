"""Models of the missions app (see docs/missions.md)."""
