#!/usr/bin/env python3
"""Totals a libtorch Chrome trace (samtune bench ... with -Dsamtune.profile=FILE) by operator.

Usage: tools/profile_summary.py trace.json [--top 40] [--shapes] [--memory]

Prints, per operator name (with --shapes: per name and input shapes), the self time (the operator's own time
minus the operators it called) summed over the trace, its share of the total, and the call count. Self time is
what to optimise: an aten::linear's time is mostly its aten::addmm child.

With --memory (a trace written with -Dsamtune.profile.memory=true), it also totals the memory each operator
allocated, libtorch's "cpu mem" per event (allocations minus frees inside the operator and its children), over
the operators that no other operator called: where a step's tensors come from. Frees outside operators (an array
closed from Java, a saved tensor released by autograd) are not events, so this is not a timeline of the peak.
"""
import argparse
import collections
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--shapes", action="store_true")
    ap.add_argument("--memory", action="store_true")
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
    top_bytes = collections.Counter()
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
            else:
                top_bytes[key] += _bytes(e.get("cpu mem", "0 b"))
            self_us[key] += e["dur"]
            calls[key] += 1
            stack.append((e["ts"], end, key))
    total = sum(v for v in self_us.values() if v > 0)
    print(f"total self time {total / 1e6:.3f} s over {sum(calls.values())} operator calls")
    print(f"{'self s':>9} {'share':>6} {'calls':>7}  operator")
    for k, v in self_us.most_common(a.top):
        print(f"{v / 1e6:9.3f} {100 * v / total:5.1f}% {calls[k]:7d}  {k}")
    if a.memory:
        print(f"\nmemory allocated by outermost operators: {sum(top_bytes.values()) / 2**20:.1f} MiB net")
        print(f"{'MiB':>10}  operator")
        for k, v in sorted(top_bytes.items(), key=lambda kv: -abs(kv[1]))[:a.top]:
            print(f"{v / 2**20:10.1f}  {k}")


_UNITS = {"b": 1, "Kb": 2**10, "Mb": 2**20, "Gb": 2**30}


def _bytes(text):
    """libtorch's legacy profiler writes sizes as "12.00 Mb", "-2.00 Kb" or "0 b"."""
    number, unit = text.split()
    return float(number) * _UNITS[unit]


if __name__ == "__main__":
    main()
