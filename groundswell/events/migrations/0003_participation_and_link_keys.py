"""RSVPs become participations: the details each attendee gave for the event (copied, for
RSVPs made before, from the attendee's own record, as hosts saw them then), how the RSVP
arrived, the waitlist order kept apart from the creation time, and revocable link keys.
Shifts (a date of a series, a timeslot) get a public id and timestamps."""

import secrets
import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import groundswell.events.models


def fill(apps, schema_editor):
    Attendance = apps.get_model("events", "Attendance")
    Shift = apps.get_model("events", "Shift")
    Event = apps.get_model("events", "Event")
    EmailAddress = apps.get_model("people", "EmailAddress")
    PhoneNumber = apps.get_model("people", "PhoneNumber")
    for shift in Shift.objects.all().iterator():
        shift.uuid = uuid.uuid4()
        shift.save(update_fields=["uuid"])
    for event in Event.objects.all().iterator():
        event.invitation_key = secrets.token_urlsafe(12)
        event.save(update_fields=["invitation_key"])
    for attendance in Attendance.objects.select_related("person").iterator():
        person = attendance.person
        email = EmailAddress.objects.filter(person=person).order_by("-primary", "id").first()
        phone = PhoneNumber.objects.filter(person=person).order_by("-primary", "id").first()
        attendance.given_name = person.given_name
        attendance.family_name = person.family_name
        attendance.email = email.address if email else ""
        attendance.phone = phone.number if phone else ""
        attendance.queued_at = attendance.created_at
        attendance.cancel_key = secrets.token_urlsafe(12)
        attendance.origin = 2 if attendance.walk_in else 0
        attendance.save(
            update_fields=["given_name", "family_name", "email", "phone", "queued_at", "cancel_key", "origin"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_dates_as_shifts"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarFeed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(default=groundswell.events.models.new_link_key, max_length=32)),
                ("created_at", models.DateTimeField(auto_now=True)),
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_feed",
                        to="people.person",
                    ),
                ),
            ],
        ),
        migrations.AlterModelOptions(name="attendance", options={"ordering": ["queued_at", "id"]}),
        migrations.RemoveIndex(model_name="attendance", name="attendance_queue_idx"),
        migrations.AddField(
            model_name="attendance",
            name="cancel_key",
            field=models.CharField(default=groundswell.events.models.new_link_key, max_length=32),
        ),
        migrations.AddField(
            model_name="attendance", name="email", field=models.CharField(blank=True, max_length=254)
        ),
        migrations.AddField(
            model_name="attendance", name="family_name", field=models.CharField(blank=True, max_length=100)
        ),
        migrations.AddField(
            model_name="attendance", name="given_name", field=models.CharField(blank=True, max_length=100)
        ),
        migrations.AddField(
            model_name="attendance",
            name="origin",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (0, "by the person, signed in"),
                    (1, "through a public form"),
                    (2, "added by a host"),
                    (3, "added by staff"),
                    (4, "imported"),
                    (5, "through the API"),
                ],
                default=0,
            ),
        ),
        migrations.AddField(
            model_name="attendance", name="phone", field=models.CharField(blank=True, max_length=20)
        ),
        migrations.AddField(
            model_name="attendance",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="attendance",
            name="source",
            field=models.CharField(
                blank=True, help_text="The page, embed or list it came from.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="invitation_key",
            field=models.CharField(default=groundswell.events.models.new_link_key, max_length=32),
        ),
        migrations.AddField(
            model_name="shift",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="shift", name="modified_at", field=models.DateTimeField(auto_now=True)
        ),
        migrations.AddField(
            model_name="shift", name="uuid", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.AlterField(
            model_name="attendance",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="%(class)ss", to="people.person"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="shift",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddIndex(
            model_name="attendance",
            index=models.Index(fields=["event", "status", "queued_at"], name="attendance_queue_idx"),
        ),
    ]
