"""moto_server with DynamoDB requests applied one at a time.

moto's TransactWriteItems snapshots each table before it starts and, when any part fails, puts the
snapshot back: with requests served on several threads, a failing transaction can thereby undo
another request's committed writes (seen: two invoices issued with the same number). DynamoDB applies
each request atomically, so serialising DynamoDB requests is the faithful model; S3 and SES requests
stay concurrent. Same options as moto_server (-H host, -p port).

GET /_portal/mailbox.json lists the mail the SES stand-in captured (oldest first): the dev mailbox
reads it instead of /moto-api/data.json, which dumps every service's state (seconds, megabytes, once
the table holds the demo data).
"""

import argparse
import json
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

DYNAMODB = threading.Lock()


def mailbox(start_response):
    from moto.ses.models import Message, ses_backends

    mails = [
        {"subject": m.subject, "source": m.source, "destinations": m.destinations, "body": m.body}
        for account in list(ses_backends.values())
        for backend in list(account.values())
        for m in list(backend.sent_messages)
        if isinstance(m, Message)
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
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
