"""Checks that the local Stripe stand-in (infra/stripe_double.py) refuses what Stripe refuses:
the shared rules of infra/stripe_rules.json, and Stripe's idempotency (a key replays its first
answer; used again with other parameters or on another path it is an `idempotency_error`; a
request refused by validation saves nothing under its key). Starts the stand-in on a free port,
run by infra/test.sh; exits non-zero on a difference.
"""

import json
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = pathlib.Path(__file__).parent
OFF_SESSION = "amount=5000&currency=usd&customer=cus_1&payment_method=pm_1&confirm=true&off_session=true"
NO_REDIRECTS = "&automatic_payment_methods[enabled]=true&automatic_payment_methods[allow_redirects]=never"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port = free_port()
    double = subprocess.Popen(
        [sys.executable, str(HERE / "stripe_double.py"), "--port", str(port),
         "--webhook", "http://127.0.0.1:9/unused", "--secret", "whsec_check"],
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
        no_currency = post("/v1/checkout/sessions", "mode=setup&success_url=https://x&customer=cus_1")
        assert no_currency[0] == 400, no_currency
    finally:
        double.terminate()
        double.wait()
    print("infra/stripe_double.py refuses what infra/stripe_rules.json and Stripe's idempotency refuse")


if __name__ == "__main__":
    main()
