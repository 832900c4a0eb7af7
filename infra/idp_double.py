#!/usr/bin/env python3
"""A local stand-in for Microsoft's and Google's sign-in, for the local stack and the browser
tests (no network, no app registration): the OpenID Connect endpoints the portal uses, one
provider under each path prefix.

  /microsoft/organizations/v2.0/.well-known/openid-configuration   issuer /microsoft/{tenantid}/v2.0
  /google/.well-known/openid-configuration                         issuer /google
  /{p}/authorize  the sign-in page: pick a demo account or type one (tenant, MFA), or cancel
  /{p}/token      the code exchange (client id and secret, the redirect address, PKCE S256)
  /{p}/keys       the signing key (RS256, made at start)

What the real providers refuse is refused here too: an unknown client or secret, a redirect
address outside the portal's origin, a missing state, nonce or S256 challenge, a code used twice
or more than five minutes old, a verifier that does not match. ID tokens carry Microsoft's `tid`
and tenant issuer or Google's `email_verified` and `hd`, the nonce, and `amr` with `mfa` when the
page's "I passed MFA" box is ticked.

  .venv/bin/python infra/idp_double.py --port P --origin http://127.0.0.1:8080 \
      --client-id local-idp-client --client-secret local-idp-secret
"""

import argparse
import base64
import hashlib
import html
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# The demo data's Entra tenant of Acme Dental (functions/admin/src/seed).
ACME_TENANT = "3f2c9a61-7d4e-4b8a-9c15-2e6f8d0a4b7c"
GLOBEX_TENANT = "8b7e1d24-5c3a-4f69-a0d2-7e9c1b3f5a86"
ACCOUNTS = {
    "microsoft": [
        ("Sam Chen", "user@acme.example", ACME_TENANT),
        ("Morgan Lee", "fulladmin@acme.example", ACME_TENANT),
        ("Jordan Newcomer", "jordan@acme.example", ACME_TENANT),
        ("Riley Park", "user@globex.example", GLOBEX_TENANT),
    ],
    "google": [
        ("Sam Chen", "user@acme.example", "acme.example"),
        ("Casey Gmail", "casey@gmail.example", ""),
    ],
}
CODE_TTL = 300


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    def __init__(self, args):
        self.args = args
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "local-" + secrets.token_hex(4)
        self.codes = {}
        self.lock = threading.Lock()

    def base(self, name):
        return f"http://127.0.0.1:{self.args.port}/{name}"

    def issuer(self, name, tenant=None):
        if name == "microsoft":
            return f"{self.base(name)}/{tenant or '{tenantid}'}/v2.0"
        return self.base(name)

    def discovery(self, name):
        base = self.base(name)
        return {
            "issuer": self.issuer(name),
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self):
        numbers = self.key.public_key().public_numbers()
        to_bytes = lambda i: i.to_bytes((i.bit_length() + 7) // 8, "big")
        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                          "n": b64url(to_bytes(numbers.n)), "e": b64url(to_bytes(numbers.e))}]}

    def sign(self, claims):
        header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": self.kid}).encode())
        payload = b64url(json.dumps(claims).encode())
        signature = self.key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{payload}.{b64url(signature)}"

    def authorize_refusal(self, q):
        """Why the authorize request is refused, as the real providers refuse it (or None)."""
        if q.get("client_id") != self.args.client_id:
            return "unknown client_id"
        redirect = q.get("redirect_uri", "")
        if not redirect.startswith(self.args.origin + "/api/auth/sso/"):
            return "redirect_uri is not registered for this client"
        if q.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in q.get("scope", "").split():
            return "scope must include openid"
        if not q.get("state") or not q.get("nonce"):
            return "state and nonce are required"
        if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) < 43:
            return "an S256 code_challenge is required"
        return None

    def issue_code(self, name, q, form):
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {"provider": name, "query": q, "form": form, "at": time.time()}
        return code

    def exchange(self, name, form, basic):
        client_id, secret = basic or (form.get("client_id"), form.get("client_secret"))
        if client_id != self.args.client_id or secret != self.args.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
        if not grant or grant["provider"] != name or time.time() - grant["at"] > CODE_TTL:
            return 400, {"error": "invalid_grant", "error_description": "unknown, used or expired code"}
        q = grant["query"]
        if form.get("redirect_uri") != q["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != q["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        chosen = grant["form"]
        now = int(time.time())
        claims = {
            "aud": self.args.client_id, "sub": hashlib.sha256(chosen["email"].encode()).hexdigest()[:24],
            "email": chosen["email"], "name": chosen["name"], "nonce": q["nonce"],
            "iat": now, "exp": now + 3600,
        }
        if chosen.get("mfa") == "on":
            claims["amr"] = ["pwd", "mfa"]
        if name == "microsoft":
            claims.update(iss=self.issuer(name, chosen["link"]), tid=chosen["link"],
                          preferred_username=chosen["email"])
        else:
            claims.update(iss=self.issuer(name), email_verified=True)
            if chosen["link"]:
                claims["hd"] = chosen["link"]
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                     "expires_in": 3600, "scope": q.get("scope", ""), "id_token": self.sign(claims)}


