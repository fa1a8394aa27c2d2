"""catalogue models in the generic UI and API (core.generic); imported by khooshe.hubs.ui."""
