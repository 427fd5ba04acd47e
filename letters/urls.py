from django.urls import path

from letters import views

app_name = "letters"

# Each area keeps its own block so parallel work on them merges cleanly.
urlpatterns = [
    path("", views.letter_list, name="list"),
    path("<int:pk>/", views.letter_detail, name="detail"),
]

# -- drafting (letters/views/editor.py) --
from letters.views import editor  # noqa: E402

urlpatterns += [
    path("new/", editor.letter_create, name="create"),
    path("markdown-preview/", editor.markdown_preview, name="markdown_preview"),
    path("<int:pk>/edit/", editor.letter_edit, name="edit"),
    path("<int:pk>/preview/", editor.letter_preview, name="preview"),
    path("<int:pk>/duplicate/", editor.letter_duplicate, name="duplicate"),
    path("<int:pk>/edit/block/<slug:name>/", editor.editor_block, name="editor_block"),
    path("<int:pk>/sections/add/", editor.section_add, name="section_add"),
    path("<int:pk>/sections/<int:section_pk>/edit/", editor.section_edit, name="section_edit"),
    path("<int:pk>/sections/<int:section_pk>/move/", editor.section_move, name="section_move"),
    path(
        "<int:pk>/sections/<int:section_pk>/delete/",
        editor.section_delete,
        name="section_delete",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/recommendations/add/",
        editor.recommendation_add,
        name="recommendation_add",
    ),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/edit/",
        editor.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/move/",
        editor.recommendation_move,
        name="recommendation_move",
    ),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/delete/",
        editor.recommendation_delete,
        name="recommendation_delete",
    ),
    path("<int:pk>/recipients/search/", editor.recipient_search, name="recipient_search"),
    path("<int:pk>/recipients/add/", editor.recipient_add, name="recipient_add"),
    path(
        "<int:pk>/recipients/<int:recipient_pk>/move/",
        editor.recipient_move,
        name="recipient_move",
    ),
    path(
        "<int:pk>/recipients/<int:recipient_pk>/remove/",
        editor.recipient_remove,
        name="recipient_remove",
    ),
    path("<int:pk>/signatories/add/", editor.signatory_add, name="signatory_add"),
    path(
        "<int:pk>/signatories/<int:signatory_pk>/edit/",
        editor.signatory_edit,
        name="signatory_edit",
    ),
    path(
        "<int:pk>/signatories/<int:signatory_pk>/move/",
        editor.signatory_move,
        name="signatory_move",
    ),
    path(
        "<int:pk>/signatories/<int:signatory_pk>/remove/",
        editor.signatory_remove,
        name="signatory_remove",
    ),
]
# -- end drafting --


# -- printing (letters/views/documents.py) --
from letters.views import documents  # noqa: E402

urlpatterns += [
    path("<int:pk>/pdf/", documents.letter_pdf, name="pdf"),
    path("<int:pk>/pdf/all/", documents.all_copies_pdf, name="pdf_all"),
    path("<int:pk>/pdf/copy/<int:recipient_pk>/", documents.copy_pdf, name="pdf_copy"),
    path("<int:pk>/pdf/labels/", documents.labels_pdf, name="labels"),
    path("<int:pk>/print-batches/", documents.batch_start, name="batch_start"),
    path("<int:pk>/print-batches/<int:batch_pk>/", documents.batch_status, name="batch_status"),
    path(
        "<int:pk>/print-batches/<int:batch_pk>/download/",
        documents.batch_download,
        name="batch_download",
    ),
]
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
    path("tracker/record/", tracker.tracker_record, name="tracker_record"),
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