def page(name, q):
    label = {"microsoft": "Microsoft", "google": "Google"}[name]
    hidden = "".join(f'<input type="hidden" name="q_{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in q.items())
    link_label = "Tenant id" if name == "microsoft" else "Workspace domain (blank: a personal account)"
    accounts = "".join(
        f'<li><form method="post" action="/{name}/authorize">{hidden}'
        f'<input type="hidden" name="name" value="{html.escape(n)}">'
        f'<input type="hidden" name="email" value="{html.escape(e)}">'
        f'<input type="hidden" name="link" value="{html.escape(l)}">'
        f'<label><input type="checkbox" name="mfa"> I passed MFA</label> '
        f'<button type="submit">Continue as {html.escape(e)}</button> <small>{html.escape(l)}</small></form></li>'
        for n, e, l in ACCOUNTS[name])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with {label} (local stand-in)</title>
<style>body{{font:16px system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
li{{margin:.75rem 0}}label{{display:block;margin:.5rem 0}}</style></head><body><main>
<h1>Sign in with {label}</h1>
<p>This is the local stand-in for {label}'s sign-in page (infra/idp_double.py): no account is
needed. Choose who you are.</p>
<ul>{accounts}</ul>
<h2>Someone else</h2>
<form method="post" action="/{name}/authorize">{hidden}
<label>Name <input name="name" required value="Pat Example"></label>
<label>Email <input name="email" type="email" required></label>
<label>{link_label} <input name="link" value="{ACME_TENANT if name == 'microsoft' else 'acme.example'}"></label>
<label><input type="checkbox" name="mfa"> I passed MFA</label>
<button type="submit">Continue</button></form>
<form method="post" action="/{name}/authorize">{hidden}<input type="hidden" name="cancel" value="1">
<button type="submit">Cancel</button></form>
</main></body></html>"""


class Handler(BaseHTTPRequestHandler):
    server_version = "idp-double"

    def log_message(self, fmt, *args):
        sys.stderr.write("idp-double: " + (fmt % args) + "\n")

    def send(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else (
            json.dumps(body) if content_type == "application/json" else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def route(self):
        parts = urllib.parse.urlsplit(self.path)
        segments = parts.path.strip("/").split("/")
        name = segments[0] if segments and segments[0] in ACCOUNTS else None
        return name, "/".join(segments[1:]), dict(urllib.parse.parse_qsl(parts.query))

    def do_GET(self):
        idp = self.server.idp
        name, rest, q = self.route()
        if name == "microsoft" and rest == "organizations/v2.0/.well-known/openid-configuration":
            return self.send(200, idp.discovery(name))
        if name == "google" and rest == ".well-known/openid-configuration":
            return self.send(200, idp.discovery(name))
        if name and rest == "keys":
            return self.send(200, idp.jwks())
        if name and rest == "authorize":
            why = idp.authorize_refusal(q)
            if why:
                return self.send(400, f"<!doctype html><title>Refused</title><p>{html.escape(why)}</p>",
                                 "text/html; charset=utf-8")
            return self.send(200, page(name, q), "text/html; charset=utf-8")
        if self.path == "/health":
            return self.send(200, {"ok": True})
        self.send(404, {"error": "not_found"})

    def do_POST(self):
        idp = self.server.idp
        name, rest, _ = self.route()
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        if name and rest == "authorize":
            q = {k[2:]: v for k, v in form.items() if k.startswith("q_")}
            why = idp.authorize_refusal(q)
            if why:
                return self.send(400, {"error": "invalid_request", "error_description": why})
            back = q["redirect_uri"] + "?"
            if form.get("cancel"):
                back += urllib.parse.urlencode({"error": "access_denied", "state": q["state"]})
            else:
                chosen = {k: form.get(k, "").strip() for k in ("name", "email", "link", "mfa")}
                back += urllib.parse.urlencode({"code": idp.issue_code(name, q, chosen), "state": q["state"]})
            return self.send(303, b"", "text/plain", [("Location", back)])
        if name and rest == "token":
            basic = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                basic = (urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password))
            status, body = idp.exchange(name, form, basic)
            return self.send(status, body)
        self.send(404, {"error": "not_found"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--origin", required=True, help="the portal's origin (redirects go only there)")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.idp = Provider(args)
    print(f"idp-double on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
