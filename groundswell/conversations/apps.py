from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "groundswell.conversations"
    label = "conversations"
    verbose_name = "Conversations"
