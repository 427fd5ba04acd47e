"""
Re-sync the role groups with letters/permissions.py: the Admin group used to
carry every permission of the letters app (publish, send, circulate...); it
now keeps the address book, organisations and users, and reads letters.
"""

from django.db import migrations


def sync(apps, schema_editor):
    from letters.permissions import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0007_rehash_frozen_letters"),
        ("recipients", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
