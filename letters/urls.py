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
urlpatterns += []
# -- end follow-up tracker --


# -- sign-on, finalising, sending (letters/views/signing.py) --
urlpatterns += []
# -- end sign-on --
