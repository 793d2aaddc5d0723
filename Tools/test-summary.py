#!/usr/bin/env python3
"""The last lines of Tools/test.sh: one line per suite and a total, `N passed, N failed, N skipped`.

    python3 Tools/test-summary.py swift=LOG interop=JUNIT.xml ...

A suite is given as NAME=FILE:
  - a JUnit XML file (pytest --junitxml): testsuite counts (tests, failures, errors, skipped);
  - a `swift test` log: XCTest's "Executed N tests, with S tests skipped and F failures" line of
    the run (the outermost suite, the last such line), plus Swift Testing's "Test run with N tests
    ... passed/failed" line. The Swift Testing line counts only its own tests (often 0), so on its
    own it reads as if nothing ran; this summary adds both.
A suite whose file is missing or shows no result counts as failed (the run did not finish).
Exit status 1 if any test failed or a suite has no result.
"""
import re
import sys
import xml.etree.ElementTree as ET


def junit(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = failed = skipped = 0
    for s in suites:
        total += int(s.get("tests", 0))
        failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    return total - failed - skipped, failed, skipped


XCTEST = re.compile(r"Executed (\d+) tests?, with (?:(\d+) tests? skipped and )?(\d+) failures?")
SWIFT_TESTING = re.compile(r"Test run with (\d+) tests?(?: in \d+ suites?)? (passed|failed)(?:.*?with (\d+) issues?)?")
SWIFT_TESTING_SKIPS = re.compile(r"^\S+ Test \S.* skipped", re.M)   # "➜ Test name() skipped"


def swift_log(path):
    text = open(path, errors="replace").read()
    runs = XCTEST.findall(text)
    if not runs:
        return None
    total, skipped, failures = (int(x or 0) for x in runs[-1])   # the last line is the whole run's
    # XCTest's "failures" counts failed assertions; a suite line counts tests.
    failed = len(set(re.findall(r"Test Case '([^']+)' failed \(", text)))
    if failures and not failed:
        failed = 1
    passed = total - skipped - failed
    st_skipped = len(SWIFT_TESTING_SKIPS.findall(text))
    for count, verdict, _issues in SWIFT_TESTING.findall(text):
        # Swift Testing's count includes its skipped tests; one "✘ Test x() failed" line per failure.
        st_failed = len(re.findall(r"✘ Test \S.* failed", text)) if verdict == "failed" else 0
        passed += max(0, int(count) - st_failed - st_skipped)
        failed += st_failed
    skipped += st_skipped
    return passed, failed, skipped


def main():
    rows, ok = [], True
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        try:
            counts = junit(path) if path.endswith(".xml") else swift_log(path)
        except (OSError, ET.ParseError):
            counts = None
        if counts is None:
            rows.append((name, None))
            ok = False
        else:
            rows.append((name, counts))
            ok = ok and counts[1] == 0
    width = max([len(n) for n, _ in rows] + [5])
    tp = tf = ts = 0
    for name, counts in rows:
        if counts is None:
            print(f"{name:<{width}}  no result (the suite did not run to the end)")
            continue
        p, f, s = counts
        tp, tf, ts = tp + p, tf + f, ts + s
        print(f"{name:<{width}}  {p} passed, {f} failed, {s} skipped")
    print(f"{'total':<{width}}  {tp} passed, {tf} failed, {ts} skipped")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
