"""`groundswell import targets`: congress-legislators (YAML, CSV), Open States people, a
movement's own CSV. Every file here is made by the test, shaped like the real ones."""

import datetime
import re
import sys
import types
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from groundswell.advocacy.imports import openstates
from groundswell.advocacy.imports.targets import import_targets
from groundswell.advocacy.models import Level, Target, TargetPhone
from groundswell.core.errors import ValidationError

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)

# Three legislators as legislators-current.yaml writes them: a senator with an earlier House
# term (the latest term decides), a representative, and an at-large representative.
CONGRESS_YAML = """\
- id:
    bioguide: P000145
    thomas: '02154'
    govtrack: 456791
  name:
    first: Alex
    last: Padilla
    official_full: Alex Padilla
  bio:
    birthday: '1973-03-22'
    gender: M
  terms:
  - type: rep
    start: '2015-01-06'
    end: '2017-01-03'
    state: CA
    district: 29
    party: Democrat
  - type: sen
    start: '2023-01-03'
    end: '2029-01-03'
    state: CA
    class: 1
    party: Democrat
    state_rank: junior
    url: https://www.padilla.senate.gov
    address: 331 Hart Senate Office Building Washington DC 20510
    phone: 202-224-3553
    contact_form: https://www.padilla.senate.gov/contact/contact-form/
- id:
    bioguide: P000197
    govtrack: 400314
  name:
    first: Nancy
    last: Pelosi
    official_full: Nancy Pelosi
  terms:
  - type: rep
    start: '2025-01-03'
    end: '2027-01-03'
    state: CA
    district: 11
    party: Democrat
    url: https://pelosi.house.gov
    address: 1236 Longworth House Office Building Washington DC 20515-0511
    phone: 202-225-4965
- id:
    bioguide: H001096
  name:
    first: Harriet
    last: Hageman
    official_full: Harriet M. Hageman
  terms:
  - type: rep
    start: '2025-01-03'
    end: '2027-01-03'
    state: WY
    district: 0
    party: Republican
    address: 1531 Longworth House Office Building Washington DC 20515-5000
    phone: 202-225-2311
"""

CONGRESS_CSV = """\
last_name,first_name,middle_name,suffix,nickname,full_name,birthday,gender,type,state,district,\
senate_class,party,url,address,phone,contact_form,rss_url,twitter,bioguide_id,thomas_id,govtrack_id
Padilla,Alex,,,,Alex Padilla,1973-03-22,M,sen,CA,,1,Democrat,https://www.padilla.senate.gov,\
331 Hart Senate Office Building Washington DC 20510,202-224-3553,\
https://www.padilla.senate.gov/contact/contact-form/,,SenAlexPadilla,P000145,02154,456791
Pelosi,Nancy,,,,Nancy Pelosi,1940-03-26,F,rep,CA,11,,Democrat,https://pelosi.house.gov,\
1236 Longworth House Office Building Washington DC 20515-0511,202-225-4965,,,,P000197,,400314
Hageman,Harriet,M.,,,Harriet M. Hageman,1962-10-18,F,rep,WY,0,,Republican,,\
1531 Longworth House Office Building Washington DC 20515-5000,202-225-2311,,,,H001096,,
"""


def person_file(
    uuid: str,
    name: str,
    chamber: str,
    district: str,
    *,
    state: str = "nc",
    end: str = "",
    phone: str = "919-733-5752",
) -> str:
    ended = f"\n  end_date: '{end}'" if end else ""
    return f"""\
id: ocd-person/{uuid}
name: {name}
given_name: {name.split()[0]}
family_name: {name.split()[-1]}
email: {name.split()[-1].lower()}@ncleg.gov
image: https://www.ncleg.gov/Members/MemberImage/{uuid[:4]}.jpg
party:
- name: Democratic
roles:
- start_date: '2023-01-01'{ended}
  type: {chamber}
  jurisdiction: ocd-jurisdiction/country:us/state:{state}/government
  district: '{district}'
offices:
- classification: capitol
  address: 16 West Jones Street, Rm. 1129;Raleigh, NC 27601
  voice: {phone}
- classification: district
  address: 100 Main Street;Durham, NC 27701
  voice: 919-555-0100
links:
- url: https://www.ncleg.gov/Members/Biography/S/268
sources:
- url: https://www.ncleg.gov/Members/Biography/S/268
"""


