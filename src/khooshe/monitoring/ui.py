"""The monitoring app's models in the generic UI and API (core.generic)."""
