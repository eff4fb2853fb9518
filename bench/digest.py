"""The daily group digest for 100,000 members in 1,000 groups, against a bare query that
fetches the same day's posts, in the same run.

Run from the repository root (see bench/README.md):

    .venv/bin/python bench/digest.py [--people 100000] [--groups 1000] [--rounds 3]
    .venv/bin/python bench/digest.py --people 5000 --groups 50 --rounds 1     # quick look
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/digest.py

What it does, in one run:

1. makes a throwaway database: an SQLite file in a temporary directory by default, or, when
   DATABASE_URL names a PostgreSQL server, a database `groundswell_bench_digest` on it
   (dropped and made again), and runs `groundswell migrate`;
2. writes in bulk (`demo.tables.insert_rows`: COPY on PostgreSQL), with the demo's names
   (`demo.names.draw_names`) and conversation texts (`demo.groups`): --people people, each
   with a primary, subscribed email address; --groups active public groups; memberships
   (each person in 1, 2 or 3 groups: 70/20/10 %; 97 % active, the rest left; 85 % chose
   the digest, 7 % every post, 8 % nothing); for every group two older threads of five
   posts over the month before; and on the measured day (yesterday, in the site's time
   zone) in 60 % of the groups about three threads of about five posts each by a few
   members (in one of those groups in three, the first is an older thread with one to
   three new replies). One in a hundred of the day's posts is hidden, one deleted, one held (not published). Each post
   is cooked with `core.markdown.cook`, and has created_at, modified_at and published_at.
   Then (VACUUM) ANALYZE;
3. times, in --rounds rounds, alternately:
   - bare: one raw SQL SELECT of the day's posts the digest covers (published that day,
     visible, in a thread of a readable group), with their thread, group, author's name
     and raw text, fetched in full;
   - digest: `conversations.notifications.send_digests(day, batch_size)`, as the daily
     Celery beat task runs it: the day's news read once, readers paged in batches, each
     reader's digest built, and queued: Delivery rows (one per reader), and after each
     batch's commit `deliver_batch` tasks published to the broker (Redis database 15, or
     BENCH_BROKER_URL; flushed before and after). No email is rendered or sent here: that
     is the worker's job, later. After each run its deliveries and the day's Message are
     deleted (and, on PostgreSQL, the deliveries' table vacuumed), untimed, so every run
     starts as the first run of the day does;
4. before the rounds, one untimed run counts the statements: those before the first batch,
   and per batch (the same in every batch, whatever its size), and the tasks on the broker;
   with timers around its steps it also shows where its time goes (the day's news, each
   reader's `digest_for`, `messaging.send` and in it the publish, the rest);
5. checks: the bare query and the digest's news cover the same posts and threads; every
   run queues one digest per member who should get one (an active member who chose the
   digest, in a group where someone else posted that day: counted in Python from the bare
   rows); the deliveries in the database and the tasks on the broker match; and prints per
   round, then best and median of each, the cost per digest and `ratio digest/bare`;
6. removes the database (unless --keep-db), whatever happens (errors, Ctrl-C).

Exit status 1 if any check fails. The ratio is reported, not judged: the digest does more by
design (a context per reader, a row and a queue entry per digest) than read the posts.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import sys
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock

from common import (  # bench/ is on the path
    clean_up,
    manage,
    setup_environment,
    throwaway_database,
)

DATABASE = "groundswell_bench_digest"
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")

GROUPS_PER_PERSON = (0.70, 0.20, 0.10)  # in 1, 2 or 3 groups
LEFT_SHARE = 0.03
NOTIFY_SHARES = {"digest": 0.85, "each": 0.07, "none": 0.08}
NEWS_SHARE = 0.6  # of groups with posts on the day
OLD_THREADS, OLD_POSTS = 2, 5  # per group, over the month before
TALKERS = 3  # members who write in one thread
HIDDEN_SHARE = DELETED_SHARE = HELD_SHARE = 0.01  # of the day's posts

BARE = """
SELECT p.id, p.thread_id, t.group_id, p.author_id, a.given_name, a.family_name, p.raw
FROM conversations_post p
JOIN conversations_thread t ON t.id = p.thread_id
JOIN groups_group g ON g.id = t.group_id
JOIN people_person a ON a.id = p.author_id
WHERE p.published_at >= %s AND p.published_at < %s
  AND NOT p.held AND p.hidden_at IS NULL AND p.deleted_at IS NULL
  AND g.status IN ('active', 'archived')
