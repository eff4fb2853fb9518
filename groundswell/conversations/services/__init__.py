"""Every write of conversations: `posting` (threads, posts, mentions) and `moderation`
(flags, hiding, locking, blocking, the queue)."""
