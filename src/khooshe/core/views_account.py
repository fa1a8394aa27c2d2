"""Login (throttled by django-axes), language switch, API token, protected uploads."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_http_methods
from django.views.static import serve
from rest_framework.authtoken.models import Token


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def switch_language(request):
    """Save the chosen language in the cookie, and on the user when logged in (a POST with its CSRF
    token). Anonymous visitors switch with a plain link (GET), which only sets the cookie."""
    data = request.POST if request.method == "POST" else request.GET
    language = data.get("language", "")
    target = data.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if language and check_for_language(language) and language in dict(settings.LANGUAGES):
        if request.user.is_authenticated and request.method == "POST":
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_required
def api_token(request):
    """Show (and on POST, create or rotate) the user's API token for ``Authorization: Token ...``."""
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        if token:
            token.delete()
        token = Token.objects.create(user=request.user)
    return render(request, "core/api_token.html", {"token": token})


def protected_media(request, path):
    """Serve an uploaded agreement document only to users who may see that agreement."""
    from khooshe.registry.models import Agreement

    if not Agreement.objects.visible_to(request.user).filter(document=path).exists():
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
