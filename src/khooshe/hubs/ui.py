"""The hubs app's models in the generic UI and API (core.generic)."""
