#!/usr/bin/env python3
"""Operator commands against a deployed stack, with boto3 from the project's .venv (no AWS CLI needed).

  infra/aws_ops.py put-secrets --name /msp-portal/dev/secrets [--force]
      Store fresh secrets as SSM parameters (once per stage, before the first deploy): NAME (the
      master key and the JWT public key, read by every function), NAME-signing (the JWT private key,
      auth only) and NAME-origin-verify (what CloudFront sends the API). Refuses to overwrite unless
      --force (which signs everybody out). Stripe keys (NAME-stripe) are left alone.
  infra/aws_ops.py set-stripe --name /msp-portal/dev/secrets --secret-key sk_live_… --webhook-secret whsec_…
      Store (or replace) the Stripe keys in NAME-stripe, read by the billing function only. Either
      option alone replaces just that key.
  infra/aws_ops.py set-sso --name /msp-portal/dev/secrets --provider microsoft|google --client-id ID
      Store (or replace) the client id and secret of the MSP's app registration with Microsoft or
      Google in NAME-sso, read by the auth function only; the secret is read from standard input
      (not the command line, which shell history keeps). --remove turns the provider off.
      docs/sso.md shows the registration steps and the redirect address.
  infra/aws_ops.py rotate --name /msp-portal/dev/secrets --what signing|origin
      signing: a new JWT key pair (every session ends at the next cold start of each function);
      origin: a new CloudFront origin secret (takes effect with the next `sam deploy`).
      docs/operations.md says how to rotate each secret.
  infra/aws_ops.py split-secrets --name /msp-portal/dev/secrets
      Move a secrets parameter written before the split (one document with every key) into its
      parts, so only auth holds the signing key and only billing the Stripe keys.
  infra/aws_ops.py upload-site --stack msp-portal-dev
      Upload site/dist to the stack's site bucket (removing stale files) and invalidate the CDN.
  infra/aws_ops.py output --stack msp-portal-dev --key TableName
      Print one stack output.
  infra/aws_ops.py verify-sender portal@msp.example | msp.example
      Create the SES identity for the portal's sender (MailFrom): an address (SES mails it a link), or
      for production the domain, with Easy DKIM (prints the three CNAME records for its DNS). While
      the account is in the SES sandbox, recipients must be verified too (docs/operations.md).

Credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION).
"""
import argparse
import json
import mimetypes
import os
import secrets
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


