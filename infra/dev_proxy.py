#!/usr/bin/env python3
"""One local origin for the site and the API, as CloudFront is in AWS.

Serves the prerendered site from --root and forwards /api/* to `cargo lambda watch`, adding the
same security headers as the CloudFront response headers policy in infra/template.yaml (less HSTS,
which means nothing on plain http). Local only, never deployed: /_s3/* goes to the S3 stand-in
(browsers upload and download attachments there, as they do straight to S3 in AWS), and
/dev/mailbox shows the mail the SES stand-in captured, and /dev/diagnostics.json the API calls in
flight and the functions' last log lines (what a failed browser test reports). Standard library only.
"""
import html
import json
import re
import argparse
import collections
import http.client
import http.server
import os
import posixpath
import socketserver
import sys
import threading
import time
import urllib.parse

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Headers CloudFront sets itself on requests to the API: whatever a browser sends is replaced.
CLOUDFRONT_SETS = {"cloudfront-viewer-address", "x-origin-verify"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json", ".ico": "image/x-icon",
         ".md": "text/plain; charset=utf-8", ".txt": "text/plain; charset=utf-8"}



def binary_safe(headers, body):
    """cargo-lambda's emulator builds the function's event from a text-typed body (text/*,
    application/json, or none) with String::from_utf8 and answers a 500 of its own when the bytes
    are not UTF-8, before the function runs. API Gateway hands such a body over base64-encoded,
    and the function answers it itself (400 for a JSON route). So for a body that is not UTF-8,
    spell the media type in capitals: the same type (media types ignore case, RFC 9110 8.3.1), which
    the emulator's case-sensitive test takes for binary and passes base64-encoded."""
    try:
        body.decode("utf-8")
        return headers
    except UnicodeDecodeError:
        pass
    out = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "application/octet-stream")
    out["Content-Type"] = ctype.upper()
    return out


def malformed_header(value):
    """Whether a header value (read as latin-1 by http.server) holds anything but tabs and visible
    ASCII: a control character, or bytes above ASCII (obs-text, obsolete in RFC 9110)."""
    return any(not (" " <= c <= "~" or c == "\t") for c in value)


