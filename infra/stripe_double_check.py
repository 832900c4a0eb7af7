"""Checks that the local Stripe stand-in (infra/stripe_double.py) behaves as Stripe does where the
portal depends on it: it refuses what infra/stripe_rules.json says Stripe refuses; idempotency (a
key replays its first answer; used again with other parameters or on another path it is an
`idempotency_error`; a repeat while the first request runs is 409 `idempotency_key_in_use`; a
request refused by validation saves nothing under its key); and its Checkout page sends the
events Stripe sends: a declined card (the session stays open) then a retry that pays, bank debits
that clear or bounce after completing unpaid, and expiry by the API or by `expires_at`. Starts the
stand-in on a free port with a webhook receiver, run by infra/test.sh; exits non-zero on a
difference.
"""

import json
import pathlib
import queue
import threading
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = pathlib.Path(__file__).parent
OFF_SESSION = "amount=5000&currency=usd&customer=cus_1&payment_method=pm_1&confirm=true&off_session=true"
NO_REDIRECTS = "&automatic_payment_methods[enabled]=true&automatic_payment_methods[allow_redirects]=never"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


EVENTS = queue.Queue()


class Receiver(BaseHTTPRequestHandler):
    """The portal's webhook, as far as these checks need it: every event, in arrival order."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        EVENTS.put(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def events(count):
    """The next `count` events delivered: (type, object)."""
    got = [EVENTS.get(timeout=15) for _ in range(count)]
    return [(e["type"], e["data"]["object"]) for e in got]


def main():
    port = free_port()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    double = subprocess.Popen(
        [sys.executable, str(HERE / "stripe_double.py"), "--port", str(port), "--delay", "0.1",
         "--latency", "0.5", "--webhook", "http://127.0.0.1:%d/hook" % receiver.server_port,
         "--secret", "whsec_check"],
        stderr=subprocess.DEVNULL,
    )

    def post(path, data, key=None):
        headers = {"Authorization": "Bearer sk_test_check", "Content-Type": "application/x-www-form-urlencoded"}
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(
            "http://127.0.0.1:%d%s" % (port, path), data=data.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, json.loads(resp.read()), resp.headers.get("Idempotent-Replayed")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read()), None

    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        first = post("/v1/customers", "name=Acme", "key-1")
        again = post("/v1/customers", "name=Acme", "key-1")
        assert first[0] == 200 and again[1]["id"] == first[1]["id"] and again[2] == "true", (first, again)
        other = post("/v1/customers", "name=Globex", "key-1")
        assert (other[0], other[1]["error"]["type"]) == (400, "idempotency_error"), other
        session = "mode=setup&success_url=https://x&customer=cus_1&currency=usd"
        elsewhere = post("/v1/checkout/sessions", session, "key-1")
        assert (elsewhere[0], elsewhere[1]["error"]["type"]) == (400, "idempotency_error"), elsewhere
        redirects = post("/v1/payment_intents", OFF_SESSION, "key-2")
        assert redirects[0] == 400 and "return_url" in redirects[1]["error"]["message"], redirects
        # The refusal saved nothing: the corrected request with the same key runs (and the
        # unknown method is declined, as Stripe declines it).
        corrected = post("/v1/payment_intents", OFF_SESSION + NO_REDIRECTS, "key-2")
        assert corrected[0] == 402 and corrected[2] is None, corrected
        # Declined off-session: the 402 carries the whole PaymentIntent, and the event follows.
        declined = corrected[1]["error"]["payment_intent"]
        assert declined["status"] == "requires_payment_method" and declined["amount_received"] == 0, declined
        ((kind, intent),) = events(1)
        assert kind == "payment_intent.payment_failed" and intent["id"] == declined["id"], (kind, intent)
        no_currency = post("/v1/checkout/sessions", "mode=setup&success_url=https://x&customer=cus_1")
        assert no_currency[0] == 400, no_currency
        in_flight(post)
        checkout(port, post)
    finally:
        double.terminate()
        double.wait()
        receiver.shutdown()
    print("infra/stripe_double.py refuses what Stripe refuses and its Checkout sends Stripe's events")


def in_flight(post):
    """Two requests with one key at once: the second is refused while the first runs (each API
    answer takes 0.5 s here), then replays the first's answer."""
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(post("/v1/customers", "name=Initech", "key-3")))
               for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.1)
    for t in threads:
        t.join()
    codes = sorted((a[0], a[1].get("error", {}).get("code")) for a in answers)
    assert codes == [(200, None), (409, "idempotency_key_in_use")], answers
    later = post("/v1/customers", "name=Initech", "key-3")
    assert later[0] == 200 and later[2] == "true", later


