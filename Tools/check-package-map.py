#!/usr/bin/env python3
"""Checks that Package.swift tells the truth about imports.

For every Swift target (Sources and Tests) it compares the modules the target's
files import with the dependencies Package.swift declares for it, and fails when
a target imports a module it does not declare, or declares one it never imports.
Toolchain modules (Foundation, Glibc, XCTest, ...) are not dependencies and are
ignored. CHDF5 may be imported by HDF5 only and CZlib by Compression only. Standard library only; run from anywhere: `Tools/check-package-map.py`.
Prints every problem, one a line, and exits 1 if there is any; `--list` prints
each target's imports instead (handy when editing Package.swift).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLCHAIN = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Darwin",
             "Dispatch", "XCTest", "Testing", "Swift", "_Concurrency", "os", "Synchronization"}
# C libraries wrapped by exactly one module: nobody else reaches past that layer.
WRAPPED_BY = {"CHDF5": "HDF5", "CZlib": "Compression"}
TARGET = re.compile(r'\.(target|testTarget|executableTarget)\(\s*name:\s*"(\w+)"')
IMPORT = re.compile(r'^\s*(?:@\w+\s+)*import\s+(?:(?:struct|class|enum|func|protocol|var|let|typealias)\s+)?([\w.,\s]+?)\s*(?://.*)?$')


def matching_paren(text, start):
    """Index just past the ')' that closes the '(' at text[start]."""
    depth, i, in_string = 0, start, False
    while i < len(text):
        c = text[i]
        if in_string:
            if c == '\\':
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced parentheses in Package.swift")


def list_values(call, key):
    """The quoted names in `key: [ ... ]` of one target call (products by their name)."""
    m = re.search(key + r':\s*\[', call)
    if not m:
        return None
    depth, i = 1, m.end()
    while depth:
        depth += {'[': 1, ']': -1}.get(call[i], 0)
        i += 1
    body = call[m.end():i - 1]
    return set(re.findall(r'(?:^|[\[,(\s])"(\w+)"', body)) | set(re.findall(r'\.product\(\s*name:\s*"(\w+)"', body))


def targets(package):
    text = re.sub(r'//[^\n]*', '', package)
    found = {}
    for m in TARGET.finditer(text):
        kind, name = m.group(1), m.group(2)
        call = text[m.start():matching_paren(text, text.index('(', m.start()))]
        deps = list_values(call, 'dependencies') or set()
        path = re.search(r'path:\s*"([^"]+)"', call)
        folder = path.group(1) if path else os.path.join("Tests" if kind == "testTarget" else "Sources", name)
        found[name] = (deps, folder)
    return found


def imports(folder):
    modules = set()
    for base, _, files in os.walk(os.path.join(ROOT, folder)):
        for f in files:
            if not f.endswith(".swift"):
                continue
            with open(os.path.join(base, f), encoding="utf-8") as handle:
                for line in handle:
                    m = IMPORT.match(line)
                    if m:
                        for module in m.group(1).split(","):
                            modules.add(module.strip().split(".")[0])
    return modules - TOOLCHAIN


def main():
    with open(os.path.join(ROOT, "Package.swift"), encoding="utf-8") as handle:
        declared = targets(handle.read())
    problems = []
    for name, (deps, folder) in sorted(declared.items()):
        used = imports(folder)
        if "--list" in sys.argv:
            print(f"{name}: {', '.join(sorted(used))}")
            continue
        for module in sorted(used - deps - {name}):
            problems.append(f"{name} imports {module} but Package.swift does not declare it")
        for module in sorted(used & set(WRAPPED_BY)):
            if WRAPPED_BY[module] != name:
                problems.append(f"{name} imports {module}; only {WRAPPED_BY[module]} may (use that module's API)")
        for module in sorted(deps - used):
            problems.append(f"{name} declares {module} but no file of {folder} imports it")
    for p in problems:
        print("check-package-map: " + p, file=sys.stderr)
    if problems:
        sys.exit(1)
    if "--list" not in sys.argv:
        print(f"check-package-map: {len(declared)} targets, every import declared and every declaration imported")


if __name__ == "__main__":
    main()
