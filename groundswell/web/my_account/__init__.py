"""My account: a member's own details, email preferences, a copy of their data, and leaving.

It sits in `web`, the layer of pages that span apps: the page changes subscriptions
(`messaging`), and the copy of a person's data reads every app that holds some (events,
network, messaging). The rules themselves live below, in `accounts.services` (details,
sharing, the archive's lifecycle, forgetting) and `messaging.services.change_subscription`.
"""
