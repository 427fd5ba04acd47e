from django.urls import path

from recipients import views

app_name = "recipients"

urlpatterns = [
    path("", views.directory, name="list"),
    path("export/", views.export, name="export"),
    path("import/", views.import_view, name="import"),
    path("positions/new/", views.position_edit, name="position_add"),
    path("positions/preview/", views.position_preview, name="position_preview"),
    path("positions/<int:pk>/", views.position_detail, name="position"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("positions/<int:pk>/preview/", views.position_preview, name="position_preview"),
    path("positions/<int:pk>/verify/", views.position_verify, name="position_verify"),
    path("positions/<int:pk>/merge/", views.position_merge, name="position_merge"),
    path("positions/<int:pk>/holder/", views.change_holder, name="change_holder"),
    path("positions/<int:pk>/archive/", views.position_archive, name="position_archive"),
    path("positions/<int:pk>/delete/", views.position_delete, name="position_delete"),
    path("terms/<int:pk>/", views.term_edit, name="term_edit"),
    path("lists/", views.mailing_lists, name="mailing_lists"),
    path("lists/new/", views.mailing_list_edit, name="mailing_list_add"),
    path("lists/<int:pk>/", views.mailing_list, name="mailing_list"),
    path("lists/<int:pk>/edit/", views.mailing_list_edit, name="mailing_list_edit"),
    path("officials/", views.official_list, name="officials"),
    path("officials/new/", views.official_edit, name="official_add"),
    path("officials/preview/", views.official_preview, name="official_preview"),
    path("officials/<int:pk>/", views.official_detail, name="official"),
    path("officials/<int:pk>/edit/", views.official_edit, name="official_edit"),
    path("officials/<int:pk>/preview/", views.official_preview, name="official_preview"),
    path("officials/<int:pk>/archive/", views.official_archive, name="official_archive"),
    path("officials/<int:pk>/delete/", views.official_delete, name="official_delete"),
]
