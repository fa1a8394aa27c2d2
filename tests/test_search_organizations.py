"""Organizations in the search index: kept current after commit, rebuilt by reindex, access respected."""

import pytest
from django.db import transaction
from factories import make_org, make_region, make_sector

from khooshe.registry.models import Organization, Visibility
from khooshe.search import organizations as so

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _index_dir(settings, tmp_path):
    settings.KHOOSHE_SEARCH_DIR = tmp_path / "search"
    settings.KHOOSHE_SEARCH_DENSE = False
    so.connect()
    yield


def test_saved_organization_is_found_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org = make_org(name_fa="کارخانه نوآوری آزادی", capabilities="شتاب‌دهی استارتاپ‌ها")
    res = so.search_organizations("استارتاپ")
    assert res.ids == [org.pk]
    assert "<mark>" in res.hits[0].snippets["capabilities"]


def test_rolled_back_change_is_not_indexed():
    with pytest.raises(RuntimeError), transaction.atomic():
        make_org(name_fa="شرکت برگشتی")
        raise RuntimeError
    assert so.search_organizations("برگشتی").ids == []


def test_edit_and_delete_update_the_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org = make_org(name_fa="شرکت پسته", name_en="Pistachio Co")
    with django_capture_on_commit_callbacks(execute=True):
        org.name_en = "Saffron Co"
        org.save()
    assert so.search_organizations("pistachio").ids == []  # the old English name is gone
    assert so.search_organizations("پسته").ids == [org.pk]
    assert so.search_organizations("saffron").ids == [org.pk]
    with django_capture_on_commit_callbacks(execute=True):
        org.delete()
    assert so.search_organizations("saffron").ids == []


def test_filters_by_region_ancestors_and_sector(django_capture_on_commit_callbacks):
    province = make_region(name_fa="کرمان")
    county = make_region(name_fa="رفسنجان", parent=province)
    sector = make_sector()
    with django_capture_on_commit_callbacks(execute=True):
        org = make_org(name_fa="شرکت پسته رفسنجان", region=county)
        other = make_org(name_fa="شرکت پسته تهران")
        org.sectors.add(sector)
    assert set(so.search_organizations("پسته").ids) == {org.pk, other.pk}
    assert so.search_organizations("پسته", filters={"region": province.pk}).ids == [org.pk]
    assert so.search_organizations("پسته", filters={"sector": [sector.pk]}).ids == [org.pk]


def test_reindex_rebuilds_from_database_with_progress():
    orgs = Organization.objects.bulk_create([  # bulk writes send no signals
        Organization(kind="sme", name_fa=f"شرکت زعفران {i}", name_key=f"k{i}") for i in range(5)])
    assert so.search_organizations("زعفران").ids == []
    seen = []
    assert so.reindex(progress=lambda done, total: seen.append((done, total)), batch=2) == 5
    assert seen[-1] == (5, 5)
    assert sorted(so.search_organizations("زعفران").ids) == sorted(o.pk for o in orgs)


def test_private_organizations_hidden_from_anonymous(django_capture_on_commit_callbacks):
    from django.contrib.auth.models import AnonymousUser

    with django_capture_on_commit_callbacks(execute=True):
        public = make_org(name_fa="شرکت عمومی زعفران")
        make_org(name_fa="شرکت خصوصی زعفران", visibility=Visibility.PRIVATE)
    assert so.search_organizations("زعفران", user=AnonymousUser()).ids == [public.pk]


def test_notices_are_sentences():
    res = so.search_organizations("😀")
    from django.utils import translation

    with translation.override("en"):
        messages = so.notice_messages(res)
    assert any("no letters or digits" in m for m in messages)
    assert any("Keyword search only" in m for m in messages)
