from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "groundswell.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from groundswell.conversations.media import remove_files
        from groundswell.conversations.models import Media
        from groundswell.conversations.services.moderation import log_removal
        from groundswell.groups.signals import member_removed

        # However a Media row goes (a post deleted, a member forgotten), its files go too.
        post_delete.connect(remove_files, sender=Media, dispatch_uid="conversations.media.remove_files")
        # A member removed from a group is an act of moderation: it goes in the group's log.
        member_removed.connect(log_removal, dispatch_uid="conversations.moderation.log_removal")
