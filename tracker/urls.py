from django.contrib import admin
from django.urls import include, path, re_path

from recommendations.api.errors import api_not_found, api_server_error
from recommendations.views import coverage_report, session_report_download
from recommendations.views_mail import opt_out

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("coverage/", coverage_report, name="coverage"),
    path("coverage/session-report/", session_report_download, name="coverage-session-report"),
    path("mail/opt-out/<str:token>/", opt_out, name="mail-opt-out"),
    path("api/v1/", include("recommendations.api.urls")),
    re_path(r"^api/", api_not_found),  # unknown API URLs answer in JSON too
]


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return api_server_error(request)
    from django.views.defaults import server_error

    return server_error(request)
