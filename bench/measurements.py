"""In-process measurements (not HTTP pages): a registry the runner works through.

Each measurement is a function decorated with `@measurement`; it runs with Django set
up under the bench settings and returns a `Measured`: search at 10k and 100k posts
(and the raw tsvector query on the same rows, and EXPLAIN), invoice PDFs, the CSV
export of 100,000 orders, the Celery mail drain into a local SMTP sink, and the
checkout race against gunicorn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .timing import Stopwatch, measure_memory, time_repeated


@dataclass(frozen=True)
class Measured:
    name: str
    figures: dict[str, float]  # e.g. {"p50_ms": 3.1, "p95_ms": 4.0}
    target: str = ""  # human-readable, e.g. "p95 ≤ 50 ms"
    passed: bool | None = None  # None: no target
    note: str = ""


MEASUREMENTS: list[Callable[[bool], Measured]] = []


def measurement(fn: Callable[[bool], Measured]) -> Callable[[bool], Measured]:
    """Register fn(quick) -> Measured; `quick` asks for fewer repetitions."""
    MEASUREMENTS.append(fn)
    return fn


@dataclass
class Collected:
    results: list[Measured] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_all(*, quick: bool = False, only: set[str] | None = None) -> Collected:
    """Run every registered measurement; one failing does not stop the others."""
    collected = Collected()
    for fn in MEASUREMENTS:
        if only and fn.__name__ not in only:
            continue
        try:
            collected.results.append(fn(quick))
        except Exception as exc:  # noqa: BLE001 - reported in the results, run goes on
            collected.errors.append(f"{fn.__name__}: {type(exc).__name__}: {exc}")
    return collected


# --- search ------------------------------------------------------------------------

SEARCH_WORDS = {"common": "django", "rare": "xylophone"}
POSTS_100K = 100_000
GIN_INDEX = "search_indexentry_title_body_gin"


def _seed_command():
    import sys

    from django.core.management.base import OutputWrapper

    from core.management.commands.seed_bench import Command

    command = Command()
    command.stdout = OutputWrapper(sys.stdout)
    return command


def _post_count() -> int:
    from blog.bench_seed import SLUG_PREFIX
    from blog.models import BlogPage

    return BlogPage.objects.filter(slug__startswith=SLUG_PREFIX).count()


def raw_search(word: str) -> tuple[int, list]:
    """The posts search as bare SQL on the same index rows: count + ranked top 10."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from blog.models import BlogPage

    ct = ContentType.objects.get_for_model(BlogPage).pk
    match = (
        "FROM wagtailsearch_indexentry WHERE content_type_id = %s "
        "AND (title || body) @@ plainto_tsquery('english', %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {match}", [ct, word])  # noqa: S608
        count = cursor.fetchone()[0]
        cursor.execute(
            "SELECT object_id, ts_rank(title || body, plainto_tsquery('english', %s)) "
            f"AS rank {match} ORDER BY rank DESC LIMIT 10",  # noqa: S608
            [word, ct, word],
        )
        return count, cursor.fetchall()


def search_plan(word: str) -> str:
    """EXPLAIN of the SQL the posts search runs (the statement with the @@ filter)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.selectors import site_search

    with CaptureQueriesContext(connection) as captured:
        site_search(word, kind="posts")
    statements = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + statements[-1])
        return "\n".join(row[0] for row in cursor.fetchall())


def uses_search_index(plan: str) -> bool:
    return GIN_INDEX in plan and "Seq Scan on wagtailsearch_indexentry" not in plan


def _search_figures(quick: bool, label: str) -> tuple[dict, dict]:
    """Per word: the site's posts search and the raw query, p50/p95 in ms."""
    from search.selectors import site_search

    repeat = 10 if quick else 50
    figures, plans = {}, {}
    for kind, word in SEARCH_WORDS.items():
        site = time_repeated(lambda w=word: site_search(w, kind="posts"), repeat=repeat)
        raw = time_repeated(lambda w=word: raw_search(w), repeat=repeat)
        count, _ = raw_search(word)
        figures[f"{kind}_p50_ms"] = round(site.p50_ms, 2)
        figures[f"{kind}_p95_ms"] = round(site.p95_ms, 2)
        figures[f"{kind}_raw_p50_ms"] = round(raw.p50_ms, 2)
        figures[f"{kind}_raw_p95_ms"] = round(raw.p95_ms, 2)
        figures[f"{kind}_matches"] = count
        plans[kind] = search_plan(word)
    figures["posts"] = _post_count()
    figures["index_scan"] = int(all(uses_search_index(p) for p in plans.values()))
    return figures, plans


