#!/usr/bin/env python3
"""Structure check run by `make test`: no two modules of a crate import each other.

For every crate under crates/, each source file is a module; a module depends on another when its
code (comments and doc comments excluded) names it through `crate::...` or `super::...`. A pair
that depends both ways is two jobs in one room: the check fails and names it.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def modules(src):
    out = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(root, f)
            parts = os.path.relpath(path, src)[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            with open(path, encoding="utf-8") as fh:
                code = "\n".join(
                    line for line in fh.read().splitlines() if not line.lstrip().startswith("//")
                )
            out["::".join(parts)] = code
    return out


def dependencies(mods):
    deps = {m: set() for m in mods}
    for m, code in mods.items():
        for ref in re.findall(r"crate::([a-z_0-9:]+)", code):
            segs = ref.split("::")
            for k in range(len(segs), 0, -1):
                cand = "::".join(segs[:k])
                if cand in mods:
                    if cand != m and not m.startswith(cand + "::") and not cand.startswith(m + "::") and m:
                        deps[m].add(cand)
                    break
        parent = "::".join(m.split("::")[:-1])
        for ref in re.findall(r"super::([a-z_0-9]+)", code):
            cand = f"{parent}::{ref}" if parent else ref
            if cand in mods and cand != m and not m.startswith(cand + "::"):
                deps[m].add(cand)
    return deps


def main():
    cycles = []
    crates = os.path.join(ROOT, "crates")
    count = 0
    for crate in sorted(os.listdir(crates)):
        src = os.path.join(crates, crate, "src")
        if not os.path.isdir(src):
            continue
        mods = modules(src)
        count += len(mods)
        deps = dependencies(mods)
        for a in sorted(deps):
            for b in sorted(deps[a]):
                if a < b and a in deps.get(b, ()):
                    cycles.append(f"{crate}: {a} <-> {b}")
    for c in cycles:
        print(f"structure: modules import each other: {c}", file=sys.stderr)
    print(f"structure: {count} modules, {len(cycles)} import cycles")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
