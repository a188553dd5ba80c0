"""interpref: shareable objects: is_shareable() for every kind of object, and
exact round trips through channels, within main and across interpreters."""
import gc
import os
import sys
import types
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # python -I: for support
import support  # noqa: E402
from support import interpref, new_interpreter, drain  # noqa: E402

SENTINEL = object()

INTS = [0, 1, -1, 2, 255, 256, -256, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32,
        2**62, 2**63 - 1, 2**63, -2**63, -2**63 - 1, -2**63 + 1, 2**64 - 1, 2**64, -2**64,
        2**100, 2**1000, -2**1000, 10**5000, -(10**5000) + 1, 2**100000 + 12345]
BYTES = [b'', b'\x00', b'abc', bytes(range(256)), b'\xff' * 1000]
STRS = ['', 'a', 'abc', '\x00', 'a\x00b', '\xe9t\xe9', '\u0100\u4e2d\u6587', '\uffff',
        '\U0001F600', 'x\U0001F600y\u00e9', '\U0010FFFF', '\ud800', '\udfff', '\udc80abc',
        'a\ud83d', '\ud83d\ude00', '\U0001F600\ud800\u00e9', 'z' * 100000,
        '\U0001F600' * 50000]


class IntSub(int):
    pass


class StrSub(str):
    pass


class BytesSub(bytes):
    pass


class Unfriendly:
    """An object whose every Python-level hook raises."""

    def __getattribute__(self, name):
        raise RuntimeError('no attribute access')

    def __eq__(self, other):
        raise RuntimeError('no comparison')

    def __hash__(self):
        raise RuntimeError('no hash')

    def __bool__(self):
        raise RuntimeError('no truth')

    def __repr__(self):
        raise RuntimeError('no repr')


def shareable_samples():
    recv, send = interpref.create_channel()
    return [None, *INTS, *BYTES, *STRS[:6], recv, send, interpref.RecvChannel(10**12),
            interpref.SendChannel(10**12)]


def int_bits(obj):
    return obj.bit_length() if type(obj) is int else None


def not_shareable_samples():
    class RecvSub(interpref.RecvChannel):
        pass

    class SendSub(interpref.SendChannel):
        pass
    recv, send = interpref.create_channel()
    return [True, False, 1.0, 0.0, float('nan'), float('inf'), 1j, (), (1,), (None,), [],
            [1], {}, {'a': 1}, set(), frozenset(), bytearray(b'x'), memoryview(b'x'),
            object(), int, type(None), Ellipsis, NotImplemented, ValueError('x'),
            lambda: None, types, range(3), slice(1), IntSub(1), StrSub('s'), BytesSub(b'b'),
            RecvSub(recv.id), SendSub(send.id), interpref.get_main(), interpref.Interpreter(1),
            Unfriendly(), iter([]), (x for x in ()), 10**20 + 0.5, b'x'.decode,
            __import__('decimal').Decimal(1), __import__('fractions').Fraction(1, 2)]


class IsShareableTests(unittest.TestCase):

    def test_shareable(self):
        for obj in shareable_samples():
            with self.subTest(type=type(obj).__name__, bits=int_bits(obj)):
                self.assertIs(interpref.is_shareable(obj), True)

    def test_not_shareable(self):
        for obj in not_shareable_samples():
            with self.subTest(type=type(obj).__name__):
                self.assertIs(interpref.is_shareable(obj), False)

    def test_bool_is_not_shareable(self):
        self.assertIs(interpref.is_shareable(True), False)
        self.assertIs(interpref.is_shareable(False), False)

    def test_subclasses_are_not_shareable(self):
        self.assertIs(interpref.is_shareable(IntSub(5)), False)
        self.assertIs(interpref.is_shareable(StrSub('s')), False)
        self.assertIs(interpref.is_shareable(BytesSub(b's')), False)

    def test_never_raises(self):
        self.assertIs(interpref.is_shareable(Unfriendly()), False)

    def test_argument_count(self):
        support.assert_type_errors(self, interpref.is_shareable, (), (1, 2))

    def test_predicts_send_nowait_exactly(self):
        recv, send = interpref.create_channel()
        for obj in shareable_samples() + not_shareable_samples():
            with self.subTest(type=type(obj).__name__):
                predicted = interpref.is_shareable(obj)
                try:
                    send.send_nowait(obj)
                except ValueError:
                    sent = False
                else:
                    sent = True
                self.assertEqual(sent, predicted)
                if sent:
                    recv.recv_nowait()
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)

    def test_same_answers_inside_a_subinterpreter(self):
        interp = new_interpreter(self)
        got = support.run_and_collect(interp, """if True:
            r, s = interpref.create_channel()
            class IntSub(int):
                pass
            for obj in (None, 0, -2**63, 2**1000, b'', 'x', '\\ud800', r, s,
                        True, 1.0, (), [], IntSub(1), interpref.get_main()):
                out.send_nowait(int(interpref.is_shareable(obj)))
            del r, s
            """)
        self.assertEqual(got, [1] * 9 + [0] * 6)