PAYMENT = ("mode=payment&success_url=https://portal.test/done&cancel_url=https://portal.test/back"
           "&customer=cus_1&metadata[payment_id]=p1&payment_intent_data[metadata][payment_id]=p1"
           "&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd"
           "&line_items[0][price_data][unit_amount]=5000&line_items[0][price_data][product_data][name]=INV-1")


def attempt(port, session, method):
    """Submit the Checkout page with `method`: (status, Location)."""
    request = urllib.request.Request(
        "http://127.0.0.1:%d/checkout/%s/complete" % (port, session),
        data=urllib.parse.urlencode({"method": method}).encode(), method="POST")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as resp:
            return resp.status, resp.headers.get("Location")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location")


def checkout(port, post):
    # A declined card, then another card in the same session: one PaymentIntent, paid once.
    status, session, _ = post("/v1/checkout/sessions", PAYMENT)
    assert status == 200 and session["status"] == "open", session
    assert attempt(port, session["id"], "0002") == (200, None), "the page again, saying it was declined"
    ((kind, intent),) = events(1)
    assert kind == "payment_intent.payment_failed" and intent["status"] == "requires_payment_method", intent
    assert intent["metadata"] == {"payment_id": "p1"} and intent["last_payment_error"]["code"] == "card_declined"
    assert attempt(port, session["id"], "4242") == (303, "https://portal.test/done")
    (succeeded, paid), (completed, done) = events(2)
    assert (succeeded, completed) == ("payment_intent.succeeded", "checkout.session.completed")
    assert paid["id"] == intent["id"] and paid["amount_received"] == 5000, paid
    assert (done["payment_status"], done["amount_total"], done["payment_intent"]) == ("paid", 5000, intent["id"])
    assert attempt(port, session["id"], "4242")[0] == 410, "a completed session takes no second payment"
    # Bank debits complete the session unpaid, then clear or bounce.
    for account, outcome in (("6789", "checkout.session.async_payment_succeeded"),
                             ("1113", "checkout.session.async_payment_failed")):
        _, debit, _ = post("/v1/checkout/sessions", PAYMENT)
        assert attempt(port, debit["id"], account)[0] == 303
        got = events(4)
        kinds = [k for k, _ in got]
        assert kinds[:2] == ["payment_intent.processing", "checkout.session.completed"], kinds
        assert got[1][1]["payment_status"] == "unpaid" and kinds[3] == outcome, got
        assert got[3][1]["payment_status"] == ("paid" if account == "6789" else "unpaid"), got[3]
    # Expiry through the API: once, only while open; the page is then over.
    _, open_session, _ = post("/v1/checkout/sessions", PAYMENT)
    expired = post("/v1/checkout/sessions/%s/expire" % open_session["id"], "")
    assert expired[0] == 200 and expired[1]["status"] == "expired", expired
    ((kind, obj),) = events(1)
    assert kind == "checkout.session.expired" and obj["id"] == open_session["id"], obj
    again = post("/v1/checkout/sessions/%s/expire" % open_session["id"], "")
    assert again[0] == 400, again
    assert attempt(port, open_session["id"], "4242")[0] == 410
    # And by itself at `expires_at`.
    _, due, _ = post("/v1/checkout/sessions", PAYMENT + "&expires_at=%d" % (time.time() + 1))
    ((kind, obj),) = events(1)
    assert kind == "checkout.session.expired" and obj["id"] == due["id"], obj


if __name__ == "__main__":
    main()
