"""Models of cohorts: hub programs (incubation, acceleration, corporate) with cohorts, calls, applications, reviews, decisions and mentor office hours.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.
"""
