"""The forms of conversations: what a member types, checked for shape here; the rules (who
may, how long, which agreements) are the services'."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from groundswell.conversations.media import MAX_BYTES
from groundswell.conversations.services.audit import REASON_MAX
from groundswell.conversations.services.media import ALT_MAX, MAX_IMAGES, MAX_TAGS
from groundswell.conversations.services.moderation import FLAG_REASON_MAX
from groundswell.conversations.services.posting import POST_MAX, TITLE_MAX

POST_HELP = (
    "Markdown works: **bold**, _italic_, [a link](https://example.org), lists and > quotes. "
    "To mention someone who has posted here, copy their line from “People in this "
    "conversation”; they get an email."
)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Up to `MAX_IMAGES` files; what they are is checked by the service (by content)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"})
        )
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[object]:
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(ImagesField, self).clean(one, initial) for one in files if one]


class MediaFields(forms.Form):
    """Images, a link and tags a post may carry (all optional)."""

    images = ImagesField(
        label="Images (optional)",
        required=False,
        help_text=(
            f"Up to {MAX_IMAGES} photos: JPEG, PNG, GIF or WebP, under {MAX_BYTES // (1024 * 1024)} MB each. "
            "Location and camera details are removed."
        ),
    )
    alt_text = forms.CharField(
        label="Describe the images (optional)",
        required=False,
        max_length=ALT_MAX,
        help_text="For people who can't see them: what's in the picture?",
    )
    link = forms.CharField(
        label="A link (optional)",
        required=False,
        max_length=2000,
        help_text="Links in your post get a preview too.",
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    tags = forms.CharField(
        label="Tags (optional)",
        required=False,
        max_length=8 * 42,
        help_text=(
            f"Up to {MAX_TAGS}, separated by commas (rally, canvass-2026). Tagged images and links "
            "in public groups appear on the tag's page."
        ),
    )

    def media_data(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "images": data.get("images") or [],
            "alt_text": data.get("alt_text", ""),
            "link": data.get("link", ""),
            "tags": data.get("tags", ""),
        }


class StartThreadForm(MediaFields):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    raw = forms.CharField(
        label="Your post",
        max_length=POST_MAX,
        help_text=POST_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    field_order = ["title", "raw", "images", "alt_text", "link", "tags"]


class ReplyForm(MediaFields):
    raw = forms.CharField(
        label="Your reply",
        max_length=POST_MAX,
        help_text=POST_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reply_to = forms.UUIDField(required=False, widget=forms.HiddenInput)
    field_order = ["raw", "images", "alt_text", "link", "tags", "reply_to"]


class EditPostForm(forms.Form):
    raw = forms.CharField(
        label="Your post",
        max_length=POST_MAX,
        help_text=POST_HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class FlagForm(forms.Form):
    agreement = forms.ChoiceField(label="Which agreement does it break?", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="What's wrong (optional)",
        required=False,
        max_length=FLAG_REASON_MAX,
        help_text="Only the moderators read this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, agreements: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agreement"].choices = [(words, words) for words in agreements]  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    """Why a moderator hides a post or locks a thread (its author reads it)."""

    reason = forms.CharField(
        label="Why", max_length=REASON_MAX, help_text="The post's author will read this."
    )


class ModeratorDeleteForm(forms.Form):
    """Why a moderator deletes someone else's post (kept in the group's moderation log)."""

    reason = forms.CharField(
        label="Why", max_length=REASON_MAX, help_text="Kept in the moderation log, with your name."
    )


class BlockForm(forms.Form):
    LENGTHS = {
        "1": timedelta(days=1),
        "7": timedelta(days=7),
        "30": timedelta(days=30),
        "90": timedelta(days=90),
    }

    length = forms.ChoiceField(
        label="For how long",
        choices=[("1", "A day"), ("7", "A week"), ("30", "30 days"), ("90", "90 days"), ("ever", "For good")],
        initial="7",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why",
        max_length=REASON_MAX,
        help_text="Kept in the group's moderation log, which its leaders read.",
    )

    def until(self) -> datetime | None:
        length = self.cleaned_data["length"]
        return None if length == "ever" else timezone.now() + self.LENGTHS[length]


class QueueForm(forms.Form):
    posts = forms.MultipleChoiceField(label="Posts", required=False, widget=forms.CheckboxSelectMultiple)
    action = forms.ChoiceField(
        label="What to do with the posts you picked",
        choices=[("hide", "Hide them"), ("dismiss", "Dismiss their flags: they break nothing")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why",
        max_length=REASON_MAX,
        required=False,
        help_text="Needed to hide: each post's author reads it.",
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["posts"].choices = choices  # type: ignore[attr-defined]
