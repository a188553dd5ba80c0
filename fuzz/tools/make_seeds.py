#!/usr/bin/env python3
"""make_seeds.py: (re)generate the hand-written seed corpora of the fuzz harnesses.

    python3 -I -S fuzz/tools/make_seeds.py [--check]

Writes
  fuzz/corpus/ops/seed-*.bin        op programs (encoding: fuzz/ops_model.h)
  fuzz/corpus/shareable/seed-*.bin  value encodings (generator: fuzz/shareable_gen.c)
  fuzz/corpus/scenario_parser/*.scn a spread of conformance/suite/**/*.scn
                                    (one per area and step kind, small ones first)
and fuzz/dict/ops.dict (one token per op with typical arguments).  Files
that campaigns add to the corpora (not named seed-*) are left alone.
With --check, only verifies that the committed files are what this script
would write (exit 1 otherwise).

The op and generator tables below mirror fuzz/ops_model.h and
fuzz/shareable_gen.c; keep them in the same order.
"""
import hashlib
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "fuzz")

# ---- ops (fuzz/ops_model.h) ---------------------------------------------------------
OPS = [  # name, arity
    ("create", 2), ("close", 1), ("run", 2), ("bind", 3), ("create_channel", 1),
    ("drop_end", 2), ("rebuild_end", 2), ("send_nowait", 2), ("recv_nowait", 2),
    ("sub_send_nowait", 2), ("sub_recv_nowait", 2), ("blocking_recv", 3),
    ("blocking_send", 3), ("is_shareable", 1), ("list_all", 0), ("list_all_channels", 0),
    ("get_current", 0), ("is_running", 1), ("misc", 3),
]
OPNUM = {name: i for i, (name, _) in enumerate(OPS)}
ARITY = {name: a for name, a in OPS}
MAIN = 3            # interpreter "slot" 3 is main
# fixed value indexes (ops_model.c ops_values), then ends: 26 + 2*slot + dir
V = {"None": 0, "0": 1, "1": 2, "-1": 3, "i64max": 4, "i64min": 5, "2**63": 6,
     "-2**63-1": 7, "2**64": 8, "2**1000": 9, "-2**1000": 10, "b''": 11, "b'spam'": 12,
     "bytes256": 13, "nul1000": 14, "''": 15, "'spam'": 16, "unicode": 17, "surrogate": 18,
     "x10000": 19, "True": 20, "1.5": 21, "()": 22, "[1]": 23, "bytearray": 24, "object": 25}


def end(slot, d):
    return 26 + 2 * slot + d


SNIP = {"pass": 0, "assign": 1, "raise": 2, "syntax": 3, "exit": 4, "current": 5,
        "unbind": 6, "thread": 7, "list_all": 8, "main_running": 9, "close_current": 10,
        "shareable": 11}


def prog(*ops):
    out = bytearray()
    for op in ops:
        name, *args = op
        args = list(args) + [0] * (ARITY[name] - len(args))
        out.append(OPNUM[name])
        out.extend(a & 0xFF for a in args[:ARITY[name]])
    return bytes(out)


