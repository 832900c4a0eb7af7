#!/usr/bin/env python3
"""First-load weight of each prerendered page: the page plus every stylesheet, script, module it
imports (transitively) and image it references, gzip-compressed as the CDN serves them."""
import gzip
import os
import re
import sys

DIST = sys.argv[1] if len(sys.argv) > 1 else "site/dist"
REF = re.compile(r'(?:href|src)="(/[^"#?]*)"')
IMPORT = re.compile(r'''(?:import|from)\s*['"](\./[^'"]+)['"]''')


def deps(path, seen):
    if path in seen or not os.path.isfile(path):
        return
    seen.add(path)
    text = open(path, encoding="utf-8", errors="ignore").read()
    if path.endswith(".html"):
        for ref in REF.findall(text):
            if not ref.endswith("/"):  # links to other pages are not loaded
                deps(os.path.join(DIST, ref.lstrip("/")), seen)
    elif path.endswith(".js"):
        for ref in IMPORT.findall(text):
            deps(os.path.normpath(os.path.join(os.path.dirname(path), ref)), seen)


print("| page | files | gzip total |")
print("|---|---|---|")
for folder, _, files in sorted(os.walk(DIST)):
    for name in sorted(files):
        if name.endswith(".html"):
            page = os.path.join(folder, name)
            seen = set()
            deps(page, seen)
            total = sum(len(gzip.compress(open(f, "rb").read(), 9)) for f in seen)
            url = "/" + os.path.relpath(page, DIST).replace("index.html", "")
            print(f"| {url} | {len(seen)} | {total / 1024:.1f} KiB |")
