"""Events in a space: registration, waiting list, check-in, attendance, never oversold (see docs/hubs.md)."""
