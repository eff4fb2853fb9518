"""The copy of everything Groundswell holds about one person: a ZIP of one JSON document and
one CSV file per section, built by a worker (`web.tasks.build_data_export`).

Each section is one query (with the joins it needs), read with `.iterator()` and written
straight into the archive, which spools to disk past a few megabytes: a member with years
of history does not hold the worker's memory. The CSV files go through
`core.spreadsheets`, since names and notes in them were typed by people.

What is someone else's stays out: the people a member recruited appear by first name only,
and an act shows whether the member, staff or the system did it, never another person's id.
"""

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import IO, Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from groundswell.activity.models import Activity, Detail, Initiator, ObjectKind, Verb
from groundswell.advocacy.models import AdvocacyCampaign, Outreach, Petition, Signature
from groundswell.conversations.models import Post
from groundswell.core.channels import Channel
from groundswell.core.spreadsheets import safe_cell
from groundswell.events.models import Attendance, Event
from groundswell.groups.models import Invitation, Membership
from groundswell.groups.services.membership import INVITE_MESSAGE_PREFIX
from groundswell.messaging.models import Delivery
from groundswell.messaging.services import subject_as_received
from groundswell.network.models import Contact, ShareCode
from groundswell.people.models import Person

Row = dict[str, Any]
# An archive bigger than this is written to a temporary file instead of memory.
SPOOL_BYTES = 8 * 1024 * 1024


