#!/usr/bin/env python3
"""Per-thread scheduling of a server during a bench run (docs/BENCHMARKS.md,
"Scheduler slices").

    python3 bench/threads.py BIN/chat-server OUT.json [--slice-us N] &
    BIN=... bash bench/run.sh sqlite latency

Waits for a process whose argv[0] ends with the first argument, samples
/proc/<pid>/task/*/{comm,schedstat,status,sched} every 0.25 s until it
exits, and writes per thread, between the first sample after $SKIP seconds
(default 4: the sockets' set-up) and the last one before the exit: CPU time,
time spent runnable but waiting for a core, times scheduled, voluntary and
involuntary context switches, and the scheduler slice (se.slice, ns).
--slice-us N first gives every thread of the process an EEVDF slice of N µs
(sched_setattr, Linux 6.12 or later): an experiment without a rebuild.
"""
import ctypes, json, os, struct, sys, time
pat, out = sys.argv[1], sys.argv[2]
slice_us = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--slice-us" else 0
libc = ctypes.CDLL(None, use_errno=True)
def set_slice(tid, us):
    attr = struct.pack("IIQiIQQQ", 48, 0, 0, 0, 0, us * 1000, 0, 0)
    return libc.syscall(314, tid, ctypes.create_string_buffer(attr), 0)
def find():
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == os.getpid(): continue
        try:
            cmd = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")
        except OSError: continue
        if cmd and cmd[0].decode(errors="replace").endswith(pat):
            return int(p)
while True:
    pid = find()
    if pid: break
    time.sleep(0.05)
def sample():
    s = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            comm = open(f"/proc/{pid}/task/{t}/comm").read().strip()
            cpu, wait, slices = map(int, open(f"/proc/{pid}/task/{t}/schedstat").read().split())
            st = {l.split(":")[0]: int(l.split()[1]) for l in open(f"/proc/{pid}/task/{t}/status") if "ctxt_switches" in l}
        except OSError: continue
        try:
            sl = next(int(float(l.split(":")[1])) for l in open(f"/proc/{pid}/task/{t}/sched") if l.startswith("se.slice"))
        except (OSError, StopIteration): sl = 0
        s[t] = dict(slice=sl, comm=comm, cpu_ns=cpu, wait_ns=wait, slices=slices, vol=st.get("voluntary_ctxt_switches", 0), invol=st.get("nonvoluntary_ctxt_switches", 0))
    return s
samples = []
t0 = time.time(); seen = set(); start = None
while os.path.exists(f"/proc/{pid}"):
    if slice_us:
        try:
            for t in os.listdir(f"/proc/{pid}/task"):
                if t not in seen: set_slice(int(t), slice_us); seen.add(t)
        except OSError: pass
    s = sample()
    if s: samples.append((time.time() - t0, s))
    time.sleep(0.25)
# start: first sample after the sockets' set-up (caller passes load window via env)
skip = float(os.environ.get("SKIP", "4"))
first = next(x for x in samples if x[0] >= skip)
last = samples[-2] if len(samples) > 1 else samples[-1]
rows = []
for t, v in last[1].items():
    b = first[1].get(t, dict(cpu_ns=0, wait_ns=0, slices=0, vol=0, invol=0))
    rows.append(dict(tid=t, comm=v["comm"], slice=v["slice"], **{k: v[k] - b[k] for k in ("cpu_ns", "wait_ns", "slices", "vol", "invol")}))
rows.sort(key=lambda r: -r["cpu_ns"])
json.dump(dict(pid=pid, window_s=last[0] - first[0], threads=rows), open(out, "w"), indent=1)
