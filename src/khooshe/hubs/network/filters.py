"""FilterSets of the network of hubs, shared by the list pages and the API."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.core.text import query_terms
from khooshe.registry.filters import IdFilter

from .models import HubNetwork, LinkRule


class HubNetworkFilterSet(SearchFilterSet):
    coordinator = IdFilter(field_name="coordinator", label=_("coordinator (id)"))
    member = IdFilter(field_name="members", label=_("member hub (id)"), distinct=True)
    sort = ordering("name", "created_at")

    class Meta:
        model = HubNetwork
        fields = ["coordinator", "member"]


class LinkRuleFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    network = IdFilter(field_name="network", label=_("network (id)"))
    sort = ordering("price_factor", "created_at", site="site__name")

    class Meta:
        model = LinkRule
        fields = ["site", "network"]

    def filter_search(self, queryset, name, value):
        for term in query_terms(value):  # the site's normalised search text (Arabic ي/ك find Persian)
            queryset = queryset.filter(site__search_text__contains=term)
        return queryset
