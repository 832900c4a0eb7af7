#!/usr/bin/env python3
"""Cold start and peak memory of each function's release binary under cargo-lambda's Lambda
emulator (`cargo lambda watch --only-lambda-apis`): the time from spawning the process to the
first answered request, and the process's peak resident memory (VmHWM). Run by infra/bench.sh,
which has started moto_server and the emulator and exported the functions' environment."""
import os
import statistics
import subprocess
import sys
import time
import urllib.request

EMULATOR = os.environ["BENCH_EMULATOR"]  # host:port
ROUTES = {"auth": "/api/me", "accounts": "/api/companies"}
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def request(path):
    req = urllib.request.Request(f"http://{EMULATOR}{path}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    print("| function | cold start (median of %d) | warm request (median of 20) | peak memory |" % RUNS)
    print("|---|---|---|---|")
    for function, path in ROUTES.items():
        colds, warms, peaks = [], [], []
        for _ in range(RUNS):
            env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"{EMULATOR}/.rt/{function}", AWS_LAMBDA_FUNCTION_NAME=function,
                       AWS_LAMBDA_FUNCTION_VERSION="1", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256")
            started = time.perf_counter()
            proc = subprocess.Popen([f"target/release/{function}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            status = request(path)
            colds.append(time.perf_counter() - started)
            if status != 401:
                sys.exit(f"{function}: {path} answered {status}, expected 401")
            for _ in range(20):
                t = time.perf_counter()
                request(path)
                warms.append(time.perf_counter() - t)
            peaks.append(peak_kib(proc.pid))
            proc.terminate()
            proc.wait()
        print(f"| {function} | {statistics.median(colds) * 1000:.0f} ms | {statistics.median(warms) * 1000:.1f} ms "
              f"| {max(peaks) / 1024:.1f} MiB |")


if __name__ == "__main__":
    main()
