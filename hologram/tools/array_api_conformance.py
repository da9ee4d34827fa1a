"""Run the array API standard's conformance suite on `hologram.ops` (the functions it implements).

    # a checkout of data-apis/array-api-tests with its `array-api` submodule (the spec)
    python -m hologram.tools.array_api_conformance --suite /tmp/array-api-tests \
        [--max-examples 20] [--report out.json] [-k EXPR] [--skip-complex] [--module numpy]

The suite is pointed (`ARRAY_API_TESTS_MODULE`) at `hologram.ops.array_api`, which maps the
standard's names to hologram ops and everything else to numpy. Of the suite's tests, those for
a function `hologram.ops` implements are run: a test belongs to function `f` when it is
`test_f` or its parameter starts with `f(` or is `f` (`test_add[add(x1, x2)]`,
`test_binary[add(x1_i is NaN ...) -> NaN]`, `test_func_signature[add]`); the array object's
operators (`__add__`) are numpy's and not run. The summary counts passes and failures per
function and lists every failure; complex-number cases are counted apart (hologram.ops has no
complex kernels). A test whose id names no complex case may still draw complex dtypes (the
suite's dtype strategies include them); `--skip-complex` runs the suite without complex dtypes
(docs/ops.md: at the suite commit measured it needs a two-line patch for that). The suite is not
part of the repository or CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

_COMPLEX = re.compile(r"real\(|imag\(|complex| j\]|\+ ?[0-9a-zπ/]*j\b|infinity j|NaN j")


def _function(node_id: str) -> str | None:
    """The standard function a test id is about, or None."""
    name = node_id.split("::", 1)[-1]
    test, _, param = name.partition("[")
    param = param[:-1] if param.endswith("]") else param
    if param:
        m = re.match(r"([A-Za-z_][A-Za-z0-9_.]*)", param)
        if m and not m.group(1).startswith("__"):
            return m.group(1)
        return None
    return test[5:] if test.startswith("test_") else None


def _collect(suite: Path, env: dict) -> list[str]:
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                          "array_api_tests"], cwd=suite, env=env, capture_output=True,
                         text=True)
    return [line.strip() for line in out.stdout.splitlines() if "::" in line]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hologram.tools.array_api_conformance")
    p.add_argument("--suite", required=True, type=Path, help="array-api-tests checkout")
    p.add_argument("--max-examples", type=int, default=20)
    p.add_argument("--report", type=Path, help="write the per-test results (JSON)")
    p.add_argument("-k", dest="keyword", help="only functions matching this regex")
    p.add_argument("--skip-complex", action="store_true",
                   help="draw no complex dtypes (ARRAY_API_TESTS_SKIP_DTYPES=complex64,"
                        "complex128; the suite needs the patch in docs/ops.md for it)")
    p.add_argument("--module", default="hologram.ops.array_api",
                   help="the namespace tested (`numpy` runs the same selection on numpy, "
                        "the baseline)")
    args = p.parse_args(argv)

    from hologram.ops.array_api import IMPLEMENTED

    env = dict(os.environ, ARRAY_API_TESTS_MODULE=args.module)
    if args.skip_complex:
        env["ARRAY_API_TESTS_SKIP_DTYPES"] = "complex64,complex128"
    ids = _collect(args.suite, env)
    chosen = [i for i in ids if _function(i) in IMPLEMENTED
              and (args.keyword is None or re.search(args.keyword, _function(i)))]
    if not chosen:
        print("no tests selected (is --suite a checkout of data-apis/array-api-tests?)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"--max-examples={args.max_examples}", "--disable-deadline",
               "--json-report", f"--json-report-file={report}", "--tb=line", *chosen]
        subprocess.run(cmd, cwd=args.suite, env=env)
        data = json.loads(report.read_text())
    results = {t["nodeid"]: t for t in data["tests"]}
    per_fn: dict[str, Counter] = defaultdict(Counter)
    failures = []
    totals, real_totals = Counter(), Counter()
    for node_id, t in results.items():
        fn = _function(node_id)
        outcome = t["outcome"]
        per_fn[fn][outcome] += 1
        totals[outcome] += 1
        if not _COMPLEX.search(node_id):
            real_totals[outcome] += 1
        if outcome in ("failed", "error"):
            msg = (t.get("call") or t.get("setup") or {}).get("crash", {}).get("message", "")
            failures.append((node_id, msg.splitlines()[0][:200] if msg else ""))

    def line(c: Counter) -> str:
        run = c["passed"] + c["failed"] + c["error"]
        pct = 100.0 * c["passed"] / run if run else 0.0
        return (f"{c['passed']} passed, {c['failed'] + c['error']} failed, "
                f"{c['skipped']} skipped of {sum(c.values())} ({pct:.1f}% of those run pass)")

    print(f"\narray API conformance of {args.module} (the {len(IMPLEMENTED)} functions "
          "hologram.ops implements, "
          f"--max-examples={args.max_examples}"
          f"{', no complex dtypes drawn' if args.skip_complex else ''})")
    print(f"  all selected tests:            {line(totals)}")
    print(f"  without complex-number cases:  {line(real_totals)}")
    for fn in sorted(per_fn):
        c = per_fn[fn]
        if c["failed"] or c["error"]:
            print(f"  {fn:<20} {line(c)}")
    print("\nfailures:")
    for node_id, msg in sorted(failures):
        print(f"  {node_id}\n      {msg}")
    if args.report:
        args.report.write_text(json.dumps({"functions": IMPLEMENTED, "totals": totals,
                                           "real_totals": real_totals,
                                           "failures": failures}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
