"""Forms for starting and running a petition or an advocacy campaign, and for reviewing one.

The services check everything again (`services.campaigns`, `services.petitions`); these forms
give each field its label, help and first error, so a member sees the problem beside the
field they typed it in: an unknown merge field is named under the script it is in.

Named targets are chosen without JavaScript: the form's own "Search" button posts everything
typed back, and the page comes back with the matches as checkboxes beside those already
ticked (`offer_targets`), nothing saved and no errors shown.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.db.models import Q
from django.http import QueryDict

from groundswell.advocacy import merge_fields
from groundswell.advocacy.models import AdvocacyCampaign, Level, Petition, Target
from groundswell.advocacy.services import CampaignDetails, PetitionDetails, TargetPick
from groundswell.advocacy.services.campaigns import (
    DESCRIPTION_MAX,
    GOAL_MAX,
    NOT_FOUND_MAX,
    SCRIPT_MAX,
    TITLE_MAX,
)
from groundswell.advocacy.services.petitions import MESSAGE_MAX, SUBJECT_MAX
from groundswell.core.errors import ValidationError as RefusedTemplate

MARKDOWN_HELP = "Markdown works: **bold**, *italic*, a line starting with - for a list, [a link](https://…)."
SEARCH_MAX = 100
SEARCH_RESULTS = 25

# Each person's own representatives at a level and chamber. The value is "level:chamber".
PICKS: list[tuple[TargetPick, str]] = [
    (TargetPick(Level.FEDERAL, Target.Chamber.UPPER), "Their two US senators"),
    (TargetPick(Level.FEDERAL, Target.Chamber.LOWER), "Their US representative"),
    (TargetPick(Level.STATE, Target.Chamber.EXECUTIVE), "Their governor"),
    (TargetPick(Level.STATE, Target.Chamber.UPPER), "Their state senator"),
    (TargetPick(Level.STATE, Target.Chamber.LOWER), "Their state representative or assembly member"),
    (TargetPick(Level.LOCAL, ""), "Their local officials (mayor, council member)"),
]

CHAMBER_SCRIPTS = {
    Target.Chamber.UPPER: "script_upper",
    Target.Chamber.LOWER: "script_lower",
    Target.Chamber.EXECUTIVE: "script_executive",
}


def pick_value(pick: TargetPick) -> str:
    return f"{int(pick.level)}:{pick.chamber}"


def pick_label(pick: TargetPick) -> str:
    """A pick in words: "Their two US senators"; one the form does not offer (made in the
    admin) by its level and chamber."""
    for known, label in PICKS:
        if known == pick:
            return label
    level = Level(pick.level).label if pick.level in Level.values else str(pick.level)
    if pick.chamber in Target.Chamber.values and pick.chamber:
        return f"Their own at the {level.lower()} level: {Target.Chamber(pick.chamber).label.lower()}"
    return f"Their own at the {level.lower()} level, any office"


def merge_field_help(prefix: str) -> str:
    names = ", ".join("{" + name + "}" for name in merge_fields.FIELDS)
    return f"{prefix} Merge fields fill in each member's and target's details: {names}."


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes whose group is reached through its first box: the error summary's link
    (`#<id>`) then lands on the group, not on the top of the page."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return forms.widgets.ChoiceWidget.id_for_label(self, id_, "0" if index is None else index)


class RadioList(forms.RadioSelect):
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return forms.widgets.ChoiceWidget.id_for_label(self, id_, "0" if index is None else index)


def find_targets(query: str) -> list[Target]:
    """Serving targets whose name, title or office holds every word typed: the named-target
    search (targets are public: anyone may look them up)."""
    words = query.split()[:5]
    if not words:
        return []
    found = Target.objects.filter(serving=True)
    for word in words:
        found = found.filter(Q(name__icontains=word) | Q(title__icontains=word) | Q(office__icontains=word))
    return list(found.order_by("level", "name", "id")[:SEARCH_RESULTS])


def target_label(target: Target) -> str:
    where = target.office or Level(target.level).label
    return f"{target}, {where}" + ("" if target.serving else " (no longer in office)")


class StartForm(forms.Form):
    """What petitions and campaigns share: title, goal, named targets and their search."""

    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        help_text="A short ask people can repeat: “Keep the Eastside library open”.",
        error_messages={"required": "Please give it a title."},
    )
    goal = forms.IntegerField(
        label="Goal (optional)",
        required=False,
        min_value=1,
        max_value=GOAL_MAX,
        error_messages={
            "invalid": "Please give the goal as a whole number, or leave it empty.",
            "min_value": "A goal is at least 1, or leave it empty.",
            "max_value": "That goal is too large: please check the number.",
        },
    )
    targets = forms.ModelMultipleChoiceField(
        label="Named people to address",
        queryset=Target.objects.all(),
        required=False,
        widget=CheckboxList,
        help_text="A mayor, a CEO, a committee chair: the same people for everyone who takes part.",
    )
    find = forms.CharField(
        label="Find someone by name or office",
        max_length=SEARCH_MAX,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Then press Search: matches appear above as boxes to tick.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.search_query = ""
        self.search_results: list[Target] | None = None
        self.offer_targets([])

    def chosen_target_ids(self) -> list[int]:
        if self.is_bound:
            raw = (
                self.data.getlist("targets")
                if isinstance(self.data, QueryDict)
                else self.data.get("targets", [])
            )
        else:
            raw = self.initial.get("targets") or []
        ids = []
        for value in raw:
            value = getattr(value, "pk", value)
            if str(value).isdigit() and len(str(value)) < 12:
                ids.append(int(value))
        return ids

    def offer_targets(self, found: Iterable[Target]) -> None:
        """Show as checkboxes the targets already chosen (ticked) and `found` (a search's
        matches); never every target there is."""
        chosen = list(Target.objects.filter(pk__in=self.chosen_target_ids()).order_by("level", "name"))
        shown = {target.pk: target for target in [*chosen, *found]}
        widget = self.fields["targets"].widget
        widget.choices = [(target.pk, target_label(target)) for target in shown.values()]

    def search(self, query: str) -> None:
        self.search_query = " ".join(query.split())[:SEARCH_MAX]
        self.search_results = find_targets(self.search_query)
        self.offer_targets(self.search_results)


def initial_from(data: Mapping, form_class: type[forms.Form]) -> dict[str, Any]:
    """What was posted, as an unbound form's initial values: the page comes back after a
    search with everything typed, and with no errors shown for what is not finished."""
    initial: dict[str, Any] = {}
    for name, field in form_class.base_fields.items():
        if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
            initial[name] = data.getlist(name)  # type: ignore[attr-defined]
        elif isinstance(field.widget, forms.CheckboxInput):
            initial[name] = bool(data.get(name))
        elif name in data:
            initial[name] = data.get(name)
    return initial


class PetitionForm(StartForm):
    text = forms.CharField(
        label="Your petition",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What you ask, of whom, and why it matters where you live. " + MARKDOWN_HELP,
        error_messages={"required": "Please write the petition's text: what you ask, and of whom."},
    )
    advocacy_campaign = forms.ModelChoiceField(
        label="After signing, ask people to contact their representatives (optional)",
        queryset=AdvocacyCampaign.objects.none(),
        required=False,
        empty_label="No, just the petition",
        help_text="A live call or email campaign on the same issue: signers are sent to it next.",
    )

    field_order = ["title", "text", "goal", "targets", "find", "advocacy_campaign"]

    def __init__(self, *args: Any, campaigns: Iterable[AdvocacyCampaign] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].label = "Signatures you hope for (optional)"
        self.fields["targets"].label = "Who your petition is addressed to (optional)"
        self.fields["targets"].help_text = "Whoever can say yes: a mayor, a school board, a company's CEO."
        field = self.fields["advocacy_campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        campaigns = list(campaigns)
        field.queryset = AdvocacyCampaign.objects.filter(pk__in=[c.pk for c in campaigns])
        field.widget.choices = [("", field.empty_label), *((c.pk, c.title) for c in campaigns)]
        if not campaigns:
            del self.fields["advocacy_campaign"]

    def freeze_text(self) -> None:
        """People have signed: the text and title stay as they signed them (targets may be
        added, not taken away: the service says so if one is unticked)."""
        self.fields["text"].disabled = True
        self.fields["text"].help_text = (
            "People have signed this text, so it stays as they signed it. To ask something "
            "else, close this petition and start a new one."
        )
        self.fields["title"].disabled = True
        self.fields["title"].help_text = "People have signed this petition under this title, so it stays."

    def details(self) -> PetitionDetails:
        data = self.cleaned_data
        return PetitionDetails(
            title=data["title"],
            text=data["text"],
            targets=list(data["targets"]),
            goal=data["goal"],
            advocacy_campaign=data.get("advocacy_campaign"),
        )

    @staticmethod
    def initial_for(petition: Petition) -> dict[str, Any]:
        return {
            "title": petition.title,
            "text": petition.text,
            "goal": petition.goal,
            "targets": [target.pk for target in petition.targets.all()],
            "advocacy_campaign": petition.advocacy_campaign_id,
        }


class CampaignForm(StartForm):
    description = forms.CharField(
        label="Why it matters (optional)",
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What's happening where you live, and what you want decided. " + MARKDOWN_HELP,
    )
    mode = forms.ChoiceField(
        label="How people take part",
        choices=[
            (AdvocacyCampaign.Mode.CALL, "Call: they phone the office with your script"),
            (AdvocacyCampaign.Mode.EMAIL, "Email: they send an email they can rewrite in their own words"),
            (AdvocacyCampaign.Mode.LETTER, "Letter: they write or print a letter to post or drop off"),
            (
                AdvocacyCampaign.Mode.MEETING,
                "Meeting: they ask for a meeting in the district and report back",
            ),
        ],
        initial=AdvocacyCampaign.Mode.CALL,
        widget=RadioList,
        error_messages={"required": "Please choose how people take part."},
    )
    target_levels = forms.MultipleChoiceField(
        label="Each person's own representatives",
        required=False,
        widget=CheckboxList,
        help_text="Everyone is matched with their own, from where they live.",
    )
    script = forms.CharField(
        label="Script or letter",
        max_length=SCRIPT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=merge_field_help(
            "For a call, what people say on the phone; for an email or a letter, the text they "
            "start from and may rewrite; for a meeting, what to ask for (optional)."
        ),
    )
    subject = forms.CharField(
        label="Email subject (for an email campaign)",
        max_length=200,
        required=False,
        help_text="Merge fields work here too.",
    )
    talking_points = forms.CharField(
        label="Talking points (optional)",
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Facts and arguments people can use in their own words. " + MARKDOWN_HELP,
    )
    script_upper = forms.CharField(
        label="For senators' offices",
        max_length=SCRIPT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    script_lower = forms.CharField(
        label="For representatives' and assembly members' offices",
        max_length=SCRIPT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    script_executive = forms.CharField(
        label="For governors' and mayors' offices",
        max_length=SCRIPT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    fallback_phone = forms.CharField(
        label="A number to call when we can't find someone's representative (optional)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text="The Capitol switchboard, (202) 224-3121, connects to any member of Congress.",
    )
    not_found_text = forms.CharField(
        label="What to tell them then (optional)",
        max_length=NOT_FOUND_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For instance: “Ask the switchboard for your senator's office.”",
    )

    field_order = [
        "title",
        "description",
        "mode",
        "target_levels",
        "targets",
        "find",
        "script",
        "subject",
        "talking_points",
        "script_upper",
        "script_lower",
        "script_executive",
        "goal",
        "fallback_phone",
        "not_found_text",
    ]
    TEMPLATE_FIELDS = ("script", "subject", "script_upper", "script_lower", "script_executive")

    def __init__(self, *args: Any, extra_picks: Iterable[TargetPick] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].label = "Calls, emails or letters you hope for (optional)"
        picks = [pick for pick, _ in PICKS]
        picks += [pick for pick in extra_picks if pick not in picks]
        field = self.fields["target_levels"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(pick_value(pick), pick_label(pick)) for pick in picks]
        for name in CHAMBER_SCRIPTS.values():
            self.fields[name].help_text = "Leave empty to use the script above."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Each template checked where it was typed, so the error names the field and the
        # merge field (the service checks again).
        for name in self.TEMPLATE_FIELDS:
            value = data.get(name)
            if value:
                try:
                    merge_fields.check(value, field=name)
                except RefusedTemplate as error:
                    self.add_error(name, error.message)
        return data

    def picks(self) -> list[TargetPick]:
        picks = []
        for value in self.cleaned_data.get("target_levels") or []:
            level, _, chamber = str(value).partition(":")
            picks.append(TargetPick(level=int(level), chamber=chamber))
        return picks

    def details(self, *, target_scripts: Mapping[Target, str] | None = None) -> CampaignDetails:
        data = self.cleaned_data
        return CampaignDetails(
            title=data["title"],
            mode=data["mode"],
            description=data["description"],
            target_levels=self.picks(),
            targets=list(data["targets"]),
            script=data["script"],
            subject=data["subject"],
            talking_points=data["talking_points"],
            goal=data["goal"],
            fallback_phone=data["fallback_phone"],
            not_found_text=data["not_found_text"],
            chamber_scripts={chamber: data[name] for chamber, name in CHAMBER_SCRIPTS.items() if data[name]},
            target_scripts=dict(target_scripts or {}),
        )

    @staticmethod
    def picks_of(campaign: AdvocacyCampaign) -> list[TargetPick]:
        return [TargetPick.from_json(value) for value in campaign.target_levels or []]

    @staticmethod
    def initial_for(campaign: AdvocacyCampaign) -> dict[str, Any]:
        scripts = {
            script.chamber: script.text for script in campaign.scripts.all() if script.target_id is None
        }
        return {
            "title": campaign.title,
            "description": campaign.description,
            "mode": campaign.mode,
            "target_levels": [pick_value(pick) for pick in CampaignForm.picks_of(campaign)],
            "targets": [target.pk for target in campaign.targets.all()],
            "script": campaign.script,
            "subject": campaign.subject,
            "talking_points": campaign.talking_points,
            "goal": campaign.goal,
            "fallback_phone": campaign.fallback_phone,
            "not_found_text": campaign.not_found_text,
            **{name: scripts.get(chamber, "") for chamber, name in CHAMBER_SCRIPTS.items()},
        }


class MessageSignersForm(forms.Form):
    subject = forms.CharField(
        label="Subject",
        max_length=SUBJECT_MAX,
        error_messages={"required": "Please write a subject."},
    )
    body = forms.CharField(
        label="Message",
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Sent as you write it, signed with your name, with a link to unsubscribe.",
        error_messages={"required": "Please write a message."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "message")
        super().__init__(*args, **kwargs)
