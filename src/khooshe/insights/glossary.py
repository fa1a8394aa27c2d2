"""What the result tables and their columns are called, with one plain sentence each for people who are
not economists (shown as column titles and tooltips). Columns not listed here show their raw name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# name -> (title, explanation)
TABLES = {
    "clusters": (_("Candidate clusters"), _("The region-industry pairs that qualify as clusters, with their "
                                            "life-cycle stage, type and priority.")),
    "regions": (_("Regions"), _("One row per region: its size, how diverse and how specialised it is.")),
    "industries": (_("Cluster categories"), _("One row per industry: its size, how widespread and how "
                                              "complex it is, and its type.")),
    "region_industry": (_("Regions × industries"), _("Every industry in every region: its concentration "
                                                     "(location quotient), stars and strength flags.")),
    "diversification": (_("Diversification"), _("For each region, the industries it does not have yet but could "
                                                 "grow, the most related first.")),
    "relatedness_edges": (_("Related industries"), _("Pairs of industries that tend to be found in the same "
                                                     "regions, and how strongly.")),
    "cluster_definitions": (_("Cluster definitions"), _("Groups of related industries that form one cluster "
                                                        "category.")),
    "spatial": (_("Spatial concentration"), _("Whether the regions where an industry is concentrated lie next "
                                              "to each other on the map.")),
    "spatial_local": (_("Hot spots"), _("Regions with a high concentration surrounded by regions with a high "
                                        "concentration.")),
}

COLUMNS = {
    "region": (_("Region"), None),
    "industry": (_("Industry"), _("The industry or cluster category.")),
    "year": (_("Year"), None),
    "employment": (_("Employment"), _("Number of people employed.")),
    "establishments": (_("Establishments"), _("Number of firms or workplaces.")),
    "wages": (_("Wages"), _("Total wages paid.")),
    "lq": (_("Location quotient"), _("How concentrated the industry is in this region compared with the whole "
                                     "country: above 1 means more than the national average.")),
    "rca": (_("Comparative advantage (RCA)"), _("The same ratio as the location quotient, as economic "
                                                "complexity uses it.")),
    "mcp": (_("Present"), _("Yes when the region's comparative advantage in the industry reaches the "
                            "threshold.")),
    "density": (_("Relatedness density"), _("Share of the industries related to this one that the region "
                                            "already has: high means it would be easier to grow here.")),
    "cog": (_("Complexity outlook gain"), _("How much adding this industry would open the way to other, more "
                                            "complex industries.")),
    "star_size": (_("Size star"), _("The industry's employment is among the top 10% of regions.")),
    "star_specialisation": (_("Specialisation star"), _("The location quotient is 2 or more.")),
    "star_focus": (_("Focus star"), _("The industry's share of the region's employment is among the top 10% "
                                      "of regions.")),
    "stars": (_("Stars"), _("European Cluster Observatory stars (0 to 3): size, specialisation and focus.")),
    "strong": (_("Strong cluster"), _("U.S. Cluster Mapping: location quotient and size in the top quarter "
                                      "of regions.")),
    "strong10": (_("Strong cluster (top 10%)"), _("As a strong cluster, in the top tenth of regions.")),
    "qualifying": (_("Qualifying cluster"), _("U.S. Cluster Mapping: above the lowest quarter of regions.")),
    "significant": (_("Significant cluster"), _("U.S. Cluster Mapping: above the median region.")),
    "diversity": (_("Diversity"), _("Number of industries in which the region has a comparative advantage.")),
    "eci": (_("Economic complexity"), _("How diverse and sophisticated the region's industries are compared "
                                        "with other regions.")),
    "coi": (_("Complexity outlook"), _("How many complex industries lie close to what the region already "
                                       "does.")),
    "krugman": (_("Krugman specialisation"), _("How different the region's mix of industries is from the "
                                               "country's (0 = the same).")),
    "hachman": (_("Hachman index"), _("How similar the region's mix of industries is to the country's "
                                      "(1 = the same).")),
    "entropy": (_("Entropy"), _("How evenly the region's employment is spread over industries.")),
    "ubiquity": (_("Ubiquity"), _("Number of regions with a comparative advantage in the industry.")),
    "pci": (_("Industry complexity"), _("How sophisticated the industry is: found in few, diverse regions.")),
    "locational_gini": (_("Locational Gini"), _("How unevenly the industry is spread over regions (0 = evenly, "
                                                "1 = all in one place).")),
    "tech_level": (_("Technology level"), _("OECD/Eurostat technology intensity of the industry.")),
    "cluster_type": (_("Type"), _("Local, natural-resource-dependent or traded, from how concentrated the "
                                  "industry is.")),
    "type_reason": (_("Why this type"), None),
    "stage": (_("Life-cycle stage"), _("Embryonic, formed, developing or developed.")),
    "stage_reason": (_("Why this stage"), None),
    "tech_reason": (_("Why this technology level"), None),
    "regions_present": (_("Regions with activity"), _("Number of regions where the industry employs anyone.")),
    "industries_present": (_("Industries with activity"), _("Number of industries that employ anyone in the "
                                                            "region.")),
    "herfindahl": (_("Herfindahl index"), _("How concentrated the region's employment is in a few industries "
                                            "(1 = all in one).")),
    "hoover": (_("Hoover index"), _("How differently the industry is spread over regions than employment as "
                                    "a whole (0 = the same).")),
    "cluster_group": (_("Cluster definition"), _("The group of related industries this industry belongs to.")),
    "employment_base": (_("Employment in the first year"), None),
    "national_share": (_("Shift-share: national growth"), _("Jobs the region would have gained had the industry "
                                                            "grown like the whole economy.")),
    "industry_mix": (_("Shift-share: industry mix"), _("Jobs gained or lost because this industry grew faster or "
                                                       "slower than the economy.")),
    "regional_shift": (_("Shift-share: regional shift"), _("Jobs gained or lost because the region did better "
                                                           "or worse than the industry nationally.")),
    "ellison_glaeser": (_("Ellison-Glaeser index"), _("Agglomeration beyond what the size of its firms "
                                                      "explains: above 0.05 is highly concentrated.")),
    "z": (_("z-score"), None),
    "score": (_("Priority score"), _("The higher, the more the cluster matters by the chosen criteria.")),
    "rank": (_("Rank"), None),
    "industry_a": (_("Industry"), None),
    "industry_b": (_("Related industry"), None),
    "weight": (_("Relatedness"), _("How often the two industries are found together (higher = closer).")),
    "group": (_("Cluster definition"), None),
    "moran_i": (_("Moran's I"), _("Above 0: regions with a high location quotient lie next to each other.")),
    "p_value": (_("p-value"), _("Chance that the pattern is random; below 0.05 is usually taken as real.")),
    "local_i": (_("Local Moran's I"), None),
    "quadrant": (_("Quadrant"), _("High-high: a concentrated region among concentrated regions.")),
    "hot_spot": (_("Hot spot"), None),
    "growth": (_("Growth"), _("Average yearly growth of employment.")),
    "cagr": (_("Growth"), _("Average yearly growth of employment.")),
    "value_added": (_("Value added"), None),
    "exports": (_("Exports"), None),
}

# Values the analytics give as stable codes (stage, type, technology level), shown in the reader's language.
VALUE_LABELS = {
    "embryonic": _("embryonic"), "formed": _("formed"), "developing": _("developing"), "developed": _("developed"),
    "local": _("local"), "traded": _("traded"), "natural_resource": _("natural-resource-dependent"),
    "high": _("high-tech manufacturing"), "medium_high": _("medium-high-tech manufacturing"),
    "medium_low": _("medium-low-tech manufacturing"), "low": _("low-tech manufacturing"),
    "kis_high_tech": _("high-tech knowledge-intensive services"),
    "kis_market": _("knowledge-intensive market services"),
    "kis_financial": _("knowledge-intensive financial services"),
    "kis_other": _("other knowledge-intensive services"),
    "lkis_market": _("less knowledge-intensive market services"),
    "lkis_other": _("other less knowledge-intensive services"), "not_covered": _("not classified"),
    "mixed": _("mixed"),
}
LABELLED_COLUMNS = {"stage", "cluster_type", "tech_level"}

# Criteria of the cluster-priority table, grouped as the issue groups them (economic, social, industrial).
CRITERIA_GROUPS = [
    (_("Economic"), ["value_added", "exports", "wages"]),
    (_("Social"), ["employment", "graduate_jobs", "establishments"]),
    (_("Industrial"), ["lq", "growth", "density", "pci", "cog", "stars"]),
]


# The steps an analysis goes through (the pipeline reports them in English; stored as reported).
STEPS = {
    "waiting": _("Waiting for a worker"),
    "starting": _("Starting"),
    "reading the data": _("Reading the data"),
    "aggregating by region and industry": _("Adding up the records by region and industry"),
    "plant shares for Ellison-Glaeser": _("Establishment shares for the Ellison-Glaeser index"),
    "building the region x industry matrices": _("Building the region × industry tables"),
    "location quotients and stars": _("Location quotients and stars"),
    "economic complexity": _("Economic complexity"),
    "growth and shift-share": _("Growth and shift-share"),
    "regional and industry indicators": _("Indicators of regions and industries"),
    "Ellison-Glaeser agglomeration": _("Ellison-Glaeser agglomeration"),
    "related industries and cluster definitions": _("Related industries and cluster definitions"),
    "candidate clusters: stage, type and priority": _("Candidate clusters: stage, type and priority"),
    "diversification opportunities": _("Diversification opportunities"),
    "spatial concentration": _("Spatial concentration"),
    "done": _("Writing the results"),
}


def step_label(step: str) -> str:
    """A step of an analysis in the reader's language (an unknown step as reported)."""
    return str(STEPS[step]) if step in STEPS else step


def value_label(column: str, value) -> str | None:
    """The translated name of a coded value (e.g. stage "developing"), or None when it has none."""
    if column in LABELLED_COLUMNS and isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return None


def table_title(name: str) -> str:
    return str(TABLES[name][0]) if name in TABLES else name.replace("_", " ")


def table_help(name: str) -> str:
    return str(TABLES[name][1]) if name in TABLES else ""


def column_title(name: str) -> str:
    return str(COLUMNS[name][0]) if name in COLUMNS else name.replace("_", " ")


def column_help(name: str) -> str:
    entry = COLUMNS.get(name)
    return str(entry[1]) if entry and entry[1] else ""
