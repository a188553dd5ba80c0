"""interpref and threads: every API from non-main threads, blocking calls
woken from other threads and interpreters, blocked calls waiting on when the
other side's last end goes, close() against running code and live threads,
and what isolated=True refuses inside (threads, fork)."""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # python -I: for support
import support  # noqa: E402
from support import interpref, new_interpreter, run_and_collect, drain, channel_ids, Call  # noqa: E402

SENTINEL = object()


class FromOtherThreadsTests(unittest.TestCase):

    def test_everything_from_a_non_main_thread(self):
        def body():
            log = {}
            log['current'] = interpref.get_current()
            log['main'] = interpref.get_main()
            interp = interpref.create()
            try:
                log['listed'] = interp in interpref.list_all()
                log['idle'] = interp.is_running()
                recv, send = interpref.create_channel()
                interp.run('import interpref\nchannels[1].send_nowait(interpref.get_current().id)\n'
                           'del channels', channels=(None, send))
                log['sub id'] = (recv.recv(), interp.id)
                log['channel listed'] = recv.id in channel_ids()
                send.send_nowait(b'x')
                log['recv_nowait'] = recv.recv_nowait()
                log['shareable'] = (interpref.is_shareable('s'), interpref.is_shareable(1.0))
            finally:
                interp.close()
            log['closed'] = interp not in interpref.list_all()
            return log
        log = Call(self, body).value()
        self.assertEqual(log['current'], interpref.get_main())
        self.assertEqual(log['main'].id, 0)
        self.assertIs(log['listed'], True)
        self.assertIs(log['idle'], False)
        self.assertEqual(log['sub id'][0], log['sub id'][1])
        self.assertIs(log['channel listed'], True)
        self.assertEqual(log['recv_nowait'], b'x')
        self.assertEqual(log['shareable'], (True, False))
        self.assertIs(log['closed'], True)

    def test_get_current_in_a_plain_thread_of_main(self):
        current = Call(self, interpref.get_current).value()
        self.assertEqual(current, interpref.get_main())
        self.assertEqual(current.id, 0)
        self.assertIs(Call(self, lambda: interpref.get_current().is_running()).value(), True)

    def test_create_in_a_thread_use_and_close_in_main(self):
        interp = Call(self, interpref.create).value()
        self.addCleanup(support.close_if_alive, interp)
        self.assertIn(interp, interpref.list_all())
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(1)'), [1])
        interp.close()
        self.assertNotIn(interp, interpref.list_all())

    def test_create_in_main_use_and_close_in_a_thread(self):
        interp = new_interpreter(self)
        interp.run('x = 5')

        def body():
            got = run_and_collect(interp, 'out.send_nowait(x)')
            interp.close()
            return got
        self.assertEqual(Call(self, body).value(), [5])
        self.assertNotIn(interp, interpref.list_all())

    def test_state_persists_across_runs_from_different_threads(self):
        interp = new_interpreter(self)
        interp.run('n = 1')
        Call(self, interp.run, 'n += 10').value()
        Call(self, interp.run, 'n += 100').value()
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(n)'), [111])

    def test_get_current_inside_a_run_from_a_thread(self):
        interp = new_interpreter(self)
        got = Call(self, run_and_collect, interp,
                   'out.send_nowait(interpref.get_current().id)').value()
        self.assertEqual(got, [interp.id])

    def test_two_interpreters_run_concurrently(self):
        a = new_interpreter(self)
        b = new_interpreter(self)
        a_in_r, a_in_s = interpref.create_channel()
        b_in_r, b_in_s = interpref.create_channel()
        # a waits for b's message and b for a's: only possible if both run at once.
        code = """if True:
            channels[1].send_nowait('hello from %s')
            got = channels[0].recv()
            del channels
            """
        call_a = Call(self, lambda: a.run(code % 'a', channels=(a_in_r, b_in_s)))
        call_b = Call(self, lambda: b.run(code % 'b', channels=(b_in_r, a_in_s)))
        call_a.value()
        call_b.value()
        self.assertEqual(run_and_collect(a, 'out.send_nowait(got)'), ['hello from b'])
        self.assertEqual(run_and_collect(b, 'out.send_nowait(got)'), ['hello from a'])


