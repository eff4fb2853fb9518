"""A thread of 5,000 posts: its first page and a middle page rendered through the real view,
against a bare query for the same rows, in the same run.

Run from the repository root (see bench/README.md):

    .venv/bin/python bench/thread_page.py [--posts 5000] [--renders 30] [--rounds 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/thread_page.py

What it does, in one run:

1. makes a throwaway database: an SQLite file in a temporary directory by default, or, when
   DATABASE_URL names a PostgreSQL server, a database `groundswell_bench_thread` on it
   (dropped and made again), and runs `groundswell migrate`;
2. writes a public group, 50 members who take turns writing, and one thread of --posts
   posts in bulk (`demo.tables.insert_rows`: COPY on PostgreSQL), each cooked once with
   `core.markdown.cook` as the services do, one in ten a reply to the post before it;
3. for the first page and the middle page, renders the thread page (`GET /threads/<id>/?page=N`)
   through Django's test client — URL routing, middleware, the view, its selectors and
   the template, as a visitor (anonymous) and as a signed-in member of the group — and runs
   the bare query: one raw SQL SELECT of the same 50 posts with their authors' names
   (`number` in the page's range, joined to `people_person`), fetched in full;
4. checks both show the same posts, counts the view's queries per render (the same on
   every page: the conversations suite pins it), and times --rounds rounds of --renders
   renders of each, alternating; prints per-render mean / p50 / p95 of the best round of
   each and `ratio view/bare` per page and persona;
5. removes the database, whatever happens (errors, Ctrl-C).

The ratio is what a rendered page costs over the rows it shows; the view does more by design
(the session, access rules, flags, the reply form, the template), so it is reported, not
judged.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from common import (  # bench/ is on the path
    clean_up,
    manage,
    setup_environment,
    throwaway_database,
)

REPO = Path(__file__).resolve().parent.parent
DATABASE = "groundswell_bench_thread"
PAGE_SIZE = 50
WRITERS = 50

BARE = """
SELECT p.id, p.uuid, p.number, p.cooked, p.created_at, p.edited_at, p.deleted_at,
       p.hidden_at, p.reply_to_id, a.id, a.given_name, a.family_name
FROM conversations_post p JOIN people_person a ON a.id = p.author_id
WHERE p.thread_id = %s AND p.number >= %s AND p.number < %s AND NOT p.held
ORDER BY p.number
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="A 5,000-post thread's page through the view, against one raw SQL query.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--posts", type=int, default=5000, help="posts in the thread")
    parser.add_argument("--renders", type=int, default=30, help="renders of each page per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best of each is shown")
    return parser.parse_args()


