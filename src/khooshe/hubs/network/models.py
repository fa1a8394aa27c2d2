"""Models of network: the network of hubs (linked houses, network-wide reports) and hub dashboards.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.

A ``HubNetwork`` groups hub organizations (e.g. the national network of creative houses) under a
coordinator organization. A ``LinkRule`` is one house's (site's) rule for the members of linked houses:
which kinds of spaces they may book and at which price factor, whether they may attend members-only
events and request services. ``network.selectors.guest_rights`` is the one place that reads the rules.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import SearchableModel
from khooshe.registry.access import access_for
from khooshe.registry.models import HUB_KINDS, Organization

__all__ = ["HubNetwork", "LinkRule"]


class HubNetworkQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self  # networks and their member houses are a public directory

    def coordinated_by(self, user):
        """The networks whose reports ``user`` sees: all for admins, else those of the organizations the
        user acts for (a member of the coordinator organization, or staff when it is a hub)."""
        acc = access_for(user)
        if acc.is_admin:
            return self
        return self.filter(coordinator__in=acc.organization_ids | acc.hub_ids)


class HubNetwork(SearchableModel):
    """A network of hubs, e.g. the national network of creative houses, run by a coordinator."""

    name = models.CharField(_("name"), max_length=200)
    coordinator = models.ForeignKey(Organization, models.PROTECT, related_name="coordinated_hub_networks",
                                    verbose_name=_("coordinator"),
                                    help_text=_("The organization that runs the network; its members see "
                                                "the network-wide reports."))
    members = models.ManyToManyField(Organization, blank=True, related_name="hub_networks",
                                     verbose_name=_("member hubs"))
    description = models.TextField(_("description"), blank=True)

    objects = HubNetworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("network of hubs")
        verbose_name_plural = _("networks of hubs")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def search_parts(self):
        return [self.name, self.description]

    def get_absolute_url(self):
        return reverse("hubs:hubnetwork_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.hub_ids or acc.organization_ids)

    def is_editable_by(self, user):
        acc = access_for(user)
        if self.coordinator_id is None:
            return self.can_be_created_by(user)
        return acc.is_admin or self.coordinator_id in (acc.organization_ids | acc.hub_ids)

    def is_coordinated_by(self, user) -> bool:
        return self.is_editable_by(user)


def validate_members_are_hubs(organizations) -> None:
    """Raises ValidationError naming the member that is not a hub organization."""
    for org in organizations:
        if org.kind not in HUB_KINDS:
            raise ValidationError({"members": _(
                "“%(org)s” is not a hub: members are innovation factories, creative houses, coworking "
                "spaces or accelerators.") % {"org": org}})


class LinkRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self  # guests need to know the rules of the houses they visit


class LinkRule(models.Model):
    """What members of linked houses may do at one site ("under the rules of that house").

    Without a network the rule covers the hubs listed in the site's *linked hubs*; with a network it
    covers the network's member hubs (the site's operator must be a member).
    """

    site = models.ForeignKey("hubs.Site", models.CASCADE, related_name="link_rules", verbose_name=_("site"))
    network = models.ForeignKey(HubNetwork, models.CASCADE, null=True, blank=True, related_name="link_rules",
                                verbose_name=_("network"),
                                help_text=_("Empty: the rule covers the site's linked hubs."))
    space_kinds = models.JSONField(_("kinds of spaces guests may book"), default=list, blank=True)
    price_factor = models.DecimalField(
        _("price factor"), max_digits=4, decimal_places=2, default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("Guests pay the space's price and credits times this factor, e.g. 0.8 for 20% off."))
    can_attend_events = models.BooleanField(_("may attend members-only events"), default=True)
    can_request_services = models.BooleanField(_("may request services"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LinkRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("link rule")
        verbose_name_plural = _("link rules")
        ordering = ["site", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "network"], name="hubs_linkrule_once_per_network"),
            models.UniqueConstraint(fields=["site"], condition=Q(network__isnull=True),
                                    name="hubs_linkrule_once_for_linked_hubs"),
        ]

    def __str__(self):
        return f"{self.site} — {self.network or _('linked hubs')}"

    def get_absolute_url(self):
        return reverse("hubs:linkrule_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.hub_ids)

    def is_editable_by(self, user):
        acc = access_for(user)
        if not self.site_id:
            return self.can_be_created_by(user)
        return acc.is_admin or self.site.operator_id in acc.hub_ids

    def kind_labels(self) -> list[str]:
        from khooshe.hubs.models import SpaceKind

        labels = dict(SpaceKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.space_kinds or []]

    def clean(self):
        from khooshe.hubs.models import SpaceKind

        errors = {}
        kinds = self.space_kinds
        if not isinstance(kinds, list) or any(k not in SpaceKind.values for k in kinds):
            bad = kinds if not isinstance(kinds, list) else [k for k in kinds if k not in SpaceKind.values]
            errors["space_kinds"] = _("Unknown kind of space %(value)s; choose among: %(kinds)s.") % {
                "value": bad, "kinds": ", ".join(SpaceKind.values)}
        if self.site_id and self.network_id and not self.network.members.filter(pk=self.site.operator_id).exists():
            errors["network"] = _("%(site)s is run by %(operator)s, which is not a member of “%(network)s”: "
                                  "add it to the network first.") % {
                "site": self.site, "operator": self.site.operator, "network": self.network}
        if self.site_id and (not errors.get("network")):
            clash = LinkRule.objects.filter(site_id=self.site_id, network_id=self.network_id).exclude(pk=self.pk)
            if clash.exists():
                errors["network"] = _("This site already has a rule for this network; edit that rule instead.")
        if errors:
            raise ValidationError(errors)
