"""Forms for finding, starting and joining groups, inviting people and reviewing new groups.

They give each field its label, help and first error; the services check everything again
(`services.membership`), and a refusal there comes back on the field it names.
"""

from typing import Any

from django import forms

from groundswell.groups.models import Group
from groundswell.groups.services.membership import (
    AREA_MAX,
    INVITES_MAX,
    NAME_MAX,
    NOTE_MAX,
    REVIEW_NOTE_MAX,
    TEXT_MAX,
    GroupDetails,
)

MARKDOWN_HELP = "Markdown works: **bold**, *italic*, a line starting with - for a list, [a link](https://…)."
RADIUS_CHOICES = [(5, "5 miles"), (10, "10 miles"), (25, "25 miles"), (50, "50 miles"), (100, "100 miles")]
NEAR_MAX = 100
PARENTS_OFFERED = 500


class RadioList(forms.RadioSelect):
    """Radio buttons whose group is reached through its first button (the error summary's
    link lands on the group)."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return forms.widgets.ChoiceWidget.id_for_label(self, id_, "0" if index is None else index)


class SearchForm(forms.Form):
    near = forms.CharField(
        label="ZIP code or city",
        max_length=NEAR_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "placeholder": "94110"}),
        error_messages={
            "max_length": "That is longer than any place name: please type a ZIP code or a city."
        },
    )
    radius = forms.TypedChoiceField(
        label="Within", choices=RADIUS_CHOICES, coerce=int, initial=25, required=False
    )


class GroupForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="Where it is and what it does: “Mission District Tenants”, “Eastside Climate Action”.",
        error_messages={
            "required": "Please give the group a name.",
            "max_length": f"Please keep the name to {NAME_MAX} characters.",
        },
    )
    description = forms.CharField(
        label="What the group is about",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"Who it's for, what you do, when you meet. {MARKDOWN_HELP}",
        error_messages={"max_length": f"Please keep this to {TEXT_MAX:,} characters."},
    )
    postal_code = forms.CharField(
        label="ZIP code where it meets",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        help_text="It shows on the map at the ZIP code's centre, never at anyone's address.",
        error_messages={"max_length": "A US ZIP code has 5 digits, like 94110."},
    )
    area = forms.CharField(
        label="Or the area it covers (for a region)",
        required=False,
        max_length=AREA_MAX,
        help_text="“Northern California”: for a group of groups without one meeting place.",
        error_messages={"max_length": f"Please keep the area's name to {AREA_MAX} characters."},
    )
    parent = forms.ChoiceField(
        label="Part of (optional)",
        required=False,
        help_text="The region or larger group this one belongs to.",
        error_messages={"invalid_choice": "Please choose a group from the list."},
    )
    join_policy = forms.ChoiceField(
        label="Who can join",
        choices=Group.JoinPolicy.choices,
        initial=Group.JoinPolicy.OPEN,
        widget=RadioList,
        error_messages={
            "required": "Please choose who can join.",
            "invalid_choice": "Please choose who can join.",
        },
    )
    visibility = forms.ChoiceField(
        label="Who can read its conversations",
        choices=Group.Visibility.choices,
        initial=Group.Visibility.PUBLIC,
        widget=RadioList,
        error_messages={
            "required": "Please choose who can read its conversations.",
            "invalid_choice": "Please choose who can read its conversations.",
        },
    )
    agreements = forms.CharField(
        label="Your group's agreements (optional)",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"What members promise each other, on top of the movement's own. {MARKDOWN_HELP}",
        error_messages={"max_length": f"Please keep this to {TEXT_MAX:,} characters."},
    )

    def __init__(self, *args: Any, parents: list[Group] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "None: it stands on its own")]
        choices += [(group.slug, group.name) for group in (parents or [])[:PARENTS_OFFERED]]
        self.fields["parent"].choices = choices  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(group: Group) -> dict[str, object]:
        return {
            "name": group.name,
            "description": group.description,
            "postal_code": group.postal_code,
            "area": group.area,
            "parent": group.parent.slug if group.parent else "",
            "join_policy": group.join_policy,
            "visibility": group.visibility,
            "agreements": group.agreements,
        }

    def details(self) -> GroupDetails:
        data = self.cleaned_data
        return GroupDetails(
            name=data["name"],
            description=data.get("description") or "",
            agreements=data.get("agreements") or "",
            postal_code=data.get("postal_code") or "",
            area=data.get("area") or "",
            parent=data.get("parent") or "",
            join_policy=data["join_policy"],
            visibility=data["visibility"],
        )


class JoinForm(forms.Form):
    note = forms.CharField(
        label="Why you'd like to join (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The group's leaders read it.",
        error_messages={"max_length": f"Please keep your note to {NOTE_MAX} characters."},
    )


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        help_text=f"One a line, or separated by commas: up to {INVITES_MAX} at a time.",
        max_length=INVITES_MAX * 260,
        error_messages={
            "required": "Please type at least one email address.",
            "max_length": f"Please invite {INVITES_MAX} people or fewer at a time.",
        },
    )

    note = forms.CharField(
        label="A few words from you (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "They read it after our few words about the group, with your name. People we don't know "
            "also see your email address, and their replies come to you."
        ),
        error_messages={"max_length": f"Please keep your note under {NOTE_MAX} characters."},
    )

    def addresses(self) -> list[str]:
        text = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n")
        return [line for line in (part.strip() for part in text.splitlines()) if line]


class RejectForm(forms.Form):
    note = forms.CharField(
        label="Why (the starter reads this)",
        max_length=REVIEW_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Please tell the starter why."},
    )
