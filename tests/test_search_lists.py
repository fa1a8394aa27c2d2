"""The list pages' search box and the API's ``?q=`` on the search index: ranking, every word required,
highlights, filters and permissions kept, the fallback, bad input, bulk writes, page cache."""

import re

import pytest
from django.db import transaction
from django.test import Client
from factories import make_agreement, make_cluster, make_org, make_person, make_user
from matching_factories import make_challenge, make_criterion, make_profile, make_proposal
from mixins import row_pks

from khooshe.registry.models import Organization, Visibility
from khooshe.search import documents

pytestmark = pytest.mark.django_db

ORGS = "/registry/organizations/"


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    return response.content.decode()


def marks(content: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", content)


def orgs_doc():
    return documents.document_for(Organization)


def test_list_is_ranked_by_relevance_and_highlighted(admin_client):
    in_description = make_org(name_fa="شرکت بازرگانی کویر", description="صادرات پسته و خرما")
    in_name = make_org(name_fa="فرآوری پسته رفسنجان")
    make_org(name_fa="شرکت زعفران")
    content = get(admin_client, ORGS, q="پسته")
    assert row_pks(content) == [in_name.pk, in_description.pk]  # name (boost 3) before description (1)
    assert "پسته" in marks(content)
    assert 'class="snippet' in content
    # A sort chosen by the user wins over relevance; the search still filters.
    by_name = get(admin_client, ORGS, q="پسته", sort="-name_fa")
    assert set(row_pks(by_name)) == {in_name.pk, in_description.pk}
    assert row_pks(by_name) == list(Organization.objects.filter(pk__in=[in_name.pk, in_description.pk])
                                    .order_by("-name_key").values_list("pk", flat=True))


def test_every_word_must_occur_and_spellings_zwnj_and_plurals_match(admin_client):
    both = make_org(name_fa="کارخانه‌های نوآوری کرمان")
    make_org(name_fa="کارخانه نوآوری تهران")
    assert row_pks(get(admin_client, ORGS, q="كارخانه كرمان")) == [both.pk]  # Arabic ك, plural in the text
    assert row_pks(get(admin_client, ORGS, q="کارخانههای کرمان")) == [both.pk]  # ZWNJ compound typed joined


def test_filters_and_permissions_still_apply(client, admin_client):
    sme = make_org(name_fa="پسته کار یک", kind="sme")
    make_org(name_fa="پسته کار دو", kind="startup")
    hidden = make_org(name_fa="پسته کار پنهان", kind="sme", visibility=Visibility.PRIVATE)
    assert set(row_pks(get(admin_client, ORGS, q="پسته", kind="sme"))) == {sme.pk, hidden.pk}
    anonymous = get(client, ORGS, q="پسته")
    assert hidden.pk not in row_pks(anonymous) and "پنهان" not in anonymous
    assert sme.pk in row_pks(anonymous)


def test_api_q_uses_the_index_and_its_ranking(admin_client):
    second = make_org(name_fa="شرکت کویر", capabilities="بسته بندی پسته")
    first = make_org(name_fa="پسته سبز")
    body = admin_client.get("/api/registry/organizations/", {"q": "پسته"}).json()
    assert [row["id"] for row in body["results"]] == [first.pk, second.pk]


@pytest.mark.parametrize("url,make,query", [
    ("/registry/people/", lambda: make_person(expertise="طراحی سامانه‌های آبیاری"), "آبیاری"),
    ("/registry/clusters/", lambda: make_cluster(description="خوشه صنعتی فرش دستباف"), "فرش"),
    ("/registry/agreements/", lambda: make_agreement(subject="همکاری در صادرات زعفران"), "زعفران"),
    ("/matching/challenges/", lambda: make_challenge(background="کمبود آب در کشاورزی"), "کشاورزی"),
    ("/matching/profiles/", lambda: make_profile(advantages="مصرف انرژی کمتر"), "انرژی"),
    ("/matching/proposals/", lambda: make_proposal(approach="روش غشایی نانو"), "غشایی"),
    ("/matching/criteria/", lambda: make_criterion(name="نوآوری فنی"), "فنی"),
])
def test_every_searchable_list_uses_the_index(admin_client, url, make, query):
    target = make()
    content = get(admin_client, url, q=query)
    assert row_pks(content) == [target.pk]
    assert marks(content), "matching words highlighted"


def test_anonymous_profiles_never_index_or_show_their_owner(admin_client):
    owner = make_org(name_fa="شرکت رازدار خراسان")
    profile = make_profile(owner=owner, title="فناوری نمک‌زدایی")
    content = get(admin_client, "/matching/profiles/", q="نمک‌زدایی")
    assert row_pks(content) == [profile.pk]
    assert "رازدار" not in content
    assert row_pks(get(admin_client, "/matching/profiles/", q="رازدار")) == []
    ix = documents.get_index(documents.document_for("matching.Profile"))
    assert ix.search("رازدار").ids == [] and ix.search("نمک").ids == [profile.pk]


def test_edit_shows_in_the_search_after_commit(admin_client, django_capture_on_commit_callbacks):
    org = make_org(name_fa="شرکت پسته")
    assert row_pks(get(admin_client, ORGS, q="پسته")) == [org.pk]  # builds the index
    with django_capture_on_commit_callbacks(execute=True):
        org.name_fa = "شرکت زعفران"
        org.save()
    assert row_pks(get(admin_client, ORGS, q="پسته")) == []
    assert row_pks(get(admin_client, ORGS, q="زعفران")) == [org.pk]
    with django_capture_on_commit_callbacks(execute=True):
        org.delete()
    assert documents.get_index(orgs_doc()).search("زعفران").ids == []


def test_partial_word_falls_back_to_substring_with_a_notice(admin_client):
    org = make_org(name_fa="شرکت کرمانشاهی")
    content = get(admin_client, ORGS, q="کرمانش")
    assert row_pks(content) == [org.pk]
    assert "search-notice" in content


def test_index_not_built_shows_the_fallback_and_says_so(admin_client, monkeypatch):
    monkeypatch.setattr(documents, "request_rebuild", lambda doc, **kw: None)  # e.g. the worker is busy
    org = make_org(name_fa="شرکت پسته")
    make_org(name_fa="شرکت خرما")
    content = get(admin_client, ORGS, q="پسته")
    assert row_pks(content) == [org.pk]
    assert "search-notice" in content and "<mark>" not in content
    assert not documents.is_ready(orgs_doc())


def test_bulk_writes_are_indexed_after_commit(django_capture_on_commit_callbacks, admin_client):
    make_org(name_fa="شرکت نخست")
    get(admin_client, ORGS, q="نخست")  # the index exists now
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Organization.objects.bulk_create([Organization(kind="sme", name_fa=f"شرکت زعفران {i}", name_key=f"z{i}")
                                          for i in range(3)])  # no signals
        documents.after_bulk_write(Organization)
    assert len(row_pks(get(admin_client, ORGS, q="زعفران"))) == 3


def test_rebuild_every_index_with_progress():
    make_org(name_fa="شرکت پسته")
    make_person(expertise="پسته")
    seen = []
    counts = {d.slug: documents.rebuild(d, progress=lambda done, total: seen.append((done, total)))
              for d in documents.all_documents()}
    assert counts["organizations"] == 1 and counts["people"] == 1
    assert all(documents.is_ready(d) for d in documents.all_documents())
    assert (1, 1) in seen


# -- bad input -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ['"پسته', "name:پسته", "پسته*", "(پسته", "پسته~2", "پسته^3", "پسته AND OR NOT",
                                   "pistachio پسته", "پسته 🌰", "[پسته]", "پسته\\", "{پسته}", "-پسته +"])
