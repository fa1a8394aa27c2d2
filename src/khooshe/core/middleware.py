"""The interface language: a logged-in user's saved choice, else the language cookie, else Persian."""

from django.utils import translation


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