def linkify(escaped):
    """Make the (already escaped) http(s) links in a mail body clickable."""
    return re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', escaped)

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "portal-dev"

    def log_message(self, fmt, *args):
        if os.environ.get("PORTAL_PROXY_LOG"):
            sys.stderr.write("proxy: " + fmt % args + "\n")

    def _send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code, message=None, explain=None):
        # http.server's own refusals (a request line or header it cannot parse) in the API's
        # shape, problem+json, rather than its HTML page.
        kind = "/problems/bad-request" if code == 400 else "about:blank"
        problem = {"type": kind, "title": "The request could not be read", "status": code}
        if message:
            problem["detail"] = message
        self.close_connection = True
        headers = [("Content-Type", "application/problem+json"), ("Connection", "close")]
        self._send(code, headers, json.dumps(problem).encode())

    def _forward(self, host, port, path, keep_host=True, as_cloudfront=False):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        drop = HOP_BY_HOP | (CLOUDFRONT_SETS if as_cloudfront else set())
        headers = {k: v for k, v in self.headers.items() if k.lower() not in drop}
        headers["Host"] = self.headers.get("Host", "") if keep_host else "%s:%d" % (host, port)
        if as_cloudfront and body is not None:
            headers = binary_safe(headers, body)
        if as_cloudfront:
            # As CloudFront's origin request policy and custom origin header do in AWS: the viewer's
            # address, and the secret without which the functions refuse the request.
            headers["CloudFront-Viewer-Address"] = "%s:%d" % self.client_address[:2]
            if self.server.origin_secret:
                headers["X-Origin-Verify"] = self.server.origin_secret
        conn = http.client.HTTPConnection(host, port, timeout=900)
        started = time.monotonic()
        call = self.server.calls.begin(self.command, path)
        try:
            conn.request(self.command, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            took = time.monotonic() - started
            self.server.calls.end(call, resp.status if resp.status < 500 else "%d %s" % (
                resp.status, data[:120].decode("utf-8", "replace")))
            if resp.status >= 500 or took > 5:
                # Always logged (the stack log is what a failed browser test run shows), with the
                # start of a 5xx body: it tells the function's own problem from the emulator's.
                sys.stderr.write("proxy: %s %s answered %d after %.1f s%s\n" % (
                    self.command, path, resp.status, took,
                    (": " + data[:300].decode("utf-8", "replace")) if resp.status >= 500 else ""))
            out = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP
                   and not k.lower().startswith("access-control-")]
            self._send(resp.status, out, data)
        except OSError as err:
            self.server.calls.end(call, "failed: %s" % err)
            sys.stderr.write("proxy: %s %s failed after %.1f s: %s\n" % (self.command, path, time.monotonic() - started, err))
            self._send(502, [("Content-Type", "application/problem+json")],
                       ('{"type":"/problems/dev-proxy","title":"The local functions did not answer: %s","status":502}'
                        % str(err).replace('"', "'")).encode())
        finally:
            self.server.calls.end(call, "dropped")
            conn.close()

    def _diagnostics(self):
        """What a failed browser test reports: API calls still waiting for the functions, the last
        ones answered, and the functions' latest log lines."""
        lines, instances = [], 0
        if self.server.functions_log:
            try:
                with open(self.server.functions_log, errors="replace") as f:
                    lines = [line for line in f.read().splitlines()
                             if "AWS_LAMBDA_MAX_CONCURRENCY" not in line and "starting lambda function" not in line]
            except OSError:
                pass
            instances = sum("spawning function instance" in line for line in lines)
        body = json.dumps({"calls": self.server.calls.snapshot(), "instances": instances,
                           "functions_log": [line[:240] for line in lines[-8:]]}).encode()
        self._send(200, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body)

    def _calls(self):
        """Every API and file call answered after `?after=N` (the ids count up from 1), with its
        status: how the cross-engine browser tests see the answers a page got in any browser, one of
        which (WebKit's driver) reports no network events."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        try:
            after = int(query.get("after", ["0"])[0])
        except ValueError:
            after = 0
        calls, last = self.server.calls.answered_after(after)
        body = json.dumps({"last": last, "calls": calls}).encode()
        self._send(200, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body)

    def _mailbox(self):
        conn = http.client.HTTPConnection(self.server.moto_host, self.server.moto_port, timeout=30)
        try:
            conn.request("GET", "/_portal/mailbox.json")
            mails = list(reversed(json.loads(conn.getresponse().read() or b"[]")))
        finally:
            conn.close()
        rows = []
        for m in mails:
            to = ", ".join(m.get("destinations", {}).get("ToAddresses", []))
            files = "".join("<br><b>Attached</b> %s (%s, %d bytes)" % (
                html.escape(a.get("filename") or ""), html.escape(a.get("content_type") or ""), a.get("size", 0))
                for a in m.get("attachments", []))
            rows.append("<article><h2>%s</h2><p><b>From</b> %s<br><b>To</b> %s%s</p><pre>%s</pre></article>" % (
                html.escape(m.get("subject", "")), html.escape(m.get("source", "")), html.escape(to), files,
                linkify(html.escape(m.get("body", "")))))
        page = ("<!doctype html><html lang=en><meta charset=utf-8><title>Dev mailbox</title>"
                "<link rel=icon href=/logo.svg><link rel=stylesheet href=/vendor/pico.min.css><main class=container>"
                "<h1>Dev mailbox</h1><p>Mail the local SES stand-in captured, newest first (%d). "
                "Local development only: this page is not part of the deployed portal.</p>%s</main></html>"
                % (len(mails), "".join(rows) or "<p>No mail yet.</p>"))
        self._send(200, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                   page.encode())

    def _static(self):
        path = urllib.parse.urlsplit(self.path).path
        path = posixpath.normpath(urllib.parse.unquote(path))
        parts = [p for p in path.split("/") if p and p not in (".", "..")]
        file = os.path.join(self.server.root, *parts)
        if os.path.isdir(file):
            if not self.path.split("?")[0].endswith("/"):
                return self._send(301, [("Location", self.path.split("?")[0] + "/")], b"")
            file = os.path.join(file, "index.html")
        status = 200
        if not os.path.isfile(file):
            status, file = 404, os.path.join(self.server.root, "404.html")
            # Listed with the API's answers: a page asking for a script, style or image the site
            # does not have fails a browser test in any engine.
            self.server.calls.end(self.server.calls.begin(self.command, self.path), 404)
        with open(file, "rb") as f:
            data = f.read()
        ctype = TYPES.get(os.path.splitext(file)[1], "application/octet-stream")
        self._send(status, [("Content-Type", ctype), ("Cache-Control", "no-cache")], data)

    def _route(self):
        # A header value that is not visible ASCII is malformed: the front door refuses it, before
        # cargo-lambda's emulator, which answers its own 500 to some (a C1 control byte). The
        # functions read no such header (`Ctx::header` takes text only).
        if any(malformed_header(v) for v in self.headers.values()):
            body = b'{"type":"/problems/bad-request","title":"The request could not be read","status":400,"detail":"a header value is not visible ASCII"}'
            return self._send(400, [("Content-Type", "application/problem+json")], body)
        if self.path.startswith("/api/"):
            return self._forward(self.server.api_host, self.server.api_port, self.path, as_cloudfront=True)
        if self.path.startswith("/_s3/"):
            return self._forward(self.server.moto_host, self.server.moto_port, self.path[4:], keep_host=False)
        if self.path.split("?")[0] in ("/dev/mailbox", "/dev/mailbox/"):
            return self._mailbox()
        if self.path == "/dev/diagnostics.json":
            return self._diagnostics()
        if self.path.split("?")[0] == "/dev/calls.json":
            return self._calls()
        if self.command in ("GET", "HEAD"):
            return self._static()
        return self._send(405, [("Content-Type", "text/plain")], b"method not allowed")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _route

    def __getattr__(self, name):
        # Any other method (TRACE, CONNECT, an invented one) is routed too, rather than the
        # standard library's 501: the API answers 405 with Allow, as it does behind CloudFront.
        if name.startswith("do_"):
            return self._route
        raise AttributeError(name)


class Calls:
    """The API calls in flight to the functions, and the last thousand answered."""

    def __init__(self):
        self.lock = threading.Lock()
        self.inflight = {}
        self.done = collections.deque(maxlen=1000)
        self.next_id = 0

    def begin(self, method, path):
        with self.lock:
            self.next_id += 1
            self.inflight[self.next_id] = (method, path, time.monotonic())
            return self.next_id

    def end(self, call, status):
        with self.lock:
            method, path, started = self.inflight.pop(call, (None, None, None))
            if method:
                self.done.append((call, method, path, status, time.monotonic() - started))

    def answered_after(self, after):
        """The calls answered whose id is above `after`, and the highest id given so far."""
        with self.lock:
            calls = [{"id": i, "method": m, "path": p, "status": st} for i, m, p, st, _ in self.done if i > after]
            return calls, self.next_id

    def snapshot(self):
        now = time.monotonic()
        with self.lock:
            waiting = [{"method": m, "path": p, "status": "waiting", "seconds": round(now - s, 1)}
                       for m, p, s in self.inflight.values()]
            answered = [{"method": m, "path": p, "status": st, "seconds": round(t, 1)}
                        for _, m, p, st, t in list(self.done)[-10:]]
        return answered + waiting


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--api", required=True, help="host:port of cargo lambda watch")
    ap.add_argument("--moto", required=True, help="host:port of moto_server")
    ap.add_argument("--functions-log", help="the functions' log, whose last lines /dev/diagnostics.json shows")
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.root = os.path.abspath(args.root)
    server.calls = Calls()
    server.functions_log = args.functions_log
    server.origin_secret = os.environ.get("ORIGIN_SECRET", "")
    server.api_host, port = args.api.rsplit(":", 1)
    server.api_port = int(port)
    server.moto_host, port = args.moto.rsplit(":", 1)
    server.moto_port = int(port)
    server.serve_forever()


if __name__ == "__main__":
    main()
