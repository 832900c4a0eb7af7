"""Schemathesis hooks for infra/fuzz.sh: keep the fuzzer from locking itself out.

Schemathesis learns ids from answers (the stateful phase follows them), so it can reach the fuzzer's
own company and user. Three valid requests would end its run early without testing anything more:
requiring MFA of its own company (every later request is 403 until it enrols), and deactivating or
demoting its own user. Those values are swapped for harmless valid ones (MFA not required, status
active, its own role), so the request stays schema-valid and is still sent. Nothing else is changed.
The API tests cover those changes (tests/tests/api/accounts.rs).

A list's `cursor` is sealed by the server: only one it gave is valid, whatever its shape. Valid
(positive) requests keep a cursor only if an answer carried it; invalid ones still send any.
"""
import os

import schemathesis

SELF_USER = os.environ.get("FUZZ_SELF_USER", "")
SELF_ROLE = os.environ.get("FUZZ_SELF_ROLE", "")
SELF_COMPANY = os.environ.get("FUZZ_SELF_COMPANY", "")


ISSUED_CURSORS = set()


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
    body = case.body if isinstance(case.body, dict) else None
    if body is None or case.method.upper() != "PATCH":
        return
    params = case.path_parameters or {}
    if case.path == "/api/companies/{company_id}" and params.get("company_id") == SELF_COMPANY:
        if body.get("mfa_required") is True:
            body["mfa_required"] = False
    if case.path == "/api/companies/{company_id}/users/{user_id}" and params.get("user_id") == SELF_USER:
        if body.get("status") in ("deactivated", "invited"):
            body["status"] = "active"
        if isinstance(body.get("role"), str) and body["role"] != SELF_ROLE:
            body["role"] = SELF_ROLE
