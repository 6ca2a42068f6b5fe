"""The one-click opt-out of digests, linked from every digest (services/reminders.py).

GET shows the page with one button; POST opts out. RFC 8058's one-click POST from mail
clients carries no CSRF token and no session: the signed token alone authenticates it,
so the view is CSRF-exempt. A bad token is a 400 page, never a 500.
"""

from django.contrib import admin
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from recommendations.services import reminders as services


def _page(request, context: dict, status: int = 200):
    """The page, in the site's frame (the admin's styles, without its navigation)."""
    site = {"site_header": admin.site.site_header, "site_title": admin.site.site_title}
    return render(request, "mail/opt_out.html", {**site, **context}, status=status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request, token: str):
    user = services.opt_out_user(token)
    if user is None:
        return _page(request, {"invalid": True}, status=400)
    if request.method == "POST":
        services.digests_opt_out(user=user)
    preference = services.user_preference(user)
    with translation.override(services.DJANGO_LANGUAGES.get(preference.language, "en")):
        return _page(request, {"done": not preference.digests, "email": user.email})
