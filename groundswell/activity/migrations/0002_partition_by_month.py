"""On PostgreSQL, rebuild the activity log as a table partitioned by month.

SQLite has no partitions; there the table stays as 0001 made it. Django's model
keeps `id` as its primary key either way: ids come from one sequence, so they
stay unique across partitions.
"""

from django.db import migrations


def partition(apps, schema_editor):
    from groundswell.activity.partitions import convert_to_partitioned, is_partitioned

    connection = schema_editor.connection
    if connection.vendor == "postgresql" and not is_partitioned(connection):
        convert_to_partitioned(connection)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("activity", "0001_initial")]
    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