def _ratio_to_raw(figures: dict, kind: str) -> float:
    return figures[f"{kind}_p95_ms"] / max(figures[f"{kind}_raw_p95_ms"], 0.001)


@measurement
def search_10k_posts(quick: bool) -> Measured:
    """The site's posts search (count + first page with snippets), in-process."""
    figures, plans = _search_figures(quick, "10k")
    p95 = max(figures[f"{k}_p95_ms"] for k in SEARCH_WORDS)
    return Measured(
        name=f"search posts at {figures['posts']:,} posts",
        figures=figures,
        target="p95 ≤ 50 ms; EXPLAIN uses the GIN index",
        passed=p95 <= 50 and bool(figures["index_scan"]),
        note=f"words {SEARCH_WORDS}; plan (common): "
        + " / ".join(line.strip() for line in plans["common"].splitlines()[:6]),
    )


@measurement
def search_100k_posts(quick: bool) -> Measured:
    """The same at 100k posts: 90k more posts seeded and indexed inside a transaction
    that is rolled back afterwards, so the bench database stays at its scale."""
    from django.db import connection, transaction

    from blog import bench_seed

    class Rollback(Exception):
        pass

    result: dict = {}
    try:
        with transaction.atomic():
            have = _post_count()
            if have < POSTS_100K:
                command = _seed_command()
                index = bench_seed.blog_index()
                images = bench_seed.shared_images(
                    "Bench cover", bench_seed.CARD_RENDITIONS
                )
                bench_seed.insert_posts(
                    command, index, have, POSTS_100K, images, bench_seed.tag_pool()
                )
                bench_seed.index_posts(command)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE wagtailsearch_indexentry")
            result["figures"], result["plans"] = _search_figures(quick, "100k")
            raise Rollback
    except Rollback:
        pass
    figures, plans = result["figures"], result["plans"]
    p95 = max(figures[f"{k}_p95_ms"] for k in SEARCH_WORDS)
    for kind in SEARCH_WORDS:
        figures[f"{kind}_ratio_to_raw"] = round(_ratio_to_raw(figures, kind), 2)
    # The ratio is for the common word: the work that grows with the
    # matches. A rare word's page is dominated by fixed costs the raw query does
    # not have (promotions, view restrictions, ten rows, their snippets).
    ratio = figures["common_ratio_to_raw"]
    return Measured(
        name=f"search posts at {figures['posts']:,} posts",
        figures=figures,
        target="p95 ≤ 150 ms, common word ≤ 5× raw tsvector query, index scan",
        passed=p95 <= 150 and ratio <= 5 and bool(figures["index_scan"]),
        note="plan (rare): "
        + " / ".join(line.strip() for line in plans["rare"].splitlines()[:6]),
    )


MISSPELLING = "wagtial"  # "Wagtail" is in one post title in 50 (blog/bench_seed.py)
FUZZY_THRESHOLD = 0.3  # search.selectors.FUZZY_THRESHOLD, repeated for the raw query


