#!/usr/bin/env python3
"""End-to-end import benchmark on UCI Online Retail (541,909 order lines).

Measures, with the Release binary:
  * import + clean + aggregate (`import --dry-run`: parse, classify, deduplicate, aggregate to
    daily series, outliers, missing days): lines per second and peak memory (max RSS);
  * the same into a fresh SQLite store (ledger, panel, stock levels, one transaction);
  * `make demo`'s script from a built tree: wall time.
Each figure is the median of RUNS runs. Usage: bench/import_uci.py [build/stockcast]
With BASELINE=/path/to/older/stockcast, the plain-CSV dry run of both binaries is also timed
in alternation (same minutes, same machine load) and the speed-up printed: on a shared VM
that drifts by +-40 %, this ratio is steadier than any absolute figure.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "stockcast")
RUNS = int(os.environ.get("RUNS", "5"))
DATA = os.path.join(ROOT, "..", "shared", "data", "uci_online_retail", "online_retail.csv.zst")


def run(args):
    """Runs a command, returns (wall seconds, peak RSS in MB of that child, stdout)."""
    t = time.perf_counter()
    # ru_maxrss of RUSAGE_CHILDREN is the maximum over all children so far, so each run goes
    # through its own small python parent to isolate its peak.
    p = subprocess.run([sys.executable, "-c",
                        "import resource,subprocess,sys,json;"
                        "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
                        "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
                        "print(json.dumps({'rc':p.returncode,'rss_kb':r,'out':p.stdout,'err':p.stderr}))"]
                       + args, capture_output=True, text=True)
    wall = time.perf_counter() - t
    res = json.loads(p.stdout)
    if res["rc"] != 0:
        sys.exit(f"command failed ({res['rc']}): {' '.join(args)}\n{res['err']}")
    return wall, res["rss_kb"] / 1024.0, res["out"]


def main():
    if not os.path.exists(DATA):
        print(f"skipped: {DATA} absent")
        return
    tmp = tempfile.mkdtemp(prefix="stockcast-bench-")
    try:
        plain = os.path.join(tmp, "online_retail.csv")
        with open(plain, "wb") as f:
            subprocess.run(["zstd", "-dc", DATA], stdout=f, check=True)
        rows = []
        for label, path in (("plain CSV (48 MB)", plain), ("zstd CSV (3.3 MB, decompressed while reading)", DATA)):
            internal, rss = [], []
            lines = 0
            for _ in range(RUNS):
                _, peak, out = run([BIN, "-q", "import", "--orders", path, "--preset", "online-retail",
                                    "--dry-run", "--json"])
                j = json.loads(out)
                lines = j["lines_read"]
                internal.append(j["seconds"])
                rss.append(peak)
            s = statistics.median(internal)
            rows.append(("import+clean+aggregate, " + label, lines, s, lines / s, max(rss)))
        baseline = os.environ.get("BASELINE")
        if baseline:
            pair = {BIN: [], baseline: []}
            for _ in range(RUNS):
                for b in (baseline, BIN):
                    _, _, out = run([b, "-q", "import", "--orders", plain, "--preset",
                                     "online-retail", "--dry-run", "--json"])
                    pair[b].append(json.loads(out)["seconds"])
            old, new = statistics.median(pair[baseline]), statistics.median(pair[BIN])
            print(f"alternating dry runs, median of {RUNS}: baseline {old:.3f} s, this build "
                  f"{new:.3f} s, speed-up {old / new:.2f}x")
        store_times, store_rss = [], []
        for i in range(max(1, RUNS // 2)):
            db = os.path.join(tmp, f"uci{i}.db")
            _, peak, out = run([BIN, "-q", "import", "--orders", DATA, "--preset", "online-retail",
                                "--db", db, "--json"])
            store_times.append(json.loads(out)["seconds"])
            store_rss.append(peak)
        s = statistics.median(store_times)
        rows.append(("import into a new SQLite store (ledger+panel+levels)", lines, s, lines / s, max(store_rss)))

        demo = []
        for i in range(3):
            out_dir = os.path.join(tmp, f"demo{i}")
            t = time.perf_counter()
            subprocess.run([os.path.join(ROOT, "scripts", "demo.sh"), BIN, out_dir],
                           check=True, capture_output=True)
            demo.append(time.perf_counter() - t)

        print(f"| what | lines | seconds (median of {RUNS}) | lines/s | peak RSS MB |")
        print("|---|---|---|---|---|")
        for what, n, sec, rate, mb in rows:
            print(f"| {what} | {n:,} | {sec:.3f} | {rate:,.0f} | {mb:.0f} |")
        print()
        print(f"make demo (scripts/demo.sh from a built tree), median of 3: {statistics.median(demo):.1f} s "
              f"(runs: {', '.join(f'{d:.1f}' for d in demo)})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
