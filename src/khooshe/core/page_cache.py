"""Whole-page cache for anonymous visitors of public pages (lists, detail pages, the read API).

What an anonymous visitor sees depends only on the URL, the language and the data, so the rendered
response can be shared. Every write bumps a *version* (model signals, and ``bump_page_cache()`` after
bulk writes such as imports); a cached page stores the version it was rendered at and is served only
while that is still the current version, so a change is visible at once in the writing process.

Two layers: the default cache (per process, or Redis shared by every server process when
KHOOSHE_CACHE_URL=redis://... is set) and, in front of a shared cache, a small per-process memory
layer that saves the network round trip for the pages a worker serves most. A worker re-reads the
shared version at most every KHOOSHE_PAGE_CACHE_VERSION_SECONDS (default 1 s): a write made through
another worker reaches its anonymous visitors within that time. Entries live at most
KHOOSHE_PAGE_CACHE_SECONDS. Logged-in users, requests with a session or messages, API calls with
credentials and every non-GET request are never cached; anonymous pages carry no CSRF token, so
nothing in them is personal.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse

VERSION_KEY = "khooshe:page-cache:version"
CACHED_PREFIXES = ("/registry/", "/api/registry/")
NEVER_CACHED_PARTS = ("/add/", "/edit/", "/delete/", "/bulk/", "/import/", "/export/")
HARMLESS_COOKIES = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def page_cache_seconds() -> int:
    return int(getattr(settings, "KHOOSHE_PAGE_CACHE_SECONDS", 0))


# This process's copy of the shared version and when it was read (see the module docstring).
_version_memo: dict[str, float] = {}


def _shared_cache_is_remote() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def current_version() -> int:
    ttl = float(getattr(settings, "KHOOSHE_PAGE_CACHE_VERSION_SECONDS", 1.0)) if _shared_cache_is_remote() else 0
    now = time.monotonic()
    if ttl > 0 and "version" in _version_memo and now - _version_memo["read_at"] < ttl:
        return int(_version_memo["version"])
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    _version_memo.update(version=version, read_at=now)
    return version


def bump_page_cache() -> None:
    """Make every cached page stale (called on any write to the registry)."""
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:  # the key expired or was never set
        version = 2
        cache.set(VERSION_KEY, version, timeout=None)
    _version_memo.update(version=version, read_at=time.monotonic())


def bump_now_and_after_commit() -> None:
    """Bump at once and again when the transaction commits, so a page rendered from the old data
    between the write and the commit does not survive."""
    bump_page_cache()
    transaction.on_commit(bump_page_cache)


def _cache_key(request) -> str | None:
    if page_cache_seconds() <= 0 or request.method not in ("GET", "HEAD"):
        return None
    path = request.path
    if not (path == "/" or path.startswith(CACHED_PREFIXES)) or any(part in path for part in NEVER_CACHED_PARTS):
        return None
    if request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
        return None
    if set(request.COOKIES) - HARMLESS_COOKIES:  # a session or pending messages: personal
        return None
    variant = "|".join([
        request.get_full_path(),
        getattr(request, "LANGUAGE_CODE", ""),
        request.META.get("HTTP_ACCEPT", "") if path.startswith("/api/") else "",
        request.META.get("HTTP_HX_REQUEST", ""),
    ])
    return "khooshe:page:" + hashlib.sha256(variant.encode()).hexdigest()


def _front_layer():
    """The per-process layer in front of a shared (remote) cache, or None when the cache is local."""
    return caches["pages-local"] if _shared_cache_is_remote() and "pages-local" in settings.CACHES else None


class AnonymousPageCacheMiddleware:
    """After authentication and locale middleware: serve and store anonymous public pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _cache_key(request)
        if key is None:
            return self.get_response(request)
        version = current_version()
        front = _front_layer()
        stored = front.get(key) if front is not None else None
        if stored is None or stored[0] != version:
            stored = cache.get(key)
            if front is not None and stored is not None and stored[0] == version:
                front.set(key, stored, page_cache_seconds())
        if stored is not None and stored[0] == version:
            _version, status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Khooshe-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (request.method == "GET" and response.status_code == 200 and not response.streaming
                and not response.cookies and "private" not in response.get("Cache-Control", "")):
            headers = [(name, value) for name, value in response.items() if name.lower() != "set-cookie"]
            entry = (version, response.status_code, headers, response.content)
            cache.set(key, entry, page_cache_seconds())
            if front is not None:
                front.set(key, entry, page_cache_seconds())
        return response


def connect_signals() -> None:
    """Bump the version on every save, delete and many-to-many change of the apps' models."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    apps = {"core", "registry"}

    def on_change(sender, **kwargs):
        # a login updates the user's last_login: that changes no public page
        if sender._meta.app_label in apps and sender._meta.model_name != "user":
            bump_now_and_after_commit()

    post_save.connect(on_change, dispatch_uid="khooshe-page-cache-save", weak=False)
    post_delete.connect(on_change, dispatch_uid="khooshe-page-cache-delete", weak=False)
    m2m_changed.connect(on_change, dispatch_uid="khooshe-page-cache-m2m", weak=False)