class BlockingTests(unittest.TestCase):

    def test_recv_woken_by_send_from_another_thread(self):
        recv, send, call = support.new_channel_blocked_in(self, 'recv')
        self.assertIsNone(Call(self, send.send, 'woken').value())
        self.assertEqual(call.value(), 'woken')

    def test_recv_woken_by_send_nowait_from_another_thread(self):
        recv, send, call = support.new_channel_blocked_in(self, 'recv')
        self.assertIs(Call(self, send.send_nowait, 2**70).value(), True)
        self.assertEqual(call.value(), 2**70)

    def test_recv_in_main_woken_by_send_from_another_interpreter(self):
        interp = new_interpreter(self)
        recv, send, call = support.new_channel_blocked_in(self, 'recv')
        interp.run("""if True:
            handed = channels[1].send_nowait('from the sub')
            del channels
            """, channels=(None, send))
        self.assertEqual(call.value(), 'from the sub')
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(int(handed))'), [1])

    def test_blocking_send_from_another_interpreter_to_a_blocked_recv(self):
        interp = new_interpreter(self)
        recv, send, call = support.new_channel_blocked_in(self, 'recv')
        interp.run("channels[1].send('sent')\ndel channels", channels=(None, send))
        self.assertEqual(call.value(), 'sent')

    def test_recv_in_a_sub_woken_by_send_from_main(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        out_r, out_s = interpref.create_channel()
        call = Call(self, lambda: interp.run("""if True:
            channels[1].send_nowait(channels[0].recv() + 1)
            del channels
            """, channels=(recv, out_s)))
        call.assert_blocked('recv() in a subinterpreter')
        self.assertTrue(interp.is_running())
        send.send(41)
        call.value()
        self.assertEqual(out_r.recv(), 42)

    def test_recv_in_a_sub_woken_by_send_from_another_sub(self):
        a = new_interpreter(self)
        b = new_interpreter(self)
        recv, send = interpref.create_channel()
        out_r, out_s = interpref.create_channel()
        call = Call(self, lambda: a.run("channels[1].send_nowait(channels[0].recv())\n"
                                        "del channels", channels=(recv, out_s)))
        call.assert_blocked('recv() in a subinterpreter')
        b.run("channels[1].send(b'sub to sub')\ndel channels", channels=(None, send))
        call.value()
        self.assertEqual(out_r.recv(), b'sub to sub')

    def test_send_blocks_until_received(self):
        recv, send, call = support.new_channel_blocked_in(self, 'send', 'patience')
        self.assertEqual(recv.recv(), 'patience')
        self.assertIsNone(call.value())

    def test_send_in_a_sub_blocks_until_received_in_main(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        call = Call(self, lambda: interp.run("channels[1].send('from sub')\nsent = 1\n"
                                             "del channels", channels=(None, send)))
        call.assert_blocked('send() in a subinterpreter')
        self.assertTrue(interp.is_running())
        self.assertEqual(recv.recv(), 'from sub')
        call.value()
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(sent)'), [1])

    def test_blocked_senders_are_received_in_fifo_order(self):
        recv, send = interpref.create_channel()
        first = support.blocked(self, 'first send()', send.send, 'first')
        second = support.blocked(self, 'second send()', send.send, 'second')
        self.assertEqual(recv.recv(), 'first')
        self.assertIsNone(first.value())
        self.assertFalse(second.done.wait(support.BLOCKED_WAIT))
        self.assertEqual(recv.recv(), 'second')
        self.assertIsNone(second.value())

    def test_several_blocked_receivers_each_get_one_object(self):
        recv, send = interpref.create_channel()
        calls = [Call(self, recv.recv) for _ in range(4)]
        for call in calls:
            call.assert_blocked('recv()')
        for i in range(4):
            self.assertIs(send.send_nowait(i), True)
        self.assertEqual(sorted(call.value() for call in calls), [0, 1, 2, 3])
        self.assertIs(send.send_nowait('extra'), False)
        self.assertEqual(recv.recv_nowait(), 'extra')


class ConcurrentSendersTests(unittest.TestCase):

    def test_concurrent_send_nowait_each_once_in_per_thread_order(self):
        recv, send = interpref.create_channel()
        senders, count = 4, 2000
        barrier = threading.Barrier(senders)

        def sender(n):
            barrier.wait(support.JOIN_TIMEOUT)
            for i in range(count):
                send.send_nowait(n * 100000 + i)
        calls = [Call(self, sender, n) for n in range(senders)]
        for call in calls:
            call.value()
        got = drain(recv)
        self.assertEqual(len(got), senders * count)
        for n in range(senders):
            mine = [v % 100000 for v in got if v // 100000 == n]
            self.assertEqual(mine, list(range(count)))


class OtherSideGoneTests(unittest.TestCase):
    """A blocked call keeps waiting when the last end of the other side goes,
    however it goes; an end built later from the id releases it (SPEC
    CH-RECV-6/7, CH-SEND-7)."""

    def assert_still_blocked(self, call, what):
        self.assertFalse(call.done.wait(support.BLOCKED_WAIT),
                         '%s returned (result %r, error %r)' % (what, call.result, call.error))

    def test_blocked_send_keeps_waiting_when_last_recv_end_dropped(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        call = support.blocked(self, 'send()', send.send, 'kept')
        del recv
        self.assert_still_blocked(call, 'send()')
        self.assertEqual(interpref.RecvChannel(cid).recv(), 'kept')
        self.assertIsNone(call.value())

    def test_objects_around_a_blocked_send_stay_in_order(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        send.send_nowait('queued before')
        call = support.blocked(self, 'send()', send.send, 'blocked')
        send.send_nowait('queued after')
        del recv
        self.assert_still_blocked(call, 'send()')
        self.assertEqual(drain(interpref.RecvChannel(cid)),
                         ['queued before', 'blocked', 'queued after'])
        self.assertIsNone(call.value())

    def test_dropping_one_of_two_recv_ends_does_not_wake_the_sender(self):
        recv, send = interpref.create_channel()
        recv2 = interpref.RecvChannel(recv.id)
        call = support.blocked(self, 'send()', send.send, 'kept')
        del recv
        self.assert_still_blocked(call, 'send()')
        self.assertEqual(recv2.recv(), 'kept')
        self.assertIsNone(call.value())

    def test_blocked_send_keeps_waiting_when_the_sub_with_the_last_recv_end_closes(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        interp = support.new_interpreter_holding(self, (recv, None))
        del recv
        call = support.blocked(self, 'send()', send.send, 'later')
        interp.close()
        self.assert_still_blocked(call, 'send()')
        self.assertEqual(interpref.RecvChannel(cid).recv(), 'later')
        self.assertIsNone(call.value())

    def test_blocked_send_in_a_sub_keeps_waiting(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        cid = recv.id
        call = Call(self, lambda: interp.run("""if True:
            r, s = channels
            s.send('x')
            s.send_nowait('returned')
            del s, channels
            """, channels=(None, send)))
        call.assert_blocked('send() in a subinterpreter')
        del recv
        self.assert_still_blocked(call, 'send() in a subinterpreter')
        recv = interpref.RecvChannel(cid)
        self.assertEqual(recv.recv(), 'x')
        call.value()
        self.assertEqual(drain(recv), ['returned'])

    def test_blocked_recv_keeps_waiting_when_last_send_end_dropped(self):
        recv, send = interpref.create_channel()
        cid = send.id
        call = support.blocked(self, 'recv()', recv.recv)
        del send
        self.assert_still_blocked(call, 'recv()')
        self.assertIs(interpref.SendChannel(cid).send_nowait('late'), True)
        self.assertEqual(call.value(), 'late')

    def test_all_blocked_receivers_keep_waiting(self):
        recv, send = interpref.create_channel()
        cid = send.id
        calls = [Call(self, recv.recv) for _ in range(3)]
        for call in calls:
            call.assert_blocked('recv()')
        del send
        for call in calls:
            self.assert_still_blocked(call, 'recv()')
        send = interpref.SendChannel(cid)
        for n in range(3):
            send.send(n)
        self.assertEqual(sorted(call.value() for call in calls), [0, 1, 2])

    def test_dropping_one_of_two_send_ends_does_not_wake_the_receiver(self):
        recv, send = interpref.create_channel()
        send2 = interpref.SendChannel(send.id)
        call = support.blocked(self, 'recv()', recv.recv)
        del send
        self.assert_still_blocked(call, 'recv()')
        send2.send_nowait('kept')
        self.assertEqual(call.value(), 'kept')

    def test_blocked_recv_keeps_waiting_when_the_sub_with_the_last_send_end_closes(self):
        recv, send = interpref.create_channel()
        cid = send.id
        interp = support.new_interpreter_holding(self, (None, send))
        del send
        call = support.blocked(self, 'recv()', recv.recv)
        interp.close()
        self.assert_still_blocked(call, 'recv()')
        interpref.SendChannel(cid).send('after close')
        self.assertEqual(call.value(), 'after close')

    def test_blocked_recv_in_a_sub_keeps_waiting(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        cid = send.id
        out_r, out_s = interpref.create_channel()
        call = Call(self, lambda: interp.run("""if True:
            r, s = channels
            s.send_nowait(r.recv())
            del r, s, channels
            """, channels=(recv, out_s)))
        call.assert_blocked('recv() in a subinterpreter')
        del send
        self.assert_still_blocked(call, 'recv() in a subinterpreter')
        interpref.SendChannel(cid).send('late')
        call.value()
        self.assertEqual(out_r.recv(), 'late')


class CloseAgainstRunningTests(unittest.TestCase):

    def test_close_refused_while_another_thread_runs_it(self):
        interp = new_interpreter(self)
        call, send = support.blocked_run(self, interp, then='finished = 1\n')
        with self.assertRaises(RuntimeError):
            interp.close()
        self.assertIn(interp, interpref.list_all())
        self.assertTrue(interp.is_running())
        # A close from another thread is refused too.
        with self.assertRaises(RuntimeError):
            Call(self, interp.close).value()
        send.send('go on')
        call.value()
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(finished)'), [1])
        interp.close()
        self.assertNotIn(interp, interpref.list_all())

    def test_close_from_a_sibling_refused_while_running(self):
        target = new_interpreter(self)
        closer = new_interpreter(self)
        call, send = support.blocked_run(self, target)
        got = support.raised_inside(closer, 'interpref.Interpreter(%d).close()' % target.id)
        self.assertEqual(got, ['RuntimeError'])
        send.send(None)
        call.value()

    def test_concurrent_closes_destroy_once(self):
        interp = new_interpreter(self)
        barrier = threading.Barrier(4)

        def close():
            barrier.wait(support.JOIN_TIMEOUT)
            try:
                interp.close()
                return 'closed'
            except RuntimeError:
                return 'refused'
        calls = [Call(self, close) for _ in range(4)]
        results = sorted(call.value() for call in calls)
        self.assertEqual(results, ['closed', 'refused', 'refused', 'refused'])
        self.assertNotIn(interp, interpref.list_all())


class IsolationTests(unittest.TestCase):

    def assert_refused(self, interp, code):
        with self.assertRaises(interpref.RunFailedError) as cm:
            interp.run(code)
        self.assertEqual(cm.exception.type_name, 'RuntimeError')
        return cm.exception

    def test_isolated_refuses_threading_thread_start(self):
        interp = new_interpreter(self)   # isolated=True is the default
        self.assert_refused(interp, """if True:
            import threading
            threading.Thread(target=print).start()
            """)
        self.assertEqual(run_and_collect(interp, """if True:
            import threading
            out.send_nowait(threading.active_count())
            """), [1])

    def test_isolated_refuses_daemon_threads(self):
        interp = new_interpreter(self)
        self.assert_refused(interp, "import threading\n"
                                    "threading.Thread(target=print, daemon=True).start()")

    def test_isolated_true_explicitly_refuses_threads(self):
        interp = new_interpreter(self, isolated=True)
        self.assert_refused(interp, "import threading\nthreading.Thread(target=print).start()")

    def test_isolated_refuses_low_level_threads(self):
        interp = new_interpreter(self)
        self.assert_refused(interp, "import _thread\n_thread.start_new_thread(print, ())")

    def test_isolated_refuses_fork(self):
        interp = new_interpreter(self)
        # Should fork succeed after all, the child leaves at once.
        self.assert_refused(interp, """if True:
            import os
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
            """)

    def test_refusal_caught_inside_leaves_the_interpreter_usable(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            import threading
            try:
                threading.Thread(target=print).start()
            except RuntimeError:
                out.send_nowait('refused')
            """)
        self.assertEqual(got, ['refused'])
        interp.close()

    def test_not_isolated_allows_threads(self):
        interp = new_interpreter(self, isolated=False)
        got = run_and_collect(interp, """if True:
            import threading
            results = []
            threads = [threading.Thread(target=results.append, args=(i,)) for i in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            out.send_nowait(sum(results))
            """)
        self.assertEqual(got, [3])

    def test_thread_in_a_non_isolated_sub_uses_channels(self):
        interp = new_interpreter(self, isolated=False)
        recv, send = interpref.create_channel()
        interp.run("""if True:
            import threading
            out = channels[1]
            t = threading.Thread(target=lambda: out.send('from a sub thread'))
            t.start()
            """, channels=(None, send))
        self.assertEqual(recv.recv(), 'from a sub thread')
        support.wait_until(lambda: not interp.is_running(), 'idle')
        interp.run('t.join()\ndel out, t, channels')

    def test_get_current_in_a_thread_of_a_non_isolated_sub(self):
        interp = new_interpreter(self, isolated=False)
        got = run_and_collect(interp, """if True:
            import threading
            seen = []
            t = threading.Thread(target=lambda: seen.append(interpref.get_current().id))
            t.start()
            t.join()
            out.send_nowait(seen[0])
            """)
        self.assertEqual(got, [interp.id])

    def test_create_in_a_non_isolated_sub(self):
        interp = new_interpreter(self, isolated=False)
        got = run_and_collect(interp, """if True:
            inner = interpref.create()
            out.send_nowait(inner.id)
            """)
        self.assertIn(got[0], [i.id for i in interpref.list_all()])
        interpref.Interpreter(got[0]).close()

    def test_a_live_sub_thread_makes_the_sub_running(self):
        interp = new_interpreter(self, isolated=False)
        recv, send = interpref.create_channel()
        back_r, back_s = interpref.create_channel()
        interp.run("""if True:
            import threading
            src, dst = channels
            def worker():
                dst.send_nowait(src.recv() * 2)
            t = threading.Thread(target=worker)
            t.start()
            """, channels=(recv, back_s))
        # No run() is in progress, but the sub's own thread is alive.
        self.assertIs(interp.is_running(), True)
        with self.assertRaises(RuntimeError) as cm:
            interp.run('ran = 1')
        self.assertNotIsInstance(cm.exception, (interpref.RunFailedError, interpref.ChannelError))
        with self.assertRaises(RuntimeError) as cm:
            interp.close()
        self.assertNotIsInstance(cm.exception, (interpref.RunFailedError, interpref.ChannelError))
        # The refused close changed nothing.
        self.assertIn(interp, interpref.list_all())
        send.send(21)
        self.assertEqual(back_r.recv(), 42)
        # Once the thread has ended, the sub is idle with its globals intact.
        support.wait_until(lambda: not interp.is_running(), 'idle')
        got = run_and_collect(interp, """if True:
            t.join()
            out.send_nowait(int(t.is_alive()))
            out.send_nowait(int('ran' in globals()))
            """)
        self.assertEqual(got, [0, 0])
        interp.run('del src, dst, t')
        interp.close()
        self.assertNotIn(interp, interpref.list_all())

if __name__ == '__main__':
    unittest.main()
