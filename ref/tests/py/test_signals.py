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

    def signal_main_once_blocked(self, signum, release):
        """A helper thread: once main is blocked, send it `signum`; if the
        call has not ended JOIN_TIMEOUT later, `release()` it (a hang becomes
        a failure).  Its value: 'not blocked', 'signalled' or 'released'."""
        def helper():
            if not self.started.wait(support.JOIN_TIMEOUT):
                return 'main never started'
            if self.done.wait(support.BLOCKED_WAIT):
                return 'not blocked'
            signal.pthread_kill(threading.main_thread().ident, signum)
            if self.done.wait(support.JOIN_TIMEOUT):
                return 'signalled'
            release()
            return 'released'
        return Call(self, helper)

    def blocked_call(self, func, *args):
        self.started.set()
        try:
            return func(*args)
        finally:
            self.done.set()

    # ---- recv() -----------------------------------------------------------

    def test_sigint_interrupts_a_blocked_recv(self):
        recv, send = interpref.create_channel()
        helper = self.signal_main_once_blocked(signal.SIGINT,
                                               lambda: send.send_nowait(WATCHDOG))
        with self.assertRaises(KeyboardInterrupt):
            self.blocked_call(recv.recv)
        self.assertEqual(helper.value(), 'signalled')
        # Nothing was taken from the channel, and no receiver is left behind.
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)
        self.assertIs(send.send_nowait('after'), False)
        self.assertEqual(recv.recv_nowait(), 'after')

    def test_recv_blocks_again_after_an_interrupt(self):
        recv, send = interpref.create_channel()
        helper = self.signal_main_once_blocked(signal.SIGINT,
                                               lambda: send.send_nowait(WATCHDOG))
        with self.assertRaises(KeyboardInterrupt):
            self.blocked_call(recv.recv)
        self.assertEqual(helper.value(), 'signalled')
        call = Call(self, recv.recv)
        call.assert_blocked('recv() after the interrupt')
        self.assertIs(send.send_nowait('second'), True)
        self.assertEqual(call.value(), 'second')

    def test_handler_exception_propagates_from_recv(self):
        def handler(signum, frame):
            raise Interrupt('from the handler')
        old = signal.signal(signal.SIGUSR1, handler)
        self.addCleanup(signal.signal, signal.SIGUSR1, old)
        recv, send = interpref.create_channel()
        helper = self.signal_main_once_blocked(signal.SIGUSR1,
                                               lambda: send.send_nowait(WATCHDOG))
        with self.assertRaises(Interrupt):
            self.blocked_call(recv.recv)
        self.assertEqual(helper.value(), 'signalled')
        send.send_nowait(1)
        self.assertEqual(recv.recv(), 1)

    def test_handler_that_returns_lets_recv_keep_waiting(self):
        handled = threading.Event()
        old = signal.signal(signal.SIGUSR1, lambda signum, frame: handled.set())
        self.addCleanup(signal.signal, signal.SIGUSR1, old)
        recv, send = interpref.create_channel()

        def helper():
            if not self.started.wait(support.JOIN_TIMEOUT):
                return 'main never started'
            if self.done.wait(support.BLOCKED_WAIT):
                return 'not blocked'
            signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
            if not handled.wait(support.JOIN_TIMEOUT):
                send.send_nowait('handler never ran')
                return 'handler never ran'
            if self.done.wait(support.BLOCKED_WAIT):
                return 'recv ended by the signal'
            send.send_nowait('the real object')
            return 'ok'
        call = Call(self, helper)
        got = self.blocked_call(recv.recv)
        self.assertEqual(call.value(), 'ok')
        self.assertEqual(got, 'the real object')

    def test_object_handed_to_an_interrupted_recv_is_not_acknowledged(self):
        # SIGINT reaches the blocked recv() and, before its handler has run,
        # another thread send()s: the object must either be received (then
        # send() may return) or stay queued (then send() must still wait):
        # never "send() returned" while the object is still in the queue.
        for trial in range(20):
            with self.subTest(trial=trial):
                self.started.clear()
                self.done.clear()
                recv, send = interpref.create_channel()
                returned = threading.Event()

                def helper():
                    if not self.started.wait(support.JOIN_TIMEOUT):
                        return 'main never started'
                    if self.done.wait(support.BLOCKED_WAIT):
                        return 'not blocked'
                    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
                    send.send('x')
                    returned.set()
                    return 'sent'
                call = Call(self, helper)
                # KeyboardInterrupt comes out of recv(), or right after it
                # returned 'x' (then the value is dropped, as for any
                # asynchronous exception): both are fine.
                try:
                    self.blocked_call(recv.recv)
                except KeyboardInterrupt:
                    pass
                send_had_returned = returned.is_set()
                queued = recv.recv_nowait(SENTINEL)
                self.assertEqual(call.value(), 'sent')
                self.assertFalse(send_had_returned and queued == 'x',
                                 'send() returned while its object was still queued')

    def test_send_nowait_true_to_an_interrupted_recv(self):
        # As above with send_nowait(): once it has returned True, the blocked
        # recv() must return the object (SPEC CH-SENDNW-2); it must not raise
        # from inside and leave the object queued.
        for trial in range(20):
            with self.subTest(trial=trial):
                self.started.clear()
                self.done.clear()
                recv, send = interpref.create_channel()

                def helper():
                    if not self.started.wait(support.JOIN_TIMEOUT):
                        return 'main never started'
                    if self.done.wait(support.BLOCKED_WAIT):
                        return 'not blocked'
                    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
                    return send.send_nowait('x')
                call = Call(self, helper)
                try:
                    self.blocked_call(recv.recv)
                except KeyboardInterrupt:
                    pass
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
        helper = self.signal_main_once_blocked(signal.SIGINT, lambda: recv.recv_nowait())
        with self.assertRaises(KeyboardInterrupt):
            self.blocked_call(send.send, 'withdrawn')
        self.assertEqual(helper.value(), 'signalled')
        # The object is not received later ...
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)
        # ... and the channel is still usable, both ways of sending.
        self.assertIs(send.send_nowait('next'), False)
        self.assertEqual(recv.recv(), 'next')
        call = Call(self, recv.recv)
        call.assert_blocked('recv()')
        send.send('direct')
        self.assertEqual(call.value(), 'direct')

    def test_interrupted_send_keeps_the_other_queued_objects(self):
        recv, send = interpref.create_channel()
        send.send_nowait('before')
        helper = self.signal_main_once_blocked(signal.SIGINT, lambda: drain(recv))
        with self.assertRaises(KeyboardInterrupt):
            self.blocked_call(send.send, 'withdrawn')
        self.assertEqual(helper.value(), 'signalled')
        send.send_nowait('after')
        self.assertEqual(drain(recv), ['before', 'after'])

    def test_blocked_send_not_received_by_a_later_receiver_in_a_sub(self):
        interp = support.new_interpreter(self)
        recv, send = interpref.create_channel()
        helper = self.signal_main_once_blocked(signal.SIGINT, lambda: recv.recv_nowait())
        with self.assertRaises(KeyboardInterrupt):
            self.blocked_call(send.send, 'withdrawn')
        self.assertEqual(helper.value(), 'signalled')
        send.send_nowait('kept')
        got = support.run_and_collect(interp, """if True:
            out.send_nowait(inbox.recv_nowait('empty'))
            out.send_nowait(inbox.recv_nowait('empty'))
            """, inbox=recv)
        self.assertEqual(got, ['kept', 'empty'])

    def test_handler_exception_propagates_from_send(self):
        def handler(signum, frame):
            raise Interrupt('from the handler')
        old = signal.signal(signal.SIGUSR1, handler)
        self.addCleanup(signal.signal, signal.SIGUSR1, old)
        recv, send = interpref.create_channel()
        helper = self.signal_main_once_blocked(signal.SIGUSR1, lambda: recv.recv_nowait())
        with self.assertRaises(Interrupt):
            self.blocked_call(send.send, 'withdrawn')
        self.assertEqual(helper.value(), 'signalled')
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)

    def test_handler_that_returns_lets_send_keep_waiting(self):
        handled = threading.Event()
        old = signal.signal(signal.SIGUSR1, lambda signum, frame: handled.set())
        self.addCleanup(signal.signal, signal.SIGUSR1, old)
        recv, send = interpref.create_channel()

        def helper():
            if not self.started.wait(support.JOIN_TIMEOUT):
                return 'main never started'
            if self.done.wait(support.BLOCKED_WAIT):
                return 'not blocked'
            signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
            if not handled.wait(support.JOIN_TIMEOUT):
                recv.recv_nowait()
                return 'handler never ran'
            if self.done.wait(support.BLOCKED_WAIT):
                return 'send ended by the signal'
            return recv.recv_nowait(SENTINEL)
        call = Call(self, helper)
        self.assertIsNone(self.blocked_call(send.send, 'still queued'))
        self.assertEqual(call.value(), 'still queued')


if __name__ == '__main__':
    unittest.main()
