"""Models of the hubs app (see docs/hubs.md)."""
