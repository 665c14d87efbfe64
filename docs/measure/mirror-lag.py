# Measures a mirror (see BENCHMARKS.md, "Mirrors"). TALLYLOG: the binary; WORK: a scratch directory.
import json, os, shutil, subprocess, sys, time, urllib.request, statistics
TL = os.environ.get("TALLYLOG", "tallylog")
base = os.environ.get("WORK", "/tmp/ops-lag")
stations = sys.argv[1] if len(sys.argv) > 1 else "5000"
for d in ("d", "m"):
    shutil.rmtree(f"{base}/{d}", ignore_errors=True)
S, M = "http://127.0.0.1:18710", "http://127.0.0.1:18711"
demo = subprocess.Popen([TL, "demo", "--dir", f"{base}/d", "--stations", stations, "--seed", "3", "--speed", "max", "--addr", "127.0.0.1:18710"],
                        stdout=open(f"{base}/demo.out", "w"), stderr=open(f"{base}/demo.err", "w"))
def size(url):
    try:
        with urllib.request.urlopen(url + "/checkpoint", timeout=2) as r:
            return int(r.read().split(b"\n")[1])
    except Exception:
        return None
try:
    while not os.path.exists(f"{base}/d/tallylog.json") or size(S) is None:
        time.sleep(0.05)
    key = json.load(open(f"{base}/d/tallylog.json"))["log_key"]
    mirror = subprocess.Popen([TL, "mirror", "--log", S, "--log-key", key, "--dir", f"{base}/m", "--addr", "127.0.0.1:18711", "--interval", "200ms", "--json"],
                              stdout=open(f"{base}/mirror.out", "w"), stderr=open(f"{base}/mirror.err", "w"))
    first_seen = {}   # server size -> time first seen
    reached = {}      # server size -> time the mirror first held >= it
    lags_entries = []
    stable_since, last = None, None
    t0 = time.time()
    while time.time() - t0 < 900:
        now = time.time()
        s, m = size(S), size(M)
        if s is not None and s not in first_seen:
            first_seen[s] = now
        if m is not None:
            for k in first_seen:
                if k <= m and k not in reached:
                    reached[k] = now
            if s is not None:
                lags_entries.append(max(0, s - m))
        if s == last and s is not None and m == s:
            stable_since = stable_since or now
            if now - stable_since > 8:
                break
        else:
            stable_since = None
        last = s
        time.sleep(0.1)
    secs = sorted(reached[k] - first_seen[k] for k in reached)
    print(json.dumps({"stations": stations, "final_size": last, "samples": len(lags_entries),
        "lag_entries_median": statistics.median(lags_entries), "lag_entries_p95": sorted(lags_entries)[int(len(lags_entries)*0.95)],
        "lag_entries_max": max(lags_entries), "checkpoints": len(secs),
        "lag_seconds_median": round(statistics.median(secs), 3), "lag_seconds_p95": round(secs[int(len(secs)*0.95)], 3),
        "lag_seconds_max": round(max(secs), 3)}))
finally:
    for p in [locals().get("mirror"), demo]:
        if p is not None:
            p.terminate()
            p.wait()