def test_query_syntax_is_plain_text(admin_client, query):
    # Syntax characters only separate words; "name", "2", "3", "not" are words like any other.
    org = make_org(name_fa="پسته Pistachio", name_en="name 2 3 not")
    make_org(name_fa="خرما")
    assert row_pks(get(admin_client, ORGS, q=query)) == [org.pk]


@pytest.mark.parametrize("query", ["***", "😀🌰", "؟!", ":", '"', "(", "~", "^"])
def test_query_without_words_says_so(admin_client, query):
    make_org(name_fa="پسته")
    content = get(admin_client, ORGS, q=query)
    assert row_pks(content) == []
    assert "search-notice" in content


def test_html_in_the_query_is_escaped_never_executed(admin_client):
    make_org(name_fa="<b>پسته</b> <script>alert(1)</script>")
    query = '<script>alert("x")</script> پسته <img src=x onerror=alert(1)>'
    content = get(admin_client, ORGS, q=query)
    assert "<script>alert" not in content and "<img src=x" not in content and "<b>پسته" not in content
    assert "&lt;script&gt;" in content
    api = admin_client.get("/api/registry/organizations/", {"q": query})
    assert api.status_code == 200


def test_stop_words_only_use_the_substring_rule(admin_client):
    org = make_org(name_fa="شرکت آب و خاک")
    make_org(name_fa="شرکت پسته")
    assert row_pks(get(admin_client, ORGS, q="آب و")) == [org.pk]  # "و" is ignored, "آب" required
    assert org.pk in row_pks(get(admin_client, ORGS, q="و"))


