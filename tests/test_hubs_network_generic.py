"""The web UI and REST API of networks of hubs and link rules, from the generic mixins (tests/mixins.py)."""

from __future__ import annotations

import pytest
from factories import make_org
from hubs_factories import make_hub, make_site
from hubs_network_factories import make_house, make_network, make_networks, make_rules
from mixins import APITestCases, ViewTestCases

from khooshe.hubs.network.models import HubNetwork, LinkRule

pytestmark = pytest.mark.filterwarnings("ignore")


class HubNetworkCase:
    model = HubNetwork
    bulk_objects = make_networks

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"coordinator": objects[0].coordinator_id}, [objects[0]]),
                ({"member": objects[1].members.first().pk}, [objects[1]])]


class TestHubNetworkViews(HubNetworkCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"name": "شبکه ملی خانه‌های خلاق", "coordinator": make_org().pk,
                "members": [make_house().pk, make_house().pk], "description": "۷۰ خانه خلاق"}

    edit_data = {"name": "شبکه خانه‌های خلاق استان کرمان"}

    def invalid_data(self):
        return ({"name": "x", "coordinator": make_org().pk, "members": [make_org().pk]}, "members")


class TestHubNetworkAPI(HubNetworkCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"name": "Network", "coordinator": make_org().pk, "members": [make_house().pk]}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        return ({"name": "x", "coordinator": make_org().pk, "members": [make_org().pk]}, "members")


class LinkRuleCase:
    model = LinkRule
    bulk_objects = make_rules

    def search_term(self, obj):
        return obj.site.name

    def filter_cases(self, objects):
        return [({"site": objects[0].site_id}, [objects[0]])]


def _member_site():
    hub = make_hub()
    return make_site(operator=hub), make_network(members=[hub])


class TestLinkRuleViews(LinkRuleCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        site, network = _member_site()
        return {"site": site.pk, "network": network.pk, "space_kinds": ["meeting_room", "studio"],
                "price_factor": "0.80", "can_attend_events": "on"}

    edit_data = {"price_factor": "0.90"}

    def invalid_data(self):
        site = make_site()
        return ({"site": site.pk, "network": make_network(members=[make_hub()]).pk, "space_kinds": ["studio"],
                 "price_factor": "1"}, "network")


class TestLinkRuleAPI(LinkRuleCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        site, network = _member_site()
        return {"site": site.pk, "network": network.pk, "space_kinds": ["lab"], "price_factor": "0.70"}

    api_update_data = {"note": "Patched"}

    def api_invalid_data(self):
        return ({"site": make_site().pk, "space_kinds": ["castle"]}, "space_kinds")
