"""Link cards: the SSRF guard (addresses, redirects, size, time, DNS rebinding) against a page
server of the tests' own on localhost, which the guard lets through only because the test
names its address and port (`LINKCARD_ALLOWED_LOCAL`); the card read from the page and
cleaned; one card per address, shared; pages show the bare link until the card is ready."""

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from groundswell.conversations import linkcards, services
from groundswell.conversations.models import LinkCard, Media
from groundswell.conversations.tests.helpers import actor_of, start

OG_PAGE = """<!doctype html><html><head>
<title>Fallback title</title>
<meta property="og:title" content="Riverside turns out 400 for clean water">
<meta property="og:description" content="The biggest march the town has seen.\u202e Bidi gone.">
<meta property="og:image" content="/pictures/march.jpg">
<meta name="description" content="Plain description">
</head><body><p>Story</p></body></html>"""


@dataclass
class PageServer:
    """A threaded http.server on 127.0.0.1 serving `pages` (path → (status, headers, body)),
    recording each request's path and Host header."""

    pages: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    seen: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _serve(pages: PageServer) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # http.server's name
            pages.seen.append((self.path, self.headers.get("Host", "")))
            if self.path == "/huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><head><title>Huge</title></head><body>")
                try:
                    for _ in range(200):  # 20 MB, if anyone kept reading
                        self.wfile.write(b"x" * 100_000)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            if self.path == "/slow":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                try:
                    for _ in range(40):  # a byte every quarter second: 10 s in all
                        self.wfile.write(b"<")
                        self.wfile.flush()
                        time.sleep(0.25)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            status, headers, body = pages.pages.get(self.path, (404, {"Content-Type": "text/plain"}, b"no"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def page_server(settings) -> Iterator[PageServer]:
    pages = PageServer()
    server, _ = _serve(pages)
    pages.port = server.server_address[1]
    other = PageServer()
    other_server, _ = _serve(other)
    other.port = other_server.server_address[1]
    other.pages["/og"] = (200, {"Content-Type": "text/html"}, OG_PAGE.encode())
    html = {"Content-Type": "text/html; charset=utf-8"}
    pages.pages.update(
        {
            "/og": (200, html, OG_PAGE.encode()),
            "/to-other-port": (302, {"Location": other.url("/og")}, b""),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/to-mapped": (301, {"Location": "http://[::ffff:169.254.169.254]/"}, b""),
            "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
            "/hop1": (302, {"Location": "/hop2"}, b""),
            "/hop2": (307, {"Location": "/hop3"}, b""),
            "/hop3": (301, {"Location": "/og"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/json": (200, {"Content-Type": "application/json"}, b'{"title": "x"}'),
            "/untitled": (200, html, b"<html><body>nothing</body></html>"),
        }
    )
    # Only this server, on this port: the other server is as off-limits as any local address.
    settings.LINKCARD_ALLOWED_LOCAL = [f"127.0.0.1:{pages.port}"]
    yield pages
    for running in (server, other_server):
        running.shutdown()
        running.server_close()


# --- The guard's address rule -------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
        "2001:db8::1",
        "not an address",
    ],
)
def test_private_and_special_addresses_are_not_public(address):
    assert not linkcards.is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_ordinary_addresses_are_public(address):
    assert linkcards.is_public(address)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "http://user:pass@example.org/",
        "http:///nohost",
        "http://example.org:99999/",
    ],
)
def test_only_plain_http_and_https_addresses(url):
    with pytest.raises(linkcards.Refused):
        linkcards.check(url)


def test_the_local_exception_is_off_unless_a_test_turns_it_on(page_server, settings):
    assert linkcards.fetch(page_server.url("/og")).body  # allowed: this test named it
    settings.LINKCARD_ALLOWED_LOCAL = []
    with pytest.raises(linkcards.Refused, match="private or local"):
        linkcards.fetch(page_server.url("/og"))
    import config.settings

    assert not getattr(config.settings, "LINKCARD_ALLOWED_LOCAL", [])  # off by default


