"""interpref: channels: create_channel(), list_all_channels(), the end objects
(RecvChannel, SendChannel), send/recv semantics (waiting whether or not an end
of the other side exists), lifetimes (close() dropping a sub's channels) and
the channel exceptions."""
import gc
import os
import queue
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # python -I: for support
import support  # noqa: E402
from support import interpref, new_interpreter, run_and_collect, drain, channel_ids  # noqa: E402

SENTINEL = object()


def new_channel_id():
    """The id of a channel that existed and no longer does."""
    recv, send = interpref.create_channel()
    cid = recv.id
    del recv, send
    return cid


class CreateChannelTests(unittest.TestCase):

    def test_returns_a_recv_send_pair_with_one_id(self):
        pair = interpref.create_channel()
        self.assertIs(type(pair), tuple)
        self.assertEqual(len(pair), 2)
        recv, send = pair
        self.assertIs(type(recv), interpref.RecvChannel)
        self.assertIs(type(send), interpref.SendChannel)
        self.assertIs(type(recv.id), int)
        self.assertEqual(recv.id, send.id)
        self.assertGreaterEqual(recv.id, 0)

    def test_ids_increase_and_are_never_reused(self):
        first = new_channel_id()          # destroyed at once
        recv, send = interpref.create_channel()
        second = recv.id
        recv2, send2 = interpref.create_channel()
        self.assertGreater(second, first)
        self.assertGreater(recv2.id, second)

    def test_ids_are_unique_across_interpreters(self):
        interp = new_interpreter(self)
        before, _ = interpref.create_channel()
        got = run_and_collect(interp, """if True:
            r, s = interpref.create_channel()
            out.send_nowait(r.id)
            del r, s
            """)
        after, _ = interpref.create_channel()
        self.assertEqual(len(got), 1)
        self.assertGreater(got[0], before.id)
        self.assertGreater(after.id, got[0])

    def test_ids_start_at_zero(self):
        proc = support.run_script("""if True:
            r, s = interpref.create_channel()
            r2, s2 = interpref.create_channel()
            print(r.id, r2.id)
            """)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.split(), ['0', '1'])

    def test_a_new_channel_is_empty(self):
        recv, send = interpref.create_channel()
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)

    def test_takes_no_arguments(self):
        before = channel_ids()
        with self.assertRaises(TypeError):
            interpref.create_channel(1)
        with self.assertRaises(TypeError):
            interpref.list_all_channels(1)
        self.assertEqual(channel_ids(), before)