def ops_seeds():
    s = {}
    chan = ("create_channel", 0)
    s["channel-basic"] = prog(chan, ("send_nowait", 0, V["b'spam'"]), ("recv_nowait", 0, 1),
                              ("recv_nowait", 0, 0), ("list_all_channels",))
    s["channel-fifo"] = prog(chan, *[("send_nowait", 0, v) for v in (1, 2, 3, 11, 15, 0)],
                             *[("recv_nowait", 0, 1)] * 7)
    s["ints"] = prog(chan, *[("send_nowait", 0, V[k]) for k in
                             ("i64max", "i64min", "2**63", "-2**63-1", "2**64", "2**1000",
                              "-2**1000")], *[("recv_nowait", 0, 1)] * 7)
    s["strs-bytes"] = prog(chan, *[("send_nowait", 0, V[k]) for k in
                                   ("b''", "bytes256", "nul1000", "''", "unicode", "surrogate",
                                    "x10000")], *[("recv_nowait", 0, 0)] * 8)
    s["non-shareable"] = prog(chan, *[("send_nowait", 0, V[k]) for k in
                                      ("True", "1.5", "()", "[1]", "bytearray", "object")],
                              ("recv_nowait", 0, 1))
    s["is-shareable"] = prog(chan, *[("is_shareable", v) for v in range(26)],
                             ("is_shareable", end(0, 0)), ("is_shareable", end(0, 1)))
    s["ends-as-values"] = prog(chan, ("create_channel", 1), ("send_nowait", 0, end(1, 0)),
                               ("send_nowait", 0, end(1, 1)), ("send_nowait", 0, end(0, 1)),
                               ("recv_nowait", 0, 1), ("recv_nowait", 0, 1), ("recv_nowait", 0, 1))
    s["end-queued-in-own-channel"] = prog(chan, ("send_nowait", 0, end(0, 0)),
                                          ("send_nowait", 0, end(0, 1)), ("drop_end", 0, 2),
                                          ("list_all_channels",))
    s["drop-recv-then-send"] = prog(chan, ("drop_end", 0, 0), ("send_nowait", 0, V["1"]),
                                    ("rebuild_end", 0, 0), ("recv_nowait", 0, 1))
    s["drop-send-then-recv"] = prog(chan, ("send_nowait", 0, V["1"]), ("drop_end", 0, 1),
                                    ("recv_nowait", 0, 1), ("recv_nowait", 0, 0),
                                    ("blocking_recv", 0, 0, 0))
    s["drop-both-destroys"] = prog(chan, ("send_nowait", 0, V["1"]), ("drop_end", 0, 2),
                                   ("list_all_channels",), ("rebuild_end", 0, 0),
                                   ("recv_nowait", 0, 1), ("rebuild_end", 0, 1),
                                   ("send_nowait", 0, V["1"]), ("blocking_recv", 0, 0, 0),
                                   ("blocking_send", 0, 0, 1))
    s["rebuilt-end-keeps-alive"] = prog(chan, ("send_nowait", 0, V["'spam'"]),
                                        ("drop_end", 0, 0), ("rebuild_end", 0, 0),
                                        ("drop_end", 0, 1), ("list_all_channels",),
                                        ("recv_nowait", 0, 1), ("recv_nowait", 0, 1))
    s["create-close"] = prog(("create", 0, 1), ("list_all",), ("is_running", 0), ("close", 0),
                             ("is_running", 0), ("close", 0), ("run", 0, 0), ("list_all",))
    s["create-legacy"] = prog(("create", 0, 0), ("run", 0, SNIP["thread"]),
                              ("run", 0, SNIP["pass"]), ("close", 0))
    s["snippets"] = prog(("create", 1, 1), *[("run", 1, n) for n in range(12)], ("close", 1))
    s["snippets-legacy"] = prog(("create", 2, 0), *[("run", 2, n) for n in range(12)])
    s["main-refusals"] = prog(("close", MAIN), ("run", MAIN, 0), ("is_running", MAIN),
                              ("get_current",), ("list_all",))
    s["two-subs"] = prog(("create", 0, 1), ("create", 1, 0), ("list_all",),
                         ("run", 0, SNIP["list_all"]), ("run", 1, SNIP["current"]),
                         ("close", 1), ("list_all",), ("run", 0, SNIP["list_all"]))
    s["bind-send-recv"] = prog(chan, ("create", 0, 1), ("bind", 0, 0, 3),
                               ("sub_send_nowait", 0, V["b'spam'"]), ("recv_nowait", 0, 1),
                               ("send_nowait", 0, V["'spam'"]), ("sub_recv_nowait", 0, 1),
                               ("sub_recv_nowait", 0, 0), ("sub_send_nowait", 0, V["1.5"]),
                               ("close", 0))
    s["bind-values"] = prog(chan, ("create", 0, 1), ("bind", 0, 0, 3),
                            *[("sub_send_nowait", 0, v) for v in (0, 6, 9, 13, 17, 18)],
                            *[("sub_recv_nowait", 0, 1)] * 7)
    s["sub-holds-last-ends"] = prog(chan, ("create", 0, 1), ("bind", 0, 0, 3),
                                    ("send_nowait", 0, V["1"]), ("drop_end", 0, 2),
                                    ("close", 0), ("sub_recv_nowait", 0, 1), ("close", 0),
                                    ("list_all_channels",))
    s["sub-holds-last-ends-unbind"] = prog(chan, ("create", 0, 1), ("bind", 0, 0, 3),
                                           ("send_nowait", 0, V["1"]), ("drop_end", 0, 2),
                                           ("close", 0), ("run", 0, SNIP["unbind"]),
                                           ("list_all_channels",), ("close", 0))
    s["sub-holds-send-end"] = prog(chan, ("create", 0, 1), ("bind", 0, 0, 2),
                                   ("drop_end", 0, 1), ("blocking_recv", 0, 0, 0),
                                   ("close", 0), ("blocking_recv", 0, 0, 0),
                                   ("recv_nowait", 0, 0))
    s["sub-holds-recv-end"] = prog(chan, ("create", 0, 1), ("bind", 0, 0, 1),
                                   ("drop_end", 0, 0), ("send_nowait", 0, V["1"]),
                                   ("blocking_send", 0, 0, V["2**63"]), ("close", 0),
                                   ("blocking_send", 0, 0, V["1"]))
    s["blocking-recv-helper-send"] = prog(chan, ("blocking_recv", 0, 0, V["b'spam'"]),
                                          ("blocking_recv", 0, 1, V["2**1000"]),
                                          ("recv_nowait", 0, 1))
    s["blocking-recv-drop-sender"] = prog(chan, ("blocking_recv", 0, 2, 0), ("recv_nowait", 0, 1),
                                          ("blocking_recv", 0, 0, 0))
    s["blocking-send-helper-recv"] = prog(chan, ("send_nowait", 0, V["1"]),
                                          ("send_nowait", 0, V["'spam'"]),
                                          ("blocking_send", 0, 0, V["unicode"]),
                                          ("recv_nowait", 0, 1))
    s["blocking-send-drop-receiver"] = prog(chan, ("blocking_send", 0, 1, V["1"]),
                                            ("blocking_send", 0, 0, V["1"]),
                                            ("rebuild_end", 0, 0), ("recv_nowait", 0, 1))
    s["blocking-send-errors"] = prog(chan, ("blocking_send", 0, 0, V["()"]),
                                     ("blocking_send", 0, 0, end(0, 0)), ("drop_end", 0, 0),
                                     ("blocking_send", 0, 0, V["1"]))
    s["three-channels"] = prog(("create_channel", 0), ("create_channel", 1), ("create_channel", 2),
                               ("send_nowait", 1, V["1"]), ("send_nowait", 2, end(0, 1)),
                               ("drop_end", 0, 2), ("list_all_channels",), ("recv_nowait", 2, 1),
                               ("recv_nowait", 1, 1), ("create_channel", 1), ("list_all_channels",))
    # misc: a = variant (15 of them), b = sub slot, c = channel slot
    s["misc-argument-errors"] = prog(("create", 0, 1), chan,
                                     *[("misc", v, 0, 0) for v in range(14)],
                                     ("list_all_channels",), ("close", 0))
    s["misc-closed-handles"] = prog(("create", 1, 0), ("close", 1), ("misc", 4, 1, 0),
                                    ("misc", 12, 1, 0), ("misc", 13, 1, 0))
    # misc variant 14: a low-level module call, CPython 3.13+ mode only (b = which of
    # the 32 calls, c = the argument shape; fuzz/ops_lowlevel.c)
    s["misc-lowlevel-calls"] = prog(*[("misc", 14, b, (b * 37 + 5) % 256) for b in range(32)])
    s["everything"] = prog(("create", 0, 1), chan, ("bind", 0, 0, 1), ("send_nowait", 0, V["1"]),
                           ("sub_recv_nowait", 0, 1), ("is_running", 0), ("run", 0, 11),
                           ("blocking_recv", 0, 0, V["None"]), ("list_all",), ("list_all_channels",),
                           ("get_current",), ("is_shareable", end(0, 0)), ("close", 0),
                           ("is_running", 0))
    return s