PLAIN_CSV = """\
name,title,level,ocd_id,party,phone,email,contact_form_url,photo_url,phone_label
Ana Ruiz,Council Member,local,ocd-division/country:us/state:nc/place:durham/council_district:1,,\
919-560-4396,ana.ruiz@durhamnc.gov,,,City Hall
Sam Lee,Chief Executive,other,,,+1 415 555 0100; +1 415 555 0199,,https://example.com/contact,,HQ; Press
Mia Chen,Senator,federal,ocd-division/country:us/state:ca,Democratic,,,,,
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def no_metadata(monkeypatch):
    """Run as without the optional openstates-metadata package (as CI does today)."""
    openstates.metadata.cache_clear()
    monkeypatch.setitem(sys.modules, "openstates_metadata", None)
    yield
    openstates.metadata.cache_clear()


@pytest.fixture
def people_dir(tmp_path, no_metadata):
    """Three North Carolina legislators, in sub-folders as openstates/people keeps them, and a
    committee file beside them."""
    root = tmp_path / "nc"
    write(root / "legislature" / "Dan-Blue-1111.yml", person_file("1111-aaaa", "Dan Blue", "upper", "14"))
    write(root / "legislature" / "Ana-Ray-2222.yml", person_file("2222-bbbb", "Ana Ray", "lower", "10"))
    write(
        root / "retired" / "Old-Timer-3333.yml",
        person_file("3333-cccc", "Old Timer", "lower", "7", end="2024-12-31"),
    )
    write(
        root / "committees" / "upper-Finance.yml", "id: ocd-organization/9\nname: Finance\nchamber: upper\n"
    )
    return root


def targets() -> dict[str, Target]:
    return {t.external_id: t for t in Target.objects.prefetch_related("phones")}


# --- congress-legislators ---------------------------------------------------------------------


def test_congress_yaml_places_senators_representatives_and_at_large_seats(tmp_path):
    tallies = import_targets([write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)], today=TODAY)
    assert (tallies["congress-legislators"].added, tallies["congress-legislators"].retired) == (3, 0)
    found = targets()
    senator, rep, at_large = found["P000145"], found["P000197"], found["H001096"]
    assert senator.ocd_id == "ocd-division/country:us/state:ca"
    assert (senator.title, senator.office, senator.chamber) == ("Senator", "U.S. Senate", "upper")
    assert senator.term_start == datetime.date(2023, 1, 3)  # the latest term, not the House one
    assert senator.contact_form_url == "https://www.padilla.senate.gov/contact/contact-form/"
    assert rep.ocd_id == "ocd-division/country:us/state:ca/cd:11"
    assert (rep.title, rep.office, rep.chamber) == (
        "Representative",
        "U.S. House of Representatives",
        "lower",
    )
    assert at_large.ocd_id == "ocd-division/country:us/state:wy/cd:at-large"
    assert at_large.name == "Harriet M. Hageman" and at_large.party == "Republican"
    for target in found.values():
        assert (target.level, target.source, target.serving) == (Level.FEDERAL, "congress-legislators", True)
    phones = list(senator.phones.all())
    assert [(p.label, p.number, p.verified_on) for p in phones] == [("DC office", "202-224-3553", TODAY)]


def test_delegates_and_the_resident_commissioner_answer_for_the_whole_territory(tmp_path):
    text = CONGRESS_YAML.replace("state: WY", "state: PR").replace(
        "state: CA\n    district: 11", "state: DC\n    district: 0"
    )
    import_targets([write(tmp_path / "legislators-current.yaml", text)], today=TODAY)
    found = targets()
    assert (found["H001096"].title, found["H001096"].ocd_id) == (
        "Resident Commissioner",
        "ocd-division/country:us/territory:pr",
    )
    assert (found["P000197"].title, found["P000197"].ocd_id) == (
        "Delegate",
        "ocd-division/country:us/district:dc",
    )


def test_reimport_changes_nothing(tmp_path):
    path = write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)
    import_targets([path], today=TODAY)
    before = {t.external_id: (t.modified_at, [p.pk for p in t.phones.all()]) for t in targets().values()}
    tally = import_targets([path], today=TODAY)["congress-legislators"]
    assert (tally.added, tally.changed, tally.unchanged, tally.retired) == (0, 0, 3, 0)
    after = {t.external_id: (t.modified_at, [p.pk for p in t.phones.all()]) for t in targets().values()}
    assert after == before
    assert Target.objects.count() == 3 and TargetPhone.objects.count() == 3


def test_a_later_import_marks_unchanged_phones_verified_that_day(tmp_path):
    path = write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)
    import_targets([path], today=TODAY)
    later = TODAY + datetime.timedelta(days=30)
    import_targets([path], today=later)
    assert set(TargetPhone.objects.values_list("verified_on", flat=True)) == {later}


def test_a_changed_phone_is_updated_in_place(tmp_path):
    path = write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)
    import_targets([path], today=TODAY)
    write(path, CONGRESS_YAML.replace("202-225-4965", "202-225-0000"))
    tally = import_targets([path], today=TODAY)["congress-legislators"]
    assert (tally.changed, tally.unchanged) == (1, 2)
    assert [p.number for p in targets()["P000197"].phones.all()] == ["202-225-0000"]
    assert TargetPhone.objects.count() == 3


def test_a_legislator_dropped_from_the_file_is_retired_and_kept(tmp_path):
    path = write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)
    import_targets([path], today=TODAY)
    without_pelosi = CONGRESS_YAML.split("- id:\n    bioguide: P000197")[0] + (
        "- id:\n    bioguide: H001096" + CONGRESS_YAML.split("- id:\n    bioguide: H001096")[1]
    )
    write(path, without_pelosi)
    tally = import_targets([path], today=TODAY)["congress-legislators"]
    assert (tally.unchanged, tally.retired) == (2, 1)
    gone = Target.objects.get(external_id="P000197")
    assert gone.serving is False and gone.phones.count() == 1  # the row and its phone stay
    # Back in the file (a special election): serving again, the same row.
    write(path, CONGRESS_YAML)
    tally = import_targets([path], today=TODAY)["congress-legislators"]
    assert (tally.changed, tally.retired) == (1, 0)
    assert Target.objects.get(external_id="P000197").pk == gone.pk and Target.objects.count() == 3


def test_no_retire_missing_keeps_everyone_serving(tmp_path):
    path = write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)
    import_targets([path], today=TODAY)
    write(path, CONGRESS_YAML.split("- id:\n    bioguide: P000197")[0])
    assert import_targets([path], today=TODAY, retire_missing=False)["congress-legislators"].retired == 0
    assert Target.objects.filter(serving=True).count() == 3


def test_the_congress_csv_gives_the_same_targets_as_the_yaml(tmp_path):
    tallies = import_targets([write(tmp_path / "legislators-current.csv", CONGRESS_CSV)], today=TODAY)
    assert tallies["congress-legislators"].added == 3
    found = targets()
    assert found["H001096"].ocd_id == "ocd-division/country:us/state:wy/cd:at-large"
    assert found["P000197"].ocd_id == "ocd-division/country:us/state:ca/cd:11"
    assert found["P000145"].title == "Senator" and found["P000145"].term_start is None
    # The YAML says the same, and adds the term dates the CSV does not carry.
    tally = import_targets([write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)], today=TODAY)
    assert (tally["congress-legislators"].changed, tally["congress-legislators"].unchanged) == (3, 0)
    # …which the CSV then leaves alone: nothing changes.
    tally = import_targets([tmp_path / "legislators-current.csv"], today=TODAY)
    assert tally["congress-legislators"].unchanged == 3
    assert Target.objects.get(external_id="P000145").term_start == datetime.date(2023, 1, 3)


# --- Open States ------------------------------------------------------------------------------


def test_open_states_people_from_a_directory(people_dir):
    out = StringIO()
    call_command("import", "targets", str(people_dir), stdout=out)
    found = targets()
    assert set(found) == {"ocd-person/1111-aaaa", "ocd-person/2222-bbbb", "ocd-person/3333-cccc"}
    senator = found["ocd-person/1111-aaaa"]
    assert senator.ocd_id == "ocd-division/country:us/state:nc/sldu:14"
    assert (senator.title, senator.office, senator.chamber) == ("Senator", "North Carolina Senate", "upper")
    assert (senator.level, senator.party, senator.email) == (Level.STATE, "Democratic", "blue@ncleg.gov")
    assert senator.postal_address == "16 West Jones Street, Rm. 1129\nRaleigh, NC 27601"
    assert [(p.label, p.number) for p in senator.phones.all()] == [
        ("Capitol office", "919-733-5752"),
        ("District office", "919-555-0100"),
    ]
    assert found["ocd-person/2222-bbbb"].ocd_id == "ocd-division/country:us/state:nc/sldl:10"
    assert found["ocd-person/3333-cccc"].serving is False  # their role ended
    assert "Skipped 1 committee file" in out.getvalue()
    assert "openstates-metadata package is not installed" in out.getvalue()


def test_open_states_retires_only_within_the_states_imported(people_dir, tmp_path):
    import_targets([people_dir], today=TODAY)
    vermont = write(
        tmp_path / "vt" / "Jo-Doe.yml", person_file("4444-dddd", "Jo Doe", "upper", "Chittenden", state="vt")
    )
    tally = import_targets([vermont], today=TODAY)["openstates"]
    assert (tally.added, tally.retired) == (1, 0)  # Vermont's file says nothing about North Carolina
    assert Target.objects.get(external_id="ocd-person/4444-dddd").ocd_id == (
        "ocd-division/country:us/state:vt/sldu:chittenden"
    )
    (people_dir / "legislature" / "Ana-Ray-2222.yml").unlink()
    tally = import_targets([people_dir], today=TODAY)["openstates"]
    assert (tally.unchanged, tally.retired) == (2, 1)
    assert set(Target.objects.filter(serving=True).values_list("external_id", flat=True)) == {
        "ocd-person/1111-aaaa",
        "ocd-person/4444-dddd",
    }


def test_open_states_older_contact_details_are_read_too(tmp_path, no_metadata):
    text = (
        "id: ocd-person/5555\nname: Pat Kim\nparty:\n- name: Republican\nroles:\n- district: '3'\n"
        "  jurisdiction: ocd-jurisdiction/country:us/state:nc/government\n  type: lower\n"
        "contact_details:\n- note: Capitol Office\n  address: 300 N. Salisbury St;Raleigh, NC\n"
        "  voice: 919-733-0000\n"
    )
    import_targets([write(tmp_path / "Pat-Kim.yml", text)], today=TODAY)
    pat = Target.objects.get(external_id="ocd-person/5555")
    assert [(p.label, p.number) for p in pat.phones.all()] == [("Capitol office", "919-733-0000")]
    assert pat.postal_address == "300 N. Salisbury St\nRaleigh, NC"


def _district(name, chamber_type, division_id, title_override=None):
    return types.SimpleNamespace(
        name=name, chamber_type=chamber_type, division_id=division_id, title_override=title_override
    )


class _Chamber(types.SimpleNamespace):
    def lookup_district(self, division_id=None, *, name=None):
        return next((d for d in self.districts if d.name == name), None)


@pytest.fixture
def stand_in_metadata(monkeypatch):
    """A stand-in with the shape of openstates_metadata (lookup → State with chambers of
    Districts), for the run in CI where the package is not installed."""
    vermont = types.SimpleNamespace(
        name="Vermont",
        unicameral=False,
        legislature=None,
        upper=_Chamber(name="Senate", title="Senator", districts=[]),
        lower=_Chamber(
            name="House",
            title="Representative",
            districts=[
                _district("Addison-Rutland", "lower", "ocd-division/country:us/state:vt/sldl:addison-rutland")
            ],
        ),
    )
    california = types.SimpleNamespace(
        name="California",
        unicameral=False,
        legislature=None,
        upper=_Chamber(name="Senate", title="Senator", districts=[]),
        lower=_Chamber(
            name="Assembly",
            title="Assembly Member",
            districts=[_district("12", "lower", "ocd-division/country:us/state:ca/sldl:12")],
        ),
    )
    states = {
        "ocd-jurisdiction/country:us/state:vt/government": vermont,
        "ocd-jurisdiction/country:us/state:ca/government": california,
    }
    module = types.ModuleType("openstates_metadata")
    module.lookup = lambda *, jurisdiction_id: states[jurisdiction_id]  # type: ignore[attr-defined]
    openstates.metadata.cache_clear()
    monkeypatch.setitem(sys.modules, "openstates_metadata", module)
    yield
    openstates.metadata.cache_clear()


def test_the_open_states_metadata_names_districts_and_titles_when_installed(tmp_path, stand_in_metadata):
    files = [
        write(tmp_path / "a.yml", person_file("6666", "Lu Wu", "lower", "Addison-Rutland", state="vt")),
        write(tmp_path / "b.yml", person_file("7777", "Rosa Diaz", "lower", "12", state="ca")),
        write(tmp_path / "c.yml", person_file("8888", "Ed Moe", "lower", "Bennington 9", state="vt")),
    ]
    out = StringIO()
    from rich.console import Console

    import_targets(files, today=TODAY, console=Console(file=out, width=200))
    found = targets()
    assert found["ocd-person/6666"].ocd_id == "ocd-division/country:us/state:vt/sldl:addison-rutland"
    assert (found["ocd-person/7777"].title, found["ocd-person/7777"].office) == (
        "Assembly Member",
        "California Assembly",
    )
    # Not in the metadata: the plain rule, and a note saying so.
    assert found["ocd-person/8888"].ocd_id == "ocd-division/country:us/state:vt/sldl:bennington_9"
    assert "'Bennington 9' is not in the Open States metadata" in out.getvalue()


def test_the_real_open_states_metadata_when_installed(tmp_path):
    pytest.importorskip("openstates_metadata")
    openstates.metadata.cache_clear()
    dc = person_file("9999", "Cy Lo", "legislature", "Ward 3", state="dc").replace("state:dc", "district:dc")
    files = [
        write(tmp_path / "dc.yml", dc),
        write(tmp_path / "ma.yml", person_file("9998", "Di Ng", "lower", "10th Bristol", state="ma")),
    ]
    import_targets(files, today=TODAY)
    found = targets()
    assert (found["ocd-person/9999"].ocd_id, found["ocd-person/9999"].title) == (
        "ocd-division/country:us/district:dc/ward:3",
        "Councilmember",
    )
    assert found["ocd-person/9998"].ocd_id == "ocd-division/country:us/state:ma/sldl:10th_bristol"


# --- A movement's own CSV ---------------------------------------------------------------------


def test_a_plain_csv_loads_a_movements_own_targets(tmp_path):
    tallies = import_targets([write(tmp_path / "council.csv", PLAIN_CSV)], today=TODAY)
    assert tallies["csv"].added == 3
    ana = Target.objects.get(name="Ana Ruiz")
    assert (ana.level, ana.title, ana.source) == (Level.LOCAL, "Council Member", "csv")
    assert ana.ocd_id == "ocd-division/country:us/state:nc/place:durham/council_district:1"
    assert [(p.label, p.number) for p in ana.phones.all()] == [("City Hall", "919-560-4396")]
    ceo = Target.objects.get(name="Sam Lee")
    assert (ceo.ocd_id, ceo.level, ceo.contact_form_url) == ("", Level.OTHER, "https://example.com/contact")
    assert [(p.label, p.number, p.position) for p in ceo.phones.all()] == [
        ("HQ", "+1 415 555 0100", 0),
        ("Press", "+1 415 555 0199", 1),
    ]
    assert ceo.external_id.startswith("key:")  # no id column: name, title and division


def test_a_plain_csv_reimports_by_its_key_and_replaces_phones_in_order(tmp_path):
    path = write(tmp_path / "council.csv", PLAIN_CSV)
    import_targets([path], today=TODAY)
    assert import_targets([path], today=TODAY)["csv"].unchanged == 3
    write(path, PLAIN_CSV.replace("+1 415 555 0100; +1 415 555 0199", "+1 415 555 0199; +1 415 555 0100"))
    assert import_targets([path], today=TODAY)["csv"].changed == 1
    ceo = Target.objects.get(name="Sam Lee")
    assert [p.number for p in ceo.phones.all()] == ["+1 415 555 0199", "+1 415 555 0100"]
    assert Target.objects.count() == 3


def test_a_plain_csv_retires_only_when_asked_and_only_its_own_source(tmp_path):
    import_targets([write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)], today=TODAY)
    board = write(tmp_path / "board.csv", "id,name,title\nb1,Kim Park,Chair\nb2,Lee Ho,Treasurer\n")
    import_targets([board], source="acme-board", today=TODAY)
    write(board, "id,name,title\nb1,Kim Park,Chair\n")
    assert import_targets([board], source="acme-board", today=TODAY)["acme-board"].retired == 0
    tally = import_targets([board], source="acme-board", retire_missing=True, today=TODAY)["acme-board"]
    assert tally.retired == 1
    assert not Target.objects.get(external_id="b2").serving
    assert Target.objects.filter(source="congress-legislators", serving=True).count() == 3


def test_a_plain_csv_with_semicolons_as_spreadsheets_in_europe_save_it(tmp_path):
    path = write(tmp_path / "bundestag.csv", "Name;Title;Level;Phone\nEva Koch;MdB;national;+49 30 227 0\n")
    import_targets([path], source="bundestag", today=TODAY)
    eva = Target.objects.get(source="bundestag")
    assert (eva.title, eva.level, eva.phones.get().number) == ("MdB", Level.FEDERAL, "+49 30 227 0")


def test_a_plain_csv_gives_an_office_s_length_limit(tmp_path):
    path = write(tmp_path / "council.csv", 'name,message_limit\nAna Ruiz,"2,000"\nSam Lee,\n')
    import_targets([path], today=TODAY)
    assert Target.objects.get(name="Ana Ruiz").message_limit == 2000
    assert Target.objects.get(name="Sam Lee").message_limit is None
    Target.objects.all().delete()
    write(path, "name,message_limit\nAna Ruiz,lots\nSam Lee,5\n")
    message = _refused(tmp_path, [path])
    assert "council.csv, line 2, column \"message_limit\": 'lots' is not a number of characters" in message
    assert "line 3" in message


# --- Bad input: a clear message and nothing written -------------------------------------------


def _refused(tmp_path, paths, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        import_targets(paths, today=TODAY, **kwargs)
    assert Target.objects.count() == 0 and TargetPhone.objects.count() == 0
    assert "nothing was imported" in caught.value.message
    return caught.value.message


def test_a_file_that_is_not_yaml_imports_nothing(tmp_path):
    good = write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)
    bad = write(tmp_path / "broken.yaml", "- id:\n    bioguide: X1\n  terms: [type: rep\n  name: {\n")
    message = _refused(tmp_path, [good, bad])
    assert f"{bad}, line 4" in message and "not valid YAML" in message


def test_a_row_without_a_name_imports_nothing(tmp_path):
    text = PLAIN_CSV.replace("Sam Lee,", ",")
    message = _refused(tmp_path, [write(tmp_path / "council.csv", text)])
    assert f'{tmp_path / "council.csv"}, line 3, column "name": is empty' in message


def test_an_unknown_level_word_imports_nothing(tmp_path):
    text = PLAIN_CSV.replace(",federal,", ",federall,")
    message = _refused(tmp_path, [write(tmp_path / "council.csv", text)])
    assert "line 4, column \"level\": 'federall' is not a level (federal, state, local or other)" in message


def test_every_problem_is_listed_with_its_place(tmp_path):
    text = "name,level,email,ocd_id,phon\nA,local,not-an-email,ocd-division/country:us/state:nc,1\n"
    message = _refused(tmp_path, [write(tmp_path / "list.csv", text)])
    assert 'line 1, column "phon": is not a column this import knows' in message
    text = "name,level,email,ocd_id\nA,local,not-an-email,state:nc\nB,state,b@example.org,,\n"
    message = _refused(tmp_path, [write(tmp_path / "list.csv", text)])
    assert message.startswith("3 problems found; nothing was imported.")
    assert "line 2, column \"email\": 'not-an-email' is not an email address." in message
    assert "line 2, column \"ocd_id\": 'state:nc' is not an OCD division id" in message
    assert "line 3: has 5 cells; the header has 4 columns." in message


def test_a_bad_congress_entry_names_its_line_and_field(tmp_path):
    text = CONGRESS_YAML.replace("district: 11", "district: eleven")
    message = _refused(tmp_path, [write(tmp_path / "legislators-current.yaml", text)])
    assert "line 42, field \"terms[0].district\": 'eleven' is not a district number" in message


def test_files_of_no_known_format_say_so(tmp_path):
    message = _refused(tmp_path, [write(tmp_path / "notes.yaml", "title: my notes\nitems: [1, 2]\n")])
    assert "is none of the formats this import knows" in message
    message = _refused(tmp_path, [write(tmp_path / "sales.csv", "region,total\nnorth,3\n")])
    assert "is none of the formats this import knows" in message
    zipped = tmp_path / "tl_2024_us_cd119.zip"
    zipped.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe\x00")
    message = _refused(tmp_path, [zipped])
    assert "is not a text file in UTF-8" in message
    message = _refused(tmp_path, [tmp_path / "missing.csv"])
    assert "missing.csv: cannot be read" in message


def test_a_directory_must_hold_open_states_people(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "is a directory with no .yml files in it" in _refused(tmp_path, [tmp_path / "empty"])
    write(tmp_path / "people" / "a.yml", person_file("1", "Al Bo", "upper", "1"))
    message = _refused(tmp_path, [tmp_path / "people"], file_format="csv")
    assert "is a directory: only Open States people come as a directory" in message


def test_the_same_target_twice_is_refused(tmp_path):
    yaml_file = write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)
    csv_file = write(tmp_path / "legislators-current.csv", CONGRESS_CSV)
    message = _refused(tmp_path, [yaml_file, csv_file])
    assert "is the same target (P000145) as" in message


def test_a_csv_may_not_borrow_a_named_source(tmp_path):
    with pytest.raises(ValidationError, match="cannot be used"):
        import_targets([write(tmp_path / "x.csv", PLAIN_CSV)], source="congress-legislators", today=TODAY)


# --- The command ------------------------------------------------------------------------------


def test_the_command_shows_progress_and_a_summary(tmp_path):
    path = write(tmp_path / "legislators-current.yaml", CONGRESS_YAML)
    out = StringIO()
    call_command("import", "targets", str(path), stdout=out)
    text = out.getvalue()
    assert "Targets imported" in text and "congress-legislators" in text
    assert re.search(r"Source\s*┃\s*Added\s*┃\s*Changed\s*┃\s*Unchanged\s*┃\s*Retired", text)
    assert re.search(r"congress-legislators\s*│\s*3\s*│\s*0\s*│\s*0\s*│\s*0\s*│", text)
    assert "Writing" in text


def test_a_dry_run_counts_and_writes_nothing(tmp_path):
    path = write(tmp_path / "council.csv", PLAIN_CSV)
    out = StringIO()
    call_command("import", "targets", str(path), "--dry-run", stdout=out)
    assert "Dry run: nothing was written" in out.getvalue()
    assert Target.objects.count() == 0


def test_the_command_turns_a_bad_file_into_a_message(tmp_path):
    path = write(tmp_path / "council.csv", PLAIN_CSV.replace(",local,", ",city-ish,"))
    with pytest.raises(CommandError, match="'city-ish' is not a level"):
        call_command("import", "targets", str(path), stdout=StringIO())
    assert Target.objects.count() == 0


def test_format_can_be_forced(tmp_path):
    path = write(tmp_path / "export.dat", CONGRESS_CSV)
    out = StringIO()
    call_command("import", "targets", str(path), "--format", "congress-csv", stdout=out)
    assert Target.objects.filter(source="congress-legislators").count() == 3
    # Sniffed from the content when the extension says nothing.
    path = write(tmp_path / "list.dat", PLAIN_CSV)
    call_command("import", "targets", str(path), "--source", "durham", stdout=out)
    assert Target.objects.filter(source="durham").count() == 3


# --- Review fixes: hostile YAML, shapes that used to be tracebacks, who is serving, retiring ---

ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
id: ocd-person/1
name: *e
"""