def test_empty_query_lists_everything(admin_client):
    orgs = [make_org(), make_org()]
    assert set(row_pks(get(admin_client, ORGS, q=""))) >= {o.pk for o in orgs}
    assert set(row_pks(get(admin_client, ORGS, q="   "))) >= {o.pk for o in orgs}


def test_absurdly_long_query_is_refused_with_a_message(admin_client):
    make_org(name_fa="پسته")
    long = "پسته " * 200
    response = admin_client.get(ORGS, {"q": long})
    assert response.status_code == 200
    content = response.content.decode()
    assert row_pks(content) == [] and "errorlist" in content and "500" in content.replace("۵۰۰", "500")
    api = admin_client.get("/api/registry/organizations/", {"q": long})
    assert api.status_code == 400 and "q" in api.json()


def test_many_words_are_cut_with_a_notice(admin_client):
    org = make_org(name_fa="پسته")
    words = " ".join(f"w{i}" for i in range(40))
    content = get(admin_client, ORGS, q="پسته " + words)
    assert row_pks(content) == []  # every word must occur
    assert "search-notice" in content
    assert org.pk in row_pks(get(admin_client, ORGS, q="پسته"))


# -- page cache ------------------------------------------------------------------------------------------
def test_cached_search_page_is_not_stale_after_an_edit(settings, client, django_capture_on_commit_callbacks):
    settings.KHOOSHE_PAGE_CACHE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        org = make_org(name_fa="شرکت پسته")
    assert row_pks(get(client, ORGS, q="پسته")) == [org.pk]
    assert row_pks(get(client, ORGS, q="پسته")) == [org.pk]  # served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        org.name_fa = "شرکت زعفران"
        org.save()
    assert row_pks(get(client, ORGS, q="پسته")) == []
    assert row_pks(get(client, ORGS, q="زعفران")) == [org.pk]


def test_non_admin_user_sees_only_visible_hits(client):
    make_org(name_fa="پسته خصوصی", visibility=Visibility.PRIVATE)
    visible = make_org(name_fa="پسته عمومی")
    client.force_login(make_user())
    assert row_pks(get(client, ORGS, q="پسته")) == [visible.pk]


def test_more_hits_than_listed_says_so(admin_client, monkeypatch):
    from khooshe.search import listing

    monkeypatch.setattr(listing, "LIST_LIMIT", 2)
    best = make_org(name_fa="پسته پسته")
    for _ in range(2):
        make_org(name_fa="شرکت پسته")
    content = get(admin_client, ORGS, q="پسته")
    assert len(row_pks(content)) == 2 and row_pks(content)[0] == best.pk
    assert "search-notice" in content and "۲" in content


def test_demo_load_is_indexed_after_commit(reference_data, admin_client, django_capture_on_commit_callbacks):
    from khooshe.registry.demo import load_demo

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    assert documents.is_ready(orgs_doc()) and documents.is_ready(documents.document_for("registry.Person"))
    content = get(admin_client, ORGS, q="پسته")
    assert len(row_pks(content)) > 3 and "<mark>" in content
    assert "search-notice" not in content
