#!/usr/bin/env python3
"""M3 accuracy and speed: stockcast's statistical models against R's forecast package.

For each model pair
    stockcast `ets`   vs R ets()
    stockcast `arima` vs R auto.arima()
    stockcast `theta` vs R thetaf()
    stockcast `auto`  (no R peer)
and each M3 category (season length m: yearly 1, quarterly 4, monthly 12, other 1; horizon 6 / 8 /
18 / 8), the training parts are written as long CSV (series_id,period,value) and both programs
forecast them:
    <build>/stockcast forecast --series FILE --horizon H --season-length M --model NAME
                               --quantiles 0.05,0.5,0.95 --out OUT.csv
    Rscript bench/peers/r_forecast.R --train FILE --meta META --model ets|auto.arima|thetaf ...
Both are timed by wall clock around the whole call; for R also the summed per-series fit+forecast
seconds (proc.time inside R, start-up and I/O excluded).

Scores (Makridakis & Hibon 2000; Hyndman & Koehler 2006), on the test part of each series:
    sMAPE = mean_h 200 |a - f| / (|a| + |f|)                 (0 when a = f = 0)
    MASE  = mean_h |a - f| / scale,  scale = mean_{t>m} |y_t - y_{t-m}| over the training part
            (seasonal naive in-sample error with the category's m; naive when m = 1)
    cov90 = share of test points inside [q0.05, q0.95]
each averaged over the horizon, then over series (per category; "all" pools every series).
stockcast and R are compared on the SAME series (the first --subset series of each category);
with --stockcast-all, stockcast is also scored on every series.

Usage:
    bench/forecast/m3_bench.py [--build build] [--subset 100] [--models ets,arima,theta,auto]
                               [--categories yearly,quarterly,monthly,other] [--no-r]
                               [--stockcast-all] [--keep DIR]
Skips with a message when ../shared/data/m3 is absent. A model the stockcast binary rejects
(non-zero exit) is reported as missing and the run goes on.
"""
import argparse, csv, math, os, shutil, subprocess, sys, tempfile, time
from collections import OrderedDict, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "..", "shared", "data", "m3", "m3_long.csv.zst")
R_SCRIPT = os.path.join(ROOT, "bench", "peers", "r_forecast.R")

SEASON = {"yearly": 1, "quarterly": 4, "monthly": 12, "other": 1}
CATEGORIES = ["yearly", "quarterly", "monthly", "other"]
# stockcast model -> R peer model (None: no peer)
PAIRS = OrderedDict([("ets", "ets"), ("arima", "auto.arima"), ("theta", "thetaf"), ("auto", None)])


class Series:
    __slots__ = ("sid", "category", "horizon", "train", "test")

    def __init__(self, sid, category, horizon):
        self.sid, self.category, self.horizon = sid, category, horizon
        self.train, self.test = [], []


def load_m3(path):
    """Reads m3_long.csv.zst (decompressed by the zstd tool) into {category: [Series]} in file order."""
    raw = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout.decode()
    series = OrderedDict()
    rows = defaultdict(list)
    for r in csv.DictReader(raw.splitlines()):
        sid = r["series_id"]
        if sid not in series:
            series[sid] = Series(sid, r["category"], int(r["horizon"]))
        rows[sid].append((int(r["period_index"]), float(r["value"]), r["split"]))
    by_cat = OrderedDict((c, []) for c in CATEGORIES)
    for sid, s in series.items():
        for _, v, split in sorted(rows[sid]):
            (s.train if split == "train" else s.test).append(v)
        if len(s.test) != s.horizon:
            sys.exit(f"{path}: series {sid} has {len(s.test)} test values; horizon says {s.horizon}")
        by_cat.setdefault(s.category, []).append(s)
    return by_cat


def write_inputs(dirname, tag, series, m):
    """Writes train_<tag>.csv (series_id,period,value) and meta_<tag>.csv (series_id,horizon,
    season_length) for R; returns both paths."""
    train = os.path.join(dirname, f"train_{tag}.csv")
    meta = os.path.join(dirname, f"meta_{tag}.csv")
    with open(train, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["series_id", "period", "value"])
        for s in series:
            for i, v in enumerate(s.train, start=1):
                w.writerow([s.sid, i, repr(v)])
    with open(meta, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["series_id", "horizon", "season_length"])
        for s in series:
            w.writerow([s.sid, s.horizon, m])
    return train, meta


def read_forecasts(path):
    """{series_id: {step: (mean, q05, q95, model)}} from stockcast's or the R peer's output CSV.
    The third column may be called period, date or date_or_period; it is not used."""
    out = defaultdict(dict)
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            step = int(r["step"])
            out[r["series_id"]][step] = (float(r["mean"]), float(r["q0.05"]), float(r["q0.95"]),
                                         r.get("model", ""))
    return out


def smape(actual, fc):
    """M3 sMAPE of one series: mean over the horizon of 200|a-f|/(|a|+|f|)."""
    terms = []
    for a, f in zip(actual, fc):
        d = abs(a) + abs(f)
        terms.append(0.0 if d == 0 else 200.0 * abs(a - f) / d)
    return sum(terms) / len(terms)


