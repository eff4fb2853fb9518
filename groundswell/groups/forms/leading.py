"""The forms of the leaders' page: finding a member, a member's role, removing someone,
handing over, stepping down, and writing to the group. They check the shape of what was
typed; the services (`services.leading`) decide whether it may be done."""

from typing import Any

from django import forms

from groundswell.groups.models import Membership
from groundswell.groups.services.leading import CORE_TITLE_MAX, MESSAGE_MAX, REASON_MAX, SUBJECT_MAX

ROLE_CHOICES = [
    (Membership.Role.MEMBER, "Member"),
    (Membership.Role.CORE, "Core member"),
    (Membership.Role.LEADER, "Leader"),
]
STAY_CHOICES = [
    (Membership.Role.MEMBER, "A member"),
    (Membership.Role.CORE, "A core member"),
]
CORE_TITLE_HELP = 'What they do, e.g. "events coordinator". For core members only.'


class MemberSearchForm(forms.Form):
    q = forms.CharField(label="Find a member", max_length=100, required=False)


class RoleForm(forms.Form):
    """One member's role, from the row of the member list."""

    person = forms.UUIDField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)
    core_title = forms.CharField(
        label="Core role's name", max_length=CORE_TITLE_MAX, required=False, help_text=CORE_TITLE_HELP
    )


class RemoveForm(forms.Form):
    person = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why (they are told)", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandOverForm(forms.Form):
    person = forms.ChoiceField(label="The new leader", choices=[])
    stay_as = forms.ChoiceField(
        label="And you stay on as", choices=STAY_CHOICES, initial=Membership.Role.MEMBER
    )
    core_title = forms.CharField(
        label="Your core role's name (if you stay core)", max_length=CORE_TITLE_MAX, required=False
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "handover")
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Choose a member"), *candidates]  # type: ignore[attr-defined]


class StepDownForm(forms.Form):
    to_role = forms.ChoiceField(label="Stay on as", choices=STAY_CHOICES, initial=Membership.Role.MEMBER)


class MessageForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=SUBJECT_MAX)
    text = forms.CharField(label="Message", max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "message")
        super().__init__(*args, **kwargs)
