#!/usr/bin/env python3
"""Cold start and peak memory of each function's release binary under cargo-lambda's Lambda
emulator (`cargo lambda watch --only-lambda-apis`): the time from spawning the process to the
first answered request, and the process's peak resident memory (VmHWM). Run by infra/bench.sh,
which has started moto_server and the emulator and exported the functions' environment."""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

EMULATOR = os.environ["BENCH_EMULATOR"]  # host:port
ORIGIN = os.environ["PORTAL_ORIGIN"]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
LOGIN = json.dumps({"email": "fulladmin@acme.example", "password": "portal-demo", "remember": False}).encode()


def request(method, path, body=None, cookie=None):
    headers = {"Origin": ORIGIN, "Content-Type": "application/json"}
    if cookie:
        headers["Cookie"] = cookie
    req = urllib.request.Request(f"http://{EMULATOR}{path}", data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers.get("Set-Cookie", "").split(";")[0]
    except urllib.error.HTTPError as err:
        return err.code, ""


def peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    # Each function's first request does real work: sign-in (2 DynamoDB calls and an argon2id
    # verification), a user list (2 calls). Warm requests repeat a signed-in read.
    cookie = {}
    scenarios = {
        "auth": (lambda: request("POST", "/api/auth/login", LOGIN), 204,
                 lambda: request("GET", "/api/me", cookie=cookie["value"])),
        "accounts": (lambda: request("GET", "/api/companies/acme-dental/users", cookie=cookie["value"]), 200,
                     lambda: request("GET", "/api/companies/acme-dental/users", cookie=cookie["value"])),
        "tickets": (lambda: request("GET", "/api/tickets", cookie=cookie["value"]), 200,
                    lambda: request("GET", "/api/tickets", cookie=cookie["value"])),
        "projects": (lambda: request("GET", "/api/projects", cookie=cookie["value"]), 200,
                     lambda: request("GET", "/api/projects", cookie=cookie["value"])),
        "billing": (lambda: request("GET", "/api/invoices", cookie=cookie["value"]), 200,
                    lambda: request("GET", "/api/invoices", cookie=cookie["value"])),
    }
    print("| function | first request | cold start to answer (median of %d) | warm request (median of 20) | peak memory |" % RUNS)
    print("|---|---|---|---|---|")
    for function, (first, expected, warm) in scenarios.items():
        colds, warms, peaks = [], [], []
        for _ in range(RUNS):
            env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"http://{EMULATOR}/.rt/{function}", AWS_LAMBDA_FUNCTION_NAME=function,
                       AWS_LAMBDA_FUNCTION_VERSION="1", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256")
            started = time.perf_counter()
            proc = subprocess.Popen([f"target/release/{function}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            status, set_cookie = first()
            colds.append(time.perf_counter() - started)
            if status != expected:
                proc.terminate()
                sys.exit(f"{function}: first request answered {status}, expected {expected}")
            if set_cookie:
                cookie["value"] = set_cookie
            for _ in range(20):
                t = time.perf_counter()
                warm()
                warms.append(time.perf_counter() - t)
            peaks.append(peak_kib(proc.pid))
            proc.terminate()
            proc.wait()
        label = {"auth": "POST /api/auth/login", "accounts": "GET /api/companies/{id}/users",
                 "tickets": "GET /api/tickets", "projects": "GET /api/projects", "billing": "GET /api/invoices"}[function]
        print(f"| {function} | {label} | {statistics.median(colds) * 1000:.0f} ms | {statistics.median(warms) * 1000:.1f} ms "
              f"| {max(peaks) / 1024:.1f} MiB |")


if __name__ == "__main__":
    main()
