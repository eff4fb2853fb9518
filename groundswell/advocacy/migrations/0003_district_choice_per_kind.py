"""A member's district pick is kept per level *and kind* of district (a state senate and an
assembly district are both of the state level). Existing picks take their district's kind."""

from django.db import migrations, models


def kind_of(ocd_id: str) -> str:
    # As advocacy.districts.division_kind reads it (copied: migrations do not import app code).
    last = ocd_id.rsplit("/", 1)[-1]
    return last.split(":", 1)[0] if ":" in last else ""


def fill_kinds(apps, schema_editor):
    DistrictChoice = apps.get_model("advocacy", "DistrictChoice")
    for choice in DistrictChoice.objects.select_related("district").only("id", "district__ocd_id"):
        DistrictChoice.objects.filter(pk=choice.pk).update(kind=kind_of(choice.district.ocd_id))


class Migration(migrations.Migration):
    dependencies = [
        ("advocacy", "0002_campaigns_petitions_outreaches"),
    ]

    operations = [
        migrations.AddField(
            model_name="districtchoice",
            name="kind",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.RunPython(fill_kinds, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="districtchoice",
            name="one_district_choice_per_level",
        ),
        migrations.AddConstraint(
            model_name="districtchoice",
            constraint=models.UniqueConstraint(
                fields=("person", "level", "kind"), name="one_district_choice_per_level_and_kind"
            ),
        ),
    ]
