#!/usr/bin/env python3
"""A local stand-in for the few Stripe API calls the portal makes, for the local stack and the
browser tests (no network, no Stripe account):

  POST /v1/customers                          -> a customer
  POST /v1/checkout/sessions                  -> a session whose `url` is a page on this server
  POST /v1/checkout/sessions/{id}/expire      -> expired (only an open session)
  POST /v1/payment_intents                    -> an off-session charge (autopay)
  POST /v1/payment_methods/{id}/detach        -> detached

Its checkout page (GET /checkout/{session}) shows what is being paid and Stripe's test methods:
Visa 4242 and Mastercard 4444 are approved; Visa 0002 and 0341 are declined (the page says so and
the session stays open for another try, as Stripe's does; 0341 can be saved in setup mode); US bank accounts 6789 and 1113 complete the session
unpaid and then clear or bounce. In setup mode it saves a card or a bank account. Each attempt
redirects the browser (to `success_url` unless declined) and then, like Stripe, delivers its webhook
events a moment later, signed exactly as Stripe signs them (`Stripe-Signature:
t=…,v1=HMAC-SHA256(secret, "t.body")`), to the portal's `/api/payments/webhook`, retrying while the
portal does not answer 2xx. Sessions expire at `expires_at` (24 hours unless given) or when expired
through the API, with `checkout.session.expired`.

Requests must carry `Authorization: Bearer sk_test_…`; `Idempotency-Key` works as Stripe's does
(`idempotency_refusal`). Saved methods charged off-session: 0341 is declined, others succeed.
What Stripe refuses (infra/stripe_rules.json, shared with the API tests' wiremock Stripe) is
refused here too, with Stripe's 400 `invalid_request_error`. `--latency` makes every API answer
take that long, as Stripe's do over the network (the checks use it to overlap two requests).

  python3 infra/stripe_double.py --port P --webhook http://127.0.0.1:8080/api/payments/webhook \
      --secret whsec_…
"""

import argparse
import hashlib
import hmac
import html
import json
import pathlib
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RULES = json.loads((pathlib.Path(__file__).parent / "stripe_rules.json").read_text())["rules"]
STATE = {"sessions": {}, "methods": {}, "idempotent": {}}
LOCK = threading.Lock()
ARGS = None

CARDS = {
    "4242": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
    "0341": {"brand": "visa", "last4": "0341", "exp_month": 12, "exp_year": 2030},
    "0002": {"brand": "visa", "last4": "0002", "exp_month": 12, "exp_year": 2030},
    "4444": {"brand": "mastercard", "last4": "4444", "exp_month": 1, "exp_year": 2027},
}


def log(message):
    print("stripe-double: %s" % message, file=sys.stderr, flush=True)


def new_id(prefix):
    return "%s_double_%s" % (prefix, secrets.token_hex(8))


def nested(pairs):
    """Stripe's form encoding (`a[b][0][c]=v`) as nested dicts and lists."""
    root = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append({})
                if last:
                    node[index] = value
                else:
                    if not isinstance(node[index], (dict, list)) or node[index] == {}:
                        node[index] = [] if parts[i + 1].isdigit() else {}
                    node = node[index]
            else:
                if last:
                    node[part] = value
                else:
                    if part not in node:
                        node[part] = [] if parts[i + 1].isdigit() else {}
                    node = node[part]
    return root


def refusal(path, fields):
    """Why Stripe would refuse a POST to `path` with the flat form `fields`, if it would (the
    rules and their docs pages are in infra/stripe_rules.json)."""

    def has(name, value):
        return name in fields and (value is None or fields[name] == value)

    for rule in RULES:
        if rule["path"] != path or not all(has(n, v) for n, v in rule.get("when", {}).items()):
            continue
        missing = any(not has(n, None) for n in rule.get("require", []))
        choices = rule.get("require_any")
        none_of = choices is not None and not any(
            all(has(n, v) for n, v in choice.items()) for choice in choices
        )
        if missing or none_of:
            return rule["message"]
    return None


KEY_LIFETIME = 24 * 3600


