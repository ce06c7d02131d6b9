"""Formerly created, with plain SQL, covering indexes on contacts by date and ratings by unit and date.

They now belong to the tables' own apps (petitions `contact_cover_idx`, handling `rating_cover_idx`),
see 0002. Kept, empty, so databases that applied it keep a consistent history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0002_reading_indexes"),
        ("handling", "0002_rating"),
    ]

    operations: list = []