def test_yaml_aliases_are_refused_naming_the_line(tmp_path):
    path = write(tmp_path / "bomb.yml", ALIAS_BOMB)
    message = _refused(tmp_path, [path])
    assert f"{path}, line 1: column 4: this is not valid YAML (aliases (&/*) are not allowed)" in message
    assert len(message) < 1000
    # An "&" or "*" inside a value is not an alias.
    fine = person_file("7777-eeee", "Ann Lee", "upper", "3").replace(
        "links:", "extras:\n  note: 'Tom & Jerry *starred*'\nlinks:"
    )
    import_targets([write(tmp_path / "fine.yml", fine)], today=TODAY)
    assert Target.objects.get().name == "Ann Lee"


def test_a_list_where_text_belongs_is_not_text(tmp_path):
    text = person_file("7777-eeee", "Ann Lee", "upper", "3").replace(
        "email: lee@ncleg.gov", "email: [a@ncleg.gov, b@ncleg.gov]"
    )
    message = _refused(tmp_path, [write(tmp_path / "lee.yml", text)])
    assert 'line 5, field "email": is not text (it is a list).' in message


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            CONGRESS_YAML.replace(
                "  terms:\n  - type: rep\n    start: '2025-01-03'", "  terms: 5\n  x:\n  - x: 1", 1
            ),
            'line 37, field "terms": is not a list of terms.',
        ),
        (
            person_file("7777-eeee", "Ann Lee", "upper", "3").replace("roles:\n", "roles: 5\nx:\n"),
            'line 9, field "roles": is not a list of roles.',
        ),
        (person_file("7777-eeee", "Ann Lee", "upper", "3").replace("offices:\n", "offices: 5\nx:\n"), ""),
    ],
)
def test_a_number_where_a_list_belongs_is_a_message_not_a_traceback(tmp_path, text, expected):
    path = write(tmp_path / "odd.yaml", text)
    if not expected:  # offices that are not a list hold no phones: nothing to refuse
        import_targets([path], today=TODAY)
        assert not Target.objects.get().phones.exists()
        return
    assert expected in _refused(tmp_path, [path])