"""

DIGEST_READERS = """
SELECT m.person_id, m.group_id FROM groups_membership m
WHERE m.status = 'active' AND m.notify = 'digest'
  AND EXISTS (SELECT 1 FROM people_emailaddress e WHERE e.person_id = m.person_id AND e.status = 'subscribed')
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The daily group digest for 100,000 members, against one raw SQL query of the day's posts.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--people", type=int, default=100_000, help="members, each in 1 to 3 groups")
    parser.add_argument("--groups", type=int, default=1000, help="active public groups")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare and digest, alternately")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="readers per batch (default: notifications.DIGEST_BATCH_SIZE)",
    )
    parser.add_argument("--seed", type=int, default=1, help="for the random data")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    return parser.parse_args()


# --- Data ----------------------------------------------------------------------------------


@dataclass
class Written:
    people: int = 0
    groups: int = 0
    memberships: int = 0
    digest_choices: int = 0  # active memberships with the digest chosen
    threads: int = 0
    posts: int = 0
    day_threads: int = 0
    day_posts: int = 0  # all written on the day, hidden, deleted and held ones too
    news_groups: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)


def _micros(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)


def write_data(people: int, groups: int, day: date, seed: int) -> Written:
    """Everything the digest reads, written in bulk; see the module's docstring."""
    import numpy as np
    from django.db.models import Max

    from groundswell.conversations.models import Post, Thread
    from groundswell.conversations.notifications import digest_window
    from groundswell.core.markdown import cook
    from groundswell.demo.groups import OPENINGS, REPLIES, THREAD_TITLES
    from groundswell.demo.names import draw_names
    from groundswell.demo.tables import insert_rows, random_uuids, reset_id_sequence, timestamps
    from groundswell.groups.models import Group, Membership
    from groundswell.people.models import EmailAddress, EmailStatus, Person

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    written = Written(people=people, groups=groups)
    start, end = digest_window(day)
    start_us, end_us = _micros(start), _micros(end)
    day_us = end_us - start_us

    def stamps(moments_us: list[int]) -> list[str]:
        return timestamps(end_us, (end_us - np.array(moments_us, dtype=np.float64)) / 1_000_000)

    # People and their addresses.
    base = (Person.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    person_ids = base + np.arange(people, dtype=np.int64)
    names = draw_names(rng, people)
    joined_ago = rng.uniform(30, 700, size=people) * 86_400.0  # before the day's end
    joined = timestamps(end_us, joined_ago)
    written.rows["people"] = insert_rows(
        Person,
        {
            "id": person_ids.tolist(),
            "uuid": random_uuids(people),
            "given_name": names.given,
            "family_name": names.family,
            "source_detail": ["bench"] * people,
            "created_at": joined,
            "modified_at": joined,
        },
    )
    reset_id_sequence(Person)
    written.rows["email addresses"] = insert_rows(
        EmailAddress,
        {
            "person_id": person_ids.tolist(),
            "address": [
                f"{g}.{f}.{i}@example.org"
                for g, f, i in zip(names.given_ascii, names.family_ascii, person_ids.tolist(), strict=True)
            ],
            "primary": [True] * people,
            "status": [EmailStatus.SUBSCRIBED.value] * people,
            "created_at": joined,
        },
    )

    # Memberships: each person in 1 to 3 distinct groups.
    many = np.minimum(rng.choice(3, size=people, p=GROUPS_PER_PERSON) + 1, groups)
    first = rng.integers(0, groups, size=people)
    step_a = rng.integers(1, max(groups, 2), size=people)
    step_b = rng.integers(1, max(groups, 2), size=people)
    while groups > 2 and (clash := step_b == step_a).any():
        step_b[clash] = rng.integers(1, groups, size=int(clash.sum()))
    picks = [first, (first + step_a) % groups, (first + step_b) % groups]
    m_person = np.concatenate([np.flatnonzero(many > k) for k in range(3)])
    m_group = np.concatenate([picks[k][many > k] for k in range(3)])
    count = len(m_person)
    m_active = rng.random(count) >= LEFT_SHARE
    notify = np.array(list(NOTIFY_SHARES))[
        rng.choice(len(NOTIFY_SHARES), size=count, p=list(NOTIFY_SHARES.values()))
    ]
    m_joined_ago = joined_ago[m_person] * rng.uniform(0.1, 1.0, size=count)
    order = np.lexsort((m_joined_ago * -1, m_group))  # by group, earliest joined first
    bounds = np.searchsorted(m_group[order], np.arange(groups + 1))
    role = np.full(count, "member", dtype=object)
    members_of: list[np.ndarray] = []  # active members of each group, as person indexes
    starters: list[int] = []
    for g in range(groups):
        rows = order[bounds[g] : bounds[g + 1]]
        active_rows = rows[m_active[rows]]
        if len(active_rows):
            role[active_rows[0]] = "leader"  # its earliest active member started it
        starters.append(int(m_person[active_rows[0]]) if len(active_rows) else 0)
        members_of.append(m_person[active_rows])

    group_base = (Group.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    group_ids = group_base + np.arange(groups, dtype=np.int64)
    created = timestamps(end_us, np.full(groups, 800 * 86_400.0))
    written.rows["groups"] = insert_rows(
        Group,
        {
            "id": group_ids.tolist(),
            "uuid": random_uuids(groups),
            "name": [f"Bench group {g + 1:04d}" for g in range(groups)],
            "slug": [f"bench-group-{g + 1:04d}" for g in range(groups)],
            "status": [Group.Status.ACTIVE.value] * groups,
            "visibility": [Group.Visibility.PUBLIC.value] * groups,
            "join_policy": [Group.JoinPolicy.OPEN.value] * groups,
            "started_by_id": [int(person_ids[s]) for s in starters],
            "created_at": created,
            "modified_at": created,
        },
    )
    reset_id_sequence(Group)
    m_joined = timestamps(end_us, m_joined_ago)
    written.rows["memberships"] = insert_rows(
        Membership,
        {
            "group_id": group_ids[m_group].tolist(),
            "person_id": person_ids[m_person].tolist(),
            "status": np.where(m_active, "active", "left").tolist(),
            "role": role.tolist(),
            "joined_at": m_joined,
            "role_since": [t if a else None for t, a in zip(m_joined, m_active.tolist(), strict=True)],
            "notify": notify.tolist(),
            "created_at": m_joined,
            "modified_at": m_joined,
        },
    )
    written.memberships = count
    written.digest_choices = int((m_active & (notify == "digest")).sum())

    # Threads and posts: two older threads per group, then the day's.
    threads: dict[str, list[Any]] = defaultdict(list)
    posts: dict[str, list[Any]] = defaultdict(list)
    thread_base = (Thread.objects.aggregate(top=Max("id"))["top"] or 0) + 1

    def new_thread(group: int, title: str, talkers: np.ndarray) -> int:
        threads["group_id"].append(int(group_ids[group]))
        threads["title"].append(title)
        threads["author_id"].append(int(person_ids[talkers[0]]))
        threads["posts"].append([])  # (number, moment) of each post
        threads["talkers"].append(talkers)
        return len(threads["title"]) - 1

    def add_posts(thread: int, moments: list[int], *, on_day: bool) -> None:
        taken = threads["posts"][thread]
        talkers = threads["talkers"][thread]
        for moment in moments:
            number = len(taken) + 1
            author = talkers[0] if number == 1 else talkers[int(rng.integers(0, len(talkers)))]
            if number == 1:
                text = OPENINGS[int(rng.integers(0, len(OPENINGS)))]
                raw = text.format(title_lower=threads["title"][thread].lower())
            else:
                raw = REPLIES[int(rng.integers(0, len(REPLIES)))]
            taken.append((number, moment))
            posts["thread"].append(thread)
            posts["number"].append(number)
            posts["author_id"].append(int(person_ids[author]))
            posts["raw"].append(raw)
            posts["moment"].append(moment)
            fate = rng.random() if on_day else 1.0
            posts["fate"].append(
                "hidden"
                if fate < HIDDEN_SHARE
                else "deleted"
                if fate < HIDDEN_SHARE + DELETED_SHARE
                else "held"
                if fate < HIDDEN_SHARE + DELETED_SHARE + HELD_SHARE
                else ""
            )

    def talkers_of(group: int) -> np.ndarray:
        members = members_of[group]
        return rng.choice(members, size=min(TALKERS, len(members)), replace=False)

    def spaced(first_us: float, gap_us: float, n: int, before_us: float) -> list[int]:
        moments = first_us + np.cumsum(rng.exponential(gap_us, size=n))
        return np.minimum(moments, before_us - 1_000_000 * (n - np.arange(n))).astype(np.int64).tolist()

    old_of: dict[int, list[int]] = defaultdict(list)
    for g in range(groups):
        if not len(members_of[g]):
            continue
        for _ in range(OLD_THREADS):
            t = new_thread(g, THREAD_TITLES[int(rng.integers(0, len(THREAD_TITLES)))], talkers_of(g))
            opened = start_us - rng.uniform(2, 30) * 86_400e6
            add_posts(t, spaced(opened, 6 * 3600e6, OLD_POSTS, start_us - 3600e6), on_day=False)
            old_of[g].append(t)
    written.posts = len(posts["raw"])  # the older ones so far
    news = np.flatnonzero(rng.random(groups) < NEWS_SHARE)
    day_threads: set[int] = set()
    for g in news.tolist():
        if not len(members_of[g]):
            continue
        written.news_groups += 1
        for position in range(1 + int(rng.poisson(2))):
            if position == 0 and old_of[g] and rng.random() < 1 / 3:
                t = old_of[g][0]  # a reply or two in an older thread
                n = 1 + int(rng.integers(0, 3))
            else:
                t = new_thread(g, THREAD_TITLES[int(rng.integers(0, len(THREAD_TITLES)))], talkers_of(g))
                n = 1 + int(rng.poisson(4))
            opened = start_us + rng.uniform(0.25, 0.8) * day_us
            add_posts(t, spaced(opened, 20 * 60e6, n, end_us), on_day=True)
            day_threads.add(t)
    written.day_threads = len(day_threads)
    written.day_posts = len(posts["raw"]) - written.posts

    n_threads, n_posts = len(threads["title"]), len(posts["raw"])
    thread_ids = [thread_base + t for t in range(n_threads)]
    last = [max(moment for _, moment in taken) for taken in threads["posts"]]
    opened_at = [min(moment for _, moment in taken) for taken in threads["posts"]]
    written.rows["threads"] = insert_rows(
        Thread,
        {
            "id": thread_ids,
            "uuid": random_uuids(n_threads),
            "title": threads["title"],
            "author_id": threads["author_id"],
            "group_id": threads["group_id"],
            "last_posted_at": stamps(last),
            "post_count": [len(taken) for taken in threads["posts"]],
            "created_at": stamps(opened_at),
            "modified_at": stamps(last),
        },
    )
    reset_id_sequence(Thread)
    # Ids grow with `number` within a thread, as the services number posts under the thread's
    # lock: a thread's posts on the day come after its older ones.
    cooked: dict[str, str] = {}
    moments = posts["moment"]
    at = stamps(moments)
    fates = posts["fate"]
    post_base = (Post.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    written.rows["posts"] = insert_rows(
        Post,
        {
            "id": list(range(post_base, post_base + n_posts)),
            "uuid": random_uuids(n_posts),
            "thread_id": [thread_ids[t] for t in posts["thread"]],
            "number": posts["number"],
            "author_id": posts["author_id"],
            "raw": posts["raw"],
            "cooked": [cooked.get(raw) or cooked.setdefault(raw, cook(raw)) for raw in posts["raw"]],
            "held": [fate == "held" for fate in fates],
            "hidden_at": [a if fate == "hidden" else None for a, fate in zip(at, fates, strict=True)],
            "hidden_reason": ["off topic" if fate == "hidden" else "" for fate in fates],
            "deleted_at": [a if fate == "deleted" else None for a, fate in zip(at, fates, strict=True)],
            "created_at": at,
            "modified_at": at,
            "published_at": [None if fate == "held" else a for a, fate in zip(at, fates, strict=True)],
        },
    )
    reset_id_sequence(Post)
    written.threads, written.posts = n_threads, n_posts
    written.seconds = time.perf_counter() - started
    return written


# --- Measuring -----------------------------------------------------------------------------


@dataclass
class Counted:
    """One run of the digest with its statements counted, batch by batch, and its steps timed."""

    sent: int = 0
    batches: int = 0
    before: int = 0  # statements before the first batch's own
    news_statements: int = 0
    per_batch: list[tuple[int, int]] = field(default_factory=list)  # (statements, of them INSERTs)
    between: list[int] = field(default_factory=list)  # from one batch's end to the next one's start
    after: int = 0
    total: int = 0
    sent_per_batch: list[int] = field(default_factory=list)
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def counted_run(day: date, batch_size: int) -> Counted:
    """`send_digests` with an execute wrapper counting statements, and timers around its steps
    (the day's news, each reader's `digest_for`, `messaging.send` with the commit, and in it
    the publish of the tasks). Untimed itself: the wrappers cost a little."""
    from django.db import connection

    from groundswell.conversations import notifications
    from groundswell.messaging import services

    statements: list[str] = []
    marks: list[tuple[int, int, int, int]] = []  # (statements before, after, INSERTs, sent)
    result = Counted()

    def timer(step: str, call: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                result.steps[step] += time.perf_counter() - began

        return timed

    send_batch, day_news = notifications._send_batch, notifications.day_news

    def counted_batch(*args: Any) -> int:
        before = len(statements)
        sent = send_batch(*args)
        inserts = sum('INTO "messaging_delivery"' in sql for sql in statements[before:])
        marks.append((before, len(statements), inserts, sent))
        return sent

    def counted_news(day: date) -> Any:
        before = len(statements)
        news = day_news(day)
        result.news_statements = len(statements) - before
        return news

    def note(run: Any, sql: str, *rest: Any) -> Any:
        statements.append(sql)
        return run(sql, *rest)

    began = time.perf_counter()
    with (
        mock.patch.object(notifications, "_send_batch", counted_batch),
        mock.patch.object(notifications, "day_news", timer("news", counted_news)),
        mock.patch.object(notifications, "digest_for", timer("digest_for", notifications.digest_for)),
        mock.patch.object(notifications, "send", timer("send", notifications.send)),
        mock.patch.object(services, "enqueue", timer("publish", services.enqueue)),
        connection.execute_wrapper(note),
    ):
        run = notifications.send_digests(day, batch_size=batch_size)
    result.seconds = time.perf_counter() - began
    result.sent, result.batches, result.total = run.sent, run.batches, len(statements)
    if marks:
        result.before = marks[0][0]
        result.per_batch = [(end - begin, inserts) for begin, end, inserts, _ in marks]
        result.between = [marks[i + 1][0] - marks[i][1] for i in range(len(marks) - 1)]
        result.after = len(statements) - marks[-1][1]
        result.sent_per_batch = [sent for *_, sent in marks]
    return result


def spread(values: list[int]) -> str:
    return f"{min(values)}" if min(values) == max(values) else f"{min(values)}–{max(values)}"


def seconds_text(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    import redis

    broker = redis.Redis.from_url(BROKER) if BROKER.startswith("redis") else None
    if broker is not None:
        try:
            broker.ping()
        except redis.RedisError as error:
            print(f"the broker {BROKER} does not answer: {error}", file=sys.stderr)
            return 1
        broker.flushdb()
    url, server, folder = throwaway_database(DATABASE)
    failed = False
    problems: list[str] = []

    def check(ok: bool, problem: str) -> None:
        nonlocal failed
        if not ok:
            failed = True
            problems.append(problem)
            print(f"  ! {problem}")

    try:
        env = setup_environment(url)
        # Tasks go to a broker, as in production: not eager, so no email is built or sent here.
        env["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"] = BROKER
        env["CELERY_TASK_ALWAYS_EAGER"] = os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
        manage(env, "migrate", "--verbosity", "0")
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection, transaction
        from django.utils import timezone

        from config.celery import app as celery_app
        from groundswell.conversations import notifications
        from groundswell.messaging.services import BATCH_SIZE as TASK_SIZE

        if settings.CELERY_TASK_ALWAYS_EAGER or celery_app.conf.task_always_eager:
            raise RuntimeError("Celery runs tasks eagerly here: the digests' emails would be sent in-process")
        batch_size = args.batch_size or notifications.DIGEST_BATCH_SIZE
        postgres = connection.vendor == "postgresql"
        day = timezone.localdate() - timedelta(days=1)
        with transaction.atomic():
            written = write_data(args.people, args.groups, day, args.seed)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
        print(
            f"{connection.vendor}: {written.people:,} people (each with a subscribed address), "
            f"{written.groups:,} groups, {written.memberships:,} memberships "
            f"({written.memberships / written.groups:.0f} a group; {written.digest_choices:,} active "
            f"with the digest chosen), {written.threads:,} threads, {written.posts:,} posts; "
            f"written in {written.seconds:.1f} s, analyzed in {time.perf_counter() - began:.1f} s"
        )
        print(
            f"the day {day} ({settings.TIME_ZONE}): {written.day_posts:,} posts (1 % each hidden, "
            f"deleted, held) in {written.day_threads:,} threads of {written.news_groups:,} groups"
        )

        start, end = notifications.digest_window(day)
        window = [
            connection.ops.adapt_datetimefield_value(start),
            connection.ops.adapt_datetimefield_value(end),
        ]

        def bare() -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(BARE, window)
                return cursor.fetchall()

        key = f"digest:{day.isoformat()}"

        def forget() -> None:
            """The run's deliveries and the day's Message, gone: the next run is the day's first."""
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM messaging_delivery WHERE message_id IN "
                    "(SELECT id FROM messaging_message WHERE key = %s)",
                    [key],
                )
                cursor.execute("DELETE FROM messaging_message WHERE key = %s", [key])
                if postgres:
                    cursor.execute("VACUUM ANALYZE messaging_delivery")
            if broker is not None:
                broker.flushdb()

        def deliveries() -> int:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT COUNT(*) FROM messaging_delivery d JOIN messaging_message m "
                    "ON m.id = d.message_id WHERE m.key = %s AND d.status = 'queued'",
                    [key],
                )
                return int(cursor.fetchone()[0])

        def tasks_waiting() -> int | None:
            if broker is None:
                return None
            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            return sum(int(broker.llen(name)) for name in broker.scan_iter(f"{queue}*"))

        # The checks' answers, from the bare rows and the memberships, not from the digest's code.
        rows = bare()
        news = notifications.day_news(day)
        covered = sum(
            count for ts in news.threads_of.values() for t in ts for count, _ in t.by_author.values()
        )
        news_threads = {t.id for ts in news.threads_of.values() for t in ts}
        check(
            covered == len(rows) and news_threads == {row[1] for row in rows},
            f"the bare query has {len(rows):,} posts in {len({row[1] for row in rows}):,} threads, "
            f"the digest's news {covered:,} in {len(news_threads):,}",
        )
        authors_in: dict[int, set[int]] = defaultdict(set)
        for row in rows:
            authors_in[row[2]].add(row[3])
        with connection.cursor() as cursor:
            cursor.execute(DIGEST_READERS)
            choosers = cursor.fetchall()
        expected = len({person for person, group in choosers if authors_in.get(group, set()) - {person}})
        print(
            f"  the bare query: {len(rows):,} posts in {len(news_threads):,} threads of "
            f"{len(authors_in):,} groups; {expected:,} members should get a digest"
        )

        # One run with its statements counted (untimed; it warms up too).
        counted = counted_run(day, batch_size)
        waiting = tasks_waiting()
        tasks = sum(math.ceil(sent / TASK_SIZE) for sent in counted.sent_per_batch)
        check(counted.sent == expected, f"the counted run queued {counted.sent:,} digests, not {expected:,}")
        check(deliveries() == counted.sent, f"{deliveries():,} deliveries queued, not {counted.sent:,}")
        check(waiting in (None, tasks), f"{waiting} tasks on the broker, not {tasks}")
        shapes = sorted({statements - inserts for statements, inserts in counted.per_batch})
        inserts = sorted({inserts for _, inserts in counted.per_batch})
        pages = sorted(set(counted.between))
        check(len(shapes) <= 1, f"the statements per batch differ between batches: {shapes}")
        print(
            f"the digest ({counted.batches} batches of up to {batch_size} readers): "
            f"{counted.sent:,} digests and {tasks:,} deliver_batch tasks "
            f"({TASK_SIZE} deliveries a task) queued"
            + (f", {waiting:,} on the broker" if waiting is not None else "")
        )
        print(
            f"  statements in one run: {counted.total:,}: {counted.before} before the first batch "
            f"({counted.news_statements} for the day's news, then the day's Message and the first page "
            f"of readers), then per batch {spread(shapes)} + {spread(inserts)} INSERT of deliveries, "
            f"{spread(pages or [0])} page of readers between batches, {counted.after} after the last"
        )
        steps = counted.steps
        rest = counted.seconds - steps["news"] - steps["digest_for"] - steps["send"]
        print(
            f"  where that run's {seconds_text(counted.seconds)} went (timers around each step): "
            f"the day's news {seconds_text(steps['news'])}, digest_for "
            f"{seconds_text(steps['digest_for'])}, messaging.send {seconds_text(steps['send'])} "
            f"(of it the publish of the tasks {seconds_text(steps['publish'])}), the rest "
            f"(readers' pages and groups, who has it already) {seconds_text(rest)}"
        )
        print(
            "  timed: send_digests(day) builds each reader's digest and queues it (a Delivery row "
            "with the digest as its context; deliver_batch tasks published to "
            f"{BROKER if broker is not None else 'the broker'} after each batch's commit). "
            "No email is rendered or sent: a Celery worker does that later."
        )
        forget()

        load = os.getloadavg()[0]
        bare_times: list[float] = []
        digest_times: list[float] = []
        for number in range(1, args.rounds + 1):
            began = time.perf_counter()
            got = bare()
            bare_times.append(time.perf_counter() - began)
            check(len(got) == len(rows), f"round {number}: the bare query found {len(got):,} posts")
            began = time.perf_counter()
            run = notifications.send_digests(day, batch_size=batch_size)
            digest_times.append(time.perf_counter() - began)
            check(run.sent == expected, f"round {number}: {run.sent:,} digests queued, not {expected:,}")
            check(deliveries() == run.sent, f"round {number}: {deliveries():,} deliveries in the database")
            waiting = tasks_waiting()
            check(waiting in (None, tasks), f"round {number}: {waiting} tasks on the broker, not {tasks}")
            print(
                f"round {number}: bare {seconds_text(bare_times[-1])} ({len(got):,} posts), digest "
                f"{seconds_text(digest_times[-1])} ({run.sent:,} digests in {run.batches} batches, "
                f"{digest_times[-1] / max(run.sent, 1) * 1e6:.0f} µs a digest)"
            )
            forget()
        best_bare, best_digest = min(bare_times), min(digest_times)
        median_bare, median_digest = statistics.median(bare_times), statistics.median(digest_times)
        print(f"load average (1 min): {load:.2f} before the rounds, {os.getloadavg()[0]:.2f} after")
        print(f"bare    best {seconds_text(best_bare)}, median {seconds_text(median_bare)}")
        print(
            f"digest  best {seconds_text(best_digest)}, median {seconds_text(median_digest)}; per digest "
            f"{best_digest / max(expected, 1) * 1e6:.0f} µs best, "
            f"{median_digest / max(expected, 1) * 1e6:.0f} µs median"
        )
        print(
            f"ratio digest/bare: {best_digest / best_bare:.0f} (best), "
            f"{median_digest / median_bare:.0f} (median)"
        )
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        if server is not None:
            clean_up(server, DATABASE, drop=not args.keep_db)
            if args.keep_db:
                print(f"kept the database {DATABASE}")
        if folder is not None:
            if args.keep_db:
                print(f"kept the database {folder / 'bench.sqlite3'}")
            else:
                for path in folder.glob("*"):
                    path.unlink()
                folder.rmdir()
        if broker is not None:
            broker.flushdb()
    if problems:
        print(f"{len(problems)} check(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
