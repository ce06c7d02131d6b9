"""Indexes the statistics read through, on tables of other apps (deadlines, petitions).

Statistics select clocks by kind and due date (及时受理率, 按期办结率) and concluding events by action
and date (化解率); the owning apps index these tables for their own work only (running clocks, a
matter's events). The indexes are created here, by the reader that needs them, with plain SQL both
databases accept; Django's model state is unchanged. If the owning apps add equivalent indexes,
these can be dropped.
"""

from django.db import migrations

INDEXES = [
    ("stats_clock_cohort_idx", "deadlines_clock", "kind, due_on, unit_id, state, petition_id"),
    ("stats_event_action_idx", "petitions_event", "action, at, petition_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("deadlines", "0001_initial"),
        ("petitions", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
                          reverse_sql=f"DROP INDEX IF EXISTS {name}")
        for name, table, columns in INDEXES
    ]
