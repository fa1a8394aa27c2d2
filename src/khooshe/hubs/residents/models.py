"""Models of residents: residencies under contracts, the journey from idea to graduation with gates and KPI snapshots.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.
"""
