"""Words on the site that organizers write: the tagline and introduction on the home page,
and the privacy policy. Each has a default in code (`web.texts`), so a fresh install reads
well before anyone edits anything; a row here replaces the default."""

from django.db import models


class SiteText(models.Model):
    class Key(models.TextChoices):
        TAGLINE = "tagline", "Home page: tagline (one line)"
        INTRO = "intro", "Home page and invitations: introduction (Markdown)"
        PRIVACY = "privacy", "Privacy policy (Markdown)"

    key = models.CharField(max_length=20, choices=Key.choices, unique=True)
    text = models.TextField(help_text="Markdown, except for the tagline. Leave empty to use the default.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site text"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.get_key_display()
