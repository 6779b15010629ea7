#!/usr/bin/env python3
"""What scripts/bench-stdio.sh needs beyond ../shared/tools/bench/mcp_stdio_bench.py.

  query    times sequential (or pipelined) query_graph calls against one server
           on a database the driver filled (its --keep-tmp directory), and, given
           the writes the driver had acknowledged, checks with get_graph_statistics
           that every one of them is in the graph. Reuses the driver's Conn,
           run_phase and summarize (imported from --driver, never copied), so
           its JSON lines have the driver's shape ("type": "phase" / "integrity").
  summary  reads the JSON lines of a bench-stdio.sh run and prints the side-by-side
           table (p50/p99/calls/s per tool and size, ratios against the echo floor
           and server-memory, growth 100k/1k, peak RSS) and the issue's targets.

Python 3 standard library only.
"""

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time

# Driver phase -> our tool; query_graph comes from the `query` subcommand.
TOOLS = (("create", "create_entity"), ("relate", "create_relationship"),
         ("search", "search_entities"), ("open", "get_entity_details"),
         ("path", "find_path"), ("query", "query_graph"))
WRITES = ("create", "relate")
MEMORY_TOOL = {"create": "create_entities", "relate": "create_relations",
               "search": "search_nodes", "open": "open_nodes"}


