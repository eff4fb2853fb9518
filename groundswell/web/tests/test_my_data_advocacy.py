"""The copy of a member's data holds their advocacy: petitions they signed (comment and what
they chose), officials they contacted (what they sent and how it went), and the campaigns and
petitions they started; in JSON, and in CSV where nothing they typed runs as a formula.
Someone else's signature or outreach never appears in it."""

import csv
import io
import json
import zipfile

import pytest

from groundswell.advocacy import services
from groundswell.advocacy.models import Outreach
from groundswell.advocacy.tests.campaign_factories import as_actor, make_campaign, make_petition, make_target
from groundswell.network.services import share_code_for
from groundswell.web.my_account.exports import SECTIONS, write_archive

pytestmark = pytest.mark.django_db


def _archive(person) -> zipfile.ZipFile:
    out = io.BytesIO()
    write_archive(person, out)
    out.seek(0)
    return zipfile.ZipFile(out)


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(f"csv/{name}.csv").decode("utf-8-sig"))))


@pytest.fixture
def active(make_member, organizer):
    """Maya signed a petition through Ben's link, called a senator and emailed another, and
    started a petition (waiting) and a call campaign; Ben signed and called too."""
    maya, ben = make_member("Maya", postal_code="94110"), make_member("Ben", postal_code="94110")
    senator = make_target("Alex Padilla", office="U.S. Senate")
    other = make_target("Adam Schiff")
    petition = make_petition(organizer, title="=Save the library")
    campaign = make_campaign(organizer, title="Call for clean water", targets=[senator, other])
    services.sign(
        actor=as_actor(maya),
        petition=petition,
        comment='=HYPERLINK("http://evil")',
        show_name=True,
        starter_may_write=False,
        ref=share_code_for(ben.person).code,
        via="whatsapp",
    )
    services.sign(actor=as_actor(ben), petition=petition, comment="Ben's own words")
    services.log_outreach(
        actor=as_actor(maya),
        campaign=campaign,
        report=services.OutreachReport(
            target=senator,
            theirs=frozenset({senator.pk}),
            outcome=Outreach.Outcome.VOICEMAIL,
            call_seconds=95,
        ),
    )
    services.log_outreach(
        actor=as_actor(maya),
        campaign=campaign,
        report=services.OutreachReport(
            target=other,
            theirs=frozenset({other.pk}),
            mode=Outreach.Mode.EMAIL,
            outcome=Outreach.Outcome.SENT,
            subject="Clean water",
            text="+1 Please act.\nMaya",
        ),
    )
    services.log_outreach(
        actor=as_actor(ben),
        campaign=campaign,
        report=services.OutreachReport(
            target=senator, theirs=frozenset({senator.pk}), outcome=Outreach.Outcome.REACHED_STAFFER
        ),
    )
    make_petition(maya, title="Fix the crossing", text="-Please fix the crossing on Elm.")
    make_campaign(maya, title="Call about buses")
    return maya, ben


def test_the_archive_lists_the_member_s_signatures_outreaches_and_campaigns(active):
    maya, _ = active
    archive = _archive(maya.person)
    data = json.loads(archive.read("groundswell-data.json"))

    (signature,) = data["signatures"]
    assert signature["petition"] == "=Save the library"
    assert signature["comment"] == '=HYPERLINK("http://evil")'
    assert (signature["first_name_shown_publicly"], signature["starter_may_write_to_you"]) == (True, False)
    assert signature["came_through"] == "WhatsApp" and signature["town"] == "San Francisco"
    assert signature["signed_at"].endswith("+00:00")

    call, email = data["outreaches"]
    assert (call["campaign"], call["target"], call["mode"], call["outcome"], call["call_seconds"]) == (
        "Call for clean water",
        "Senator Alex Padilla",
        "Call",
        "Left a voicemail",
        95,
    )
    assert call["target_office"] == "U.S. Senate"
    assert (email["mode"], email["subject_sent"], email["text_sent"]) == (
        "Email",
        "Clean water",
        "+1 Please act.\nMaya",
    )

    started = data["campaigns_started"]
    assert [(s["kind"], s["title"], s["status"]) for s in started] == [
        ("petition", "Fix the crossing", "Waiting for approval"),
        ("call campaign", "Call about buses", "Waiting for approval"),
    ]
    assert started[0]["text"] == "-Please fix the crossing on Elm."

    # Nothing of Ben's: his signature and his call are his.
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Ben's own words" not in everything and b"Talked to a staffer" not in everything


def test_the_csv_files_are_formula_safe(active):
    maya, _ = active
    archive = _archive(maya.person)
    (signature,) = _csv(archive, "signatures")
    assert signature["petition"] == "'=Save the library"
    assert signature["comment"] == '\'=HYPERLINK("http://evil")'
    assert signature["first_name_shown_publicly"] == "yes"
    outreaches = _csv(archive, "outreaches")
    assert [o["text_sent"] for o in outreaches] == ["", "'+1 Please act.\nMaya"]
    started = _csv(archive, "campaigns_started")
    assert started[0]["text"] == "'-Please fix the crossing on Elm."
    readme = archive.read("README.txt").decode()
    for name in ("signatures", "outreaches", "campaigns_started"):
        assert name in SECTIONS and f"csv/{name}.csv" in readme


def test_a_member_with_no_advocacy_gets_empty_sections(make_member):
    data = json.loads(_archive(make_member("Otto").person).read("groundswell-data.json"))
    assert data["signatures"] == data["outreaches"] == data["campaigns_started"] == []
