"""Models of network: the network of hubs (linked houses, network-wide reports) and hub dashboards.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.
"""
