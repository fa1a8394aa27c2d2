"""Pure-Python analytics core (never imports Django; enforced by an import-linter contract)."""
