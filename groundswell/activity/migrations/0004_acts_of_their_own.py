"""Acts of their own: an act's object and context as a small kind and an id (no content
type), the date or shift it was about, a detail code, who did it (actor); and its own
channel and referrer. Existing rows are moved over: content types become kinds, and the
credit that `record` used to copy from the person's first touch onto every act is taken
off again (an RSVP keeps the credit of the link it came through, as its Attendance says).
The index on time alone goes: the monthly partitions are the time index."""

import django.db.models.deletion
from django.db import migrations, models

KINDS = {
    ("people", "person"): 1,
    ("events", "event"): 2,
    ("events", "shift"): 3,
    ("events", "eventcampaign"): 4,
    ("network", "contact"): 5,
    ("messaging", "message"): 6,
}
JOINED, RECRUITED, RSVPED, CANCELLED_RSVP, ATTENDED, NO_SHOW, CHECKED_IN = 1, 2, 3, 4, 5, 6, 9
RETURNED = 19
HOST_DONE = {CHECKED_IN, ATTENDED, NO_SHOW}
OWN_CREDIT = {JOINED, RETURNED}  # the only acts `record` was given their own credit for


def forward(apps, schema_editor):
    Activity = apps.get_model("activity", "Activity")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Person = apps.get_model("people", "Person")
    kinds = {ct.pk: KINDS.get((ct.app_label, ct.model)) for ct in ContentType.objects.all()}
    first_touch = dict(Person.objects.values_list("pk", "recruited_by_id"))
    try:
        Attendance = apps.get_model("events", "Attendance")
        rsvp_credit = {
            (a["person_id"], a["event_id"]): (a["channel"], a["referrer_id"])
            for a in Attendance.objects.values("person_id", "event_id", "channel", "referrer_id")
        }
    except LookupError:
        rsvp_credit = {}
    for act in Activity.objects.all().iterator(chunk_size=2000):
        act.object_kind = kinds.get(act.object_type_id) if act.object_type_id else None
        act.actor_id = None if act.verb in HOST_DONE or act.initiator == 2 else act.person_id
        if act.verb not in OWN_CREDIT:
            credit = rsvp_credit.get((act.person_id, act.object_id)) if act.object_kind == 2 else None
            if credit is not None and act.verb in (RSVPED, CANCELLED_RSVP, ATTENDED, CHECKED_IN, NO_SHOW):
                act.channel, act.referrer_id = credit
            elif act.referrer_id is not None and act.referrer_id == first_touch.get(act.person_id):
                act.channel, act.referrer_id = 0, None
        act.save(update_fields=["object_kind", "actor", "channel", "referrer"])


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0003_audit_verbs"),
        ("people", "0001_initial"),
        ("events", "0003_participation_and_link_keys"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="people.person",
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="context_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="activity",
            name="context_kind",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (1, "person"),
                    (2, "event"),
                    (3, "date or shift"),
                    (4, "event campaign"),
                    (5, "contact"),
                    (6, "message"),
                ],
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="detail",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (1, "call"),
                    (2, "visit"),
                    (3, "email"),
                    (4, "letter"),
                    (5, "meeting"),
                    (20, "member"),
                    (21, "host"),
                    (22, "group leader"),
                    (23, "organizer"),
                    (24, "admin"),
                ],
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="object_kind",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (1, "person"),
                    (2, "event"),
                    (3, "date or shift"),
                    (4, "event campaign"),
                    (5, "contact"),
                    (6, "message"),
                ],
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="slot_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_object",
        ),
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_time",
        ),
        migrations.RemoveField(
            model_name="activity",
            name="object_type",
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("object_id__isnull", False)),
                fields=["object_kind", "object_id"],
                name="activity_object",
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("context_id__isnull", False)),
                fields=["context_kind", "context_id", "occurred_at"],
                name="activity_context",
            ),
        ),
    ]
