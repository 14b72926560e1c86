#!/usr/bin/env python3
"""Reads `cargo test --no-run --message-format=json…` on stdin and prints, for each test binary of
the packages named as arguments, a line `PACKAGE KIND EXECUTABLE` (KIND: lib or the test target's
name). Used by scripts/test.sh's test-pg step to run the test step's own binaries against
PostgreSQL. Exit status 1 when a named package has no test binary (a renamed crate must not make
the step pass by running nothing)."""

import json
import sys


def main() -> int:
    wanted = sys.argv[1:]
    seen = set()
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-artifact" or not msg.get("executable") or not msg["profile"]["test"]:
            continue
        # package_id: "path+file:///…/crates/loam-store#0.1.0" (or "loam-store 0.1.0 (…)" on older cargo)
        pid = msg["package_id"]
        name = pid.split("#")[0].rsplit("/", 1)[-1] if "#" in pid else pid.split()[0]
        if name not in wanted:
            continue
        target = msg["target"]
        kind = "lib" if "lib" in target["kind"] else target["name"]
        print(name, kind, msg["executable"])
        seen.add(name)
    missing = [w for w in wanted if w not in seen]
    if missing:
        print(f"no test binary for {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
