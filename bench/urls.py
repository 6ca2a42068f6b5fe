"""The project's URLs plus the bench's floor views (bench only: never in tracker.urls)."""

from django.urls import path

from bench import floor
from tracker.urls import handler404, handler500
from tracker.urls import urlpatterns as tracker_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("api/v1/floor/recommendations/", floor.recommendations),
    path("api/v1/floor/follow-ups/", floor.follow_ups),
    *tracker_urlpatterns,
]
