"""Covering indexes for the statistics' largest reads (see 0002 for why they live here).

- contacts by date: every volume figure, breakdown and trend reads the period's contacts of a scope;
  with these columns in the index both databases answer from the index alone;
- ratings of units by date: 参评率 and 满意率 read stage, value and matter of each rating.
"""

from django.db import migrations

INDEXES = [
    ("stats_contact_cover_idx", "petitions_contact",
     "received_at, receiving_unit_id, channel, headcount, is_collective, is_repeat, visit_level, petition_id"),
    ("stats_rating_cover_idx", "handling_rating", "unit_id, rated_at, stage, value, petition_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0002_reading_indexes"),
        ("handling", "0002_rating"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
                          reverse_sql=f"DROP INDEX IF EXISTS {name}")
        for name, table, columns in INDEXES
    ]
