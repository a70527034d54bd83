"""Writes during reads: members liking and unliking bookmarks, following and
unfollowing each other and posting comments, and buyers checking out, at a steady
rate, over HTTP against the gunicorn under test — so cache invalidation runs as it
does under real traffic while wrk loads anonymous pages.

    python -m bench.writer PLAN.json [--seconds N]

prints `ready` once its threads run, writes until stdin closes (or N seconds pass),
undoes the likes and follows it left half-done, and prints one JSON line of figures
(`WriterFigures.as_dict`). bench/run.py drives it around each "(during writes)" row
through `WriterProcess`; `build_plan` (needs Django) makes the plan.

Each writer is a thread with its own logged-in member session, CSRF token and
keep-alive connection, sending what the site's own pages send:

- member writers (10 by default, one write every 2 s each, staggered: 5 writes/s in
  total) cycle like → follow → comment → unlike → unfollow: per second 2 like changes,
  2 follow changes and 1 comment (pending moderation, as every new comment);
- buyers (2 by default, one checkout every 2 s each: 1 checkout/s): add to cart, then
  the checkout form — a pending order that reserves stock, as a real checkout before
  payment.

Several writers with long periods rather than one fast one: a write may wait behind
the reads wrk sends (up to the period) without lowering the rate. A writer that falls
further behind does not burst to catch up: the achieved rate is reported, not forced,
next to what the schedule called for.
The `messages` cookie is dropped, as if the visitor read the message on the next page
(the writers load no pages).
"""

from __future__ import annotations

import argparse
import http.client
import json
import select
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

SOCIAL_CYCLE = ("like", "follow", "comment", "unlike", "unfollow")
COMMENT_EMAIL_DOMAIN = "bench-writer.example"
MAX_ERROR_SAMPLES = 10


# --- the plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """A logged-in visitor as the server knows it: its cookies, incl. csrftoken."""

    username: str
    cookies: dict[str, str]


@dataclass(frozen=True)
class SocialWriter:
    session: Session
    bookmark_ids: list[int]  # bookmarks this member does not like yet
    member_ids: list[int]  # members this member does not follow yet


@dataclass(frozen=True)
class Plan:
    base_url: str
    social: list[SocialWriter]
    buyers: list[Session]
    post_paths: list[str]
    product_ids: list[int]
    writes_per_s: float = 5.0
    checkouts_per_s: float = 1.0
    host: str = "127.0.0.1"

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        buyers = data.pop("buyers")
        social = data.pop("social")
        return cls(
            **data,
            buyers=[Session(**buyer) for buyer in buyers],
            social=[
                SocialWriter(
                    session=Session(**w["session"]),
                    bookmark_ids=w["bookmark_ids"],
                    member_ids=w["member_ids"],
                )
                for w in social
            ],
        )


# --- the requests ------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One POST as the site's pages send it, and how to tell it worked."""

    kind: str
    path: str
    fields: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200  # the answer that means success
    location: str | None = None  # for redirects: the Location must start with this
    json_ok: bool = False  # the body is JSON with "status": "ok"

    def check(self, status: int, location: str | None, body: bytes) -> str | None:
        """None when the answer means success, else what was wrong."""
        if status != self.status:
            return f"{self.kind}: HTTP {status} (expected {self.status})"
        if self.location is not None and not (location or "").startswith(self.location):
            return f"{self.kind}: redirected to {location!r}"
        if self.json_ok:
            try:
                ok = json.loads(body).get("status") == "ok"
            except ValueError:
                ok = False
            if not ok:
                return f"{self.kind}: {body[:200]!r}"
        return None


_JSON = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}


def like(bookmark_id: int, *, undo: bool = False) -> Write:
    """gallery.js's like button."""
    action = "unlike" if undo else "like"
    return Write(
        kind=action,
        path="/gallery/like/",
        fields={"id": str(bookmark_id), "action": action},
        headers=_JSON,
        json_ok=True,
    )


def follow(member_id: int, *, undo: bool = False) -> Write:
    """follow.js's follow button."""
    action = "unfollow" if undo else "follow"
    return Write(
        kind=action,
        path="/people/follow/",
        fields={"id": str(member_id), "action": action},
        headers=_JSON,
        json_ok=True,
    )