class ListAllChannelsTests(unittest.TestCase):

    def test_lists_pairs(self):
        recv, send = interpref.create_channel()
        listing = interpref.list_all_channels()
        self.assertIs(type(listing), list)
        for pair in listing:
            self.assertIs(type(pair), tuple)
            self.assertEqual(len(pair), 2)
            self.assertIs(type(pair[0]), interpref.RecvChannel)
            self.assertIs(type(pair[1]), interpref.SendChannel)
            self.assertEqual(pair[0].id, pair[1].id)
        self.assertIn((recv, send), listing)

    def test_ascending_and_unique(self):
        channels = [interpref.create_channel() for _ in range(5)]
        listed = channel_ids()
        self.assertEqual(listed, sorted(set(listed)))
        for recv, _ in channels:
            self.assertEqual(listed.count(recv.id), 1)

    def test_listed_ends_are_usable(self):
        recv, send = interpref.create_channel()
        for r, s in interpref.list_all_channels():
            if r.id == recv.id:
                s.send_nowait('via listing')
                break
        else:
            self.fail('channel not listed')
        self.assertEqual(recv.recv_nowait(), 'via listing')

    def test_channels_created_in_a_sub_are_listed_in_main(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            kept = interpref.create_channel()
            out.send_nowait(kept[0].id)
            """)
        self.assertIn(got[0], channel_ids())

    def test_channels_created_in_main_are_listed_in_a_sub(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        got = run_and_collect(interp, """if True:
            for r, s in interpref.list_all_channels():
                out.send_nowait(r.id)
            """)
        self.assertIn(recv.id, got)
        self.assertEqual(got, sorted(got))


class EndObjectTests(unittest.TestCase):

    def test_construct_from_an_id(self):
        recv, send = interpref.create_channel()
        for cls, original in ((interpref.RecvChannel, recv), (interpref.SendChannel, send)):
            with self.subTest(cls=cls.__name__):
                end = cls(original.id)
                self.assertIs(type(end), cls)
                self.assertEqual(end.id, original.id)
                self.assertIs(type(end.id), int)
                self.assertEqual(end, original)
                self.assertEqual(cls(id=original.id), original)

    def test_id_int_subclasses_accepted(self):
        class MyInt(int):
            pass
        for cls in (interpref.RecvChannel, interpref.SendChannel):
            with self.subTest(cls=cls.__name__):
                self.assertEqual(cls(True).id, 1)
                self.assertIs(type(cls(MyInt(4)).id), int)
                self.assertEqual(cls(MyInt(4)).id, 4)

    def test_non_int_ids_are_type_errors(self):
        for cls in (interpref.RecvChannel, interpref.SendChannel):
            for bad in ('1', 1.0, None, b'1', [1]):
                with self.subTest(cls=cls.__name__, id=bad):
                    with self.assertRaises(TypeError):
                        cls(bad)

    def test_negative_ids_are_value_errors(self):
        for cls in (interpref.RecvChannel, interpref.SendChannel):
            for bad in (-1, -2**63, -2**80):
                with self.subTest(cls=cls.__name__, id=bad):
                    with self.assertRaises(ValueError):
                        cls(bad)

    def test_wrong_argument_count(self):
        for cls in (interpref.RecvChannel, interpref.SendChannel):
            with self.subTest(cls=cls.__name__):
                support.assert_type_errors(self, cls, (), (1, 2))

    def test_id_beyond_int64(self):
        # SPEC CH-END-5: either an unknown id (ChannelNotFoundError on use)
        # or OverflowError at construction or first use.
        for cls in (interpref.RecvChannel, interpref.SendChannel):
            for big in (2**63, 2**70):
                with self.subTest(cls=cls.__name__, id=big):
                    try:
                        end = cls(big)
                    except OverflowError:
                        continue
                    use = end.recv_nowait if cls is interpref.RecvChannel else end.send_nowait
                    with self.assertRaises((interpref.ChannelNotFoundError, OverflowError)):
                        use(1)

    def test_id_is_read_only(self):
        recv, send = interpref.create_channel()
        for end in (recv, send):
            with self.subTest(end=end):
                old = end.id
                with self.assertRaises(AttributeError):
                    end.id = old + 1
                self.assertEqual(end.id, old)

    def test_equality(self):
        R, S = interpref.RecvChannel, interpref.SendChannel
        self.assertEqual(R(5), R(5))
        self.assertEqual(S(5), S(5))
        self.assertFalse(R(5) != R(5))
        self.assertNotEqual(R(5), R(6))
        self.assertNotEqual(S(5), S(6))
        self.assertNotEqual(R(5), S(5))
        self.assertNotEqual(S(5), R(5))
        self.assertFalse(R(5) == S(5))
        self.assertFalse(R(5) == 5)
        self.assertFalse(5 == S(5))
        self.assertNotEqual(R(0), interpref.Interpreter(0))

    def test_ordering_is_not_defined(self):
        for cls in (interpref.RecvChannel, interpref.SendChannel):
            for compare in (lambda a, b: a < b, lambda a, b: a <= b,
                            lambda a, b: a > b, lambda a, b: a >= b):
                with self.subTest(cls=cls.__name__), self.assertRaises(TypeError):
                    compare(cls(1), cls(2))

    def test_hash_is_the_hash_of_the_id(self):
        for cls in (interpref.RecvChannel, interpref.SendChannel):
            for n in (0, 7, 2**40, 2**63 - 1):
                with self.subTest(cls=cls.__name__, n=n):
                    self.assertEqual(hash(cls(n)), hash(n))

    def test_usable_in_sets(self):
        R, S = interpref.RecvChannel, interpref.SendChannel
        self.assertEqual(len({R(3), R(3), S(3), S(3)}), 2)

    def test_repr(self):
        self.assertEqual(repr(interpref.RecvChannel(12)), 'RecvChannel(id=12)')
        self.assertEqual(repr(interpref.SendChannel(12)), 'SendChannel(id=12)')
        recv, send = interpref.create_channel()
        self.assertEqual(repr(recv), 'RecvChannel(id=%d)' % recv.id)
        self.assertEqual(repr(send), 'SendChannel(id=%d)' % send.id)

    def test_ends_have_only_their_own_methods(self):
        recv, send = interpref.create_channel()
        self.assertFalse(hasattr(recv, 'send'))
        self.assertFalse(hasattr(recv, 'send_nowait'))
        self.assertFalse(hasattr(send, 'recv'))
        self.assertFalse(hasattr(send, 'recv_nowait'))

    def test_unknown_id_is_lazy(self):
        cid = 10**12
        recv = interpref.RecvChannel(cid)   # constructing succeeds
        send = interpref.SendChannel(cid)
        with self.assertRaises(interpref.ChannelNotFoundError):
            recv.recv()
        with self.assertRaises(interpref.ChannelNotFoundError):
            recv.recv_nowait()
        with self.assertRaises(interpref.ChannelNotFoundError):
            recv.recv_nowait('default')
        with self.assertRaises(interpref.ChannelNotFoundError):
            send.send(1)
        with self.assertRaises(interpref.ChannelNotFoundError):
            send.send_nowait(1)
        self.assertNotIn(cid, channel_ids())

    def test_ends_made_before_their_channel_bind_once_it_exists(self):
        # Ids only grow: the next channel gets the id after the last one.
        cid = new_channel_id() + 1
        early_recv = interpref.RecvChannel(cid)
        early_send = interpref.SendChannel(cid)
        recv, send = interpref.create_channel()
        self.assertEqual(recv.id, cid)
        self.assertIs(early_send.send_nowait('through the early SendChannel'), False)
        self.assertEqual(recv.recv_nowait(), 'through the early SendChannel')
        send.send_nowait('to the early RecvChannel')
        self.assertEqual(early_recv.recv_nowait(), 'to the early RecvChannel')
        # Bound, they hold the channel like any end.
        del recv, send
        self.assertIn(cid, channel_ids())
        del early_send
        self.assertIn(cid, channel_ids())
        del early_recv
        self.assertNotIn(cid, channel_ids())

    def test_channel_not_found_caught_inside_a_sub(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            for use in (lambda: interpref.RecvChannel(10**12).recv(),
                        lambda: interpref.RecvChannel(10**12).recv_nowait(),
                        lambda: interpref.SendChannel(10**12).send(1),
                        lambda: interpref.SendChannel(10**12).send_nowait(1)):
                try:
                    use()
                except interpref.ChannelNotFoundError:
                    out.send_nowait('ChannelNotFoundError')
            """)
        self.assertEqual(got, ['ChannelNotFoundError'] * 4)

    def test_channel_not_found_is_a_channel_error(self):
        with self.assertRaises(interpref.ChannelError):
            interpref.RecvChannel(10**12).recv_nowait()