def raw_fuzzy_search(word: str) -> list:
    """The posts typo fallback as bare SQL: live posts whose title has a word like
    `word` (pg_trgm word similarity ≥ 0.3, the indexable `<%` operator), closest
    ten first."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(FUZZY_THRESHOLD)],
        )
        cursor.execute(
            "SELECT p.id FROM wagtailcore_page p "
            "JOIN blog_blogpage b ON b.page_ptr_id = p.id "
            "WHERE p.live AND %s <%% p.title "
            "ORDER BY strict_word_similarity(%s, p.title) DESC, p.id LIMIT 10",
            [word, word],
        )
        return cursor.fetchall()


def fuzzy_plan(word: str) -> str:
    """EXPLAIN of the posts typo-fallback statement, run after the statements that
    set its session state (the similarity threshold), as the site runs it."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from search.selectors import site_search

    with CaptureQueriesContext(connection) as captured:
        site_search(word, kind="posts")
    statements = [q["sql"] for q in captured.captured_queries]
    fuzzy = [sql for sql in statements if "word_similarity(" in sql.lower()]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            if "set_config" in sql:
                cursor.execute(sql)
        cursor.execute("EXPLAIN " + fuzzy[-1])
        return "\n".join(row[0] for row in cursor.fetchall())


def uses_trigram_index(plan: str) -> bool:
    return "_trgm" in plan and "Seq Scan on wagtailcore_page" not in plan


@measurement
def search_misspelling_10k_posts(quick: bool) -> Measured:
    """`/search/?q=wagtial` in-process: every kind ranks nothing, so the typo
    fallback runs over posts, products and bookmarks and suggests "wagtail" (the
    target); the same for posts alone (`&kind=posts`), and the raw query."""
    from search.selectors import site_search

    repeat = 10 if quick else 50
    site = time_repeated(lambda: site_search(MISSPELLING), repeat=repeat)
    posts = time_repeated(lambda: site_search(MISSPELLING, kind="posts"), repeat=repeat)
    raw = time_repeated(lambda: raw_fuzzy_search(MISSPELLING), repeat=repeat)
    outcome = site_search(MISSPELLING)
    plan = fuzzy_plan(MISSPELLING)
    figures = {
        "p50_ms": round(site.p50_ms, 2),
        "p95_ms": round(site.p95_ms, 2),
        "posts_only_p50_ms": round(posts.p50_ms, 2),
        "posts_only_p95_ms": round(posts.p95_ms, 2),
        "raw_posts_p50_ms": round(raw.p50_ms, 2),
        "raw_posts_p95_ms": round(raw.p95_ms, 2),
        "fuzzy": int(outcome.fuzzy),
        "hits": sum(len(g.hits) for g in outcome.groups),
        "posts": _post_count(),
        "trigram_index": int(uses_trigram_index(plan)),
    }
    return Measured(
        name=f"search misspelling at {figures['posts']:,} posts",
        figures=figures,
        target="p95 ≤ 100 ms; EXPLAIN uses a trigram index",
        passed=figures["p95_ms"] <= 100 and bool(figures["trigram_index"]),
        note=f"q={MISSPELLING!r}, suggestion {outcome.suggestion!r}; plan (posts): "
        + " / ".join(line.strip() for line in plan.splitlines()[:8]),
    )


# --- invoices, CSV export ----------------------------------------------------------


def _order_with_items(count: int):
    from decimal import Decimal

    from orders.models import Order, OrderItem
    from shop.bench_seed import bench_products

    order = Order.objects.create(
        first_name="Invoice",
        last_name="Bench",
        email="invoice@bench-measure.example",
        address="1 Bench Street",
        postal_code="10000",
        city="Benchville",
        total=Decimal("0.00"),
    )
    products = list(bench_products().order_by("pk")[:count])
    OrderItem.objects.bulk_create(
        [
            OrderItem(
                order=order, product=p, product_name=p.name, price=p.price, quantity=2
            )
            for p in products
        ]
    )
    return Order.objects.prefetch_related("items").get(pk=order.pk)


