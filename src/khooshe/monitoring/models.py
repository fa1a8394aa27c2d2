"""Models of the monitoring app (see docs/monitoring.md)."""
