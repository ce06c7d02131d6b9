"""Formerly created, with plain SQL, the indexes statistics read through on other apps' tables
(clocks by kind and due date; events by action and date).

Those indexes now belong to the tables' own apps (deadlines `clock_cohort_idx`, petitions
`event_action_idx`), whose migrations take over an index this migration created in an existing
database (core.migration_operations.AdoptIndex) instead of building it again. Kept, empty, so
databases that applied it keep a consistent history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("deadlines", "0001_initial"),
        ("petitions", "0001_initial"),
    ]

    operations: list = []
