"""interpref and signals: a main thread blocked in recv() or send() runs the
Python signal handlers; a handler that raises (Ctrl-C) interrupts the call,
the object of an interrupted send() is withdrawn, and the channel stays
usable.  Signals are sent by a helper thread with signal.pthread_kill() to
the main thread, once the main thread is known to be blocked."""
import os
import signal
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # python -I: for support
import support  # noqa: E402
from support import interpref, Call, drain  # noqa: E402

SENTINEL = object()
DONE = 'done: send() returned'
WATCHDOG = 'watchdog: the signal did not end the call'


class Interrupt(Exception):
    pass


@unittest.skipUnless(hasattr(signal, 'pthread_kill'), 'needs signal.pthread_kill')
class SignalTests(unittest.TestCase):

    def setUp(self):
        self.assertIs(threading.current_thread(), threading.main_thread())
        # interpref-embed does not install Python's handlers: do it here.
        old = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, old)
        self.started = threading.Event()   # set by main just before blocking
        self.done = threading.Event()      # set by main once the call ended

    def signal_main(self, signum):
        """In a helper thread: once main is blocked, send it `signum`.  None
        once sent, else why not: 'main never started' or 'not blocked'."""
        if not self.started.wait(support.JOIN_TIMEOUT):
            return 'main never started'
        if self.done.wait(support.BLOCKED_WAIT):
            return 'not blocked'
        signal.pthread_kill(threading.main_thread().ident, signum)
        return None

    def signalling_thread(self, signum, then):
        """A helper thread: signal_main(signum), then its value is then()."""
        return Call(self, lambda: self.signal_main(signum) or then())

    def signal_main_once_blocked(self, signum, release):
        """A helper thread: once main is blocked, send it `signum`; if the
        call has not ended JOIN_TIMEOUT later, `release()` it (a hang becomes
        a failure).  Its value: 'not blocked', 'signalled' or 'released'."""
        def then():
            if self.done.wait(support.JOIN_TIMEOUT):
                return 'signalled'
            release()
            return 'released'
        return self.signalling_thread(signum, then)

    def signal_main_with_a_returning_handler(self, what, release, finish):
        """A helper thread: once main is blocked in `what`, send it SIGUSR1,
        whose handler returns; once it has run, main must still be blocked,
        and the value is finish().  If the handler never runs, `release()`
        main (a hang becomes a failure)."""
        handled = threading.Event()
        old = signal.signal(signal.SIGUSR1, lambda signum, frame: handled.set())
        self.addCleanup(signal.signal, signal.SIGUSR1, old)

        def then():
            if not handled.wait(support.JOIN_TIMEOUT):
                release()
                return 'handler never ran'
            if self.done.wait(support.BLOCKED_WAIT):
                return what + ' ended by the signal'
            return finish()
        return self.signalling_thread(signal.SIGUSR1, then)

    def blocked_recv_raced_by(self, after_signal):
        """Main blocks in recv() of a new channel; a helper thread sends it
        SIGINT, then at once calls after_signal(send).  KeyboardInterrupt out
        of recv() (or right after it returned: then the value is dropped, as
        for any asynchronous exception) is fine.  Returns (helper, recv)."""
        self.started.clear()
        self.done.clear()
        recv, send = interpref.create_channel()
        call = self.signalling_thread(signal.SIGINT, lambda: after_signal(send))
        try:
            self.blocked_call(recv.recv)
        except KeyboardInterrupt:
            pass
        return call, recv

    def assert_interrupted(self, exc_type, signum, release, func, *args):
        """func(*args), called in main, blocks until `signum` arrives and
        then raises `exc_type` (from the handler); the helper thread saw the
        call end by the signal (`release`: as for signal_main_once_blocked)."""
        helper = self.signal_main_once_blocked(signum, release)
        with self.assertRaises(exc_type):
            self.blocked_call(func, *args)
        self.assertEqual(helper.value(), 'signalled')

    def interrupted_recv(self, exc_type=KeyboardInterrupt, signum=signal.SIGINT):
        """A new channel whose recv() in main was interrupted: (recv, send)."""
        recv, send = interpref.create_channel()
        self.assert_interrupted(exc_type, signum, lambda: send.send_nowait(WATCHDOG), recv.recv)
        return recv, send

    def install_raising_handler(self):
        """SIGUSR1's handler raises Interrupt until the end of the test."""
        def handler(signum, frame):
            raise Interrupt('from the handler')
        old = signal.signal(signal.SIGUSR1, handler)
        self.addCleanup(signal.signal, signal.SIGUSR1, old)

    def blocked_call(self, func, *args):
        self.started.set()
        try:
            return func(*args)
        finally:
            self.done.set()

    # ---- recv() -----------------------------------------------------------

    def test_sigint_interrupts_a_blocked_recv(self):
        recv, send = self.interrupted_recv()
        # Nothing was taken from the channel, and no receiver is left behind.
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)
        self.assertIs(send.send_nowait('after'), False)
        self.assertEqual(recv.recv_nowait(), 'after')

    def test_recv_blocks_again_after_an_interrupt(self):
        recv, send = self.interrupted_recv()
        call = support.blocked(self, 'recv() after the interrupt', recv.recv)
        self.assertIs(send.send_nowait('second'), True)
        self.assertEqual(call.value(), 'second')

    def test_handler_exception_propagates_from_recv(self):
        self.install_raising_handler()
        recv, send = self.interrupted_recv(Interrupt, signal.SIGUSR1)
        send.send_nowait(1)
        self.assertEqual(recv.recv(), 1)

    def test_handler_that_returns_lets_recv_keep_waiting(self):
        recv, send = interpref.create_channel()

        def finish():
            send.send_nowait('the real object')
            return 'ok'
        call = self.signal_main_with_a_returning_handler(
            'recv', lambda: send.send_nowait('handler never ran'), finish)
        got = self.blocked_call(recv.recv)
        self.assertEqual(call.value(), 'ok')
        self.assertEqual(got, 'the real object')

    def test_object_handed_to_an_interrupted_recv_is_not_acknowledged(self):
        # SIGINT reaches the blocked recv() and, before its handler has run,
        # another thread send()s: the object must either be received (then
        # send() may return) or stay queued (then send() must still wait):
        # never "send() returned" while the object is still in the queue.
        # The helper may not have called send() yet when main is back from the
        # interrupt (valgrind makes that common), so main waits with a
        # blocking recv(): it gets 'x' if the object was queued or is handed
        # over now, or DONE, which the helper sends once its send() has
        # returned, if the interrupted recv() took 'x'.
        for trial in range(20):
            with self.subTest(trial=trial):
                returned = threading.Event()

                def send_and_note(send):
                    send.send('x')
                    returned.set()
                    send.send_nowait(DONE)
                    return 'sent'
                call, recv = self.blocked_recv_raced_by(send_and_note)
                send_had_returned = returned.is_set()
                got = recv.recv()
                self.assertIn(got, ('x', DONE))
                self.assertFalse(send_had_returned and got == 'x',
                                 'send() returned while its object was still queued')
                self.assertEqual(call.value(), 'sent')

    def test_send_nowait_true_to_an_interrupted_recv(self):
        # As above with send_nowait(): once it has returned True, the blocked
        # recv() must return the object (SPEC CH-SENDNW-2); it must not raise
        # from inside and leave the object queued.
        for trial in range(20):
            with self.subTest(trial=trial):
                call, recv = self.blocked_recv_raced_by(lambda send: send.send_nowait('x'))
                handed = call.value()
                queued = recv.recv_nowait(SENTINEL)
                self.assertIn(handed, (True, False))
                if handed:
                    self.assertIs(queued, SENTINEL,
                                  'send_nowait() returned True but the object is still queued')
                else:
                    self.assertEqual(queued, 'x')

    # ---- send() -----------------------------------------------------------

    def test_sigint_interrupts_a_blocked_send_and_withdraws_the_object(self):
        recv, send = interpref.create_channel()
        self.assert_interrupted(KeyboardInterrupt, signal.SIGINT, recv.recv_nowait,
                                send.send, 'withdrawn')
        # The object is not received later ...
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)
        # ... and the channel is still usable, both ways of sending.
        self.assertIs(send.send_nowait('next'), False)
        self.assertEqual(recv.recv(), 'next')
        call = support.blocked(self, 'recv()', recv.recv)
        send.send('direct')
        self.assertEqual(call.value(), 'direct')

    def test_interrupted_send_keeps_the_other_queued_objects(self):
        recv, send = interpref.create_channel()
        send.send_nowait('before')
        self.assert_interrupted(KeyboardInterrupt, signal.SIGINT, lambda: drain(recv),
                                send.send, 'withdrawn')
        send.send_nowait('after')
        self.assertEqual(drain(recv), ['before', 'after'])

    def test_blocked_send_not_received_by_a_later_receiver_in_a_sub(self):
        interp = support.new_interpreter(self)
        recv, send = interpref.create_channel()
        self.assert_interrupted(KeyboardInterrupt, signal.SIGINT, recv.recv_nowait,
                                send.send, 'withdrawn')
        send.send_nowait('kept')
        got = support.run_and_collect(interp, """if True:
            out.send_nowait(inbox.recv_nowait('empty'))
            out.send_nowait(inbox.recv_nowait('empty'))
            """, inbox=recv)
        self.assertEqual(got, ['kept', 'empty'])

    def test_handler_exception_propagates_from_send(self):
        self.install_raising_handler()
        recv, send = interpref.create_channel()
        self.assert_interrupted(Interrupt, signal.SIGUSR1, recv.recv_nowait,
                                send.send, 'withdrawn')
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)

    def test_handler_that_returns_lets_send_keep_waiting(self):
        recv, send = interpref.create_channel()
        call = self.signal_main_with_a_returning_handler(
            'send', recv.recv_nowait, lambda: recv.recv_nowait(SENTINEL))
        self.assertIsNone(self.blocked_call(send.send, 'still queued'))
        self.assertEqual(call.value(), 'still queued')


if __name__ == '__main__':
    unittest.main()