def idempotency_refusal(key, path, fields):
    """Stripe's idempotency (https://docs.stripe.com/api/idempotent_requests), under LOCK: the first
    request with a key is recorded and its answer saved for later requests with that key, whatever
    the answer; a key is kept at least 24 hours; a key used again with another path or other
    parameters is an `idempotency_error`; a key whose first request is still running is refused with
    409 `idempotency_key_in_use` and nothing saved. Returns the reply (status, body, headers) to give
    instead of running the request, or None (then the key is recorded as running)."""
    now = time.time()
    for old in [k for k, v in STATE["idempotent"].items() if now - v["at"] > KEY_LIFETIME]:
        del STATE["idempotent"][old]
    seen = STATE["idempotent"].get(key)
    if seen is None:
        STATE["idempotent"][key] = {"path": path, "fields": fields, "at": now, "status": None}
        return None
    if seen["path"] != path or seen["fields"] != fields:
        return 400, json.dumps({"error": {
            "type": "idempotency_error",
            "message": "Keys for idempotent requests can only be used with the same parameters they were "
                       "first used with. Try using a key other than '%s' if you meant to execute a "
                       "different request." % key}}), ()
    if seen["status"] is None:
        return 409, json.dumps({"error": {
            "type": "invalid_request_error", "code": "idempotency_key_in_use",
            "message": "There is currently another in-progress request using this Idempotent Key "
                       "(that probably means you submitted twice, and the other request is still "
                       "going through): %s. Please try again later." % key}}), ()
    return seen["status"], seen["body"], [("Idempotent-Replayed", "true")]


def sign(payload, timestamp):
    mac = hmac.new(ARGS.secret.encode(), ("%d." % timestamp).encode() + payload, hashlib.sha256)
    return "t=%d,v1=%s" % (timestamp, mac.hexdigest())


