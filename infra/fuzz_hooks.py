"""Schemathesis hooks for infra/fuzz.sh: keep the fuzzers from locking themselves or each other out.

Schemathesis learns ids from answers (the stateful phase follows them), so it can reach a fuzzer's
company and user; the MSP admin's fuzzer, running beside the client's, can reach the client's too.
Three valid requests would end a run early without testing anything more: requiring MFA of a
fuzzer's company (every later request is 403 until it enrols), and deactivating or demoting a
fuzzer's user. Those values are swapped for harmless valid ones (MFA not required, status active,
the user's own role), so the request stays schema-valid and is still sent. Nothing else is changed.
The API tests cover those changes (tests/tests/api/accounts/). `FUZZ_PROTECT` names the fuzzers'
identities: `user:role:company`, space-separated.

A list's `cursor` is sealed by the server: only one it gave is valid, whatever its shape. Valid
(positive) requests keep a cursor only if an answer carried it; invalid ones still send any.

CPython before 3.11.9 keeps the AST converter's recursion depth in state its threads share
(gh-106905): two of schemathesis's worker threads parsing source at once (hypothesis reads a filter
lambda's source to name it) can fail a run with "SystemError: AST constructor recursion depth
mismatch" (seen under 3.11.7). Here one parse runs at a time.
"""
import ast
import os
import threading

import re
import uuid

import schemathesis

_parse = ast.parse
_one_parse_at_a_time = threading.Lock()


def _parse_alone(*args, **kwargs):
    with _one_parse_at_a_time:
        return _parse(*args, **kwargs)


ast.parse = _parse_alone

PROTECTED = [who.split(":") for who in os.environ.get("FUZZ_PROTECT", "").split()]
ROLES = {user: role for user, role, _ in PROTECTED}
COMPANIES = {company for _, _, company in PROTECTED}


ISSUED_CURSORS = set()
# The Idempotency-Key header's pattern, as the API document states it.
VALID_KEY = re.compile(r"[A-Za-z0-9._:-]{0,100}")


@schemathesis.hook
def after_call(context, case, response):
    try:
        cursor = response.json().get("next_cursor")
    except Exception:
        return
    if isinstance(cursor, str):
        ISSUED_CURSORS.add(cursor)


@schemathesis.hook
def before_call(context, case, **kwargs):
    query = case.query if isinstance(case.query, dict) else None
    positive = case.meta is None or case.meta.generation.mode.is_positive
    if query and positive and "cursor" in query and query["cursor"] not in ISSUED_CURSORS:
        del query["cursor"]
    # A generated Idempotency-Key ("", "0", …) recurs across cases, and a create retried with a key
    # answers what the key made first, whatever the new body says (the API tests check that): each
    # case gets a key of its own, so every body is judged on its own.
    # A key that breaks the header's pattern is left as it is (its case is about the key).
    # (Any mapping: a fuzzing-phase case may carry its headers in another mapping type than dict.)
    headers = case.headers if hasattr(case.headers, "keys") and hasattr(case.headers, "__setitem__") else None
    for name in list(headers or {}):
        value = headers[name]
        if name.lower() == "idempotency-key" and isinstance(value, str) and VALID_KEY.fullmatch(value):
            headers[name] = value[:67] + "." + uuid.uuid4().hex
    body = case.body if isinstance(case.body, dict) else None
    if body is None or case.method.upper() != "PATCH":
        return
    params = case.path_parameters or {}
    if case.path == "/api/companies/{company_id}" and params.get("company_id") in COMPANIES:
        if body.get("mfa_required") is True:
            body["mfa_required"] = False
    role = ROLES.get(params.get("user_id"))
    if case.path == "/api/companies/{company_id}/users/{user_id}" and role:
        if body.get("status") in ("deactivated", "invited"):
            body["status"] = "active"
        if isinstance(body.get("role"), str) and body["role"] != role:
            body["role"] = role
