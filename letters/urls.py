"""The letters app's pages, one block per subdomain; URL names carry its name."""

from django.urls import path

from letters.views import (
    drafting,
    importing,
    letters,
    organisations,
    printing,
    sending,
    signing,
    tracking,
)

app_name = "letters"

urlpatterns = [
    path("", letters.letter_list, name="list"),
    path("<int:pk>/", letters.letter_detail, name="detail"),
    path("organisations/<int:pk>/logo/", letters.organisation_logo, name="organisation_logo"),
]

urlpatterns += [
    path("new/", drafting.letter_create, name="drafting_create"),
    path("markdown-preview/", drafting.markdown_preview, name="drafting_markdown_preview"),
    path("<int:pk>/edit/", drafting.letter_edit, name="drafting_edit"),
    path("<int:pk>/preview/", drafting.letter_preview, name="drafting_preview"),
    path("<int:pk>/duplicate/", drafting.letter_duplicate, name="drafting_duplicate"),
    path("<int:pk>/translate/", drafting.letter_translate, name="drafting_translate"),
    path("<int:pk>/edit/block/<slug:name>/", drafting.block, name="drafting_block"),
    path("<int:pk>/sections/add/", drafting.section_add, name="drafting_section_add"),
    path(
        "<int:pk>/sections/<int:section_pk>/edit/",
        drafting.section_edit,
        name="drafting_section_edit",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/move/",
        drafting.section_move,
        name="drafting_section_move",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/delete/",
        drafting.section_delete,
        name="drafting_section_delete",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/recommendations/add/",
        drafting.recommendation_add,
        name="drafting_recommendation_add",
    ),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/edit/",
        drafting.recommendation_edit,
        name="drafting_recommendation_edit",
    ),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/move/",
        drafting.recommendation_move,
        name="drafting_recommendation_move",
    ),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/delete/",
        drafting.recommendation_delete,
        name="drafting_recommendation_delete",
    ),
    path(
        "<int:pk>/recipients/search/", drafting.recipient_search, name="drafting_recipient_search"
    ),
    path("<int:pk>/recipients/add/", drafting.recipient_add, name="drafting_recipient_add"),
    path(
        "<int:pk>/recipients/add-list/",
        drafting.recipient_add_list,
        name="drafting_recipient_add_list",
    ),
    path(
        "<int:pk>/recipients/<int:recipient_pk>/move/",
        drafting.recipient_move,
        name="drafting_recipient_move",
    ),
    path(
        "<int:pk>/recipients/<int:recipient_pk>/remove/",
        drafting.recipient_remove,
        name="drafting_recipient_remove",
    ),
    path("<int:pk>/signatories/add/", drafting.signatory_add, name="drafting_signatory_add"),
    path("<int:pk>/signatories/sort/", drafting.signatory_sort, name="drafting_signatory_sort"),
    path(
        "<int:pk>/signatories/add-many/",
        drafting.signatory_add_many,
        name="drafting_signatory_add_many",
    ),
    path(
        "<int:pk>/signatories/<int:signatory_pk>/edit/",
        drafting.signatory_edit,
        name="drafting_signatory_edit",
    ),
    path(
        "<int:pk>/signatories/<int:signatory_pk>/move/",
        drafting.signatory_move,
        name="drafting_signatory_move",
    ),
    path(
        "<int:pk>/signatories/<int:signatory_pk>/remove/",
        drafting.signatory_remove,
        name="drafting_signatory_remove",
    ),
]

urlpatterns += [
    path("<int:pk>/circulate/", signing.circulate, name="signing_circulate"),
    path("<int:pk>/sign-on/remind/", signing.remind, name="signing_remind"),
    path(
        "<int:pk>/sign-on/translation/lead/",
        signing.approve_translation_for_lead,
        name="signing_approve_translation_for_lead",
    ),
    path(
        "<int:pk>/sign-on/<int:signatory_pk>/reissue/",
        signing.reissue_link,
        name="signing_reissue_link",
    ),
    path(
        "<int:pk>/sign-on/<int:signatory_pk>/revoke/",
        signing.revoke_link,
        name="signing_revoke_link",
    ),
    path(
        "<int:pk>/sign-on/<int:signatory_pk>/approve/",
        signing.approve_for_lead,
        name="signing_approve_for_lead",
    ),
    path("<int:pk>/call/", signing.call_open, name="signing_call_open"),
    path("<int:pk>/call/close/", signing.call_close, name="signing_call_close"),
    path("<int:pk>/call/queue/", signing.call_queue, name="signing_call_queue"),
    path(
        "<int:pk>/sign-on/<int:signatory_pk>/signature/",
        signing.signature,
        name="signing_signature",
    ),
]

