"""F4: CPython 3.13 and 3.14 refuse to bind a channel end whose channel is gone.

Found by the op-sequence harness's campaigns on 3.13 (debug + ASan build) and
3.14: `Interpreter.run('pass', channels=(r, None))`, where `r` is a
RecvChannel built from the id of a channel already destroyed, raises
InterpreterError("failed to apply namespace to __main__") (cause:
ChannelNotFoundError) instead of binding the end.  The SPEC model expects the
binding to succeed (INTERP-CHAN-2, INTERP-CHAN-3): an end is a handle, and
using it later is what fails (LIFE-CH-5, CH-RECVNW-6).  The expectation files
do not list it yet: a SPEC question first (does INTERP-CHAN-2 cover ends of
destroyed channels?), then a scenario.

Runs through the conformance adapter of the running version (3.13, 3.14).
Exit 1 when run() refuses the end (the deviation), 0 when it binds it.

Usage: python3.X -I -S reports/findings/F4-bind-end-of-destroyed-channel.py
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "conformance", "adapters"))
interpreters = __import__("cpython313" if sys.version_info[:2] == (3, 13) else "cpython314")

r, s = interpreters.create_channel()
cid = int(r.id)
del r, s                                  # the channel is destroyed
gone = interpreters.RecvChannel(cid)
interp = interpreters.create()
try:
    interp.run("pass", channels=(gone, None))
    outcome, status = "bound", 0
except Exception as exc:
    cause = exc.__cause__ or exc.__context__
    outcome = "%s: %s (cause: %s)" % (type(exc).__name__, exc,
                                      "%s: %s" % (type(cause).__name__, cause) if cause else None)
    status = 1
interp.close()
print("%s: run(channels=(end of a destroyed channel, None)) -> %s"
      % (sys.version.split()[0], outcome))
sys.exit(status)