def test_a_congress_member_whose_latest_term_has_ended_is_not_serving(tmp_path):
    text = CONGRESS_YAML.replace("end: '2027-01-03'\n    state: CA", "end: '2025-01-03'\n    state: CA")
    out = StringIO()
    import_targets([write(tmp_path / "legislators-current.yaml", text)], today=TODAY, console=_console(out))
    serving = dict(Target.objects.values_list("external_id", "serving"))
    assert serving == {"P000145": True, "P000197": False, "H001096": True}
    assert "legislators-historical" not in out.getvalue()


def test_a_file_of_mostly_ended_terms_is_warned_about(tmp_path):
    text = CONGRESS_YAML.replace("end: '2027-01-03'", "end: '2019-01-03'")
    out = StringIO()
    path = write(tmp_path / "legislators-historical.yaml", text)
    import_targets([path], today=TODAY, console=_console(out))
    assert Target.objects.filter(serving=True).count() == 1
    assert "2 of 3 legislators' latest terms have ended: this looks like legislators-historical" in (
        " ".join(out.getvalue().split())
    )


def _console(out: StringIO):
    from rich.console import Console

    return Console(file=out, width=300)


def test_re_importing_one_legislators_file_retires_no_one(people_dir):
    write(
        people_dir / "legislature" / "Sue-Park-6666.yml", person_file("6666-hhhh", "Sue Park", "upper", "2")
    )
    import_targets([people_dir], today=TODAY)
    one = people_dir / "legislature" / "Dan-Blue-1111.yml"
    tally = import_targets([one], today=TODAY)["openstates"]
    assert (tally.unchanged, tally.retired) == (1, 0)
    assert Target.objects.filter(serving=True).count() == 3
    # Asked to, a list of files speaks for its chambers: the Senate's Sue Park, not the House.
    tally = import_targets([one], today=TODAY, retire_missing=True)["openstates"]
    assert tally.retired == 1
    assert set(Target.objects.filter(serving=True).values_list("external_id", flat=True)) == {
        "ocd-person/1111-aaaa",
        "ocd-person/2222-bbbb",
    }


