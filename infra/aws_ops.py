#!/usr/bin/env python3
"""Operator commands against a deployed stack, with boto3 from the project's .venv (no AWS CLI needed).

  infra/aws_ops.py put-secrets --name /msp-portal/dev/secrets [--force]
      Store a freshly generated secrets document (JWT signing key, cursor key) as an SSM SecureString.
      Refuses to overwrite an existing parameter unless --force (which signs everybody out).
  infra/aws_ops.py upload-site --stack msp-portal-dev
      Upload site/dist to the stack's site bucket (removing stale files) and invalidate the CDN.
  infra/aws_ops.py output --stack msp-portal-dev --key TableName
      Print one stack output.
  infra/aws_ops.py verify-sender portal@msp.example
      Create the SES identity for the portal's sender (MailFrom). In AWS, SES then mails a link that
      verifies it; while the account is in the SES sandbox, recipients must be verified too.

Credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION).
"""
import argparse
import mimetypes
import os
import subprocess
import sys
import time

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The Rust SDK (and portal-admin) read AWS_REGION; boto3 reads AWS_DEFAULT_REGION. Accept either.
if os.environ.get("AWS_REGION") and not os.environ.get("AWS_DEFAULT_REGION"):
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"]


def outputs(stack):
    desc = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}


def put_secrets(args):
    ssm = boto3.client("ssm")
    if not args.force:
        try:
            ssm.get_parameter(Name=args.name)
            sys.exit(f"{args.name} exists already; pass --force to replace it (this ends every session)")
        except ssm.exceptions.ParameterNotFound:
            pass
    value = subprocess.run(["cargo", "run", "-q", "-p", "portal", "--bin", "portal-admin", "--", "gen-secrets"],
                           cwd=ROOT, check=True, capture_output=True, text=True).stdout
    ssm.put_parameter(Name=args.name, Value=value, Type="SecureString", Overwrite=args.force)
    print(f"stored new secrets in {args.name}")


def upload_site(args):
    out = outputs(args.stack)
    bucket, distribution = out["SiteBucketName"], out["DistributionId"]
    dist = os.path.join(ROOT, "site", "dist")
    if not os.path.isfile(os.path.join(dist, "index.html")):
        sys.exit("site/dist is empty: run `cargo run -p site` first")
    s3 = boto3.client("s3")
    wanted = set()
    for folder, _, files in os.walk(dist):
        for name in files:
            path = os.path.join(folder, name)
            key = os.path.relpath(path, dist).replace(os.sep, "/")
            wanted.add(key)
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype == "application/javascript":
                ctype += "; charset=utf-8"
            # Pages and modules are revalidated on every load so a deploy shows at once; the vendored
            # framework is immutable for its version.
            cache = "public, max-age=31536000, immutable" if key.startswith("vendor/") else "no-cache"
            s3.upload_file(path, bucket, key, ExtraArgs={"ContentType": ctype, "CacheControl": cache})
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        stale += [{"Key": o["Key"]} for o in page.get("Contents", []) if o["Key"] not in wanted]
    for i in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[i:i + 1000]})
    boto3.client("cloudfront").create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())})
    print(f"uploaded {len(wanted)} files to {bucket}, removed {len(stale)}, invalidated {distribution}")
    print(f"portal: {out['PortalUrl']}")


def verify_sender(args):
    ses = boto3.client("sesv2")
    try:
        ses.create_email_identity(EmailIdentity=args.email)
        print(f"created SES identity {args.email}")
    except ses.exceptions.AlreadyExistsException:
        print(f"SES identity {args.email} exists already")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("put-secrets")
    p.add_argument("--name", required=True)
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("upload-site")
    p.add_argument("--stack", required=True)
    p = sub.add_parser("output")
    p.add_argument("--stack", required=True)
    p.add_argument("--key", required=True)
    p = sub.add_parser("verify-sender")
    p.add_argument("email")
    args = ap.parse_args()
    if args.command == "put-secrets":
        put_secrets(args)
    elif args.command == "verify-sender":
        verify_sender(args)
    elif args.command == "upload-site":
        upload_site(args)
    else:
        print(outputs(args.stack)[args.key])


if __name__ == "__main__":
    main()
