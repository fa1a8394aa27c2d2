"""The interface language: a logged-in user's saved choice, else the language cookie, else Persian."""

from django.conf import settings
from django.utils import translation


class PersianFirstMiddleware:
    """Before LocaleMiddleware: pages are Persian unless the visitor chose otherwise (cookie or saved
    choice), whatever language the browser asks for; API clients keep Accept-Language, so a client may
    ask for English error messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class ActiveUserLanguageMiddleware:
    """After authentication: a logged-in user's saved language wins over cookie and browser.

    The language switcher (core.views.switch_language) saves the choice on the user and in the cookie,
    so both agree; anonymous visitors are served by Django's LocaleMiddleware from the cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", None):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
