"""The network of hubs (linked houses, network-wide reports) and hub dashboards (see docs/hubs.md)."""
