from django.db import migrations, models
from django.db.models import F


def published_when_written(apps, schema_editor):
    """Posts already out were published when they were written; held ones are not yet."""
    Post = apps.get_model("conversations", "Post")
    Post.objects.filter(held=False).update(published_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0002_initial"),
        ("people", "0003_alter_emailaddress_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["published_at"], name="post_published_idx"),
        ),
        migrations.RunPython(published_when_written, migrations.RunPython.noop),
    ]