class SendRecvTests(unittest.TestCase):

    def test_send_nowait_then_recv(self):
        recv, send = interpref.create_channel()
        self.assertIs(send.send_nowait('spam'), False)
        self.assertEqual(recv.recv(), 'spam')

    def test_fifo(self):
        recv, send = interpref.create_channel()
        for i in range(500):
            send.send_nowait(i)
        self.assertEqual([recv.recv() for _ in range(250)], list(range(250)))
        self.assertEqual(drain(recv), list(range(250, 500)))

    def test_fifo_mixed_recv_and_recv_nowait(self):
        recv, send = interpref.create_channel()
        for i in range(10):
            send.send_nowait(i)
        got = [recv.recv() if i % 2 else recv.recv_nowait() for i in range(10)]
        self.assertEqual(got, list(range(10)))

    def test_recv_nowait_on_empty_returns_none(self):
        recv, send = interpref.create_channel()
        self.assertIsNone(recv.recv_nowait())

    def test_recv_nowait_returns_the_default(self):
        recv, send = interpref.create_channel()
        marker = object()
        self.assertIs(recv.recv_nowait(marker), marker)
        self.assertIs(recv.recv_nowait(default=marker), marker)
        self.assertEqual(recv.recv_nowait(0), 0)

    def test_recv_nowait_ignores_the_default_when_not_empty(self):
        recv, send = interpref.create_channel()
        send.send_nowait(5)
        send.send_nowait(None)
        self.assertEqual(recv.recv_nowait(SENTINEL), 5)
        self.assertIsNone(recv.recv_nowait(SENTINEL))
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)

    def test_recv_nowait_argument_errors(self):
        recv, send = interpref.create_channel()
        with self.assertRaises(TypeError):
            recv.recv_nowait(1, 2)
        with self.assertRaises(TypeError):
            recv.recv_nowait(other=1)

    def test_recv_takes_no_arguments(self):
        recv, send = interpref.create_channel()
        send.send_nowait(1)
        with self.assertRaises(TypeError):
            recv.recv(1)
        self.assertEqual(recv.recv_nowait(), 1)

    def test_send_argument_count(self):
        recv, send = interpref.create_channel()
        for method in (send.send, send.send_nowait):
            with self.subTest(method=method.__name__):
                support.assert_type_errors(self, method, (), (1, 2))
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)

    def test_send_nowait_returns_false_without_a_blocked_receiver(self):
        recv, send = interpref.create_channel()
        for i in range(3):
            self.assertIs(send.send_nowait(i), False)
        self.assertEqual(drain(recv), [0, 1, 2])

    def test_send_nowait_true_when_a_receiver_is_blocked(self):
        recv, send, call = support.new_channel_blocked_in(self, 'recv')
        self.assertIs(send.send_nowait('handed'), True)
        self.assertEqual(call.value(), 'handed')
        # Handed over, not queued as well.
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)
        # Nobody is blocked now: False again.
        self.assertIs(send.send_nowait('queued'), False)
        self.assertEqual(recv.recv_nowait(), 'queued')

    def test_send_to_a_blocked_receiver_returns_at_once(self):
        recv, send, call = support.new_channel_blocked_in(self, 'recv')
        self.assertIsNone(send.send('direct'))   # would block forever if not received
        self.assertEqual(call.value(), 'direct')

    def test_k_objects_release_exactly_k_of_m_blocked_receivers(self):
        recv, send = interpref.create_channel()
        results = queue.Queue()
        calls = [support.Call(self, lambda: results.put(recv.recv())) for _ in range(3)]
        for call in calls:
            call.assert_blocked('recv()')
        send.send_nowait('a')
        send.send_nowait('b')
        got = sorted(results.get(timeout=support.JOIN_TIMEOUT) for _ in range(2))
        self.assertEqual(got, ['a', 'b'])
        support.wait_until(lambda: sum(c.done.is_set() for c in calls) >= 2, 'two returned')
        pending = [call for call in calls if not call.done.is_set()]
        self.assertEqual(len(pending), 1)
        self.assertFalse(pending[0].done.wait(support.BLOCKED_WAIT))
        send.send_nowait('c')
        pending[0].value()
        self.assertEqual(results.get(timeout=support.JOIN_TIMEOUT), 'c')
        for call in calls:
            call.value()

    def test_send_blocks_until_received(self):
        recv, send, call = support.new_channel_blocked_in(self, 'send', 'waiting')
        self.assertEqual(recv.recv(), 'waiting')
        self.assertIsNone(call.value())

    def test_send_is_received_by_recv_nowait(self):
        recv, send, call = support.new_channel_blocked_in(self, 'send', 'polled')
        self.assertEqual(recv.recv_nowait(), 'polled')
        self.assertIsNone(call.value())

    def test_send_and_send_nowait_share_one_fifo(self):
        recv, send = interpref.create_channel()
        send.send_nowait(1)
        call = support.blocked(self, 'send()', send.send, 2)
        send.send_nowait(3)
        self.assertEqual([recv.recv(), recv.recv(), recv.recv()], [1, 2, 3])
        self.assertIsNone(call.value())

    def test_send_between_interpreters(self):
        interp = new_interpreter(self)
        to_sub_r, to_sub_s = interpref.create_channel()
        for i in range(5):
            to_sub_s.send_nowait(i)
        got = run_and_collect(interp, """if True:
            for _ in range(5):
                out.send_nowait(inbox.recv() * 10)
            """, inbox=to_sub_r)
        self.assertEqual(got, [0, 10, 20, 30, 40])

    def test_blocking_send_from_sub_received_in_main(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        call = support.Call(self, lambda: interp.run(
            "channels[1].send('from sub')\ndel channels", channels=(None, send)))
        call.assert_blocked('send() in a subinterpreter')
        self.assertEqual(recv.recv(), 'from sub')
        call.value()

    def test_items_from_a_closed_interpreter_stay_receivable(self):
        interp = interpref.create()
        recv, send = interpref.create_channel()
        interp.run("""if True:
            for v in (1, 'two', b'three', None, 2**100):
                channels[1].send_nowait(v)
            """, channels=(None, send))
        interp.close()
        self.assertEqual(drain(recv), [1, 'two', b'three', None, 2**100])

    def test_each_item_is_received_once(self):
        recv, send = interpref.create_channel()
        recv2 = interpref.RecvChannel(recv.id)
        send.send_nowait('only once')
        self.assertEqual(recv2.recv_nowait(), 'only once')
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)


