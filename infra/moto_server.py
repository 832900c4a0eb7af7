"""moto_server with DynamoDB requests applied one at a time.

moto's TransactWriteItems snapshots each table before it starts and, when any part fails, puts the
snapshot back: with requests served on several threads, a failing transaction can thereby undo
another request's committed writes (seen: two invoices issued with the same number). DynamoDB applies
each request atomically, so serialising DynamoDB requests is the faithful model; S3 and SES requests
stay concurrent. Same options as moto_server (-H host, -p port).

GET /_portal/mailbox.json lists the mail the SES stand-in captured (oldest first): the dev mailbox
reads it instead of /moto-api/data.json, which dumps every service's state (seconds, megabytes, once
the table holds the demo data).

Two of moto's costs grow with the whole table, which DynamoDB's do not, and are replaced here (see
`undo_log_transactions` and `partition_queries`): once a long fuzz run had written ~30,000 items, a
three-part transaction took 8.6 s and requests queued behind it for up to 39 s.

Two of moto's per-request costs, the same answers without them (`fast_item_answers`,
`known_services`): together a quarter of its CPU time under the API tests, where this one process is
what the tests wait on.
"""

import argparse
import base64
import copy
import json
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

DYNAMODB = threading.Lock()


def raw_mail(m):
    """A raw (MIME) message as the mailbox lists mail: its subject, text and attachments."""
    import email
    from email import policy

    message = email.message_from_string(m.raw_data, policy=policy.default)
    text = message.get_body(preferencelist=("plain",))
    attachments = [
        {"filename": part.get_filename(), "content_type": part.get_content_type(),
         "size": len(part.get_payload(decode=True) or b"")}
        for part in message.iter_attachments()
    ]
    return {
        "subject": str(message["subject"] or ""),
        "source": m.source,
        # moto adds the To header's addresses to those the request named: once each.
        "destinations": {"ToAddresses": list(dict.fromkeys(m.destinations))},
        "body": text.get_content() if text is not None else "",
        "attachments": attachments,
    }


def mailbox(start_response):
    from moto.ses.models import Message, RawMessage, ses_backends

    mails = [
        {"subject": m.subject, "source": m.source, "destinations": m.destinations, "body": m.body}
        if isinstance(m, Message) else raw_mail(m)
        for account in list(ses_backends.values())
        for backend in list(account.values())
        for m in list(backend.sent_messages)
        if isinstance(m, (Message, RawMessage))
    ]
    body = json.dumps(mails).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def serialise_dynamodb(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") == "/_portal/mailbox.json":
            return mailbox(start_response)
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with DYNAMODB:
                # The body is produced inside the lock too: responses are lists, not streams.
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wrapped


def undo_log_transactions():
    """TransactWriteItems keeps the items it touches, not the table, to undo a failed transaction.

    moto deep-copies the whole table once per part of every transaction (seconds once the table is
    large), and puts the copy back if any part fails. Here the copy moto takes is the table itself,
    and the items the parts name are copied before and put back on failure instead: the same result,
    at the cost of the items touched. Requests are serialised (above), so nothing else changes them
    in between.
    """
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    Table.__deepcopy__ = lambda self, memo: self
    transact = DynamoDBBackend.transact_write_items

    def touched(backend, part):
        """(table, hash key, range key, a copy of the item or None) for one part, or None when
        moto will refuse the part before writing it (no such table, no key)."""
        try:
            _, op = next(iter(part.items()))
            table = backend.tables[op["TableName"]]
            key = op["Key"] if "Key" in op else op["Item"]
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            return table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))
        except Exception:  # noqa: BLE001 - moto reports the malformed part itself
            return None

    def put_back(table, hash_key, range_key, before):
        if range_key is None:
            if before is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = before
        elif before is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = before

    def transact_write_items(self, transact_items):
        undo = [t for t in (touched(self, part) for part in transact_items) if t is not None]
        try:
            return transact(self, transact_items)
        except Exception:
            # In reverse, so a key named twice ends as it was before the first part.
            for entry in reversed(undo):
                put_back(*entry)
            raise

    DynamoDBBackend.transact_write_items = transact_write_items


def partition_queries():
    """A Query on the table (not an index) looks at its partition only.

    moto lists every item of the table, keeps those of the partition, and then sizes each one while
    it checks the sort-key condition; here the table's item list is, for the duration of that Query,
    the partition's items that meet the sort-key condition.
    """
    from moto.dynamodb.models.table import Table

    query = Table.query

    def partition_query(self, hash_key, range_comparison, range_objs, *args, **kwargs):
        index_name = kwargs.get("index_name", args[4] if len(args) > 4 else None)
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return query(self, hash_key, range_comparison, range_objs, *args, **kwargs)

        def partition():
            items = self.items.get(hash_key, {}).values()
            if range_comparison:
                return [i for i in items if i.range_key.compare(range_comparison, range_objs)]
            return list(items)

        self.all_items = partition
        try:
            return query(self, hash_key, range_comparison, range_objs, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = partition_query


# The DynamoDB operations whose answers are items (attribute values) and counts, which moto builds
# as a `DynamoResult` (its BatchWriteItem and TransactWriteItems answers are small, and kept as moto
# writes them).
ITEM_OPERATIONS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}


def fast_item_answers():
    """Item answers written straight to JSON.

    moto writes every answer by walking the operation's output shape value by value, looking up
    each member's name in several spellings: a fifth of its CPU time under the API tests, nearly
    all of it on attribute values. An item operation's answer is already DynamoDB's JSON (moto built
    it with `dynamo_to_dict`) but for binary values, which JSON carries as base64; the shape's
    walk keeps only its top-level members that are set, as here. infra/moto_server_check.py
    checks that the two write the same answers.
    """
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoResult

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(value).decode()
        return value

    def execute_result(self, context):
        operation = context.operation_model
        if operation.name not in ITEM_OPERATIONS or not isinstance(self.result, dict):
            return ActionResult.execute_result(self, context)
        members = operation.output_shape.members
        serializer = context.serializer_class(operation_model=operation)
        body = {k: plain(v) for k, v in self.result.items() if k in members and v is not None}
        answer = serializer._serialized_result_to_response(
            serializer._create_default_response(), self.result, operation.output_shape, body
        )
        return answer["status_code"], answer["headers"], answer["body"]

    DynamoResult.execute_result = execute_result


def known_services():
    """moto lists its own package directory on every request to route it; the list never changes."""
    from moto import backends

    services = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: services


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    undo_log_transactions()
    partition_queries()
    fast_item_answers()
    known_services()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        serialise_dynamodb(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
