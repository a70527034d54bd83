"""A small stand-in for Stripe's API and hosted Checkout page, spoken to over HTTP by
the real `stripe` SDK (tests set STRIPE_API_BASE to it) and by browsers.

Implements: POST /v1/checkout/sessions (form-encoded, Idempotency-Key honoured,
`expires_at` checked against Stripe's 30 minutes to 24 hours), GET
/v1/checkout/sessions/<id>, POST /v1/checkout/sessions/<id>/expire (400 with
Stripe's message unless the session is open, 404 for an unknown one),
POST /v1/coupons (`amount_off` + currency or `percent_off`; Idempotency-Key honoured)
whose id a session's `discounts[0][coupon]` applies to its `amount_total`, and the
hosted page at the session's `url` with a Pay button (posts a correctly signed
`checkout.session.completed` webhook to `webhook_url`, then redirects to
success_url) and a Cancel link (redirects to cancel_url).

Refunds: POST /v1/refunds (`payment_intent`, `amount` in cents, defaulting to what
is left; Idempotency-Key honoured; 400 with Stripe's message above the unrefunded
amount, 404 for an unknown payment) creates a "pending" refund; GET
/v1/refunds/<id>. `settle_refund()` then plays Stripe's confirmation (the signed
`refund.updated` and `charge.refunded` webhooks), `dashboard_refund()` a refund
made in Stripe's dashboard, and `refunds_down = True` drops refund requests
unanswered (Stripe unreachable). Paid sessions register their payment intent;
tests register others with `add_payment()`.
"""

import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value in Stripe's scheme (v1 = HMAC-SHA256)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def make_event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2025-01-01",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def expires_at_problem(value) -> str:
    """Stripe's rule for a Checkout Session's `expires_at`: 30 minutes to 24 hours
    from now (an empty string when the value is absent or fine)."""
    if value is None:
        return ""
    ahead = int(value) - time.time()
    if ahead < 30 * 60:
        return "The expires_at timestamp must be at least 30 minutes from now."
    if ahead > 24 * 60 * 60:
        return "The expires_at timestamp must be less than 24 hours from now."
    return ""


def unflatten(pairs: list[tuple[str, str]]) -> dict:
    """`line_items[0][price_data][unit_amount]=5` → nested dicts/lists."""
    root: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def fix(node):
        if isinstance(node, dict):
            if node and all(k.isdigit() for k in node):
                return [fix(node[k]) for k in sorted(node, key=int)]
            return {k: fix(v) for k, v in node.items()}
        return node

    return fix(root)


