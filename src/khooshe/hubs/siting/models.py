"""Models of siting: site selection for a new innovation factory: candidate sites, criteria, ranking on the map.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.
"""