def mase_scale(train, m):
    """In-sample mean absolute error of the seasonal naive forecast y_{t-m} (naive when m = 1)."""
    if len(train) <= m:
        m = 1
    diffs = [abs(train[t] - train[t - m]) for t in range(m, len(train))]
    return sum(diffs) / len(diffs) if diffs else float("nan")


def score(series, fcs, m):
    """Per-series sMAPE, MASE, cov90 lists (series lacking a complete forecast are counted apart)."""
    res = {"smape": [], "mase": [], "cov": [], "missing": 0, "labels": defaultdict(int)}
    for s in series:
        f = fcs.get(s.sid, {})
        if any(h not in f for h in range(1, s.horizon + 1)):
            res["missing"] += 1
            continue
        mean = [f[h][0] for h in range(1, s.horizon + 1)]
        lo = [f[h][1] for h in range(1, s.horizon + 1)]
        hi = [f[h][2] for h in range(1, s.horizon + 1)]
        res["labels"][f[1][3].split(":")[0].split("(")[0]] += 1
        res["smape"].append(smape(s.test, mean))
        sc = mase_scale(s.train, m)
        mae = sum(abs(a - p) for a, p in zip(s.test, mean)) / s.horizon
        if sc > 0 and math.isfinite(sc):
            res["mase"].append(mae / sc)
        res["cov"].append(sum(1 for a, l, u in zip(s.test, lo, hi) if l <= a <= u) / s.horizon)
    return res


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def run_timed(cmd):
    """(wall seconds, CompletedProcess) of one command."""
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t, p


def run_stockcast(binary, train, horizon, m, model, out):
    cmd = [binary, "forecast", "--series", train, "--horizon", str(horizon), "--season-length", str(m),
           "--model", model, "--quantiles", "0.05,0.5,0.95", "--out", out]
    wall, p = run_timed(cmd)
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip() or f"exit {p.returncode}").splitlines()[0]
        return None, f"missing (exit {p.returncode}: {msg[:120]})"
    return wall, None


def run_r(train, meta, model, out, timing):
    cmd = ["Rscript", R_SCRIPT, "--train", train, "--meta", meta, "--model", model, "--out", out,
           "--timing", timing]
    wall, p = run_timed(cmd)
    if p.returncode != 0:
        msg = (p.stderr.strip() or f"exit {p.returncode}").splitlines()[-1]
        return None, None, f"R failed (exit {p.returncode}: {msg[:120]})"
    fit_secs = None
    with open(timing, newline="") as f:
        for r in csv.DictReader(f):
            if r["series_id"] == "__total__":
                fit_secs = float(r["seconds"])
    return wall, fit_secs, None


