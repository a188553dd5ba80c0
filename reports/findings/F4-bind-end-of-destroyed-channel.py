"""F4: CPython 3.13 and 3.14 refuse to bind a channel end whose channel is gone.

Found by the op-sequence harness's campaigns on 3.13 (debug + ASan build) and
3.14: `Interpreter.run('pass', channels=(r, None))`, where `r` is a
RecvChannel built from the id of a channel already destroyed, raises
InterpreterError("failed to apply namespace to __main__") (cause:
ChannelNotFoundError) instead of binding the end, which the harness's SPEC
model expected then.  The seed and PEP 554 do not decide it, so SPEC revision
2.1 made it an IMPL choice, INTERP-CHAN-9: (a) bind the end, whose use then
raises ChannelNotFoundError (the reference), or (b) refuse the call before
anything runs (3.13, 3.14).  The suite checks it:
conformance/suite/run/channels-end-of-destroyed-channel-bound-or-refused.scn.

Runs through the conformance adapter of the running version (3.13, 3.14).
Exit 1 when run() refuses the end (outcome b), 0 when it binds it (a).

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
