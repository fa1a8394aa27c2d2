from django.utils.translation import gettext_lazy as _


def navigation(request):
    """The main menu: registered models grouped by their menu group, plus the map and network pages."""
    from django.urls import reverse

    from .generic import all_configs, menu_links

    groups: dict[str, list] = {}
    for link in menu_links():  # pages first, then the lists of the group's models
        groups.setdefault(str(link.group), []).append({"label": link.label, "url": reverse(link.url_name)})
    for config in all_configs():
        if config.menu_group:
            groups.setdefault(str(config.menu_group), []).append(
                {"label": config.verbose_name_plural, "url": config.url("list")}
            )
    views = [
        {"label": _("Ecosystem map"), "url": reverse("registry:map")},
        {"label": _("Relation network"), "url": reverse("registry:network")},
    ]
    return {"nav_groups": groups, "nav_views": views}
