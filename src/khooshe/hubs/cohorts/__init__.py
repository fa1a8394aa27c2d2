"""Hub programs (incubation, acceleration, corporate) with cohorts, calls, applications, reviews, decisions and mentor office hours (see docs/hubs.md)."""