urlpatterns += [
    path("<int:pk>/finalise/", sending.finalise, name="sending_finalise"),
    path("<int:pk>/withdraw/", sending.withdraw, name="sending_withdraw"),
    path("<int:pk>/supersede/", sending.supersede, name="sending_supersede"),
    path("<int:pk>/send/", sending.send, name="sending_send"),
    path("<int:pk>/sent/<int:copy_pk>.pdf", sending.sent_copy, name="sending_sent_copy"),
    path("<int:pk>/publish/", sending.publish, name="sending_publish"),
    path("<int:pk>/unpublish/", sending.unpublish, name="sending_unpublish"),
    path(
        "<int:pk>/press-releases/new/",
        sending.press_release,
        name="sending_press_release_new",
    ),
    path(
        "<int:pk>/press-releases/from-letter/",
        sending.press_release_from_letter,
        name="sending_press_release_from_letter",
    ),
    path(
        "<int:pk>/press-releases/<int:release_pk>/",
        sending.press_release,
        name="sending_press_release",
    ),
]

urlpatterns += [
    path("print.css", printing.preview_stylesheet, name="printing_preview_css"),
    path("<int:pk>/pdf/", printing.letter_pdf, name="printing_pdf"),
    path("<int:pk>/pdf/all/", printing.all_copies_pdf, name="printing_pdf_all"),
    path("<int:pk>/pdf/copy/<int:recipient_pk>/", printing.copy_pdf, name="printing_pdf_copy"),
    path("<int:pk>/pdf/labels/", printing.labels_pdf, name="printing_labels"),
    path("<int:pk>/print-batches/", printing.batch_start, name="printing_batch_start"),
    path(
        "<int:pk>/print-batches/<int:batch_pk>/",
        printing.batch_status,
        name="printing_batch_status",
    ),
    path(
        "<int:pk>/print-batches/<int:batch_pk>/download/",
        printing.batch_download,
        name="printing_batch_download",
    ),
]

urlpatterns += [
    path("tracker/", tracking.index, name="tracking"),
    path("tracker/charts/", tracking.charts, name="tracking_charts"),
    path("tracker/export.<str:fmt>", tracking.export, name="tracking_export"),
    path("tracker/import/", tracking.import_statuses, name="tracking_import"),
    path("tracker/record/", tracking.record_many, name="tracking_record"),
    path(
        "tracker/follow-up-letter/",
        tracking.follow_up_letter_filtered,
        name="tracking_follow_up_letter_filtered",
    ),
    path(
        "recommendations/<int:pk>/",
        tracking.recommendation_detail,
        name="tracking_recommendation",
    ),
    path(
        "recommendations/<int:pk>/follow/",
        tracking.recommendation_follow,
        name="tracking_follow",
    ),
    path("follow-ups/<int:pk>/correct/", tracking.follow_up_correct, name="tracking_correct"),
    path("follow-ups/<int:pk>/evidence/", tracking.follow_up_evidence, name="tracking_evidence"),
    path("<int:pk>/follow-up-letter/", tracking.follow_up_letter, name="tracking_follow_up_letter"),
]

urlpatterns += [
    path("import/", importing.start, name="importing_start"),
    path("import/<int:pk>/", importing.review, name="importing_review"),
    path(
        "import/<int:pk>/blocks/<int:block_id>/edit/",
        importing.block_edit,
        name="importing_block_edit",
    ),
    path(
        "import/<int:pk>/blocks/<int:block_id>/<slug:action>/",
        importing.block,
        name="importing_block",
    ),
    path("import/<int:pk>/discard/", importing.discard, name="importing_discard"),
    path("<int:pk>/imported-source/", importing.source, name="importing_source"),
]

urlpatterns += [
    path("organisations/", organisations.list_view, name="organisations_list"),
    path("organisations/new/", organisations.create_view, name="organisations_create"),
    path("organisations/import/", organisations.import_view, name="organisations_import"),
    path("organisations/<int:pk>/edit/", organisations.edit_view, name="organisations_edit"),
    path(
        "organisations/<int:pk>/merge/",
        organisations.merge_view,
        name="organisations_merge",
    ),
]