class NoOtherEndTests(unittest.TestCase):
    """recv() and send() wait whether or not an end of the other side exists:
    one built later from the channel's id releases them (SPEC CH-RECV-5/6/7,
    CH-SEND-2/6/7).  Nothing raises ChannelEmptyError or NotReceivedError."""

    def test_send_without_any_recv_end_waits_for_one_built_later(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        del recv
        call = support.blocked(self, 'send()', send.send, 'late')
        self.assertIn(cid, channel_ids())   # send is alive
        self.assertEqual(interpref.RecvChannel(cid).recv(), 'late')
        self.assertIsNone(call.value())

    def test_send_nowait_without_any_recv_end_queues(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        del recv
        self.assertIs(send.send_nowait('kept'), False)
        self.assertEqual(interpref.RecvChannel(cid).recv_nowait(), 'kept')

    def test_recv_without_any_send_end_waits_for_one_built_later(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        del send
        call = support.blocked(self, 'recv()', recv.recv)
        self.assertIn(cid, channel_ids())   # recv is alive
        self.assertIs(interpref.SendChannel(cid).send_nowait('late'), True)
        self.assertEqual(call.value(), 'late')

    def test_blocking_send_to_a_recv_built_later_in_a_sub(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        cid = recv.id
        del recv
        call = support.blocked(self, 'send()', send.send, 'to the sub')
        got = run_and_collect(interp, 'out.send_nowait(interpref.RecvChannel(%d).recv())' % cid)
        self.assertEqual(got, ['to the sub'])
        self.assertIsNone(call.value())

    def test_queued_items_are_received_in_order_then_recv_waits(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        send.send_nowait(1)
        send.send_nowait(2)
        del send
        self.assertEqual(recv.recv(), 1)
        self.assertEqual(recv.recv(), 2)
        call = support.blocked(self, 'recv()', recv.recv)
        interpref.SendChannel(cid).send('three')
        self.assertEqual(call.value(), 'three')

    def test_recv_nowait_without_any_send_end_returns_the_default(self):
        recv, send = interpref.create_channel()
        del send
        self.assertIsNone(recv.recv_nowait())
        self.assertEqual(recv.recv_nowait('d'), 'd')

    def test_recv_end_in_a_sub_receives_what_main_sends(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        interp.run('import interpref\nkept = channels[0]', channels=(recv, None))
        del recv
        call = support.blocked(self, 'send()', send.send, 'to the sub')
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(kept.recv())'),
                         ['to the sub'])
        self.assertIsNone(call.value())

    def test_send_end_in_a_sub_sends_to_main(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        interp.run('kept = channels[1]', channels=(None, send))
        del send
        call = support.blocked(self, 'recv()', recv.recv)
        interp.run("kept.send_nowait('from the sub')")
        self.assertEqual(call.value(), 'from the sub')


class LifetimeTests(unittest.TestCase):
    """A channel lives while any end of it exists (SPEC LIFE-CH-2).  The tests
    are alike in shape (make a channel, note its id, drop main's ends at some
    point, check the listing), and the duplicates tool pairs some of them;
    they are kept apart on purpose: where each drops which end is what it
    checks."""

    def test_destroyed_when_no_end_remains(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        self.assertIn(cid, channel_ids())
        del recv
        self.assertIn(cid, channel_ids())
        del send
        self.assertNotIn(cid, channel_ids())
        for use in (lambda: interpref.RecvChannel(cid).recv_nowait(),
                    lambda: interpref.RecvChannel(cid).recv(),
                    lambda: interpref.SendChannel(cid).send_nowait(1),
                    lambda: interpref.SendChannel(cid).send(1)):
            with self.assertRaises(interpref.ChannelNotFoundError):
                use()

    def test_either_end_alone_keeps_it_alive(self):
        for keep in (0, 1):
            with self.subTest(keep=('recv', 'send')[keep]):
                pair = list(interpref.create_channel())
                cid = pair[0].id
                kept = pair[keep]
                del pair
                gc.collect()
                self.assertIn(cid, channel_ids())
                del kept
                self.assertNotIn(cid, channel_ids())

    def test_queued_objects_do_not_keep_it_alive(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        for i in range(10):
            send.send_nowait(i)
        del recv, send
        self.assertNotIn(cid, channel_ids())
        with self.assertRaises(interpref.ChannelNotFoundError):
            interpref.RecvChannel(cid).recv_nowait()

    def test_ends_made_from_the_id_keep_it_alive(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        recv2 = interpref.RecvChannel(cid)
        send2 = interpref.SendChannel(cid)
        del recv, send
        self.assertIn(cid, channel_ids())
        send2.send_nowait('still works')
        self.assertEqual(recv2.recv(), 'still works')
        del recv2
        self.assertIn(cid, channel_ids())
        del send2
        self.assertNotIn(cid, channel_ids())

    def test_copies_of_ends_are_counted(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        copies = [interpref.SendChannel(cid) for _ in range(3)]
        del recv, send
        while copies:
            self.assertIn(cid, channel_ids())
            copies.pop()
        self.assertNotIn(cid, channel_ids())

    def test_listing_does_not_keep_it_alive(self):
        recv, send = interpref.create_channel()
        cid = recv.id
        listing = interpref.list_all_channels()
        del listing
        del recv, send
        self.assertNotIn(cid, channel_ids())

    def test_ends_in_a_sub_keep_it_alive(self):
        interp, cid = support.channel_only_a_sub_holds(self)
        interp.run("held[1].send_nowait('inside')")
        got = run_and_collect(interp, 'out.send_nowait(held[0].recv())')
        self.assertEqual(got, ['inside'])
        interp.run('del held')
        self.assertNotIn(cid, channel_ids())

    def test_closing_the_sub_releases_its_ends(self):
        interp, cid = support.channel_only_a_sub_holds(self)
        interp.close()
        self.assertNotIn(cid, channel_ids())

    def test_channel_created_in_a_sub_dies_with_its_ends(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            kept = interpref.create_channel()
            out.send_nowait(kept[0].id)
            """)
        cid = got[0]
        self.assertIn(cid, channel_ids())
        interp.run('del kept')
        self.assertNotIn(cid, channel_ids())

    def test_using_a_channel_does_not_extend_its_life(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        cid = recv.id
        interp.run("""if True:
            r, s = channels
            s.send_nowait('x')
            got = r.recv()
            s.send_nowait('y')
            got += r.recv_nowait()
            del r, s, channels
            """, channels=(recv, send))
        send.send_nowait('z')
        self.assertEqual(recv.recv(), 'z')
        del recv, send
        self.assertNotIn(cid, channel_ids())
        self.assertIn(interp, interpref.list_all())

    def test_queued_end_does_not_keep_its_channel_alive(self):
        carrier_r, carrier_s = interpref.create_channel()
        recv, send = interpref.create_channel()
        cid = recv.id
        carrier_s.send_nowait(send)
        del recv, send
        self.assertNotIn(cid, channel_ids())
        arrived = carrier_r.recv()
        self.assertIs(type(arrived), interpref.SendChannel)
        self.assertEqual(arrived.id, cid)
        with self.assertRaises(interpref.ChannelNotFoundError):
            arrived.send_nowait(1)

    def test_received_end_keeps_its_channel_alive(self):
        carrier_r, carrier_s = interpref.create_channel()
        recv, send = interpref.create_channel()
        cid = recv.id
        carrier_s.send_nowait(recv)
        carrier_s.send_nowait(send)
        got_recv = carrier_r.recv()
        got_send = carrier_r.recv()
        del recv, send
        self.assertIn(cid, channel_ids())
        got_send.send_nowait('alive')
        self.assertEqual(got_recv.recv(), 'alive')


class CloseWithQueuedObjectsTests(unittest.TestCase):
    """Interpreter.close() is never refused for queued objects: it destroys
    the channels only the sub referred to, objects and all (SPEC LIFE-CH-2,
    LIFE-INTERP-2); it never raises ChannelNotEmptyError."""

    def test_close_destroys_a_non_empty_channel_created_inside(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            kept = interpref.create_channel()
            kept[1].send_nowait('dropped')
            out.send_nowait(kept[0].id)
            """)
        cid = got[0]
        self.assertIn(cid, channel_ids())
        interp.close()
        self.assertNotIn(interp, interpref.list_all())
        self.assertNotIn(cid, channel_ids())

    def test_close_destroys_the_channel_when_main_dropped_its_ends(self):
        interp, cid = support.channel_only_a_sub_holds(self, queued=['queued'])
        interp.close()
        self.assertNotIn(cid, channel_ids())
        with self.assertRaises(interpref.ChannelNotFoundError):
            interpref.RecvChannel(cid).recv_nowait()

    def test_only_a_send_end_inside_goes_with_the_sub(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        cid = recv.id
        interp.run("channels[1].send_nowait('x')\nheld = channels[1]", channels=(None, send))
        del recv, send
        interp.close()
        self.assertNotIn(cid, channel_ids())

    def test_ends_held_by_garbage_go_with_the_sub(self):
        # The sub's last references to both ends are in an unreachable cycle:
        # ending the sub frees them and the channel with them.
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        cid = recv.id
        interp.run("""if True:
            class Holder:
                pass
            holder = Holder()
            holder.cycle = holder
            holder.ends = channels
            del holder, channels
            """, channels=(recv, send))
        send.send_nowait('queued')
        del recv, send
        self.assertIn(cid, channel_ids())
        interp.close()
        self.assertNotIn(interp, interpref.list_all())
        self.assertNotIn(cid, channel_ids())

    def test_a_channel_with_an_end_in_another_interpreter_survives(self):
        recv, send = interpref.create_channel()
        interp = support.new_interpreter_holding(self, (recv, send))
        send.send_nowait('survives')
        del send      # main keeps only the RecvChannel
        interp.close()
        self.assertEqual(recv.recv_nowait(), 'survives')

    def test_close_of_a_sub_with_an_empty_channel(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            kept = interpref.create_channel()
            kept[1].send_nowait(1)
            kept[0].recv()
            out.send_nowait(kept[0].id)
            """)
        cid = got[0]
        interp.close()
        self.assertNotIn(interp, interpref.list_all())
        self.assertNotIn(cid, channel_ids())


if __name__ == '__main__':
    unittest.main()
