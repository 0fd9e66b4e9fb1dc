#!/usr/bin/env python3
"""Totals a libtorch Chrome trace (samtune bench ... with -Dsamtune.profile=FILE) by operator.

Usage: tools/profile_summary.py trace.json [--top 40] [--shapes]

Prints, per operator name (with --shapes: per name and input shapes), the self time (the operator's own time
minus the operators it called) summed over the trace, its share of the total, and the call count. Self time is
what to optimise: an aten::linear's time is mostly its aten::addmm child.
"""
import argparse
import collections
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--shapes", action="store_true")
    a = ap.parse_args()
    with open(a.trace) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    ops = [e for e in events if e.get("ph") == "X" and "dur" in e]
    # self time: per thread, nested complete events; subtract each event's direct children
    by_tid = collections.defaultdict(list)
    for e in ops:
        by_tid[(e.get("pid"), e.get("tid"))].append(e)
    self_us = collections.Counter()
    calls = collections.Counter()
    for evs in by_tid.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in evs:
            end = e["ts"] + e["dur"]
            while stack and stack[-1][1] <= e["ts"]:
                stack.pop()
            key = e["name"]
            if a.shapes:
                key += " " + str(e.get("shape", e.get("args", {}).get("Input Dims", "")))
            if stack:
                self_us[stack[-1][2]] -= e["dur"]
            self_us[key] += e["dur"]
            calls[key] += 1
            stack.append((e["ts"], end, key))
    total = sum(v for v in self_us.values() if v > 0)
    print(f"total self time {total / 1e6:.3f} s over {sum(calls.values())} operator calls")
    print(f"{'self s':>9} {'share':>6} {'calls':>7}  operator")
    for k, v in self_us.most_common(a.top):
        print(f"{v / 1e6:9.3f} {100 * v / total:5.1f}% {calls[k]:7d}  {k}")


if __name__ == "__main__":
    main()