@measurement
def invoice_pdf(quick: bool) -> Measured:
    """WeasyPrint invoice for a 5-item and a 100-item order (rolled back after)."""
    from django.db import transaction

    from orders.services.invoice import invoice_render_pdf

    figures = {}
    with transaction.atomic():
        for items in (5, 100):
            order = _order_with_items(items)
            timings = time_repeated(
                lambda o=order: invoice_render_pdf(order=o),
                repeat=5 if quick else 20,
                warmup=2,
            )
            figures[f"items_{items}_p50_ms"] = round(timings.p50_ms, 1)
            figures[f"items_{items}_p95_ms"] = round(timings.p95_ms, 1)
        transaction.set_rollback(True)
    return Measured(
        name="invoice PDF render",
        figures=figures,
        target="p50 ≤ 150 ms for 5 items",
        passed=figures["items_5_p50_ms"] <= 150,
    )


@measurement
def csv_export(quick: bool) -> Measured:
    """The staff export's streaming generator over every order, consumed like the
    response would be: rows/s (no tracemalloc), then peak RSS growth."""
    from orders.exports import order_rows, stream_csv
    from orders.models import Order

    def export() -> int:
        size = 0
        for chunk in stream_csv(order_rows(Order.objects.all())):
            size += len(chunk)
        return size

    orders = Order.objects.count()
    with Stopwatch() as watch:
        size = export()
    memory = measure_memory(export, trace=False)
    rows_per_s = orders / watch.seconds
    growth = memory.peak_rss_growth_mb
    return Measured(
        name=f"CSV export of {orders:,} orders",
        figures={
            "orders": orders,
            "seconds": round(watch.seconds, 2),
            "rows_per_s": round(rows_per_s),
            "peak_rss_growth_mb": round(growth, 1),
            "megabytes": round(size / 1e6, 1),
        },
        target="≥ 20,000 rows/s, peak RSS growth ≤ 50 MB",
        passed=rows_per_s >= 20_000 and growth <= 50,
    )


# --- Celery mail drain -------------------------------------------------------------

DRAIN_MAILS = 1000
DRAIN_DOMAIN = "@bench-drain.example"


def _worker(env: dict, log_path):
    import subprocess
    import sys

    from .server import BASE_DIR

    log = open(log_path, "w")  # noqa: SIM115 - closed by the caller via the process
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mysite",
            "worker",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process, log


def _wait_for_log(path, text: str, timeout: float) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return True
        time.sleep(0.2)
    return False


@measurement
def celery_mail_drain(quick: bool) -> Measured:
    """1,000 confirmation mails through `celery worker --concurrency 2` (production
    settings) into a local SMTP server; timed from the first enqueue to the last
    message received."""
    import os
    import signal
    import tempfile
    from pathlib import Path

    from mysite.celery import app
    from orders.models import Order
    from orders.tasks import order_confirmation_send

    from .smtp_sink import SmtpSink

    count = 100 if quick else DRAIN_MAILS
    Order.objects.filter(email__endswith=DRAIN_DOMAIN).delete()
    orders = Order.objects.bulk_create(
        [
            Order(
                first_name="Drain",
                last_name=f"Bench {n}",
                email=f"drain{n}{DRAIN_DOMAIN}",
                address="1 Bench Street",
                postal_code="10000",
                city="Benchville",
            )
            for n in range(count)
        ]
    )
    app.control.purge()
    log_path = Path(tempfile.mkdtemp(prefix="bench-celery-")) / "worker.log"
    try:
        with SmtpSink() as sink:
            env = dict(os.environ, EMAIL_URL=f"smtp://127.0.0.1:{sink.port}")
            process, log = _worker(env, log_path)
            try:
                if not _wait_for_log(log_path, "ready.", timeout=60):
                    raise RuntimeError(f"worker not ready:\n{log_path.read_text()}")
                with Stopwatch() as watch:
                    for order in orders:
                        order_confirmation_send.delay(order.pk)
                    drained = sink.wait_for(count, timeout=120)
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
                log.close()
            received = sink.count
        sent = Order.objects.filter(
            email__endswith=DRAIN_DOMAIN, confirmation_sent_at__isnull=False
        ).count()
    finally:
        Order.objects.filter(email__endswith=DRAIN_DOMAIN).delete()
    seconds = watch.seconds
    return Measured(
        name=f"Celery: {count:,} order confirmation mails, 2 worker processes",
        figures={
            "mails": count,
            "received": received,
            "marked_sent": sent,
            "seconds": round(seconds, 2),
            "mails_per_s": round(received / seconds, 1),
        },
        target=f"{count:,} mails in ≤ 20 s",
        passed=drained and received == count and seconds <= 20,
    )


