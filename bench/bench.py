"""Benchmarks for paydrc: wall time (median of N runs) and peak RSS of
parse-only (`dump ast`, the baseline), `check` (front end + lowering + policies)
and a Terraform compile, on the reference spec and on generated large specs.
Ratios are against the parse baseline measured in the same run, so numbers from
different machines compare. Not a test: nothing here asserts a timing.

usage: python3 bench/bench.py [--runs 7] [--bin build/compiler/driver/paydrc]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def large_spec(tables):
    """The reference spec with `tables` extra replicated tables, each alarmed and backed up."""
    spec = open(os.path.join(ROOT, "specs/payment.pdr"), encoding="utf-8").read()
    extra, alarms, names = [], [], []
    for i in range(tables):
        name = f"t{i:04d}"
        names.append(name)
        extra.append(f'  table {name} {{\n    kind = dynamodb_global\n    hash_key = "id"\n'
                     f'    replicas = [primary, secondary]\n  }}\n\n')
        alarms.append(f'    alarm {name}_lag {{\n      metric = replication_lag\n      target = {name}\n'
                      f'      threshold = 60s\n    }}\n\n')
    spec = spec.replace("  function processor {", "".join(extra) + "  function processor {")
    spec = spec.replace("    alarm processor_errors {", "".join(alarms) + "    alarm processor_errors {")
    spec = spec.replace("covers = [ledger, sessions, transactions]",
                        "covers = [ledger, sessions, transactions, " + ", ".join(names) + "]")
    spec = spec.replace("budget = $1500", "budget = $1000000")
    return spec


def measure(cmd, runs, cwd):
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)  # MiB
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(cmd)}")
    return statistics.median(times), max(peaks)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/compiler/driver/paydrc"))
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    tmp = tempfile.mkdtemp(prefix="paydrc-bench-")
    try:
        specs = {"payment": os.path.join(ROOT, "specs/payment.pdr")}
        for n in (100, 1000):
            # Inside the project so the function source stays valid.
            path = os.path.join(ROOT, "specs", f".bench_{n}.pdr")
            with open(path, "w", encoding="utf-8") as f:
                f.write(large_spec(n))
            specs[f"+{n} tables"] = path
        print(f"paydrc benchmarks, median of {args.runs} runs; ratio = time / parse-only time of the same spec\n")
        print(f"{'spec':<14} {'phase':<10} {'median':>10} {'ratio':>7} {'peak RSS':>10}")
        for label, spec in specs.items():
            out = os.path.join(tmp, "out")
            phases = [
                ("parse", [binary, "dump", "ast", spec]),
                ("check", [binary, "check", spec]),
                ("terraform", [binary, spec, "--target", "terraform", "-o", out]),
            ]
            base = None
            for phase, cmd in phases:
                median, peak = measure(cmd, args.runs, ROOT)
                base = base or median
                print(f"{label:<14} {phase:<10} {median * 1000:>8.1f}ms {median / base:>6.2f}x {peak:>8.1f}MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for n in (100, 1000):
            try:
                os.remove(os.path.join(ROOT, "specs", f".bench_{n}.pdr"))
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    main()
