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
from letters.views import signing  # noqa: E402 - kept in this block so areas merge cleanly

urlpatterns += [
    path("<int:pk>/circulate/", signing.circulate, name="circulate"),
    path("<int:pk>/sign-on/remind/", signing.remind, name="remind"),
    path(
        "<int:pk>/sign-on/<int:signatory_pk>/reissue/",
        signing.reissue_link,
        name="reissue_link",
    ),
    path("<int:pk>/sign-on/<int:signatory_pk>/revoke/", signing.revoke_link, name="revoke_link"),
    path(
        "<int:pk>/sign-on/<int:signatory_pk>/approve/",
        signing.approve_for_lead,
        name="approve_for_lead",
    ),
    path("<int:pk>/finalise/", signing.finalise, name="finalise"),
    path("<int:pk>/withdraw/", signing.withdraw, name="withdraw"),
    path("<int:pk>/supersede/", signing.supersede, name="supersede"),
    path("<int:pk>/send/", signing.send, name="send"),
    path("<int:pk>/sent/<int:copy_pk>.pdf", signing.sent_copy, name="sent_copy"),
    path("<int:pk>/publish/", signing.publish, name="publish"),
    path("<int:pk>/unpublish/", signing.unpublish, name="unpublish"),
    path("<int:pk>/press-releases/new/", signing.press_release, name="press_release_new"),
    path(
        "<int:pk>/press-releases/from-letter/",
        signing.press_release_from_letter,
        name="press_release_from_letter",
    ),
    path(
        "<int:pk>/press-releases/<int:release_pk>/",
        signing.press_release,
        name="press_release",
    ),
]
# -- end sign-on --