def admin(*args, stdin=None):
    return subprocess.run(["cargo", "run", "-q", "-p", "portal-admin", "--", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True, input=stdin).stdout


def exists(ssm, name):
    try:
        ssm.get_parameter(Name=name)
        return True
    except ssm.exceptions.ParameterNotFound:
        return False


def store_parts(ssm, name, document, overwrite):
    """Store a secrets document as its SSM parameters (portal-admin split-secrets says which)."""
    parts = json.loads(admin("split-secrets", stdin=document))
    for suffix, part in parts.items():
        if part:
            ssm.put_parameter(Name=name + suffix, Value=json.dumps(part), Type="SecureString", Overwrite=overwrite)
            print(f"stored {name + suffix} ({', '.join(sorted(part))})")


def put_secrets(args):
    ssm = boto3.client("ssm")
    if not args.force and exists(ssm, args.name):
        sys.exit(f"{args.name} exists already; pass --force to replace it (this ends every session)")
    store_parts(ssm, args.name, admin("gen-secrets"), overwrite=args.force)
    origin = args.name + "-origin-verify"
    if args.force or not exists(ssm, origin):
        # A plain String: CloudFormation resolves it into CloudFront's origin header and the
        # functions' environment at deploy time (SecureString cannot go there).
        ssm.put_parameter(Name=origin, Value=secrets.token_hex(32), Type="String", Overwrite=True)
        print(f"stored {origin}")


def stored_part(ssm, name):
    """The JSON document of secrets part `name`, or an empty one if it was never stored."""
    try:
        return json.loads(ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        return {}


def set_stripe(args):
    ssm = boto3.client("ssm")
    name = args.name + "-stripe"
    current = stored_part(ssm, name)
    if args.secret_key:
        if not args.secret_key.startswith(("sk_", "rk_")):
            sys.exit("--secret-key must be a Stripe secret or restricted key (sk_… or rk_…)")
        current["stripe_secret_key"] = args.secret_key
    if args.webhook_secret:
        if not args.webhook_secret.startswith("whsec_"):
            sys.exit("--webhook-secret must be a webhook signing secret (whsec_…)")
        current["stripe_webhook_secret"] = args.webhook_secret
    if not (args.secret_key or args.webhook_secret):
        sys.exit("give --secret-key, --webhook-secret or both")
    ssm.put_parameter(Name=name, Value=json.dumps(current), Type="SecureString", Overwrite=True)
    missing = {"stripe_secret_key", "stripe_webhook_secret"} - set(current)
    print(f"stored {name}" + (f"; still missing: {', '.join(sorted(missing))}" if missing else ""))
    print("The billing function reads it at its next cold start: within minutes of idle, or at once after "
          "the next deploy (or any change to its configuration).")


def set_sso(args):
    ssm = boto3.client("ssm")
    name = args.name + "-sso"
    current = stored_part(ssm, name)
    keys = (f"{args.provider}_client_id", f"{args.provider}_client_secret")
    if args.remove:
        for key in keys:
            current.pop(key, None)
    else:
        if not args.client_id or not args.client_id.strip():
            sys.exit("give --client-id (the application's client id), or --remove")
        print(f"The {args.provider} client secret (then Enter):", file=sys.stderr)
        secret = sys.stdin.readline().strip()
        if not secret:
            sys.exit("no client secret given on standard input")
        current[keys[0]], current[keys[1]] = args.client_id.strip(), secret
    ssm.put_parameter(Name=name, Value=json.dumps(current), Type="SecureString", Overwrite=True)
    on = sorted({k.split("_")[0] for k in current if k.endswith("_client_id")})
    print(f"stored {name}: sign-in with {', '.join(on) or 'no provider'}")
    print("The auth function reads it at its next cold start: within minutes of idle, or at once after "
          "the next deploy (or any change to its configuration).")


def rotate(args):
    ssm = boto3.client("ssm")
    if args.what == "origin":
        ssm.put_parameter(Name=args.name + "-origin-verify", Value=secrets.token_hex(32), Type="String", Overwrite=True)
        print("stored a new origin secret: run `sam deploy` now (CloudFront and the functions take it from the deploy)")
        return
    shared = json.loads(ssm.get_parameter(Name=args.name, WithDecryption=True)["Parameter"]["Value"])
    fresh = json.loads(admin("gen-secrets"))
    fresh["master_key"] = shared.get("master_key") or shared["cursor_key"]  # keep TOTP enrolments working
    store_parts(ssm, args.name, json.dumps(fresh), overwrite=True)
    print("new JWT key pair stored: functions pick it up at their next cold start, and every session then ends")


def split_secrets(args):
    ssm = boto3.client("ssm")
    document = ssm.get_parameter(Name=args.name, WithDecryption=True)["Parameter"]["Value"]
    store_parts(ssm, args.name, document, overwrite=True)


def demo_branding():
    """Whether site/branding.toml is still the demo MSP (Branding::is_demo says the same in Rust)."""
    import tomllib
    with open(os.path.join(ROOT, "site", "branding.toml"), "rb") as f:
        b = tomllib.load(f)
    return (b["support"]["email"].lower().endswith(".example") or "Northwind IT" in b["name"]
            or "Northwind IT" in b.get("invoice", {}).get("legal_name", ""))


def stage(stack):
    desc = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {p["ParameterKey"]: p.get("ParameterValue") for p in desc.get("Parameters", [])}.get("Stage")


def upload_site(args):
    if stage(args.stack) == "prod" and demo_branding():
        sys.exit("site/branding.toml still holds the demo MSP (Northwind IT): put your own name, support contact "
                 "and invoice details there, then `cargo run -p site`, `sam build` and deploy before uploading")
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
    """An address: SES mails it a verification link. A domain (production): Easy DKIM, whose three
    CNAME records go into the domain's DNS; mail from any address at it is then verified."""
    ses = boto3.client("sesv2")
    try:
        ses.create_email_identity(EmailIdentity=args.email)
        print(f"created SES identity {args.email}")
    except ses.exceptions.AlreadyExistsException:
        print(f"SES identity {args.email} exists already")
    if "@" not in args.email:
        identity = ses.get_email_identity(EmailIdentity=args.email)
        tokens = identity.get("DkimAttributes", {}).get("Tokens", [])
        print("Add these CNAME records to the domain's DNS (Easy DKIM); SES verifies the domain once they resolve:")
        for token in tokens:
            print(f"  {token}._domainkey.{args.email}  CNAME  {token}.dkim.amazonses.com")
        print(f"DKIM status: {identity.get('DkimAttributes', {}).get('Status', 'unknown')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("put-secrets")
    p.add_argument("--name", required=True)
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("set-stripe")
    p.add_argument("--name", required=True)
    p.add_argument("--secret-key")
    p.add_argument("--webhook-secret")
    p = sub.add_parser("set-sso")
    p.add_argument("--name", required=True)
    p.add_argument("--provider", required=True, choices=["microsoft", "google"])
    p.add_argument("--client-id")
    p.add_argument("--remove", action="store_true")
    p = sub.add_parser("rotate")
    p.add_argument("--name", required=True)
    p.add_argument("--what", required=True, choices=["signing", "origin"])
    p = sub.add_parser("split-secrets")
    p.add_argument("--name", required=True)
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
    elif args.command == "set-stripe":
        set_stripe(args)
    elif args.command == "set-sso":
        set_sso(args)
    elif args.command == "rotate":
        rotate(args)
    elif args.command == "split-secrets":
        split_secrets(args)
    elif args.command == "verify-sender":
        verify_sender(args)
    elif args.command == "upload-site":
        upload_site(args)
    else:
        print(outputs(args.stack)[args.key])


if __name__ == "__main__":
    main()
