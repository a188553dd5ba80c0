"""F5: CPython hangs when a channel is destroyed while a queued item holds
the last reference to a channel end.

Destroying a channel (its last end object goes, or destroy() on 3.12) frees
its queue while _interpchannels holds the channels' mutex
(_channels_release_cid_object -> _channel_free -> _channelqueue_clear).
Releasing a queued item that holds the last reference to an end object (or
channel id) of a channel deallocates it, and that dealloc (channelid_dealloc
-> _channels_release_cid_object) takes the same, non-reentrant mutex: the
thread waits on itself forever (backtrace in README.md).  F3 is the same
re-entry at exit; this one strikes in the middle of a program.

This script runs the lines below in a child Python (this same executable)
and waits 20 s for it to exit: it exits 1 when the child hangs (affected),
0 when the child exits (fixed, or not affected).

    r_a, s_a = channels.create()
    r_b, s_b = channels.create()
    s_b.send_nowait(s_a)      # an end of A queued in B
    del s_a                   # ... and only the queued item refers to it
    del r_b, s_b              # B is destroyed: the child never gets past here

Usage: python3.X -I -S F5-channel-destroyed-holding-an-end-hangs.py
"""
import subprocess
import sys

# Standalone on purpose, to be pasted into a CPython issue: the child's imports
# repeat F3's rather than share them.
CHILD = r"""
try:
    from test.support.interpreters import channels      # 3.13
except ImportError:
    try:
        from test.support import channels               # 3.14
    except ImportError:
        channels = None
if channels is not None and hasattr(channels, "create"):
    r_a, s_a = channels.create()
    r_b, s_b = channels.create()
    s_b.send_nowait(s_a)
    del s_a
    del r_b, s_b
else:                                                   # 3.10-3.12: the low-level module
    try:
        import _xxinterpchannels as low                 # 3.12
        create, send, destroy = low.create, low.send, low.destroy
    except ImportError:
        import _xxsubinterpreters as low                # 3.10, 3.11
        create, send, destroy = low.channel_create, low.channel_send, low.channel_destroy
    a, b = create(), create()
    send(b, a)
    del a
    destroy(b)
print("destroyed a channel holding the last reference to an end; exiting", flush=True)
"""

try:
    done = subprocess.run([sys.executable, "-I", "-S", "-c", CHILD], timeout=20)
except subprocess.TimeoutExpired:
    print("F5: affected: Python %s did not get past destroying the channel within 20 s"
          % sys.version.split()[0])
    sys.exit(1)
print("F5: not affected: Python %s exited with status %d" % (sys.version.split()[0], done.returncode))
sys.exit(0)
