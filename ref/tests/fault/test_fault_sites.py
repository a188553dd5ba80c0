"""Targeted allocation failures in interpref: states the workload of
test_fault_walk.py never reaches, each set up with faults disarmed, then one
call with interpref's allocations failing from a chosen one on, then checks
that the failure was a clean MemoryError and left everything usable.

Needs a tree configured with INTERPCHECK_FAULT_INJECTION (the `fault` and
`coverage` presets), whose interpref has _fault_after(n) (the allocation
after the next n that succeed fails, and so does every later one, until
_fault_after(-1)) and _fault_calls() (see test_fault_walk.py).

The interesting states involve a channel's table of holders (interpreters
holding references to its ends), which starts with room for two and grows
when a third interpreter takes a reference: that growth is the allocation
made to fail below.
"""
import contextlib
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
import support  # noqa: E402
from support import interpref, new_interpreter, run_and_collect, channel_ids  # noqa: E402

if not hasattr(interpref, '_fault_after'):
    sys.stderr.write('test_fault_sites: this interpref has no _fault_after(): configure '
                     'with -DINTERPCHECK_FAULT_INJECTION=ON (cmake --preset fault)\n')
    sys.exit(2)


@contextlib.contextmanager
def failing_from(n):
    """Allocations fail from the one after the next n on, inside the block."""
    interpref._fault_after(n)
    try:
        yield
    finally:
        interpref._fault_after(-1)


class FaultHookTests(unittest.TestCase):

    def test_argument_must_be_an_int(self):
        for bad in ('1', 1.0, None):
            with self.subTest(bad=bad), self.assertRaises(TypeError):
                interpref._fault_after(bad)

    def test_huge_counts_never_fail_and_very_negative_ones_disarm(self):
        with failing_from(2**100):
            pair = interpref.create_channel()
            self.assertGreater(interpref._fault_calls(), 0)
        interpref._fault_after(0)
        interpref._fault_after(-2**100)
        del pair
        self.assertEqual(len(interpref.create_channel()), 2)


class HolderTableTests(unittest.TestCase):

    def tearDown(self):
        interpref._fault_after(-1)

    def channel_held_by_two_subs(self):
        """A channel whose table of holders is full (two subs), main not in it."""
        a = new_interpreter(self)
        b = new_interpreter(self)
        cid, = run_and_collect(a, 'kept = interpref.create_channel()\n'
                                  'out.send_nowait(kept[0].id)')
        b.run('import interpref\n'
              'kept = interpref.RecvChannel(%d), interpref.SendChannel(%d)' % (cid, cid))
        return a, b, cid

    def test_end_constructor(self):
        a, b, cid = self.channel_held_by_two_subs()
        for cls in (interpref.RecvChannel, interpref.SendChannel):
            with self.subTest(cls=cls.__name__):
                with failing_from(0), self.assertRaises(MemoryError):
                    cls(cid)
        # Nothing half-made: main takes its references once memory is back.
        send = interpref.SendChannel(cid)
        send.send_nowait('after')
        self.assertEqual(interpref.RecvChannel(cid).recv_nowait(), 'after')

    def test_receiving_an_end(self):
        a, b, cid = self.channel_held_by_two_subs()
        recv, send = interpref.create_channel()
        a.run('channels[1].send_nowait(kept[1])', channels=(None, send))
        # Unpacking it takes main's reference on that channel: it cannot.
        with failing_from(0), self.assertRaises(MemoryError):
            recv.recv_nowait()
        a.run('channels[1].send_nowait(kept[1])', channels=(None, send))
        received = recv.recv_nowait()
        self.assertEqual(received.id, cid)
        received.send_nowait('works')
        self.assertEqual(run_and_collect(b, 'out.send_nowait(kept[0].recv_nowait())'), ['works'])

    def test_an_end_made_before_its_channel_binds_on_first_use(self):
        # An end made for an id that names no channel yet holds nothing; its
        # first use takes main's reference, where the table has no room.
        a = new_interpreter(self)
        b = new_interpreter(self)
        cid = interpref.create_channel()[0].id + 1    # the next channel's id
        early = interpref.RecvChannel(cid)
        a.run('import interpref\nkept = interpref.create_channel()\n'
              'assert kept[0].id == %d' % cid)
        b.run('import interpref\n'
              'kept = interpref.RecvChannel(%d), interpref.SendChannel(%d)' % (cid, cid))
        with failing_from(0), self.assertRaises(MemoryError):
            early.recv_nowait()
        # Still unbound, not half bound: the next use binds.
        b.run('kept[1].send_nowait("bound")')
        self.assertEqual(early.recv_nowait(), 'bound')

    def test_list_all_channels(self):
        a, b, cid = self.channel_held_by_two_subs()
        # Its first allocation is the copy of the ids, then main's reference.
        with failing_from(1), self.assertRaises(MemoryError):
            interpref.list_all_channels()
        self.assertIn(cid, channel_ids())

    def test_run_with_channels_in_a_third_interpreter(self):
        recv, send = interpref.create_channel()
        a = new_interpreter(self)
        b = new_interpreter(self)
        a.run('held = channels', channels=(recv, send))   # main and a: full
        b.run('pass')                                     # interpref imported there
        # run() copies the channels argument (the first allocation), then b
        # takes its references: the table grows, and cannot.
        with failing_from(1), self.assertRaises((MemoryError, interpref.RunFailedError)) as cm:
            b.run('ran = 1', channels=(recv, send))
        if isinstance(cm.exception, interpref.RunFailedError):
            self.assertEqual(cm.exception.type_name, 'MemoryError')
        got = run_and_collect(b, "out.send_nowait(int('ran' in globals()))")
        self.assertEqual(got, [0])
        b.run('channels[1].send_nowait(1)', channels=(recv, send))
        self.assertEqual(recv.recv_nowait(), 1)


class RunFailureTests(unittest.TestCase):
    """run() describes an uncaught exception with three texts copied with
    interpref's allocator (its type's name, str() of it, the traceback);
    when one cannot be made, run() raises MemoryError instead of a
    RunFailedError with a part missing."""

    def tearDown(self):
        interpref._fault_after(-1)

    def test_a_text_that_cannot_be_made(self):
        interp = new_interpreter(self)
        # The code arms the failure itself, right before raising: the type's
        # name is copied (1), then str() of the exception (2), then the
        # traceback (3); the ones before the failing one succeed.
        for made in (1, 2):
            with self.subTest(made=made):
                with self.assertRaises(MemoryError):
                    interp.run('import interpref\n'
                               'interpref._fault_after(%d)\n'
                               'raise ValueError("lost")' % made)
                interpref._fault_after(-1)
                self.assertEqual(run_and_collect(interp, 'out.send_nowait(1)'), [1])


class ExitTests(unittest.TestCase):

    def test_closing_at_exit_without_memory_closes_nothing(self):
        # What atexit calls (interpref._atexit) cannot list the interpreters:
        # it gives up quietly; they are still there, and usable.
        interp = new_interpreter(self)
        with failing_from(0):
            self.assertIsNone(interpref._atexit())
        self.assertIn(interp, interpref.list_all())
        interp.run('pass')


if __name__ == '__main__':
    unittest.main()
