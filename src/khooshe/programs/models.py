"""Models of the programs app (see docs/programs.md)."""
