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
urlpatterns += []
# -- end follow-up tracker --


# -- sign-on, finalising, sending (letters/views/signing.py) --
urlpatterns += []
# -- end sign-on --
