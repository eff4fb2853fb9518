"""Link cards: fetching a member's link (on a worker, never while a page renders) behind an
SSRF guard, and reading its card (Open Graph, Twitter, <title>, meta description).

The guard, for the first request and every redirect:
- http and https only, no user name or password in the address;
- the host resolved with DNS and *every* address checked: no private, loopback, link-local,
  multicast, reserved, unspecified or shared (CGNAT) address, nor one of those wrapped in an
  IPv6 address (IPv4-mapped, 6to4, Teredo, NAT64);
- the connection goes to the address that was checked (Host and TLS SNI still carry the name),
  so a DNS answer that changes between the check and the connection (rebinding) cannot
  send the request elsewhere;
- redirects followed by hand, at most `MAX_REDIRECTS`, each checked the same way;
- `MAX_BYTES` read at most and `TIME_LIMIT` seconds for the whole fetch, redirects included;
- only text/html is parsed.

`LINKCARD_ALLOWED_LOCAL` (a setting, empty unless a test sets it) lists "address:port" pairs
the guard lets through although they are local: the tests' own page server, and nothing else.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from groundswell.core.text import clean_line

MAX_REDIRECTS = 3
MAX_BYTES = 1024 * 1024
TIME_LIMIT = 5.0
# Name lookups run here, so each has a time limit (`_resolve`): a few at once per worker.
_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="linkcard-dns")
TITLE_MAX = 300
DESCRIPTION_MAX = 1000
URL_MAX = 2000
USER_AGENT = "GroundswellLinkPreview/1.0 (+link cards for members' posts)"


class Refused(Exception):
    """The fetch was refused or failed; the message is short and safe to store."""


def _unwrapped(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The address and any IPv4 address it carries inside (mapped, 6to4, Teredo, NAT64)."""
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        if address in ipaddress.IPv6Network("64:ff9b::/96"):
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public(address: str) -> bool:
    """Whether an IP address is one the fetcher may connect to."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    for ip in _unwrapped(parsed):
        if (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
            or not ip.is_global
        ):
            return False
    return True


def _allowed_local(ip: str, port: int) -> bool:
    allowed = getattr(settings, "LINKCARD_ALLOWED_LOCAL", ()) or ()
    return f"{ip}:{port}" in allowed or f"[{ip}]:{port}" in allowed


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    ip: str


def _resolve(host: str, port: int, timeout: float) -> list[str]:
    """The host's addresses, within `timeout` seconds. The resolver has no time limit of its
    own (a slow DNS server could hold a worker for half a minute), so it runs in a thread
    that is waited for only so long; a late answer is dropped."""
    future = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        answers = future.result(timeout=max(timeout, 0.001))
    except FutureTimeout:
        # Not started yet (the threads are all waiting on slow names): it never will be, so
        # abandoned lookups do not pile up in front of the next ones.
        future.cancel()
        raise Refused("The site's name took too long to look up.") from None
    except (OSError, UnicodeError) as error:
        raise Refused("The host could not be found.") from error
    return [str(answer[4][0]) for answer in answers]


def check(url: str, *, timeout: float | None = None) -> Target:
    """The address to connect to for `url`, after the guard's checks; Refused otherwise.
    `timeout`: how long the host's name may take to resolve (default TIME_LIMIT)."""
    if len(url) > URL_MAX:
        raise Refused("The address is too long.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused("The address is not valid.") from error
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http and https links get a card.")
    if parts.username is not None or parts.password is not None:
        raise Refused("Addresses with a user name or password get no card.")
    host = parts.hostname
    if not host:
        raise Refused("The address has no host.")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port, TIME_LIMIT if timeout is None else timeout)
    if not addresses:
        raise Refused("The host could not be found.")
    for address in addresses:
        if not is_public(address) and not _allowed_local(address, port):
            raise Refused("The link points at a private or local address.")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, ip=addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; the Host header keeps the name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """Connects to the checked address; SNI and the certificate check use the name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._ip = target.ip

    def connect(self) -> None:
        raw = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Page:
    url: str  # where it ended, after redirects
    content_type: str
    charset: str
    body: bytes


def _left(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Refused("The site took too long to answer.")
    return remaining


def fetch(url: str, *, time_limit: float | None = None, max_bytes: int | None = None) -> Page:
    """GET `url` through the guard: the final page's first `max_bytes` (an HTML page's card
    is in its head), within `time_limit` seconds in all. Refused on anything else."""
    deadline = time.monotonic() + (TIME_LIMIT if time_limit is None else time_limit)
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    for _hop in range(MAX_REDIRECTS + 1):
        target = check(url, timeout=_left(deadline))
        kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
        connection = kind(target, timeout=_left(deadline))
        try:
            connection.request(
                "GET",
                target.path,
                headers={"User-Agent": USER_AGENT, "Accept": "text/html", "Accept-Encoding": "identity"},
            )
            if connection.sock is not None:
                connection.sock.settimeout(_left(deadline))
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location", "")
                if not location:
                    raise Refused("The site redirected nowhere.")
                url = urljoin(url, location.strip())
                continue
            if response.status != 200:
                raise Refused(f"The site answered {response.status}.")
            content_type = (response.getheader("Content-Type") or "").lower()
            media_type = content_type.split(";", 1)[0].strip()
            if media_type not in ("text/html", "application/xhtml+xml"):
                raise Refused("The link is not a web page.")
            charset = "utf-8"
            for part in content_type.split(";")[1:]:
                key, _, value = part.strip().partition("=")
                if key == "charset" and value:
                    charset = value.strip("\"' ")
            body = bytearray()
            while len(body) < max_bytes:
                if connection.sock is not None:
                    connection.sock.settimeout(_left(deadline))
                chunk = response.read1(min(65536, max_bytes - len(body)))
                if not chunk:
                    break
                body.extend(chunk)
                _left(deadline)
            return Page(url=url, content_type=media_type, charset=charset, body=bytes(body))
        except TimeoutError as error:
            raise Refused("The site took too long to answer.") from error
        except ssl.SSLError as error:
            raise Refused("The site's secure connection failed.") from error
        except (OSError, http.client.HTTPException) as error:
            raise Refused("The site could not be reached.") from error
        finally:
            connection.close()
    raise Refused("The link redirected too many times.")


# --- Reading the card ---------------------------------------------------------------------


class _CardParser(HTMLParser):
    """Collects <title> and the meta tags a card is made of (ignores everything else)."""

    WANTED = {
        "og:title",
        "og:description",
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:title",
        "twitter:description",
        "twitter:image",
        "description",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.title:
            self._in_title = True
        elif tag == "meta":
            named = {key: value or "" for key, value in attrs}
            key = (named.get("property") or named.get("name") or "").strip().lower()
            if key in self.WANTED and key not in self.meta:
                self.meta[key] = named.get("content", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and len(self.title) < 4 * TITLE_MAX:
            self.title += data


@dataclass(frozen=True)
class Card:
    title: str
    description: str
    image_url: str


def _cut(text: str, limit: int) -> str:
    text = clean_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe_url(value: str, base: str) -> str:
    if not value:
        return ""
    url = urljoin(base, clean_line(value))
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        return ""
    return url


def read_card(page: Page) -> Card:
    """The card from a fetched page: each field cleaned (one line, no controls or bidi
    overrides, cut to its column's length); the image only as an http(s) address."""
    try:
        text = page.body.decode(page.charset, errors="replace")
    except LookupError:
        text = page.body.decode("utf-8", errors="replace")
    parser = _CardParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):
        pass  # the stdlib parser gives up on some broken markup: keep what it had read
    meta = parser.meta
    title = meta.get("og:title") or meta.get("twitter:title") or parser.title
    description = meta.get("og:description") or meta.get("twitter:description") or meta.get("description", "")
    image = (
        meta.get("og:image:secure_url")
        or meta.get("og:image")
        or meta.get("og:image:url")
        or meta.get("twitter:image", "")
    )
    return Card(
        title=_cut(title, TITLE_MAX),
        description=_cut(description, DESCRIPTION_MAX),
        image_url=_safe_url(image, page.url),
    )
