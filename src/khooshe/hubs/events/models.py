"""Models of events: events in a space: registration, waiting list, check-in, attendance, never oversold.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.
"""