def ops_dict():
    lines = ["# ops.dict: one token per op of fuzz/ops_model.h with typical arguments",
             "# (generated by fuzz/tools/make_seeds.py)."]
    def esc(b):
        return "".join("\\x%02x" % c for c in b)
    for name, arity in OPS:
        for args in ([0, 0, 0], [1, 1, 3], [2, V["b'spam'"], 1]):
            tok = prog((name, *args[:arity]))
            lines.append('%s_%s="%s"' % (name, "_".join(str(a) for a in args[:arity]) or "0", esc(tok)))
    pairs = [[("create_channel", 0), ("send_nowait", 0, V["1"])],
             [("create", 0, 1), ("bind", 0, 0, 3)],
             [("send_nowait", 0, V["1"]), ("recv_nowait", 0, 1)],
             [("drop_end", 0, 2), ("rebuild_end", 0, 0)]]
    for i, pair in enumerate(pairs):
        lines.append('pair%d="%s"' % (i, esc(prog(*pair))))
    return "\n".join(lines) + "\n"


# ---- shareable values (fuzz/shareable_gen.c) ------------------------------------------
G = ["none", "bool", "smallint", "int64", "boundary", "bigint", "hugeint", "bytes", "bigbytes",
     "str", "surrogate", "bigstr", "float", "complex", "tuple", "list", "dict", "set",
     "frozenset", "bytearray", "memoryview", "intsub", "strsub", "bytessub", "end", "interp",
     "object", "ellipsis", "type", "function", "module", "exception", "evil"]