# --- checkout race -----------------------------------------------------------------

RACE_CLIENTS = 200
RACE_STOCK = 50


class _Http:
    """One visitor over HTTP/1.1: its own cookies (session, CSRF)."""

    def __init__(self, base_url: str):
        import secrets
        from urllib.parse import urlsplit

        self.host, self.port = urlsplit(base_url).hostname, urlsplit(base_url).port
        self.csrf = secrets.token_hex(16)
        self.cookies = {"csrftoken": self.csrf}

    def post(self, path: str, fields: dict) -> int:
        import http.client
        from urllib.parse import urlencode

        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(
                "POST",
                path,
                body=urlencode(fields),
                headers={
                    "Host": "127.0.0.1",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": self.csrf,
                    "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                },
            )
            response = connection.getresponse()
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status
        finally:
            connection.close()


@measurement
def checkout_race(quick: bool) -> Measured:
    """200 visitors, each with the same product in their own session's cart, submit
    the checkout form at once against gunicorn; stock 50 must give exactly 50 orders
    and no error responses (the others are sent back to their cart)."""
    import os
    import tempfile
    import threading
    import uuid
    from decimal import Decimal
    from pathlib import Path

    from mysite.celery import app
    from orders.models import Order
    from shop.bench_seed import bench_products
    from shop.models import Product

    from .server import GunicornServer

    clients_count = 40 if quick else RACE_CLIENTS
    stock = 10 if quick else RACE_STOCK
    template = bench_products().order_by("pk").first()
    product, _ = Product.objects.update_or_create(
        slug="bench-race-product",
        defaults={
            "category_id": template.category_id,
            "name": "Bench race product",
            "price": Decimal("9.99"),
            "stock": stock,
            "available": True,
        },
    )
    Order.objects.filter(items__product=product).delete()
    log = Path(tempfile.mkdtemp(prefix="bench-race-")) / "gunicorn.log"
    with GunicornServer(dict(os.environ), log_path=log) as server:
        clients = [_Http(server.base_url) for _ in range(clients_count)]
        for client in clients:
            status = client.post(f"/cart/add/{product.pk}/", {"quantity": 1})
            if status != 302:
                raise RuntimeError(f"add to cart answered {status}")
        statuses: list[int] = []
        barrier = threading.Barrier(clients_count)
        lock = threading.Lock()

        def checkout(client: _Http, n: int) -> None:
            fields = {
                "first_name": "Race",
                "last_name": f"Buyer {n}",
                "email": f"race{n}@bench-race.example",
                "address": "1 Bench Street",
                "postal_code": "10000",
                "city": "Benchville",
                "token": str(uuid.uuid4()),
            }
            barrier.wait()
            try:
                status = client.post("/orders/create/", fields)
            except OSError:
                status = 599
            with lock:
                statuses.append(status)

        threads = [
            threading.Thread(target=checkout, args=(c, n))
            for n, c in enumerate(clients)
        ]
        with Stopwatch() as watch:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    app.control.purge()  # the confirmation mails of the race orders: no worker here
    orders = Order.objects.filter(items__product=product).distinct().count()
    product.refresh_from_db()
    errors = sum(1 for s in statuses if s >= 400)
    return Measured(
        name=f"checkout race: {clients_count} buyers, stock {stock}",
        figures={
            "orders": orders,
            "stock_left": product.stock,
            "redirects": sum(1 for s in statuses if s in (302, 303)),
            "error_responses": errors,
            "seconds": round(watch.seconds, 2),
        },
        target=f"exactly {stock} orders, no error responses",
        passed=orders == stock and errors == 0 and product.stock == 0,
    )