def fmt(x, nd=2):
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="build dir holding stockcast")
    ap.add_argument("--subset", type=int, default=100,
                    help="first N series per category for the comparison (0 = all)")
    ap.add_argument("--models", default="ets,arima,theta,auto", help="stockcast models, comma separated")
    ap.add_argument("--categories", default=",".join(CATEGORIES))
    ap.add_argument("--r", dest="r", action="store_true", default=True, help="run the R peer (default)")
    ap.add_argument("--no-r", dest="r", action="store_false", help="skip the R peer")
    ap.add_argument("--no-stockcast", action="store_true", help="R only (to check the peer and scoring)")
    ap.add_argument("--stockcast-all", action="store_true",
                    help="also score stockcast on every series of each category")
    ap.add_argument("--keep", default=None, help="write inputs/outputs here and keep them")
    args = ap.parse_args()

    if not os.path.exists(DATA):
        print(f"skipped: {os.path.normpath(DATA)} absent")
        return 0
    # Model specs with parameters (auto:ensemble=ets+theta+arima) are separated by ';'.
    sep = ";" if ";" in args.models else ","
    models = [m.strip() for m in args.models.split(sep) if m.strip()]
    for m in models:
        base = m.split(":")[0]
        if base not in PAIRS:
            sys.exit(f"--models: unknown model \"{m}\"; available: {', '.join(PAIRS)} "
                     "(with parameters: name:k=v, specs separated by ';')")
        if m != base:
            PAIRS[m] = None  # a variant has no R peer
    cats = [c.strip() for c in args.categories.split(",") if c.strip()]
    for c in cats:
        if c not in SEASON:
            sys.exit(f"--categories: unknown category \"{c}\"; available: {', '.join(CATEGORIES)}")
    binary = os.path.join(args.build, "stockcast")
    use_sc = not args.no_stockcast
    if use_sc and not os.access(binary, os.X_OK):
        print(f"note: {binary} not found; stockcast columns will be empty")
        use_sc = False
    use_r = args.r and shutil.which("Rscript") is not None
    if args.r and not use_r:
        print("note: Rscript not found; R columns will be empty")

    by_cat = load_m3(DATA)
    work = args.keep or tempfile.mkdtemp(prefix="stockcast-m3-")
    os.makedirs(work, exist_ok=True)
    try:
        rows = []  # (model, category, n, sc_score, r_score, sc_wall, r_wall, r_fit, note, full_score)
        for model in models:
            peer = PAIRS[model]
            pooled = {"sc": [], "r": [], "full": []}
            tot = {"sc": 0.0, "r": 0.0, "rfit": 0.0}
            notes = set()
            for cat in cats:
                allser = by_cat[cat]
                sub = allser[: args.subset] if args.subset > 0 else allser
                m, h = SEASON[cat], sub[0].horizon
                train, meta = write_inputs(work, f"{cat}_sub", sub, m)
                sc_res = r_res = full_res = None
                sc_wall = r_wall = r_fit = None
                note = ""
                if use_sc:
                    out = os.path.join(work, f"sc_{model}_{cat}_sub.csv")
                    sc_wall, err = run_stockcast(binary, train, h, m, model, out)
                    if err:
                        note = err
                    else:
                        sc_res = score(sub, read_forecasts(out), m)
                        if args.stockcast_all and len(allser) > len(sub):
                            ftrain, _ = write_inputs(work, f"{cat}_all", allser, m)
                            fout = os.path.join(work, f"sc_{model}_{cat}_all.csv")
                            _, err2 = run_stockcast(binary, ftrain, h, m, model, fout)
                            if not err2:
                                full_res = score(allser, read_forecasts(fout), m)
                if use_r and peer:
                    out = os.path.join(work, f"r_{model}_{cat}_sub.csv")
                    timing = os.path.join(work, f"r_{model}_{cat}_sub_timing.csv")
                    r_wall, r_fit, err = run_r(train, meta, peer, out, timing)
                    if err:
                        note = (note + "; " if note else "") + err
                    else:
                        r_res = score(sub, read_forecasts(out), m)
                        fb = r_res["labels"].get("fallback", 0)
                        if fb:
                            note = (note + "; " if note else "") + f"R fell back on {fb} series"
                rows.append((model, cat, len(sub), sc_res, r_res, sc_wall, r_wall, r_fit, note, full_res))
                for key, res in (("sc", sc_res), ("r", r_res), ("full", full_res)):
                    if res:
                        pooled[key].append(res)
                if sc_wall:
                    tot["sc"] += sc_wall
                if r_wall:
                    tot["r"] += r_wall
                    tot["rfit"] += r_fit or 0.0
                if note:
                    notes.add(note)
            merged = {}
            for key, lst in pooled.items():
                if lst and len(lst) == len(cats):
                    merged[key] = {k: sum((x[k] for x in lst), []) for k in ("smape", "mase", "cov")}
                    merged[key]["missing"] = sum(x["missing"] for x in lst)
            rows.append((model, "all", sum(r[2] for r in rows if r[0] == model), merged.get("sc"),
                         merged.get("r"), tot["sc"] or None, tot["r"] or None, tot["rfit"] or None,
                         "", merged.get("full")))
        print_table(rows, args, peer_names=PAIRS)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def print_table(rows, args, peer_names):
    sub = f"first {args.subset} series per category" if args.subset > 0 else "all series"
    print(f"\n### M3: stockcast vs R forecast ({sub}; m = 1/4/12/1; 90 % interval = q0.05..q0.95)\n")
    print("| model (R peer) | category | n | sMAPE sc | sMAPE R | MASE sc | MASE R | cov90 sc | cov90 R "
          "| time sc s | time R s (wall / fit) | R / sc | note |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for model, cat, n, sc, r, sc_wall, r_wall, r_fit, note, _ in rows:
        def g(res, k):
            return mean(res[k]) if res else None
        ratio = (r_wall / sc_wall) if (r_wall and sc_wall) else None
        miss = []
        for lab, res in (("sc", sc), ("R", r)):
            if res and res["missing"]:
                miss.append(f"{lab}: {res['missing']} series without a full forecast")
        note = "; ".join([x for x in [note] + miss if x])
        peer = peer_names[model] or "—"
        rt = f"{fmt(r_wall)} / {fmt(r_fit)}" if r_wall else "—"
        print(f"| {model} ({peer}) | {cat} | {n} | {fmt(g(sc, 'smape'))} | {fmt(g(r, 'smape'))} | "
              f"{fmt(g(sc, 'mase'), 3)} | {fmt(g(r, 'mase'), 3)} | {fmt(g(sc, 'cov'), 3)} | "
              f"{fmt(g(r, 'cov'), 3)} | {fmt(sc_wall)} | {rt} | {fmt(ratio, 1)} | {note} |")
    full = [(m, c, f) for m, c, _, _, _, _, _, _, _, f in rows if f]
    if full:
        print("\nstockcast on every series of each category:\n")
        print("| model | category | n | sMAPE | MASE | cov90 |")
        print("|---|---|---:|---:|---:|---:|")
        for m, c, f in full:
            print(f"| {m} | {c} | {len(f['smape'])} | {fmt(mean(f['smape']))} | {fmt(mean(f['mase']), 3)} | "
                  f"{fmt(mean(f['cov']), 3)} |")


if __name__ == "__main__":
    sys.exit(main())