GN = {n: i for i, n in enumerate(G)}


def shareable_seeds():
    s = {}
    g = GN
    s["none"] = bytes([g["none"]])
    s["bool"] = bytes([g["bool"], 1])
    s["smallint"] = bytes([g["smallint"], 0xFF])
    s["int64-min"] = bytes([g["int64"]] + [0] * 7 + [0x80])
    s["int64-max"] = bytes([g["int64"]] + [0xFF] * 7 + [0x7F])
    # boundary: selector byte sel gives 2**BOUNDARIES[sel % 21] + ((sel // 32) % 3 - 1)
    bounds = [0, 1, 7, 8, 15, 16, 31, 32, 53, 62, 63, 64, 65, 100, 127, 128, 255, 256, 1000,
              4096, 10000]
    for bits, off, neg in ((63, -1, 0), (63, 0, 0), (63, 0, 1), (63, 1, 1), (64, -1, 0),
                           (64, 0, 0), (64, 1, 1), (31, 0, 1), (1000, 0, 0), (1000, 1, 1)):
        sel = next(x for x in range(256)
                   if bounds[x % 21] == bits and (x // 32) % 3 == off + 1)
        # e.g. boundary-neg-2p63-plus1: -(2**63 + 1)
        name = "boundary-%s2p%d%s" % ("neg-" if neg else "", bits,
                                       {-1: "-minus1", 0: "", 1: "-plus1"}[off])
        s[name] = bytes([g["boundary"], sel, neg])
    s["bigint"] = bytes([g["bigint"], 40] + list(range(40)))
    s["hugeint"] = bytes([g["hugeint"], 0x00, 0x40, 1])
    s["bytes"] = bytes([g["bytes"], 5]) + b"a\x00b\xffc"
    s["bigbytes"] = bytes([g["bigbytes"], 7, 0x00, 0x00, 0x01])
    s["str-mixed"] = bytes([g["str"], 6] + [0, 0x41, 0, 0, 0xE9, 5, 0xD8, 0, 3, 0x01, 0xF6, 4,
                                            0xFF, 0xFF, 2, 0, 0, 5])
    s["surrogate"] = bytes([g["surrogate"], 0x00, 0x00])
    s["surrogate-low"] = bytes([g["surrogate"], 0xFF, 0x07])
    s["bigstr-astral"] = bytes([g["bigstr"], 4, 0x00, 0x10, 0x00])
    s["bigstr-surrogate"] = bytes([g["bigstr"], 3, 0x00, 0x01, 0x00])
    s["float"] = bytes([g["float"]] + [1] * 8)
    s["tuple-of-shareables"] = bytes([g["tuple"], 2, g["none"], g["smallint"], 3])
    s["list-nested"] = bytes([g["list"], 2, g["tuple"], 1, g["str"], 1, 0, 0x41, 0, g["none"]])
    s["dict"] = bytes([g["dict"], 2, g["bytes"], 1, 0x41, g["evil"]])
    s["set"] = bytes([g["set"], 3, 1, 2, 3])
    s["frozenset"] = bytes([g["frozenset"], 1, 9])
    s["bytearray"] = bytes([g["bytearray"]])
    s["memoryview"] = bytes([g["memoryview"]])
    s["intsub"] = bytes([g["intsub"], 5])
    s["strsub"] = bytes([g["strsub"], 2, 0, 0x41, 0, 0, 0x42, 0])
    s["bytessub"] = bytes([g["bytessub"]])
    for i, name in enumerate(["rd", "sd", "r", "s"]):
        s["end-" + name] = bytes([g["end"], i])
    for name in ("interp", "object", "type", "function", "module", "exception", "evil"):
        s[name] = bytes([g[name]])
    s["ellipsis"] = bytes([g["ellipsis"], 1])
    s["notimplemented"] = bytes([g["ellipsis"], 0])
    return s


# ---- scenario parser corpus -----------------------------------------------------------
def parser_seeds():
    suite = os.path.join(ROOT, "conformance", "suite")
    files = []
    for area in sorted(os.listdir(suite)):
        for name in sorted(os.listdir(os.path.join(suite, area))):
            if name.endswith(".scn"):
                path = os.path.join(suite, area, name)
                files.append((area, name, open(path, "rb").read()))
    chosen = {}
    # Per area: the smallest files, and the smallest file using each step kind / header key.
    keys = [b"\nthread ", b"\nblocked ", b"\njoin ", b"\nrun ", b" channels ", b" raises ",
            b" matching /", b"\nexpect ", b"    =>", b"\ntimeout:", b"\norigin:", b"\nfeatures:",
            b"\\/", b"\n#", b"level: IMPL", b"level: SHOULD"]
    for area in sorted({a for a, _, _ in files}):
        in_area = sorted((len(d), n, d) for a, n, d in files if a == area)
        for _, n, d in in_area[:2]:
            chosen["%s--%s" % (area, n)] = d
        for key in keys:
            for _, n, d in in_area:
                if key in d:
                    chosen["%s--%s" % (area, n)] = d
                    break
    return chosen


def write_all(check):
    plan = {}
    for name, data in ops_seeds().items():
        plan[os.path.join(FUZZ, "corpus", "ops", "seed-%s.bin" % name)] = data
    for name, data in shareable_seeds().items():
        plan[os.path.join(FUZZ, "corpus", "shareable", "seed-%s.bin" % name)] = data
    for name, data in parser_seeds().items():
        plan[os.path.join(FUZZ, "corpus", "scenario_parser", "seed-%s" % name)] = data
    plan[os.path.join(FUZZ, "dict", "ops.dict")] = ops_dict().encode()
    bad = 0
    for path, data in sorted(plan.items()):
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old != data:
            if check:
                print("differs:", os.path.relpath(path, ROOT))
                bad += 1
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)
    # Seeds this script no longer writes.
    for sub in ("ops", "shareable", "scenario_parser"):
        folder = os.path.join(FUZZ, "corpus", sub)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            path = os.path.join(folder, name)
            if name.startswith("seed-") and path not in plan:
                if check:
                    print("stale:", os.path.relpath(path, ROOT))
                    bad += 1
                else:
                    os.remove(path)
    counts = {sub: sum(1 for p in plan if "/corpus/%s/" % sub in p)
              for sub in ("ops", "shareable", "scenario_parser")}
    print("seeds:", ", ".join("%s %d" % kv for kv in counts.items()),
          "(checked)" if check else "(written)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(write_all("--check" in sys.argv[1:]))
