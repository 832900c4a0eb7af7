"""moto_server with DynamoDB requests applied one at a time.

moto's TransactWriteItems snapshots each table before it starts and, when any part fails, puts the
snapshot back: with requests served on several threads, a failing transaction can thereby undo
another request's committed writes (seen: two invoices issued with the same number). DynamoDB applies
each request atomically, so serialising DynamoDB requests is the faithful model; S3 and SES requests
stay concurrent. Same options as moto_server (-H host, -p port).
"""

import argparse
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

DYNAMODB = threading.Lock()


def serialise_dynamodb(app):
    def wrapped(environ, start_response):
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
