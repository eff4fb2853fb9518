from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "groundswell.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from groundswell.conversations.media import remove_files
        from groundswell.conversations.models import Media

        # However a Media row goes (a post deleted, a member forgotten), its files go too.
        post_delete.connect(remove_files, sender=Media, dispatch_uid="conversations.media.remove_files")