def deliver(events):
    """Send `events` ([(type, object, previous_attributes)]) to the portal, in order, after a
    moment; each is retried until the portal answers 2xx (a few times)."""

    def run():
        time.sleep(ARGS.delay)
        for kind, obj, previous in events:
            event = {
                "id": new_id("evt"),
                "object": "event",
                "api_version": "2025-03-31.basil",
                "created": int(time.time()),
                "livemode": False,
                "type": kind,
                "data": {"object": obj},
            }
            if previous:
                event["data"]["previous_attributes"] = previous
            payload = json.dumps(event).encode()
            for attempt in range(6):
                request = urllib.request.Request(
                    ARGS.webhook,
                    data=payload,
                    method="POST",
                    headers={
                        "Content-Type": "application/json; charset=utf-8",
                        "Stripe-Signature": sign(payload, int(time.time())),
                        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as resp:
                        log("delivered %s %s: %d" % (kind, event["id"], resp.status))
                        break
                except (urllib.error.URLError, OSError) as err:
                    log("delivering %s failed (%s); retrying" % (kind, err))
                    time.sleep(1 + attempt)

    threading.Thread(target=run, daemon=True).start()


def page(title, body):
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<link rel=icon href=\"data:,\">"
        "<title>%s</title><style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;"
        "padding:0 1rem;color:#1a1a1a;background:#fff}button{font-size:1rem;padding:.6rem 1.2rem;"
        "background:#3b3bb3;color:#fff;border:0;border-radius:.3rem}table{width:100%%;border-collapse:collapse}"
        "td,th{padding:.3rem;border-bottom:1px solid #ccc;text-align:left}.num{text-align:right}"
        "a{color:#3b3bb3}</style></head><body><main>%s</main></body></html>"
    ) % (html.escape(title), body)


def money(minor, currency):
    return "%s %.2f" % (currency.upper(), int(minor) / 100)


OVER = page("Checkout is over", "<h1>This checkout is over</h1><p>It was completed or has expired.</p>")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        log(fmt % args)

    def reply(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def json(self, status, value):
        self.reply(status, json.dumps(value))

    def error(self, status, kind, message, code=None):
        err = {"type": kind, "message": message}
        if code:
            err["code"] = code
        self.json(status, {"error": err})

    def form(self):
        """The form as nested dicts, and as flat `{"a[b]": v}` fields."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True)
        return nested(pairs), dict(pairs)

    # The pages a browser sees.
    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 2 and parts[0] == "checkout":
            with LOCK:
                session = STATE["sessions"].get(parts[1])
                if session:
                    expire_if_due(session)
            if not session:
                return self.reply(404, page("Not found", "<h1>No such checkout session</h1>"), "text/html")
            if session["status"] != "open":
                return self.reply(410, OVER, "text/html; charset=utf-8")
            return self.reply(200, checkout_page(session), "text/html; charset=utf-8")
        self.reply(404, page("Not found", "<h1>Not found</h1>"), "text/html")

    def do_POST(self):
        path = self.path.split("?")[0]
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "checkout" and parts[2] == "complete":
            return self.complete(parts[1])
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer sk_test_"):
            return self.error(401, "invalid_request_error", "Invalid API Key provided.")
        form, fields = self.form()
        why = refusal(path, fields)
        if why:
            return self.error(400, "invalid_request_error", why)
        key = self.headers.get("Idempotency-Key")
        if key:
            with LOCK:
                refused = idempotency_refusal(key, path, fields)
            if refused:
                status, body, headers = refused
                return self.reply(status, body, headers=headers)
        try:
            time.sleep(ARGS.latency)
            status, value = self.api(parts, form)
        except Exception:
            if key:
                with LOCK:
                    STATE["idempotent"].pop(key, None)
            raise
        body = json.dumps(value)
        if key:
            with LOCK:
                STATE["idempotent"][key].update(status=status, body=body)
        self.reply(status, body)

    def api(self, parts, form):
        if parts == ["v1", "customers"]:
            return 200, {"id": new_id("cus"), "object": "customer", "name": form.get("name"),
                         "email": form.get("email"), "metadata": form.get("metadata", {})}
        if parts == ["v1", "checkout", "sessions"]:
            sid = new_id("cs_test")
            session = dict(form, id=sid, object="checkout.session", status="open",
                           url="%s/checkout/%s" % (ARGS.public, sid),
                           expires_at=int(form.get("expires_at") or time.time() + SESSION_LIFETIME))
            items = form.get("line_items", [])
            session["amount_total"] = sum(
                int(i["price_data"]["unit_amount"]) * int(i.get("quantity", 1)) for i in items)
            session["currency"] = items[0]["price_data"]["currency"] if items else form.get("currency")
            with LOCK:
                STATE["sessions"][sid] = session
            return 200, session_object(session)
        if len(parts) == 5 and parts[:3] == ["v1", "checkout", "sessions"] and parts[4] == "expire":
            # https://docs.stripe.com/api/checkout/sessions/expire: only an open session.
            with LOCK:
                session = STATE["sessions"].get(parts[3])
                if session:
                    expire_if_due(session)
                    if session["status"] == "open":
                        expire(session)
                        return 200, session_object(session)
            if not session:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                       "message": "No such checkout.session: '%s'" % parts[3]}}
            return 400, {"error": {"type": "invalid_request_error",
                                   "message": "Only Checkout Sessions with a status in [\"open\"] can be expired."}}
        if parts == ["v1", "payment_intents"]:
            with LOCK:
                method = STATE["methods"].get(form.get("payment_method"))
            fields = {"amount": int(form.get("amount", 0)), "currency": form.get("currency"),
                      "customer": form.get("customer"), "metadata": form.get("metadata", {}),
                      "payment_method": form.get("payment_method"), "description": form.get("description")}
            if not method or method.get("card", {}).get("last4") == "0341":
                # Off-session, a decline is a 402 carrying the whole PaymentIntent, and Stripe also
                # sends payment_intent.payment_failed
                # (https://docs.stripe.com/payments/save-and-reuse#charge-saved-payment-method).
                error = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
                         "message": "Your card was declined."}
                intent = payment_intent(new_id("pi"), "requires_payment_method", fields, error)
                deliver([("payment_intent.payment_failed", intent, None)])
                return 402, {"error": dict(error, payment_intent=intent)}
            if method["type"] == "us_bank_account":
                # A debit is processing until it clears (here, a moment later).
                intent = payment_intent(new_id("pi"), "processing", fields)
                deliver([("payment_intent.processing", intent, None),
                         ("payment_intent.succeeded", payment_intent(intent["id"], "succeeded", fields), None)])
                return 200, intent
            intent = payment_intent(new_id("pi"), "succeeded", fields)
            deliver([("payment_intent.succeeded", intent, None)])
            return 200, intent
        if len(parts) == 4 and parts[:2] == ["v1", "payment_methods"] and parts[3] == "detach":
            with LOCK:
                method = STATE["methods"].pop(parts[2], None)
            if not method:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                       "message": "No such PaymentMethod: '%s'" % parts[2]}}
            detached = dict(method, customer=None)
            deliver([("payment_method.detached", detached, {"customer": method["customer"]})])
            return 200, detached
        return 404, {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL."}}

    def complete(self, sid):
        """The Checkout page's form: one attempt to pay (or to save a method) with the chosen test
        card or bank account. A declined card leaves the session open for another try, as Stripe's
        page does; a bank debit completes the session unpaid and settles later."""
        form, _ = self.form()
        with LOCK:
            session = STATE["sessions"].get(sid)
            if session:
                expire_if_due(session)
            if not session or session["status"] != "open":
                over = True
            else:
                over = False
                outcome = attempt(session, form.get("method", "4242"))
        if over:
            return self.reply(410, OVER, "text/html; charset=utf-8")
        if outcome == "declined":
            # Stripe's page says so in place; the page itself loads fine.
            return self.reply(200, checkout_page(session, "Your card was declined. Try another card."),
                              "text/html; charset=utf-8")
        target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", sid)
        self.reply(303, b"", "text/plain", headers=[("Location", target)])


# Test payment methods on the Checkout page, as Stripe's test mode names them
# (https://docs.stripe.com/testing#cards, https://docs.stripe.com/testing#declined-payments,
# https://docs.stripe.com/payments/ach-direct-debit/accept-a-payment#test-account-numbers).
CHOICES = {
    "4242": ("Visa ending 4242 (approved)", "card", "4242"),
    "0002": ("Visa ending 0002 (declined)", "card", "0002"),
    "4444": ("Mastercard ending 4444 (approved)", "card", "4444"),
    # https://docs.stripe.com/testing#declined-payments: "Attaching this card to a Customer object
    # succeeds, but attempts to charge the customer fail."
    "0341": ("Visa ending 0341 (saves, but every charge is declined)", "card", "0341"),
    "6789": ("US bank account ending 6789 (clears a moment later)", "us_bank_account", "6789"),
    "1113": ("US bank account ending 1113 (bounces a moment later)", "us_bank_account", "1113"),
}
SESSION_LIFETIME = 24 * 3600


def session_object(session, **changes):
    """The Checkout Session as Stripe's events carry it."""
    obj = {"id": session["id"], "object": "checkout.session", "mode": session.get("mode"),
           "customer": session.get("customer"), "metadata": session.get("metadata", {}),
           "client_reference_id": session.get("client_reference_id"), "status": session["status"],
           "expires_at": session["expires_at"], "url": session["url"] if session["status"] == "open" else None}
    if session.get("mode") == "payment":
        obj.update(payment_intent=session.get("payment_intent"), amount_total=session["amount_total"],
                   currency=session["currency"], payment_status=session.get("payment_status", "unpaid"))
    obj.update(changes)
    return obj


def payment_intent(pid, status, fields, error=None):
    """A PaymentIntent with every field Stripe's API reference marks as always present
    (https://docs.stripe.com/api/payment_intents/object): clients decode it whole."""
    amount = fields["amount"]
    obj = {"id": pid, "object": "payment_intent", "status": status, "amount": amount,
           "amount_capturable": 0, "amount_received": amount if status == "succeeded" else 0,
           "capture_method": "automatic_async", "confirmation_method": "automatic",
           "created": int(time.time()), "livemode": False, "payment_method_types": ["card"],
           "client_secret": "%s_secret_double" % pid, "last_payment_error": error}
    obj.update(fields)
    return obj


def intent_object(session, status, error=None):
    """The session's PaymentIntent (one per session, whatever the number of attempts: a declined
    attempt returns it to `requires_payment_method`,
    https://docs.stripe.com/payments/paymentintents/lifecycle)."""
    if not session.get("payment_intent"):
        session["payment_intent"] = new_id("pi")
    data = session.get("payment_intent_data", {})
    return payment_intent(session["payment_intent"], status, {
        "amount": session["amount_total"], "currency": session["currency"],
        "customer": session.get("customer"), "metadata": data.get("metadata", {}),
        "description": data.get("description")}, error)


def expire_if_due(session):
    """Stripe expires an open session at its `expires_at` (24 hours unless set;
    https://docs.stripe.com/api/checkout/sessions/object#checkout_session_object-expires_at), and
    says so with `checkout.session.expired`. Under LOCK."""
    if session["status"] == "open" and time.time() >= session["expires_at"]:
        expire(session)


def expire(session):
    session["status"] = "expired"
    deliver([("checkout.session.expired", session_object(session), None)])


def attempt(session, choice):
    """One try on the Checkout page with test method `choice`; its events are delivered in the
    order Stripe generates them (they may still arrive in another: the portal cannot rely on it).
    Returns "declined", "completed" or "processing". Under LOCK."""
    label, kind, last4 = CHOICES.get(choice, CHOICES["4242"])
    if session.get("mode") == "setup":
        details = dict(CARDS.get(last4, CARDS["4242"])) if kind == "card" else {
            "bank_name": "STRIPE TEST BANK", "last4": last4, "account_type": "checking"}
        method = {"id": new_id("pm"), "object": "payment_method", "type": kind,
                  "customer": session.get("customer"), kind: details}
        STATE["methods"][method["id"]] = method
        session.update(status="complete", setup_intent=new_id("seti"))
        deliver([("payment_method.attached", method, None),
                 ("checkout.session.completed", session_object(session, payment_status="no_payment_required",
                                                               setup_intent=session["setup_intent"]), None)])
        return "completed"
    if last4 in ("0002", "0341"):
        # https://docs.stripe.com/declines/codes: a generic decline; the session stays open.
        error = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
                 "message": "Your card was declined."}
        deliver([("payment_intent.payment_failed", intent_object(session, "requires_payment_method", error), None)])
        return "declined"
    session["status"] = "complete"
    if kind == "card":
        session["payment_status"] = "paid"
        deliver([("payment_intent.succeeded", intent_object(session, "succeeded"), None),
                 ("checkout.session.completed", session_object(session), None)])
        return "completed"
    # A bank debit: the session completes unpaid and the debit settles days later (here, a moment),
    # https://docs.stripe.com/payments/checkout/fulfill-orders#delayed-notification.
    session["payment_status"] = "unpaid"
    events = [("payment_intent.processing", intent_object(session, "processing"), None),
              ("checkout.session.completed", session_object(session), None)]
    if last4 == "1113":
        error = {"type": "invalid_request_error", "code": "payment_intent_payment_attempt_failed",
                 "message": "The customer's bank account has been closed."}
        events += [("payment_intent.payment_failed", intent_object(session, "requires_payment_method", error), None),
                   ("checkout.session.async_payment_failed", session_object(session), None)]
    else:
        paid = session_object(session, payment_status="paid")
        events += [("payment_intent.succeeded", intent_object(session, "succeeded"), None),
                   ("checkout.session.async_payment_succeeded", paid, None)]
        session["payment_status"] = "paid"
    deliver(events)
    return "processing"


def checkout_page(session, error=None):
    sid = html.escape(session["id"])
    cancel = html.escape(session.get("cancel_url", "/"), quote=True)
    setup = session.get("mode") == "setup"
    # ACH debits are for US dollars only (https://docs.stripe.com/payments/ach-direct-debit).
    usd = (session.get("currency") or "usd").lower() == "usd"
    offered = [k for k, (_, kind, _) in CHOICES.items()
               if kind in session.get("payment_method_types", ["card", "us_bank_account"])
               and (kind == "card" or usd) and not (setup and k in ("0002", "1113"))]
    choices = "".join(
        "<p><label><input type=radio name=method value=%s%s> %s</label></p>"
        % (k, " checked" if k == "4242" else "", html.escape(CHOICES[k][0])) for k in offered)
    alert = "<p role=alert><strong>%s</strong></p>" % html.escape(error) if error else ""
    if setup:
        body = (
            "<h1>Save a payment method</h1><p>Stripe test double: no card is real.</p>%s"
            "<form method=post action='/checkout/%s/complete'><fieldset><legend>Test method</legend>%s"
            "</fieldset><p><button type=submit>Save card</button></p></form><p><a href='%s'>Cancel</a></p>"
        ) % (alert, sid, choices, cancel)
        return page("Save a payment method", body)
    rows = ""
    for item in session.get("line_items", []):
        price = item["price_data"]
        amount = int(price["unit_amount"]) * int(item.get("quantity", 1))
        rows += "<tr><td>%s</td><td class=num>%s</td></tr>" % (
            html.escape(price["product_data"]["name"]), money(amount, price["currency"]))
    total = money(session["amount_total"], session["currency"])
    body = (
        "<h1>Pay %s</h1><p>Stripe test double: nothing is charged.</p>%s"
        "<table><caption>What you are paying</caption><tbody>%s</tbody></table>"
        "<form method=post action='/checkout/%s/complete'><fieldset><legend>Pay with</legend>%s</fieldset>"
        "<p><button type=submit>Pay %s</button></p></form>"
        "<p><a href='%s'>Cancel and go back</a></p>"
    ) % (total, alert, rows, sid, choices, total, cancel)
    return page("Pay %s" % total, body)


def sweep():
    """Expire sessions whose time is up, as Stripe does without being asked."""
    while True:
        time.sleep(1)
        with LOCK:
            for session in STATE["sessions"].values():
                expire_if_due(session)


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--webhook", required=True, help="the portal's /api/payments/webhook URL")
    parser.add_argument("--secret", required=True, help="the webhook signing secret (whsec_…)")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds before events are sent")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each API request takes")
    ARGS = parser.parse_args()
    ARGS.public = "http://127.0.0.1:%d" % ARGS.port
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    threading.Thread(target=sweep, daemon=True).start()
    log("listening on %s" % ARGS.public)
    server.serve_forever()


if __name__ == "__main__":
    main()
