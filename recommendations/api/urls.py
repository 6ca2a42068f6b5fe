from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from recommendations.api import coverage, questionnaires, views

router = DefaultRouter(trailing_slash=True)
router.register("reports", views.ReportViewSet, basename="report")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("member-states", views.MemberStateViewSet, basename="member-state")
router.register("follow-ups", views.FollowUpViewSet, basename="follow-up")
router.register("actions", views.ActionViewSet, basename="action")

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("coverage/", coverage.CoverageView.as_view(), name="coverage"),
    path(
        "questionnaire.xlsx",
        questionnaires.QuestionnaireXlsxView.as_view(),
        name="questionnaire-xlsx",
    ),
    path(
        "questionnaire.csv",
        questionnaires.QuestionnaireCsvView.as_view(),
        name="questionnaire-csv",
    ),
    path(
        "questionnaire/",
        questionnaires.QuestionnaireUploadView.as_view(),
        name="questionnaire-upload",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script as a file: no inline script, so
    # the Content Security Policy can forbid them.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