def test_a_legislature_directory_retires_only_its_chambers_legislators(people_dir, tmp_path):
    governor = person_file("8888-ffff", "Jo Stein", "governor", "").replace("  district: ''\n", "")
    mayor = person_file("9999-gggg", "Mae Ford", "mayor", "").replace("  district: ''\n", "")
    mayor = mayor.replace("state:nc/government", "state:nc/place:raleigh/government")
    import_targets(
        [write(tmp_path / "exec" / "gov.yml", governor), write(tmp_path / "exec" / "mayor.yml", mayor)],
        today=TODAY,
    )
    import_targets([people_dir], today=TODAY)
    # A Senate-only directory later: the House stays as it was.
    (people_dir / "legislature" / "Ana-Ray-2222.yml").unlink()
    (people_dir / "retired" / "Old-Timer-3333.yml").unlink()
    tally = import_targets([people_dir / "legislature"], today=TODAY)["openstates"]
    assert (tally.unchanged, tally.retired) == (1, 0)
    assert set(Target.objects.filter(serving=True).values_list("external_id", flat=True)) == {
        "ocd-person/1111-aaaa",
        "ocd-person/2222-bbbb",
        "ocd-person/8888-ffff",
        "ocd-person/9999-gggg",
    }
    assert Target.objects.get(external_id="ocd-person/9999-gggg").ocd_id.endswith("place:raleigh")