def comment(post_path: str, *, username: str, number: int) -> Write:
    """The comment form of a post (answers a redirect back to the comments)."""
    return Write(
        kind="comment",
        path=post_path,
        fields={
            "comment-name": username,
            "comment-email": f"{username}@{COMMENT_EMAIL_DOMAIN}",
            "comment-body": f"Comment {number} from the bench writer.",
            "comment-website": "",
        },
        status=302,
        location=post_path,
    )


def cart_add(product_id: int) -> Write:
    """The product page's add-to-cart form (success redirects to the cart)."""
    return Write(
        kind="cart-add",
        path=f"/cart/add/{product_id}/",
        fields={"quantity": "1"},
        status=302,
        location="/cart/",
    )


def checkout(*, username: str, number: int) -> Write:
    """The checkout form (success redirects to payment; trouble back to the cart)."""
    return Write(
        kind="checkout",
        path="/orders/create/",
        fields={
            "first_name": "Bench",
            "last_name": f"Buyer {number}",
            "email": f"{username}@{COMMENT_EMAIL_DOMAIN}",
            "address": "1 Bench Street",
            "postal_code": "10000",
            "city": "Benchville",
            "token": str(uuid.uuid4()),
        },
        status=302,
        location="/payment/process/",
    )


def social_write(writer: SocialWriter, number: int, post_paths: list[str]) -> Write:
    """The member's `number`-th write: like → follow → comment → unlike → unfollow,
    each like and follow undone three writes later, on the next target each cycle."""
    kind = SOCIAL_CYCLE[number % len(SOCIAL_CYCLE)]
    cycle = number // len(SOCIAL_CYCLE)
    bookmark = writer.bookmark_ids[cycle % len(writer.bookmark_ids)]
    member = writer.member_ids[cycle % len(writer.member_ids)]
    if kind in ("like", "unlike"):
        return like(bookmark, undo=kind == "unlike")
    if kind in ("follow", "unfollow"):
        return follow(member, undo=kind == "unfollow")
    post = post_paths[cycle % len(post_paths)]
    return comment(post, username=writer.session.username, number=number)


# --- HTTP --------------------------------------------------------------------------


