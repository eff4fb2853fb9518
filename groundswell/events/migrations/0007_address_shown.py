from django.db import migrations, models


class Migration(migrations.Migration):
    """Hosts choose who sees the street address. Events made before the choice existed were
    published with their address shown to everyone, and their hosts were told nothing else:
    they keep that ("everyone"), so no RSVP'd person suddenly loses the address and no page
    changes under a host without their say. New events default to "only people who RSVP"."""

    dependencies = [
        ("events", "0006_walk_ins_apart_accepted_invitations"),
    ]

    operations = [
        # Existing rows take "everyone" (today's behaviour) ...
        migrations.AddField(
            model_name="event",
            name="address_shown",
            field=models.CharField(
                choices=[
                    ("everyone", "Everyone who can see the event"),
                    ("attendees", "Only people who RSVP (and the hosts)"),
                ],
                default="everyone",
                max_length=10,
            ),
        ),
        # ... and new ones the careful default.
        migrations.AlterField(
            model_name="event",
            name="address_shown",
            field=models.CharField(
                choices=[
                    ("everyone", "Everyone who can see the event"),
                    ("attendees", "Only people who RSVP (and the hosts)"),
                ],
                default="attendees",
                max_length=10,
            ),
        ),
    ]