def _label(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return "" if value is None else str(value)


def _profile(person: Person) -> Iterator[Row]:
    yield {
        "id": str(person.uuid),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "additional_name": person.additional_name,
        "joined_at": person.created_at,
        "updated_at": person.modified_at,
        "came_through": _label(Channel, person.source_channel),
        "source_detail": person.source_detail,
        "recruited_by_first_name": person.recruited_by.given_name if person.recruited_by else "",
        "custom_fields": person.custom_fields,
    }


def _emails(person: Person) -> Iterator[Row]:
    for email in person.email_addresses.order_by("-primary", "id"):
        yield {
            "address": email.address,
            "primary": email.primary,
            "status": email.get_status_display(),
            "status_changed_at": email.status_changed_at,
            "added_at": email.created_at,
        }


def _phones(person: Person) -> Iterator[Row]:
    for phone in person.phone_numbers.order_by("-primary", "id"):
        yield {
            "number": phone.number,
            "primary": phone.primary,
            "type": phone.number_type,
            "added_at": phone.created_at,
        }


def _addresses(person: Person) -> Iterator[Row]:
    for address in person.postal_addresses.order_by("-primary", "id"):
        yield {
            "primary": address.primary,
            "address_lines": " / ".join(address.address_lines),
            "locality": address.locality,
            "region": address.region,
            "postal_code": address.postal_code,
            "country": address.country,
            "added_at": address.created_at,
        }


def _tags(person: Person) -> Iterator[Row]:
    for tagging in person.taggings.select_related("tag").order_by("created_at", "id"):
        yield {"tag": tagging.tag.name, "tagged_at": tagging.created_at}


def _consents(person: Person) -> Iterator[Row]:
    for consent in person.consents.order_by("recorded_at", "id"):
        yield {
            "purpose": consent.get_purpose_display(),
            "granted": consent.granted,
            "wording_shown": consent.wording,
            "recorded_at": consent.recorded_at,
        }


def _rsvps(person: Person) -> Iterator[Row]:
    rows = (
        Attendance.objects.filter(person=person).select_related("event", "shift").order_by("created_at", "id")
    )
    for rsvp in rows.iterator(chunk_size=500):
        yield {
            "event": rsvp.event.title,
            "event_id": str(rsvp.event.uuid),
            "date_or_shift_starts_at": rsvp.shift.starts_at if rsvp.shift else rsvp.event.starts_at,
            "status": rsvp.get_status_display(),
            "attended": {True: "yes", False: "no", None: ""}[rsvp.attended],
            "checked_in_at": rsvp.checked_in_at,
            "walk_in": rsvp.walk_in,
            "name_shared": f"{rsvp.given_name} {rsvp.family_name}".strip(),
            "email_shared": rsvp.email,
            "phone_shared": rsvp.phone,
            "rsvped_at": rsvp.created_at,
        }


def _hosted(person: Person) -> Iterator[Row]:
    hosting = Event.objects.filter(Q(host=person) | Q(cohosts=person)).distinct().order_by("starts_at", "id")
    for event in hosting:
        yield {
            "event": event.title,
            "event_id": str(event.uuid),
            "role": "host" if event.host_id == person.pk else "co-host",
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "time_zone": event.time_zone,
            "venue": event.venue,
            "address_lines": " / ".join(event.address_lines),
            "locality": event.locality,
            "postal_code": event.postal_code,
            "status": event.get_status_display(),
            "visibility": event.get_visibility_display(),
            "description": event.description,
            "report_attendance": event.report_attendance,
            "report_notes": event.report_notes,
        }


def _messages(person: Person) -> Iterator[Row]:
    # Invitations sent for the member to addresses we did not know are theirs to the people
    # they invited (in group_invitations_sent, with every other address they invited), not
    # mail to them: listed here, they would tell which addresses were on our list.
    rows = (
        Delivery.objects.filter(person=person)
        .exclude(message__key__startswith=INVITE_MESSAGE_PREFIX)
        .select_related("message")
        .order_by("created_at", "id")
    )
    for delivery in rows.iterator(chunk_size=500):
        yield {
            "subject": subject_as_received(delivery.message, person, delivery.context),
            "kind": delivery.message.get_kind_display(),
            "status": delivery.get_status_display(),
            "sent_to": delivery.email_address,
            "sent_at": delivery.sent_at,
        }


def _signatures(person: Person) -> Iterator[Row]:
    rows = Signature.objects.filter(person=person).select_related("petition").order_by("created_at", "id")
    for signature in rows.iterator(chunk_size=500):
        yield {
            "petition": signature.petition.title,
            "petition_id": str(signature.petition.uuid),
            "signed_at": signature.created_at,
            "comment": signature.comment,
            "first_name_shown_publicly": signature.show_name_publicly,
            "starter_may_write_to_you": signature.starter_may_write,
            "name_given": f"{signature.given_name} {signature.family_name}".strip(),
            "email_given": signature.email,
            "postal_code_given": signature.postal_code,
            "town": signature.locality,
            "came_through": _label(Channel, signature.channel),
        }


def _outreaches(person: Person) -> Iterator[Row]:
    rows = (
        Outreach.objects.filter(person=person)
        .select_related("campaign", "target")
        .order_by("created_at", "id")
    )
    for outreach in rows.iterator(chunk_size=500):
        yield {
            "campaign": outreach.campaign.title,
            "campaign_id": str(outreach.campaign.uuid),
            "target": str(outreach.target),
            "target_office": outreach.target.office,
            "mode": outreach.get_mode_display(),
            "outcome": outreach.get_outcome_display(),
            "when": outreach.created_at,
            "call_seconds": outreach.call_seconds,
            "subject_sent": outreach.subject,
            "text_sent": outreach.text,
            "sent_by": outreach.get_delivery_display() if outreach.delivery else "",
            "note": outreach.note,
            "meeting_date": outreach.meeting_date,
            "who_went": outreach.who_went,
            "came_through": _label(Channel, outreach.channel),
        }


def _started(person: Person) -> Iterator[Row]:
    """Advocacy campaigns and petitions the person started, in the order they started them:
    the words they wrote, and where each stands (an organizer's note included: it was theirs)."""
    rows: list[tuple[Any, Row]] = []
    for campaign in AdvocacyCampaign.objects.filter(started_by=person):
        what = {"kind": f"{campaign.get_mode_display().lower()} campaign", "text": campaign.description}
        rows.append(((campaign.created_at, 0, campaign.pk), _started_row(campaign, what, campaign.script)))
    for petition in Petition.objects.filter(started_by=person):
        what = {"kind": "petition", "text": petition.text}
        rows.append(((petition.created_at, 1, petition.pk), _started_row(petition, what, "")))
    for _, row in sorted(rows, key=lambda entry: entry[0]):
        yield row


def _started_row(item: AdvocacyCampaign | Petition, what: Row, script: str) -> Row:
    return {
        "kind": what["kind"],
        "title": item.title,
        "id": str(item.uuid),
        "status": item.get_status_display(),
        "started_at": item.created_at,
        "text": what["text"],
        "script": script,
        "goal": item.goal,
        "organizer_note": item.review_note,
        "closed_at": item.closed_at,
    }


def _group_memberships(person: Person) -> Iterator[Row]:
    rows = Membership.objects.filter(person=person).select_related("group").order_by("created_at", "id")
    for membership in rows:
        yield {
            "group": membership.group.name,
            "status": membership.get_status_display(),
            "role": membership.get_role_display(),
            "role_title": membership.core_title,
            "joined_at": membership.joined_at,
            "role_since": membership.role_since,
            "emails_about_posts": membership.get_notify_display(),
            "note_asking_to_join": membership.request_note,
        }


def _group_invitations(person: Person) -> Iterator[Row]:
    rows = Invitation.objects.filter(invited_by=person).select_related("group").order_by("created_at", "id")
    for invitation in rows.iterator(chunk_size=500):
        yield {
            "group": invitation.group.name,
            "email": invitation.email,
            "invited_at": invitation.created_at,
            "accepted_at": invitation.accepted_at,
            "withdrawn_at": invitation.withdrawn_at,
        }


def _posts(person: Person) -> Iterator[Row]:
    """What the member wrote in conversations (a deleted post's words are gone)."""
    rows = Post.objects.filter(author=person).select_related("thread").order_by("created_at", "id")
    for post in rows.iterator(chunk_size=500):
        yield {
            "conversation": post.thread.title,
            "conversation_id": str(post.thread.uuid),
            "number": post.number,
            "written_at": post.created_at,
            "edited_at": post.edited_at,
            "deleted_at": post.deleted_at,
            "hidden_by_a_moderator_because": post.hidden_reason if post.hidden_at else "",
            "text": post.raw,
        }


def _share_links(person: Person) -> Iterator[Row]:
    for share in ShareCode.objects.filter(person=person).order_by("created_at", "id"):
        yield {"code": share.code, "shown_name": share.shown_name, "made_at": share.created_at}


def _recruits(person: Person) -> Iterator[Row]:
    """The people who joined through the member: their first names only (the rest is theirs)."""
    rows = (
        Person.objects.filter(recruited_by=person, anonymized_at__isnull=True)
        .order_by("created_at", "id")
        .values_list("given_name", "created_at")
    )
    for given_name, joined_at in rows.iterator(chunk_size=2000):
        yield {"first_name": given_name, "joined_at": joined_at}


def _contacts(person: Person) -> Iterator[Row]:
    """The people the member listed as someone they know: what they typed themselves."""
    for contact in Contact.objects.filter(owner=person).order_by("created_at", "id"):
        yield {
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "listed_at": contact.created_at,
        }


def _acts(person: Person) -> Iterator[Row]:
    rows = (
        Activity.objects.filter(person=person)
        .order_by("occurred_at", "id")
        .values_list("verb", "detail", "occurred_at", "channel", "object_kind", "actor_id", "initiator")
    )
    for verb, detail, occurred_at, channel, object_kind, actor_id, initiator in rows.iterator(
        chunk_size=2000
    ):
        by = (
            "you"
            if actor_id in (None, person.pk) and initiator == Initiator.MEMBER
            else _label(Initiator, initiator)
        )
        yield {
            "what": _label(Verb, verb),
            "detail": _label(Detail, detail) if detail is not None else "",
            "about": _label(ObjectKind, object_kind) if object_kind is not None else "",
            "when": occurred_at,
            "through": _label(Channel, channel),
            "by": by,
        }


# Section name -> (what it holds, the rows). The order is the order of the archive.
SECTIONS: dict[str, tuple[str, Callable[[Person], Iterable[Row]]]] = {
    "profile": ("Your name and how you joined", _profile),
    "email_addresses": ("Your email addresses and their subscription", _emails),
    "phone_numbers": ("Your phone numbers", _phones),
    "postal_addresses": ("Your postcode and address", _addresses),
    "tags": ("Tags organizers put on your record", _tags),
    "consents": ("Each time you said yes or no to email, in the words you saw", _consents),
    "rsvps": ("Events you RSVP'd to, and what you shared with their hosts", _rsvps),
    "events_hosted": ("Events you hosted or co-hosted", _hosted),
    "signatures": ("Petitions you signed: your comment, and what you chose to share", _signatures),
    "outreaches": ("Officials you contacted for a campaign, how it went and what you sent", _outreaches),
    "campaigns_started": ("Campaigns and petitions you started", _started),
    "group_memberships": ("Groups you joined or asked to join, and your role in each", _group_memberships),
    "group_invitations_sent": ("Addresses you invited to a group", _group_invitations),
    "posts": ("What you wrote in conversations", _posts),
    "messages_received": ("Emails we sent you", _messages),
    "share_links": ("Your share links", _share_links),
    "recruits": ("People who joined through you (first names only)", _recruits),
    "contacts": ("People you told us you know", _contacts),
    "activity": ("Everything you did, as our log recorded it", _acts),
}


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cell(value: object) -> str:
    value = _plain(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return safe_cell(json.dumps(value, ensure_ascii=False))
    return safe_cell(value)


def write_archive(person: Person, out: IO[bytes]) -> None:
    """Write the person's archive to `out`: README.txt, groundswell-data.json, csv/*.csv."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme())
        with archive.open("groundswell-data.json", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8")
            head = {"generated_at": _plain(timezone.now()), "site": settings.SITE_NAME}
            text.write(json.dumps(head)[:-1])  # the sections follow, each written as it is read
            for name, (_, rows) in SECTIONS.items():
                text.write(f", {json.dumps(name)}: [")
                for i, row in enumerate(rows(person)):
                    text.write(
                        ("," if i else "")
                        + json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False)
                    )
                text.write("]")
            text.write("}\n")
            text.flush()
            text.detach()
        for name, (_, rows) in SECTIONS.items():
            with archive.open(f"csv/{name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer: Any = None
                for row in rows(person):
                    if writer is None:
                        writer = csv.writer(text)
                        writer.writerow(list(row))
                    writer.writerow([_cell(v) for v in row.values()])
                text.flush()
                text.detach()


def _readme() -> str:
    lines = [
        f"Everything {settings.SITE_NAME} holds about you, as of {timezone.now():%Y-%m-%d %H:%M} UTC.",
        "",
        "groundswell-data.json has it all in one file; csv/ has one spreadsheet per part.",
        "Times are in UTC.",
        "",
    ]
    lines += [f"csv/{name}.csv: {what}" for name, (what, _) in SECTIONS.items()]
    return "\n".join(lines) + "\n"


def build_archive(person: Person) -> IO[bytes]:
    """The archive in a temporary file (in memory while small), rewound for reading."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    write_archive(person, out)
    out.seek(0)
    return out
