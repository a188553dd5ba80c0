"""F3: CPython hangs at exit when a channel end is still queued in a channel.

At interpreter finalization, _interpchannels' clear_interpreter() takes the
channels' mutex and clears the queued items of every channel; clearing an
item that holds a channel id (a channel end that was sent and never
received) deallocates it, and its dealloc (channelid_dealloc ->
_channels_release_cid_object) takes the same, non-reentrant mutex: the
main thread waits on itself forever (backtrace in README.md).

This script runs the three lines below in a child Python (this same
executable) and waits 20 s for it to exit: it exits 1 when the child hangs
(affected), 0 when the child exits (fixed, or not affected).

    r, s = channels.create()
    s.send_nowait(s)
    # end of the program: the child never exits

Usage: python3.X -I -S F3-channel-end-queued-at-exit-hangs.py
"""
import subprocess
import sys

CHILD = r"""
try:
    from test.support.interpreters import channels      # 3.13
except ImportError:
    try:
        from test.support import channels               # 3.14
    except ImportError:
        channels = None
if channels is not None and hasattr(channels, "create"):
    r, s = channels.create()
    s.send_nowait(s)
else:                                                   # 3.10-3.12: the low-level module
    try:
        import _xxinterpchannels as low                 # 3.12
        cid = low.create()
        low.send(cid, cid)
    except ImportError:
        import _xxsubinterpreters as low                # 3.10, 3.11
        cid = low.channel_create()
        low.channel_send(cid, cid)
print("queued a channel end in its own channel; exiting", flush=True)
"""

try:
    done = subprocess.run([sys.executable, "-I", "-S", "-c", CHILD], timeout=20)
except subprocess.TimeoutExpired:
    print("F3: affected: Python %s did not exit within 20 s" % sys.version.split()[0])
    sys.exit(1)
print("F3: not affected: Python %s exited with status %d" % (sys.version.split()[0], done.returncode))
sys.exit(0)