def load_driver(path):
    spec = importlib.util.spec_from_file_location("mcp_stdio_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- query ----

def query_args(shape, n, rng):
    """query_graph arguments over the driver's entities: names ent%07d,
    even indexes are devices and odd ones rooms (the goodies adapter)."""
    dev = "ent%07d" % (2 * rng.randrange(max(1, n // 2)))
    room = "ent%07d" % (2 * rng.randrange(max(1, n // 2)) + 1)
    if shape == 0:   # a name filter
        return {"entity_type": "device",
                "filters": [{"field": "name", "op": "eq", "value": dev}], "limit": 10}
    if shape == 1:   # a relationship pattern
        return {"entity_type": "device",
                "relationships": [{"type": "located_in", "direction": "out",
                                   "other_name": room}], "limit": 10}
    return {"cypher": "MATCH (d:device)-[:located_in]->(r:room {name: '%s'}) RETURN d LIMIT 10"
                      % room}


SHAPES = ("name filter", "relationship pattern", "cypher")


def cmd_query(args):
    drv = load_driver(args.driver)
    out = open(args.jsonl, "a") if args.jsonl else None
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    errf = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errf,
                            start_new_session=True)
    conn = drv.Conn(proc, args.timeout)
    run = {"type": "run", "label": args.label, "adapter": args.adapter, "argv": cmd,
           "window": args.pipeline, "extra": "query"}
    rc = 0
    try:
        conn.call("initialize", {"protocolVersion": drv.PROTOCOL_VERSION, "capabilities": {},
                                 "clientInfo": {"name": "mcp_stdio_extra", "version": "0.1"}})
        conn.notify("notifications/initialized")
        conn.call("tools/list", {})
        if args.expect_entities is not None and args.adapter == "goodies":
            rc |= check_integrity(conn, args, out, drv)
        rng = random.Random(args.seed)
        reqs, shapes = [], []
        for i in range(args.calls):
            shape = i % len(SHAPES)
            rid = conn.new_id()
            payload = conn.encode(rid, "tools/call", {"name": "query_graph",
                                                      "arguments": query_args(shape, args.entities, rng)})
            reqs.append((payload, rid, 1, shape))
            shapes.append(shape)
        totals = []

        def check(shape, res):
            if args.adapter != "goodies":
                return
            sc = res.get("structuredContent")
            if not isinstance(sc, dict) or "total" not in sc:
                raise drv.BenchError("query_graph: no total in structuredContent")
            totals.append(sc["total"])

        # One untimed call first: the server loads a database's graph in the
        # background after it starts, and the first call that needs the graph
        # waits for that. Without it, the load's CPU would count as the
        # phase's (about 0.8 ms per call at 100k entities) and the first
        # call's wait as one latency.
        if args.calls > 0:
            conn.call("tools/call", {"name": "query_graph",
                                     "arguments": query_args(0, args.entities, random.Random(0))})
        snap0 = drv.tree_snapshot(proc.pid)
        cpu0 = time.process_time()
        b0 = (conn.bytes_out, conn.bytes_in)
        pr = drv.run_phase(conn, "query", reqs, args.pipeline, None, check)
        d = drv.summarize(pr, args.label, args.adapter, args.pipeline, 1, snap0,
                          drv.tree_snapshot(proc.pid), cpu0, time.process_time(), b0,
                          (conn.bytes_out, conn.bytes_in))
        d["graph_entities"] = args.entities
        d["p50_by_shape_ms"] = {
            SHAPES[s]: round(drv.pct(sorted(l for l, sh in zip(pr.lat, shapes) if sh == s), 50) * 1000, 4)
            for s in range(len(SHAPES)) if any(sh == s for sh in shapes)}
        if totals:
            d["mean_total"] = round(sum(totals) / len(totals), 2)
        emit(d, out)
        if pr.failures:
            rc = 1
        snap = drv.tree_snapshot(proc.pid)
        if snap:
            run["server_peak_rss_kb"] = snap["hwm_kb"]
    except drv.BenchError as e:
        run["fatal"] = str(e)
        rc = 1
    finally:
        run["exit"] = drv.stop_server(proc)
    emit(run, out)
    return rc


def check_integrity(conn, args, out, drv):
    """Every acknowledged write present: the graph holds exactly what the
    driver created successfully (the database started empty)."""
    res, _ = conn.call("tools/call", {"name": "get_graph_statistics", "arguments": {}})
    sc = (res or {}).get("structuredContent") or {}
    d = {"type": "integrity", "label": args.label,
         "expected_entities": args.expect_entities, "graph_entities": sc.get("entities"),
         "expected_relations": args.expect_relations, "graph_relations": sc.get("relationships")}
    d["lost_entities"] = args.expect_entities - (sc.get("entities") or 0)
    d["lost_relations"] = args.expect_relations - (sc.get("relationships") or 0)
    d["ok"] = d["lost_entities"] == 0 and d["lost_relations"] == 0
    emit(d, out)
    return 0 if d["ok"] else 1


def emit(d, out):
    line = json.dumps(d, separators=(",", ":"))
    print(line, flush=True)
    if out:
        out.write(line + "\n")
        out.flush()


# -------------------------------------------------------------- summary ----

def read_lines(paths):
    runs, phases, integ = [], [], []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                d = json.loads(line)
                d["_file"] = os.path.basename(p)
                {"run": runs, "phase": phases, "integrity": integ}.get(d.get("type"), []).append(d)
    return runs, phases, integ


def fnum(v, nd=3):
    return "-" if v is None else ("%.*f" % (nd, v))


def ratio(a, b):
    return None if not a or not b else a / b


def cmd_summary(args):
    runs, phases, integ = read_lines(args.jsonl)
    # Labels are "<server>-<size>" (fg-1k, mem-10k, floor-100k, fg-w64-10k, ...).
    by = {}
    for p in phases:
        if p.get("skipped"):
            continue
        by[(p["label"], p["phase"])] = p
    rss = {}
    for r in runs:   # the driver's run and the query run share a label: keep the larger
        if r.get("server_peak_rss_kb"):
            rss[r["label"]] = max(rss.get(r["label"], 0), r["server_peak_rss_kb"])
    sizes = [s for s in ("1k", "10k", "100k") if any(k[0] == "fg-" + s for k in by)]
    figures = []

    def fig(name, value, unit, **extra):
        d = {"bench": "stdio", "figure": name, "value": value, "unit": unit}
        d.update(extra)
        figures.append(d)

    w = sys.stdout.write
    w("\nstdio MCP, sequential (one request in flight); p50/p99 in ms; x floor = p50 / echo p50 "
      "(same phase, same run); vs mem = our calls/s / server-memory calls/s; cpu/call = server "
      "CPU ms per call (less sensitive to other load on the machine)\n")
    w("%-20s %-5s %9s %9s %10s %8s %10s %10s %8s %5s\n"
      % ("tool", "size", "p50", "p99", "calls/s", "x floor", "vs mem", "mem p50", "cpu/call", "fail"))
    for phase, tool in TOOLS:
        for s in sizes:
            p = by.get(("fg-" + s, phase))
            if not p:
                continue
            floor = by.get(("floor-" + s, phase)) or by.get(("floor-" + s, "open"))
            mem = by.get(("mem-" + s, phase))
            xf = ratio(p["p50_ms"], floor and floor["p50_ms"])
            vm = ratio(p["calls_per_s"], mem and mem["calls_per_s"])
            cpu = (1000.0 * p["server_cpu_s"] / p["calls"]) if p.get("server_cpu_s") is not None and p["calls"] else None
            w("%-20s %-5s %9s %9s %10s %8s %10s %10s %8s %5d\n" % (
                tool, s, fnum(p["p50_ms"]), fnum(p["p99_ms"]), fnum(p["calls_per_s"], 0),
                fnum(xf, 1), fnum(vm, 0), fnum(mem and mem["p50_ms"]), fnum(cpu), p["failures"]))
            for e in (p.get("errors") or [])[:1]:
                w("    first failure: %s\n" % e[:160])
            fig("%s p50 %s" % (tool, s), p["p50_ms"], "ms", p99_ms=p["p99_ms"],
                calls_per_s=p["calls_per_s"], x_floor=xf, vs_server_memory=vm,
                server_cpu_ms_per_call=cpu, failures=p["failures"])
    w("\nfloor (echo server, same driver, search phase): "
      + ", ".join("%s p50 %s ms" % (s, fnum((by.get(("floor-" + s, "search")) or {}).get("p50_ms")))
                  for s in sizes) + "\n")

    w("\ngrowth: p50 at 100k / p50 at 1k (target <= 1.5)\n")
    for phase, tool in TOOLS:
        a, b = by.get(("fg-1k", phase)), by.get(("fg-100k", phase))
        if a and b:
            g = ratio(b["p50_ms"], a["p50_ms"])
            w("  %-20s %6s  (%s -> %s ms)\n" % (tool, fnum(g, 2), fnum(a["p50_ms"]), fnum(b["p50_ms"])))
            fig("growth %s 100k/1k" % tool, g, "x", target=1.5, met=g is not None and g <= 1.5)

    w("\npeak RSS (MiB): " + ", ".join("%s %.1f" % (k, v / 1024) for k, v in sorted(rss.items())) + "\n")
    for k, v in rss.items():
        fig("peak RSS %s" % k, v / 1024, "MiB")

    w("\ntargets\n")

    def target(name, met, detail):
        w("  [%s] %s: %s\n" % ("met " if met else "MISS", name, detail))
        fig("target: " + name, None, "", met=bool(met), detail=detail)

    for s in sizes:
        reads = [(t, by.get(("fg-" + s, ph)), by.get(("floor-" + s, ph)) or by.get(("floor-" + s, "open")))
                 for ph, t in TOOLS if ph not in WRITES]
        worst = [(t, ratio(p["p50_ms"], f["p50_ms"])) for t, p, f in reads if p and f]
        if worst:
            t, x = max(worst, key=lambda v: v[1] or 0)
            target("read p50 within 3x echo floor at %s" % s, all((v or 99) <= 3 for _, v in worst),
                   "worst %s %.1fx (%s)" % (t, x, ", ".join("%s %.1fx" % (a, b or 0) for a, b in worst)))
        writes = [(t, by.get(("fg-" + s, ph))) for ph, t in TOOLS if ph in WRITES]
        writes = [(t, p["p50_ms"]) for t, p in writes if p]
        if writes:
            target("write p50 < 0.5 ms at %s" % s, all(v < 0.5 for _, v in writes),
                   ", ".join("%s %.3f ms" % w_ for w_ in writes))
    gs = [(t, ratio(by[("fg-100k", ph)]["p50_ms"], by[("fg-1k", ph)]["p50_ms"]))
          for ph, t in TOOLS if ("fg-1k", ph) in by and ("fg-100k", ph) in by]
    if gs:
        target("growth 100k/1k <= 1.5 for every tool", all(g <= 1.5 for _, g in gs),
               ", ".join("%s %.2fx" % g for g in gs))
    for ph in ("create", "search"):
        a, b = by.get(("fg-10k", ph)), by.get(("mem-10k", ph))
        if a and b:
            r = ratio(a["calls_per_s"], b["calls_per_s"])
            target("%s calls/s >= 100x server-memory at 10k" % dict(TOOLS)[ph], r >= 100,
                   "%.0fx (%.0f vs %.1f calls/s)" % (r, a["calls_per_s"], b["calls_per_s"]))
    if rss.get("fg-100k"):
        target("peak RSS with 100k entities < 150 MB", rss["fg-100k"] / 1024 < 150,
               "%.1f MiB (%s)" % (rss["fg-100k"] / 1024, "fg-100k run"))
    for i in integ:
        target("pipelined: every acknowledged write present (%s)" % i["label"], i.get("ok"),
               "%s/%s entities, %s/%s relationships" % (i["graph_entities"], i["expected_entities"],
                                                         i["graph_relations"], i["expected_relations"]))
    pipes = sorted({k[0] for k in by if k[0].startswith("fg-w")})
    for lab in pipes:
        flo = lab.replace("fg-", "floor-", 1)
        parts = []
        for ph, t in TOOLS:
            a, b = by.get((lab, ph)), by.get((flo, ph)) or by.get((flo, "open"))
            if a and b:
                r = ratio(a["calls_per_s"], b["calls_per_s"])
                parts.append("%s %.0f/s = %.2f of echo" % (t, a["calls_per_s"], r))
                fig("pipelined %s %s calls/s" % (lab, t), a["calls_per_s"], "calls/s",
                    echo_calls_per_s=b["calls_per_s"], fraction_of_echo=r)
        if parts:
            w("  [info] pipelined throughput %s vs echo at the same window: %s\n" % (lab, "; ".join(parts)))
    mem_pipes = [r for r in runs if r["label"].startswith("mem-w") and r.get("sample_check")]
    for r in mem_pipes:
        w("  [info] %s (server-memory pipelined): integrity %s, sample %s\n"
          % (r["label"], r.get("integrity"), r.get("sample_check")))
    for d in figures:
        print(json.dumps(d, separators=(",", ":")))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd_name", required=True)
    q = sub.add_parser("query", help="time query_graph against one server")
    q.add_argument("--driver", required=True, help="path of mcp_stdio_bench.py")
    q.add_argument("--label", required=True)
    q.add_argument("--adapter", choices=("goodies", "echo"), default="goodies")
    q.add_argument("--entities", type=int, required=True, help="entities the driver created")
    q.add_argument("--calls", type=int, default=1000)
    q.add_argument("--pipeline", type=int, default=1)
    q.add_argument("--expect-entities", type=int, default=None)
    q.add_argument("--expect-relations", type=int, default=None)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--timeout", type=float, default=300.0)
    q.add_argument("--jsonl", default=None)
    q.add_argument("cmd", nargs=argparse.REMAINDER)
    s = sub.add_parser("summary", help="print the table and targets of a run")
    s.add_argument("jsonl", nargs="+")
    args = ap.parse_args(argv)
    if args.cmd_name == "query":
        if args.expect_entities is not None and args.expect_relations is None:
            ap.error("--expect-entities needs --expect-relations")
        return cmd_query(args)
    return cmd_summary(args)


if __name__ == "__main__":
    sys.exit(main())