def test_a_host_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    def resolve(host, port, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(linkcards.socket, "getaddrinfo", resolve)
    with pytest.raises(linkcards.Refused, match="private or local"):
        linkcards.check("https://mixed.example/")


def test_the_connection_goes_to_the_checked_address_whatever_dns_says_next(
    page_server, monkeypatch, settings
):
    """DNS rebinding: the first answer is checked; a second lookup would say 10.0.0.5. The
    fetcher never looks again: it connects to the checked address, with the name as Host."""
    answers = iter(["127.0.0.1", "10.0.0.5", "10.0.0.5"])
    real_resolve = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host != "news.example":
            return real_resolve(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(linkcards.socket, "getaddrinfo", resolve)
    connected: list[tuple[str, int]] = []
    real = socket.create_connection

    def connect(address, *args, **kwargs):
        connected.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(linkcards.socket, "create_connection", connect)
    page = linkcards.fetch(f"http://news.example:{page_server.port}/og")
    assert connected == [("127.0.0.1", page_server.port)]
    assert page_server.seen[-1] == ("/og", f"news.example:{page_server.port}")
    assert b"Riverside" in page.body


# --- Fetching -----------------------------------------------------------------------------


def test_a_page_with_open_graph_tags_makes_a_clean_card(page_server):
    card = linkcards.read_card(linkcards.fetch(page_server.url("/og")))
    assert card.title == "Riverside turns out 400 for clean water"
    assert card.description == "The biggest march the town has seen. Bidi gone."
    assert card.image_url == page_server.url("/pictures/march.jpg")


def test_redirects_are_followed_by_hand_up_to_three(page_server):
    assert linkcards.fetch(page_server.url("/hop1")).url == page_server.url("/og")
    with pytest.raises(linkcards.Refused, match="too many"):
        linkcards.fetch(page_server.url("/loop"))


@pytest.mark.parametrize(
    "path", ["/to-other-port", "/to-metadata", "/to-mapped", "/to-file"], ids=lambda p: p.strip("/")
)
def test_a_redirect_to_a_local_or_private_address_is_refused(page_server, path):
    with pytest.raises(linkcards.Refused):
        linkcards.fetch(page_server.url(path))
    # Nothing was asked of the other local server or the metadata address.
    assert all(seen != "/og" for seen, _ in page_server.seen)


def test_a_huge_body_is_read_only_up_to_the_limit(page_server):
    started = time.monotonic()
    page = linkcards.fetch(page_server.url("/huge"))
    assert len(page.body) == linkcards.MAX_BYTES
    assert linkcards.read_card(page).title == "Huge"
    assert time.monotonic() - started < 5


def test_a_slow_server_is_cut_off_at_the_time_limit(page_server, monkeypatch):
    monkeypatch.setattr(linkcards, "TIME_LIMIT", 1.0)
    started = time.monotonic()
    with pytest.raises(linkcards.Refused, match="too long"):
        linkcards.fetch(page_server.url("/slow"))
    assert time.monotonic() - started < 2.5


def test_a_slow_name_lookup_is_cut_off_at_the_time_limit(monkeypatch):
    """The resolver has no time limit of its own: a DNS server that never answers would hold
    the worker. The lookup counts against the fetch's time like the rest."""

    def never_answers(host, port, *args, **kwargs):
        time.sleep(3)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(linkcards.socket, "getaddrinfo", never_answers)
    started = time.monotonic()
    with pytest.raises(linkcards.Refused, match="took too long to look up"):
        linkcards.fetch("https://slow-dns.example/", time_limit=0.5)
    assert time.monotonic() - started < 1.5


def test_lookups_given_up_on_before_they_start_are_dropped(monkeypatch):
    """With every resolver thread held by a slow name, a later lookup waits its turn, times
    out, and is cancelled: it does not run later, in front of the next ones."""
    ran: list[str] = []
    release = threading.Event()

    def slow(host, port, *args, **kwargs):
        ran.append(host)
        release.wait(5)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(linkcards.socket, "getaddrinfo", slow)
    workers = 2
    monkeypatch.setattr(linkcards, "_RESOLVER", ThreadPoolExecutor(max_workers=workers))
    try:
        for n in range(workers + 2):
            with pytest.raises(linkcards.Refused, match="look up"):
                linkcards.check(f"https://slow-{n}.example/", timeout=0.05)
    finally:
        release.set()
    time.sleep(0.2)
    assert sorted(ran) == sorted(f"slow-{n}.example" for n in range(workers))


def test_only_html_is_read(page_server):
    with pytest.raises(linkcards.Refused, match="not a web page"):
        linkcards.fetch(page_server.url("/json"))


# --- Cards on posts -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_card_is_fetched_once_per_address_and_shared(cast, page_server, django_capture_on_commit_callbacks):
    thread = start(cast.member, cast.group)
    url = page_server.url("/og")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(actor=actor_of(cast.member), thread=thread, raw=f"Read this: {url}.")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(actor=actor_of(cast.core), thread=thread, raw="Same link", link=url)
    card = LinkCard.objects.get()
    assert card.status == LinkCard.Status.READY and card.title.startswith("Riverside turns out")
    assert Media.objects.filter(link=card).count() == 2
    assert [path for path, _ in page_server.seen].count("/og") == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "error"),
    [("/to-metadata", "private or local"), ("/json", "not a web page"), ("/untitled", "no title")],
)
def test_a_card_that_cannot_be_made_fails_with_a_short_reason(
    path, error, cast, page_server, django_capture_on_commit_callbacks
):
    thread = start(cast.member, cast.group)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(actor=actor_of(cast.member), thread=thread, raw="x", link=page_server.url(path))
    card = LinkCard.objects.get()
    assert card.status == LinkCard.Status.FAILED and error in card.error and len(card.error) <= 300


@pytest.mark.django_db
def test_the_page_shows_the_bare_link_until_the_card_is_ready(cast, client_for, page_server):
    thread = start(cast.member, cast.group)
    url = page_server.url("/og")
    # Without the commit callbacks, the card waits (as it does until a worker gets to it).
    services.reply(actor=actor_of(cast.member), thread=thread, raw="x", link=url)
    page_url = reverse("conversations:thread", args=[thread.uuid])
    seen_before = len(page_server.seen)
    waiting = client_for(cast.core).get(page_url).content.decode()
    assert f'class="link-bare" href="{url}"' in waiting and "Riverside turns out" not in waiting
    assert len(page_server.seen) == seen_before  # rendering never fetched
    services.media.fetch_card(LinkCard.objects.get().pk)
    ready = client_for(cast.core).get(page_url).content.decode()
    assert "Riverside turns out 400 for clean water" in ready
    assert "march.jpg" not in ready  # the card's picture never loads from the linked site
