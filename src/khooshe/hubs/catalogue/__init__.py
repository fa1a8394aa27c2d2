"""The service catalogue of a hub: services, requests, assignment, status and satisfaction (see docs/hubs.md)."""