class NotShareableTests(unittest.TestCase):

    def test_send_nowait_refuses_and_queues_nothing(self):
        recv, send = interpref.create_channel()
        for obj in not_shareable_samples():
            with self.subTest(type=type(obj).__name__):
                with self.assertRaises(ValueError):
                    send.send_nowait(obj)
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)

    def test_the_value_error_is_not_a_channel_error(self):
        recv, send = interpref.create_channel()
        for method in (send.send, send.send_nowait):
            with self.subTest(method=method.__name__):
                with self.assertRaises(ValueError) as cm:
                    method(1.5)
                self.assertNotIsInstance(cm.exception, interpref.ChannelError)

    def test_send_refuses_without_blocking_and_queues_nothing(self):
        recv, send = interpref.create_channel()
        for obj in (True, 1.5, (1, 2), [], IntSub(3), StrSub('x')):
            with self.subTest(type=type(obj).__name__):
                with self.assertRaises(ValueError):
                    send.send(obj)      # no receiver: would block if it queued anything
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)

    def test_refused_object_does_not_reach_a_blocked_receiver(self):
        recv, send, call = support.new_channel_blocked_in(self, 'recv')
        with self.assertRaises(ValueError):
            send.send_nowait(2.5)
        self.assertFalse(call.done.wait(support.BLOCKED_WAIT))
        self.assertIs(send.send_nowait('real'), True)
        self.assertEqual(call.value(), 'real')

    def test_not_shareable_in_a_subinterpreter(self):
        interp = new_interpreter(self)
        got = support.run_and_collect(interp, """if True:
            for obj in (True, 1.0, (), object()):
                try:
                    out.send_nowait(obj)
                except ValueError:
                    out.send_nowait('refused')
            """)
        self.assertEqual(got, ['refused'] * 4)


class RoundTripTests(unittest.TestCase):

    def round_trip(self, value):
        recv, send = interpref.create_channel()
        send.send_nowait(value)
        got = recv.recv()
        self.assertIs(recv.recv_nowait(SENTINEL), SENTINEL)
        return got

    def assert_exact(self, got, value):
        self.assertIs(type(got), type(value))
        self.assertEqual(got, value)

    def test_none(self):
        self.assertIsNone(self.round_trip(None))

    def test_ints(self):
        for value in INTS:
            with self.subTest(value=value if abs(value) < 2**70 else 'big'):
                self.assert_exact(self.round_trip(value), value)

    def test_bytes(self):
        for value in BYTES:
            with self.subTest(value=value[:10]):
                self.assert_exact(self.round_trip(value), value)

    def test_large_bytes(self):
        value = bytes(range(256)) * (10 * 4096)    # 10 MiB
        self.assertEqual(len(value), 10 * 2**20)
        self.assert_exact(self.round_trip(value), value)

    def test_strs(self):
        for value in STRS:
            with self.subTest(value=ascii(value[:10])):
                self.assert_exact(self.round_trip(value), value)

    def test_large_str(self):
        value = ''.join(chr(c) for c in range(0x20, 0x3000)) * 300
        self.assert_exact(self.round_trip(value), value)

    def test_received_objects_are_independent_of_the_sent_ones(self):
        value = bytes(1000)
        got = self.round_trip(value)
        del value
        gc.collect()
        self.assertEqual(got, bytes(1000))

    def test_ends_arrive_as_ends(self):
        recv, send = interpref.create_channel()
        for end in (recv, send, interpref.RecvChannel(10**12), interpref.SendChannel(10**12)):
            with self.subTest(end=end):
                got = self.round_trip(end)
                self.assert_exact(got, end)
                self.assertEqual(got.id, end.id)

    def test_received_ends_work(self):
        recv, send = interpref.create_channel()
        got_recv = self.round_trip(recv)
        got_send = self.round_trip(send)
        got_send.send_nowait('through copies')
        self.assertEqual(got_recv.recv(), 'through copies')

    def test_mixed_sequence_keeps_order_and_types(self):
        recv, send = interpref.create_channel()
        values = [None, 0, b'', '', 2**64, '\ud800', b'\x00', -1, recv, send]
        for value in values:
            send.send_nowait(value)
        got = drain(recv)
        self.assertEqual(len(got), len(values))
        for g, v in zip(got, values):
            self.assert_exact(g, v)


