"""Load every year the installed `chinesecalendar` package knows. Years added later by admins, or
by `manage.py load_holidays` after upgrading the package, are not touched here."""

from django.db import migrations


def forwards(apps, schema_editor):
    from deadlines.holidays import load_years

    load_years(apps.get_model("deadlines", "HolidayYear"), apps.get_model("deadlines", "CalendarDay"))


def backwards(apps, schema_editor):
    apps.get_model("deadlines", "HolidayYear").objects.filter(source__startswith="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
