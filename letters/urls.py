from django.urls import path

from letters import views

app_name = "letters"

# Each area keeps its own block so parallel work on them merges cleanly.
urlpatterns = [
    path("", views.letter_list, name="list"),
    path("<int:pk>/", views.letter_detail, name="detail"),
]

# -- drafting (letters/views/editor.py) --
urlpatterns += []
# -- end drafting --


# -- printing (letters/views/documents.py) --
urlpatterns += []
# -- end printing --


# -- follow-up tracker (letters/views/tracker.py) --
from letters.views import tracker  # noqa: E402

urlpatterns += [
    path("tracker/", tracker.tracker, name="tracker"),
    path("tracker/charts/", tracker.tracker_charts, name="tracker_charts"),
    path(
        "tracker/export.<str:fmt>",
        tracker.tracker_export,
        name="tracker_export",
    ),
    path("tracker/import/", tracker.tracker_import, name="tracker_import"),
    path(
        "tracker/follow-up-letter/",
        tracker.tracker_follow_up_letter,
        name="tracker_follow_up_letter",
    ),
    path("recommendations/<int:pk>/", tracker.recommendation_detail, name="recommendation"),
    path(
        "recommendations/<int:pk>/follow/",
        tracker.recommendation_follow,
        name="recommendation_follow",
    ),
    path("follow-ups/<int:pk>/correct/", tracker.follow_up_correct, name="follow_up_correct"),
    path("follow-ups/<int:pk>/evidence/", tracker.follow_up_evidence, name="follow_up_evidence"),
    path("<int:pk>/follow-up-letter/", tracker.follow_up_letter, name="follow_up_letter"),
]
# -- end follow-up tracker --


# -- sign-on, finalising, sending (letters/views/signing.py) --
urlpatterns += []
# -- end sign-on --