class CrossInterpreterRoundTripTests(unittest.TestCase):
    """Main -> subinterpreter -> main: the sub checks the type it received
    and sends back the object and its type name."""

    ECHO = """if True:
        value = inbox.recv()
        out.send_nowait(type(value).__name__)
        out.send_nowait(int(type(value) in (type(None), int, bytes, str,
                                          interpref.RecvChannel, interpref.SendChannel)))
        out.send_nowait(value)
        del value
        """

    def setUp(self):
        self.interp = new_interpreter(self)
        self.to_sub_r, self.to_sub_s = interpref.create_channel()

    def echo(self, value):
        self.to_sub_s.send_nowait(value)
        got = support.run_and_collect(self.interp, self.ECHO, inbox=self.to_sub_r)
        self.assertEqual(len(got), 3)
        return got

    def assert_echo(self, value):
        name, known, got = self.echo(value)
        self.assertEqual(name, type(value).__name__)
        self.assertEqual(known, 1)
        self.assertIs(type(got), type(value))
        self.assertEqual(got, value)

    def test_none(self):
        self.assert_echo(None)

    def test_ints(self):
        for value in INTS:
            with self.subTest(value=value if abs(value) < 2**70 else 'big'):
                self.assert_echo(value)

    def test_bytes(self):
        for value in BYTES + [bytes(range(256)) * (10 * 4096)]:
            with self.subTest(size=len(value)):
                self.assert_echo(value)

    def test_strs(self):
        for value in STRS:
            with self.subTest(value=ascii(value[:10])):
                self.assert_echo(value)

    def test_value_checked_inside(self):
        self.to_sub_s.send_nowait('\ud800\U0001F600')
        self.to_sub_s.send_nowait(-2**63)
        self.to_sub_s.send_nowait(2**1000 + 1)
        got = support.run_and_collect(self.interp, """if True:
            out.send_nowait(int(inbox.recv() == '\\ud800\\U0001F600'))
            out.send_nowait(int(inbox.recv() == -2**63))
            out.send_nowait(int(inbox.recv() == 2**1000 + 1))
            """, inbox=self.to_sub_r)
        self.assertEqual(got, [1, 1, 1])

    def test_ends_arrive_as_the_subs_own_ends(self):
        recv, send = interpref.create_channel()
        self.to_sub_s.send_nowait(recv)
        self.to_sub_s.send_nowait(send)
        got = support.run_and_collect(self.interp, """if True:
            r = inbox.recv()
            s = inbox.recv()
            out.send_nowait(int(type(r) is interpref.RecvChannel))
            out.send_nowait(int(type(s) is interpref.SendChannel))
            out.send_nowait(r.id)
            out.send_nowait(s.id)
            s.send_nowait('sent by the sub on a received end')
            out.send_nowait(r)
            del r, s
            """, inbox=self.to_sub_r)
        self.assertEqual(got[:4], [1, 1, recv.id, send.id])
        self.assertIs(type(got[4]), interpref.RecvChannel)
        self.assertEqual(got[4], recv)
        self.assertEqual(recv.recv_nowait(), 'sent by the sub on a received end')

    def test_from_one_sub_to_another(self):
        other = new_interpreter(self)
        values = [None, 0, -2**63 - 1, 2**1000, b'', bytes(range(256)), '', '\ud800\U0001F600']
        recv, send = interpref.create_channel()
        other.run("""if True:
            import interpref
            for v in (None, 0, -2**63 - 1, 2**1000, b'', bytes(range(256)), '',
                      '\\ud800\\U0001F600', interpref.SendChannel(%d)):
                channels[1].send_nowait(v)
            del channels
            """ % send.id, channels=(None, send))
        got = support.run_and_collect(self.interp, """if True:
            for _ in range(9):
                v = inbox.recv()
                out.send_nowait(type(v).__name__)
                out.send_nowait(v)
            """, inbox=recv)
        expected_types = [type(v).__name__ for v in values] + ['SendChannel']
        self.assertEqual(got[0::2], expected_types)
        self.assertEqual(got[1::2][:-1], values)
        self.assertEqual(got[-1], send)

    def test_end_created_in_a_sub_arrives_in_main(self):
        got = support.run_and_collect(self.interp, """if True:
            kept = interpref.create_channel()
            out.send_nowait(kept[0])
            out.send_nowait(kept[1])
            kept[1].send_nowait('hello from the sub channel')
            """)
        recv, send = got
        self.assertIs(type(recv), interpref.RecvChannel)
        self.assertIs(type(send), interpref.SendChannel)
        self.assertEqual(recv.recv_nowait(), 'hello from the sub channel')
        self.interp.run('del kept')
        send.send_nowait('still alive: main holds ends')
        self.assertEqual(recv.recv_nowait(), 'still alive: main holds ends')


if __name__ == '__main__':
    unittest.main()