class FakeStripe:
    def __init__(self, api_key: str, webhook_secret: str, webhook_url: str = ""):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.sessions: dict[str, dict] = {}
        self.coupons: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}  # payment intent → amount, refunded
        self.refunds: dict[str, dict] = {}
        self.refunds_down = False
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.requests: list[dict] = []
        self.webhook_responses: list[int] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def session_requests(self, method="POST"):
        return [
            r
            for r in self.requests
            if r["method"] == method and r["path"] == "/v1/checkout/sessions"
        ]

    def coupon_requests(self):
        return [
            r
            for r in self.requests
            if r["method"] == "POST" and r["path"] == "/v1/coupons"
        ]

    def refund_requests(self):
        return [
            r
            for r in self.requests
            if r["method"] == "POST" and r["path"] == "/v1/refunds"
        ]

    def add_payment(self, payment_intent: str, amount: int, currency: str = "eur"):
        """A payment Stripe took (amount in cents), which refunds can then draw on."""
        with self.lock:
            self.payments[payment_intent] = {
                "amount": amount,
                "currency": currency,
                "charge": f"ch_{secrets.token_hex(12)}",
                "refunded": 0,  # succeeded or pending, as Stripe counts them
            }

    # --- API ---

    def create_refund(self, params: dict) -> tuple[int, dict]:
        payment_intent = params.get("payment_intent")
        payment = self.payments.get(payment_intent)
        if payment is None:
            return 404, {
                "error": {
                    "type": "invalid_request_error",
                    "message": f"No such payment_intent: '{payment_intent}'",
                }
            }
        left = payment["amount"] - payment["refunded"]
        amount = int(params.get("amount", left))
        if amount <= 0 or amount > left:
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "charge_already_refunded"
                    if left == 0
                    else "amount_too_large",
                    "message": f"Refund amount ({amount}) is greater than unrefunded "
                    f"amount on charge ({left})",
                }
            }
        payment["refunded"] += amount
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "charge": payment["charge"],
            "payment_intent": params["payment_intent"],
            "reason": params.get("reason"),
            "metadata": params.get("metadata", {}),
            "status": "pending",
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    def charge_of(self, payment_intent: str) -> dict:
        payment = self.payments[payment_intent]
        refunded = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == payment_intent and r["status"] == "succeeded"
        )
        return {
            "id": payment["charge"],
            "object": "charge",
            "amount": payment["amount"],
            "amount_refunded": refunded,
            "currency": payment["currency"],
            "payment_intent": payment_intent,
            "refunded": refunded == payment["amount"],
        }

    def settle_refund(
        self, refund_id: str, status: str = "succeeded", *, deliver: bool = True
    ) -> list[dict]:
        """Stripe finishing a refund: `refund.updated`, then (if it succeeded)
        `charge.refunded`, delivered signed unless `deliver=False`; returns them."""
        with self.lock:
            refund = self.refunds[refund_id]
            refund["status"] = status
            if status in ("failed", "canceled"):
                self.payments[refund["payment_intent"]]["refunded"] -= refund["amount"]
        events = [make_event("refund.updated", dict(refund))]
        if status == "succeeded":
            charge = self.charge_of(refund["payment_intent"])
            events.append(make_event("charge.refunded", charge))
        if deliver:
            for event in events:
                self.deliver(event)
        return events

    def dashboard_refund(
        self, payment_intent: str, amount: int, *, deliver: bool = True
    ) -> list[dict]:
        """A refund made by hand in Stripe's dashboard (no metadata of ours)."""
        with self.lock:
            status, refund = self.create_refund(
                {"payment_intent": payment_intent, "amount": amount}
            )
        assert status == 200, refund
        return self.settle_refund(refund["id"], deliver=deliver)

    def create_coupon(self, params: dict) -> dict:
        coupon = {
            "id": secrets.token_hex(4).upper(),
            "object": "coupon",
            "amount_off": int(params["amount_off"]) if "amount_off" in params else None,
            "percent_off": float(params["percent_off"])
            if "percent_off" in params
            else None,
            "currency": params.get("currency"),
            "duration": params.get("duration", "once"),
            "max_redemptions": params.get("max_redemptions"),
            "name": params.get("name"),
            "metadata": params.get("metadata", {}),
            "valid": True,
        }
        self.coupons[coupon["id"]] = coupon
        return coupon

    def _discount(self, subtotal: int, discounts: list) -> int:
        """What the session's coupon takes off, in cents, as Stripe computes it."""
        off = 0
        for discount in discounts:
            coupon = self.coupons[discount["coupon"]]
            if coupon["amount_off"] is not None:
                off += coupon["amount_off"]
            else:
                off += round(subtotal * coupon["percent_off"] / 100)
        return min(off, subtotal)

    def create_session(self, params: dict) -> dict:
        items = params.get("line_items", [])
        subtotal = sum(
            int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
            for item in items
        )
        discount = self._discount(subtotal, params.get("discounts", []))
        amount = subtotal - discount
        currency = items[0]["price_data"]["currency"] if items else "eur"
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": subtotal,
            "amount_total": amount,
            "total_details": {"amount_discount": discount},
            "discounts": params.get("discounts", []),
            "currency": currency,
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata", {}),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "payment_intent": None,
            "expires_at": int(params.get("expires_at") or time.time() + 86400),
            "url": f"{self.base_url}/pay/{session_id}",
            "line_items_sent": items,
        }
        self.sessions[session_id] = session
        return session

    def complete(self, session_id: str, *, deliver: bool = True) -> dict:
        """Mark paid and deliver the signed webhook, as Stripe does after payment
        (`deliver=False`: the webhook is late, still on its way; the event is
        returned for the test to post itself)."""
        with self.lock:
            session = self.sessions[session_id]
            free = session["amount_total"] == 0  # a 100 % coupon: nothing to charge
            session.update(
                status="complete",
                payment_status="no_payment_required" if free else "paid",
                payment_intent=None if free else f"pi_{secrets.token_hex(12)}",
            )
            if not free:
                self.payments[session["payment_intent"]] = {
                    "amount": session["amount_total"],
                    "currency": session["currency"],
                    "charge": f"ch_{secrets.token_hex(12)}",
                    "refunded": 0,
                }
        event = make_event("checkout.session.completed", dict(session))
        if deliver:
            self.deliver(event)
        return event

    def deliver(self, event: dict) -> int:
        body = json.dumps(event).encode()
        request = urllib.request.Request(
            self.webhook_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": sign_payload(body, self.webhook_secret),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        self.webhook_responses.append(status)
        return status

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send_json(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _redirect(self, location):
                self.send_response(303)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _error(self, status, message):
                error = {"type": "invalid_request_error", "message": message}
                self._send_json(status, {"error": error})

            def _record(self, body=b""):
                path = urlsplit(self.path).path
                with fake.lock:
                    fake.requests.append(
                        {
                            "method": self.command,
                            "path": path,
                            "headers": dict(self.headers),
                            "params": unflatten(parse_qsl(body.decode())),
                        }
                    )
                return path

            def _create_once(self, create, params):
                """Create an object; a repeated Idempotency-Key replays the first
                answer, as Stripe does."""
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    if key and key in fake.idempotent:
                        status, stored = fake.idempotent[key]
                        return self._send_json(
                            status, stored, {"Idempotent-Replayed": "true"}
                        )
                    status, created = 200, create(params)
                    if isinstance(created, tuple):  # (status, body)
                        status, created = created
                    if key:
                        fake.idempotent[key] = (status, created)
                return self._send_json(status, created)

            def _authorised(self):
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    self._error(401, "Invalid API key provided")
                    return False
                return True

            def do_GET(self):
                path = self._record()
                parts = path.strip("/").split("/")
                if path.startswith("/v1/checkout/sessions/") and len(parts) == 4:
                    if not self._authorised():
                        return
                    session = fake.sessions.get(parts[3])
                    if session is None:
                        return self._error(404, f"No such checkout.session: {parts[3]}")
                    return self._send_json(200, session)
                if path.startswith("/v1/refunds/") and len(parts) == 3:
                    if not self._authorised():
                        return
                    refund = fake.refunds.get(parts[2])
                    if refund is None:
                        return self._error(404, f"No such refund: '{parts[2]}'")
                    return self._send_json(200, refund)
                if parts[0] == "pay" and len(parts) == 2 and parts[1] in fake.sessions:
                    return self._hosted_page(fake.sessions[parts[1]])
                if parts[0] == "pay" and len(parts) == 3 and parts[2] == "cancel":
                    session = fake.sessions.get(parts[1])
                    if session:
                        return self._redirect(session["cancel_url"])
                self._error(404, "Unrecognized request URL")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = self._record(body)
                parts = path.strip("/").split("/")
                if path == "/v1/checkout/sessions":
                    if not self._authorised():
                        return
                    params = unflatten(parse_qsl(body.decode()))
                    problem = expires_at_problem(params.get("expires_at"))
                    if problem:
                        return self._error(400, problem)
                    discounts = params.get("discounts", [])
                    if any(d.get("coupon") not in fake.coupons for d in discounts):
                        return self._error(400, "No such coupon")
                    return self._create_once(fake.create_session, params)
                if path == "/v1/refunds":
                    if fake.refunds_down:
                        # Unreachable: the connection closes without an answer.
                        self.close_connection = True
                        return
                    if not self._authorised():
                        return
                    params = unflatten(parse_qsl(body.decode()))
                    return self._create_once(fake.create_refund, params)
                if path == "/v1/coupons":
                    if not self._authorised():
                        return
                    params = unflatten(parse_qsl(body.decode()))
                    return self._create_once(fake.create_coupon, params)
                if path.startswith("/v1/checkout/sessions/") and path.endswith(
                    "/expire"
                ):
                    if not self._authorised():
                        return
                    with fake.lock:
                        session = fake.sessions.get(parts[3])
                        if session is None:
                            return self._error(
                                404, f"No such checkout.session: '{parts[3]}'"
                            )
                        if session["status"] != "open":
                            # Stripe's own answer for a paid or expired session.
                            return self._error(
                                400,
                                'Only Checkout Sessions with a status in ["open"] '
                                "can be expired. This Checkout Session has a status "
                                f"of `{session['status']}`.",
                            )
                        session["status"] = "expired"
                    return self._send_json(200, session)
                if parts[0] == "pay" and len(parts) == 3 and parts[2] == "confirm":
                    session = fake.sessions.get(parts[1])
                    if session is None or session["status"] != "open":
                        return self._error(400, "This session is not open")
                    fake.complete(session["id"])
                    return self._redirect(session["success_url"])
                self._error(404, "Unrecognized request URL")

            def _hosted_page(self, session):
                amount = f"{session['amount_total'] / 100:.2f}"
                page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Fake Stripe Checkout</title></head><body><main>
<h1>Pay {amount} {html.escape(session["currency"].upper())}</h1>
<form method="post" action="/pay/{session["id"]}/confirm">
<button type="submit">Pay</button></form>
<p><a href="/pay/{session["id"]}/cancel">Cancel</a></p></main></body></html>"""
                data = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
