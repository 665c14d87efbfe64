# Measures a mirror (see BENCHMARKS.md, "Mirrors"). TALLYLOG: the binary; WORK: a scratch directory.
import json, os, shutil, subprocess, time, urllib.request
TL = os.environ.get("TALLYLOG", "tallylog")
base = os.environ.get("WORK", "/tmp/ops-lag")
shutil.rmtree(f"{base}/m2", ignore_errors=True)
S, M = "http://127.0.0.1:18712", "http://127.0.0.1:18713"
srv = subprocess.Popen([TL, "serve", "--dir", f"{base}/d", "--addr", "127.0.0.1:18712", "--access-log=false"], stdout=subprocess.DEVNULL, stderr=open(f"{base}/serve2.err","w"))
def get(u):
    try:
        with urllib.request.urlopen(u, timeout=5) as r: return r.read()
    except Exception: return None
try:
    while get(S+"/checkpoint") is None: time.sleep(0.05)
    n = int(get(S+"/checkpoint").split(b"\n")[1])
    key = json.load(open(f"{base}/d/tallylog.json"))["log_key"]
    t0 = time.time()
    mir = subprocess.Popen([TL, "mirror", "--log", S, "--log-key", key, "--dir", f"{base}/m2", "--addr", "127.0.0.1:18713", "--interval", "1s", "--json"], stdout=open(f"{base}/m2.out","w"), stderr=open(f"{base}/m2.err","w"))
    while True:
        b = get(M+"/api/v1/status")
        if b and json.loads(b)["applied"] >= n: break
        time.sleep(0.05)
    dt = time.time()-t0
    print(json.dumps({"entries": n, "seconds": round(dt,2), "entries_per_s": round(n/dt,1)}))
finally:
    for p in [locals().get("mir"), srv]:
        if p: p.terminate(); p.wait()
