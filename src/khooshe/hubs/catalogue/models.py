"""Models of catalogue: the service catalogue of a hub: services, requests, assignment, status and satisfaction.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.
"""