def write_thread(posts: int) -> tuple[Any, Any]:
    """A public group with its members, and one thread of `posts` posts; (thread, a member)."""
    from datetime import timedelta

    import numpy as np
    from django.utils import timezone

    from groundswell.accounts.services import ensure_account
    from groundswell.conversations.models import Post, Thread
    from groundswell.core.markdown import cook
    from groundswell.demo.tables import insert_rows, random_uuids, timestamps
    from groundswell.groups.models import Group, Membership
    from groundswell.people.models import Person

    people = [Person.objects.create(given_name=f"Writer{i}", family_name="Bench") for i in range(WRITERS)]
    group = Group.objects.create(
        name="Bench group", slug="bench-group", started_by=people[0], postal_code="10001"
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        Membership(group=group, person=person, joined_at=now, role_since=now) for person in people
    )
    thread = Thread.objects.create(group=group, title="A long conversation", author=people[0])
    raws = [
        f"Post **{n}**: a few words about the next meeting, with a [link](https://example.org/{n})."
        for n in range(1, posts + 1)
    ]
    now_us = round(now.timestamp() * 1_000_000)
    stamps = timestamps(now_us, np.arange(posts, 0, -1, dtype=np.float64) * 60)
    base = (Post.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    insert_rows(
        Post,
        {
            "id": list(range(base, base + posts)),
            "uuid": random_uuids(posts),
            "thread_id": [thread.pk] * posts,
            "number": list(range(1, posts + 1)),
            "author_id": [people[n % WRITERS].pk for n in range(posts)],
            "reply_to_id": [base + n - 1 if n and n % 10 == 0 else None for n in range(posts)],
            "raw": raws,
            "cooked": [cook(raw) for raw in raws],
            "created_at": stamps,
            "modified_at": stamps,
        },
    )
    Thread.objects.filter(pk=thread.pk).update(post_count=posts, last_posted_at=now - timedelta(minutes=1))
    user = ensure_account(person=people[1], email="writer1@example.org")
    return thread, user


def timed(runs: int, call: Any) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"mean {statistics.fmean(ms):7.2f} ms  p50 {statistics.median(ms):7.2f}  p95 {p95:7.2f}"


def main() -> int:
    args = parse_args()
    url, server, folder = throwaway_database(DATABASE)
    failed = False
    try:
        env = setup_environment(url)
        env["ALLOWED_HOSTS"] = os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
        manage(env, "migrate", "--verbosity", "0")
        # WhiteNoise warns that STATIC_ROOT does not exist: files are served by the finders here.
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        from django.db import connection, transaction
        from django.test import Client
        from django.urls import reverse

        started = time.perf_counter()
        with transaction.atomic():
            thread, user = write_thread(args.posts)
        print(
            f"{connection.vendor}: a thread of {args.posts:,} posts written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        page_url = reverse("conversations:thread", args=[thread.uuid])
        pages = (args.posts + PAGE_SIZE - 1) // PAGE_SIZE
        visitor, member = Client(), Client()
        member.force_login(user)
        for page in (1, (pages + 1) // 2):
            first = (page - 1) * PAGE_SIZE + 1

            def bare(first: int = first) -> list[tuple[Any, ...]]:
                with connection.cursor() as cursor:
                    cursor.execute(BARE, [thread.pk, first, first + PAGE_SIZE])
                    return cursor.fetchall()

            rows = bare()
            for name, client in (("anonymous", visitor), ("member", member)):

                def render(client: Any = client, page: int = page) -> Any:
                    response = client.get(f"{page_url}?page={page}")
                    assert response.status_code == 200, response.status_code
                    return response

                response = render()  # warm: templates compiled, the session read once
                shown = [
                    int(n) for n in re.findall(r'<article [^>]*id="post-(\d+)"', response.content.decode())
                ]
                if shown != [row[2] for row in rows]:
                    print(f"  ! page {page} as {name}: the view shows {shown[:3]}…, the query {rows[:1]}…")
                    failed = True
                queries: list[str] = []
                with connection.execute_wrapper(
                    lambda run, sql, *rest, seen=queries: seen.append(sql) or run(sql, *rest)
                ):
                    render()
                best_view: list[float] | None = None
                best_bare: list[float] | None = None
                for _ in range(args.rounds):
                    view_times = timed(args.renders, render)
                    bare_times = timed(args.renders, bare)
                    if best_view is None or statistics.fmean(view_times) < statistics.fmean(best_view):
                        best_view = view_times
                    if best_bare is None or statistics.fmean(bare_times) < statistics.fmean(best_bare):
                        best_bare = bare_times
                assert best_view is not None and best_bare is not None
                ratio = statistics.fmean(best_view) / statistics.fmean(best_bare)
                print(f"page {page:>3} of {pages} as {name:9} ({len(queries)} queries a render)")
                print(f"  view  {summary(best_view)}")
                print(f"  bare  {summary(best_bare)}")
                print(f"  ratio view/bare: {ratio:.1f}")
    except KeyboardInterrupt:
        failed = True
    finally:
        if server is not None:
            clean_up(server, DATABASE, drop=True)
        if folder is not None:
            for path in folder.glob("*"):
                path.unlink()
            folder.rmdir()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
