# A full-text index for the tracker's search, on PostgreSQL only (SQLite has no
# GIN indexes; there the search is a plain substring match).

from django.db import migrations

INDEX_NAME = "rec_text_search_idx"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector("text", config="simple"), name=INDEX_NAME)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("letters", "Recommendation"), _index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("letters", "Recommendation"), _index())


class Migration(migrations.Migration):

    dependencies = [
        ("letters", "0005_tracker_recorded_index"),
    ]

    operations = [
        migrations.RunPython(add_index, remove_index),
    ]