class Browser:
    """One visitor over one keep-alive HTTP/1.1 connection, keeping its cookies."""

    def __init__(self, base_url: str, session: Session, *, host: str, timeout=30.0):
        parts = urlsplit(base_url)
        self.address = (parts.hostname, parts.port or 80)
        self.host = host
        self.timeout = timeout
        self.cookies = dict(session.cookies)
        self.connection: http.client.HTTPConnection | None = None

    def request_headers(self, write: Write) -> dict[str, str]:
        return {
            "Host": self.host,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **write.headers,
        }

    def send(self, write: Write) -> tuple[int, str | None, bytes]:
        """POST it; retry once on a fresh connection if a kept-alive one was closed
        before answering (as HTTP clients do)."""
        body = urlencode(write.fields)
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    *self.address, timeout=self.timeout
                )
            try:
                self.connection.request(
                    "POST", write.path, body=body, headers=self.request_headers(write)
                )
                response = self.connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError) as exc:
                self.close()
                if reused and attempt == 1:
                    continue
                raise OSError(f"{write.kind}: {exc!r}") from exc
            except (OSError, http.client.HTTPException):
                self.close()
                raise
            self.remember(response.headers.get_all("Set-Cookie") or [])
            if response.will_close:
                self.close()
            return response.status, response.headers.get("Location"), content
        raise AssertionError("unreachable")

    def remember(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                gone = not morsel.value or morsel["max-age"] in ("0", 0)
                if name == "messages" or gone:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# --- figures -----------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Tally:
    """Thread-safe counts and latencies per kind of write."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ok: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.latencies_ms: dict[str, list[float]] = {}
        self.samples: list[str] = []

    def record(self, kind: str, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.latencies_ms.setdefault(kind, []).append(seconds * 1000)
            if problem is None:
                self.ok[kind] = self.ok.get(kind, 0) + 1
            else:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                if len(self.samples) < MAX_ERROR_SAMPLES:
                    self.samples.append(problem)

    def by_kind(self) -> dict[str, dict[str, float]]:
        kinds = sorted(set(self.ok) | set(self.errors))
        result = {}
        for kind in kinds:
            latencies = self.latencies_ms.get(kind, [])
            result[kind] = {
                "ok": self.ok.get(kind, 0),
                "errors": self.errors.get(kind, 0),
                "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
                "p95_ms": round(_percentile(latencies, 95), 1) if latencies else 0,
            }
        return result


@dataclass(frozen=True)
class WriterFigures:
    seconds: float
    writes: int  # member writes that succeeded (likes, follows, comments)
    checkouts: int  # add to cart + checkout that both succeeded
    errors: int  # requests that failed or answered unexpectedly
    target_writes_per_s: float
    target_checkouts_per_s: float
    # What the schedule called for in `seconds` (the rates above cannot say it for a
    # short run: 3 s at one checkout every 2 s per buyer is 1 or 2 per buyer).
    scheduled_writes: int = 0
    scheduled_checkouts: int = 0
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    cleanup_errors: int = 0

    @property
    def writes_per_s(self) -> float:
        return self.writes / self.seconds if self.seconds else 0.0

    @property
    def checkouts_per_s(self) -> float:
        return self.checkouts / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "writes_per_s": round(self.writes_per_s, 2),
            "checkouts_per_s": round(self.checkouts_per_s, 2),
        }

    @classmethod
    def from_dict(cls, data: dict) -> WriterFigures:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


# --- running -----------------------------------------------------------------------


def _slots(seconds: float, period: float, offset: float, limit: int | None) -> int:
    """How many steps `_paced` schedules in `seconds` (none late)."""
    steps = 0 if seconds < offset else int((seconds - offset) // period) + 1
    return steps if limit is None else min(steps, limit)


def _paced(
    stop: threading.Event,
    period: float,
    offset: float,
    start: float,
    limit: int | None = None,
):
    """Yield 0, 1, 2, … at start + offset + n × period until `stop` (or `limit`
    steps); never bursts: after a late step the next one is due one period after it,
    not at once."""
    due = start + offset
    number = 0
    while limit is None or number < limit:
        wait = due - time.monotonic()
        if wait > 0 and stop.wait(wait):
            return
        if stop.is_set():
            return
        yield number
        number += 1
        due = max(due + period, time.monotonic())


class Writers:
    """All writer threads of a plan; `start()`, then `stop()` returns the figures."""

    def __init__(self, plan: Plan, *, limit: int | None = None):
        self.plan = plan
        self.limit = limit  # writes per writer, then it stops (tests, --count)
        self.stop_event = threading.Event()
        self.tally = Tally()
        self.cleanup = Tally()
        self.threads: list[threading.Thread] = []
        self.started = 0.0
        self.checkouts = 0

    def _do(self, browser: Browser, write: Write, tally: Tally) -> bool:
        began = time.monotonic()
        try:
            status, location, body = browser.send(write)
            problem = write.check(status, location, body)
        except Exception as exc:  # counted and sampled; the writer goes on
            problem = f"{write.kind}: {type(exc).__name__}: {exc}"
        tally.record(write.kind, time.monotonic() - began, problem)
        return problem is None

    def _social(self, index: int, writer: SocialWriter) -> None:
        plan = self.plan
        browser = Browser(plan.base_url, writer.session, host=plan.host)
        undo: dict[tuple[str, int], Write] = {}  # likes/follows not undone yet
        period = len(plan.social) / plan.writes_per_s
        try:
            for number in _paced(
                self.stop_event,
                period,
                index / plan.writes_per_s,
                self.started,
                self.limit,
            ):
                write = social_write(writer, number, plan.post_paths)
                target = int(write.fields.get("id", 0))
                if self._do(browser, write, self.tally):
                    if write.kind == "like":
                        undo[("like", target)] = like(target, undo=True)
                    elif write.kind == "follow":
                        undo[("follow", target)] = follow(target, undo=True)
                if write.kind in ("unlike", "unfollow"):
                    kind = "like" if write.kind == "unlike" else "follow"
                    undo.pop((kind, target), None)
            for write in undo.values():  # leave the data as it was
                self._do(browser, write, self.cleanup)
        finally:
            browser.close()

    def _buyer(self, index: int, buyer: Session) -> None:
        plan = self.plan
        browser = Browser(plan.base_url, buyer, host=plan.host)
        products = plan.product_ids
        period = len(plan.buyers) / plan.checkouts_per_s
        offset = (index + 0.5) / plan.checkouts_per_s
        try:
            for number in _paced(
                self.stop_event, period, offset, self.started, self.limit
            ):
                product = products[(number * len(plan.buyers) + index) % len(products)]
                added = self._do(browser, cart_add(product), self.tally)
                buy = checkout(username=buyer.username, number=number)
                if added and self._do(browser, buy, self.tally):
                    with self.tally.lock:
                        self.checkouts += 1
        finally:
            browser.close()

    def start(self) -> None:
        plan = self.plan
        self.started = time.monotonic()
        if plan.writes_per_s > 0:
            for index, writer in enumerate(plan.social):
                self.threads.append(
                    threading.Thread(
                        target=self._social, args=(index, writer), daemon=True
                    )
                )
        if plan.product_ids and plan.checkouts_per_s > 0:
            for index, buyer in enumerate(plan.buyers):
                self.threads.append(
                    threading.Thread(
                        target=self._buyer, args=(index, buyer), daemon=True
                    )
                )
        for thread in self.threads:
            thread.start()

    def join(self, timeout: float = 60) -> None:
        """Wait for the writers to finish on their own (with `limit`)."""
        for thread in self.threads:
            thread.join(timeout=timeout)

    def scheduled(self, seconds: float) -> tuple[int, int]:
        """Writes and checkouts the schedule calls for in `seconds`."""
        plan, limit = self.plan, self.limit
        writes = checkouts = 0
        if plan.writes_per_s > 0:
            period = len(plan.social) / plan.writes_per_s
            writes = sum(
                _slots(seconds, period, i / plan.writes_per_s, limit)
                for i in range(len(plan.social))
            )
        if plan.checkouts_per_s > 0 and plan.product_ids:
            period = len(plan.buyers) / plan.checkouts_per_s
            checkouts = sum(
                _slots(seconds, period, (i + 0.5) / plan.checkouts_per_s, limit)
                for i in range(len(plan.buyers))
            )
        return writes, checkouts

    def stop(self) -> WriterFigures:
        seconds = time.monotonic() - self.started
        self.stop_event.set()
        self.join()
        ok = self.tally.ok
        scheduled_writes, scheduled_checkouts = self.scheduled(seconds)
        return WriterFigures(
            seconds=round(seconds, 2),
            writes=sum(ok.get(kind, 0) for kind in SOCIAL_CYCLE),
            checkouts=self.checkouts,
            errors=sum(self.tally.errors.values()),
            target_writes_per_s=self.plan.writes_per_s if self.plan.social else 0,
            target_checkouts_per_s=self.plan.checkouts_per_s
            if self.plan.buyers and self.plan.product_ids
            else 0,
            scheduled_writes=scheduled_writes,
            scheduled_checkouts=scheduled_checkouts,
            by_kind=self.tally.by_kind(),
            error_samples=list(self.tally.samples),
            cleanup_errors=sum(self.cleanup.errors.values()),
        )


class WriterProcess:
    """`with WriterProcess(plan_path) as writer:` writes while the block runs;
    `writer.figures` afterwards. A process of its own, so its work is not mixed with
    the runner's (which runs Django in-process) and it can be used on its own."""

    def __init__(self, plan_path: Path, *, startup_timeout_s: float = 30):
        self.plan_path = plan_path
        self.startup_timeout_s = startup_timeout_s
        self.process: subprocess.Popen | None = None
        self.figures: WriterFigures | None = None

    def __enter__(self) -> WriterProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.writer", str(self.plan_path)],
            cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready, _, _ = select.select(
            [self.process.stdout], [], [], self.startup_timeout_s
        )
        line = self.process.stdout.readline() if ready else ""
        if line.strip() != "ready":
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"bench.writer did not start: {line!r}")
        return self

    def __exit__(self, *exc_info) -> None:
        out, _ = self.process.communicate(input="", timeout=120)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if self.process.returncode != 0 or not lines:
            raise RuntimeError(
                f"bench.writer failed ({self.process.returncode}): {out}"
            )
        self.figures = WriterFigures.from_dict(json.loads(lines[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plan", type=Path, help="the plan as JSON (Plan.to_json)")
    parser.add_argument(
        "--seconds", type=float, help="stop after N seconds instead of at stdin EOF"
    )
    parser.add_argument(
        "--count", type=int, help="stop after N writes per writer (then undo)"
    )
    args = parser.parse_args(argv)
    writers = Writers(Plan.from_json(args.plan.read_text()), limit=args.count)
    writers.start()
    print("ready", flush=True)
    if args.count:
        writers.join(timeout=args.seconds or 3600)
    elif args.seconds:
        time.sleep(args.seconds)
    else:
        sys.stdin.read()  # the runner closes stdin to stop us
    print(json.dumps(writers.stop().as_dict()), flush=True)
    return 0


# --- the plan from the seeded data (Django set up) ---------------------------------


def build_plan(
    base_url: str,
    *,
    writers: int = 10,
    buyers: int = 2,
    writes_per_s: float = 5.0,
    checkouts_per_s: float = 1.0,
) -> Plan:
    """Writers among the seeded members (not the logged-in reader or the member whose
    page is loaded), writing to what the loaded pages show: the loaded post, bookmark
    and product, the newest posts, the first gallery and shop pages, the popular
    bookmarks, the reader and the visited member."""
    from django.contrib.auth import get_user_model

    from accounts.bench_seed import bench_members
    from accounts.models import Contact
    from blog.bench_seed import SLUG_PREFIX
    from blog.models import BlogPage
    from gallery import selectors as gallery_selectors
    from gallery.models import Bookmark
    from shop import selectors as shop_selectors
    from shop.models import Product

    from . import targets
    from .inprocess import bench_client

    User = get_user_model()
    people = [targets.MEMBER, targets.OTHER_MEMBER]
    names = list(
        bench_members()
        .exclude(username__in=people)
        .order_by("id")
        .values_list("username", flat=True)[: writers + buyers]
    )
    if len(names) < writers + buyers:
        raise RuntimeError(f"the writers need {writers + buyers} seeded bench members")
    bookmarks = list(
        dict.fromkeys(
            [
                targets.bookmark().pk,
                *gallery_selectors.bookmark_list()[:12].values_list("pk", flat=True),
                *(b.pk for b in gallery_selectors.bookmark_popular(limit=6)),
            ]
        )
    )
    # The reader and the visited member first (their pages show follows), then others.
    candidates = list(
        User.objects.filter(username__in=people)
        .order_by("username")
        .values_list("pk", flat=True)
    ) + list(
        bench_members()
        .exclude(username__in=people + names)
        .order_by("id")
        .values_list("pk", flat=True)[:20]
    )
    posts = list(
        dict.fromkeys(
            [
                targets.post_path(),
                *(
                    p.url
                    for p in BlogPage.objects.live()
                    .filter(slug__startswith=SLUG_PREFIX)
                    .order_by("-date", "-pk")[:3]
                ),
            ]
        )
    )
    products = list(
        dict.fromkeys(
            [
                targets.product().pk,
                *shop_selectors.product_list()[:5].values_list("pk", flat=True),
                *(p.pk for p in shop_selectors.featured_products()),
            ]
        )
    )
    # Only what can be bought: a product sold out (e.g. the checkout race's, left at
    # stock 0 by the measurement) would send every add-to-cart back to its page.
    in_stock = set(
        Product.objects.filter(pk__in=products, stock__gt=0).values_list(
            "pk", flat=True
        )
    )
    products = [pk for pk in products if pk in in_stock]

    def session(username: str) -> Session:
        visitor = targets.Target(name=username, path="/", login=username, csrf=True)
        client = bench_client(visitor)
        return Session(username, {k: m.value for k, m in client.cookies.items()})

    social = []
    for name in names[:writers]:
        user = User.objects.get(username=name)
        liked = set(
            Bookmark.objects.filter(users_like=user).values_list("pk", flat=True)
        )
        following = set(
            Contact.objects.filter(user_from=user).values_list("user_to_id", flat=True)
        )
        writer = SocialWriter(
            session=session(name),
            bookmark_ids=[b for b in bookmarks if b not in liked],
            member_ids=[m for m in candidates if m not in following and m != user.pk],
        )
        if not (writer.bookmark_ids and writer.member_ids):
            raise RuntimeError(f"{name} already likes or follows every candidate")
        social.append(writer)
    return Plan(
        base_url=base_url,
        social=social,
        buyers=[session(name) for name in names[writers:]],
        post_paths=posts,
        product_ids=products,
        writes_per_s=writes_per_s,
        checkouts_per_s=checkouts_per_s,
    )


if __name__ == "__main__":
    sys.exit(main())
