"""Stress: many threads in main and in four subinterpreters pass 200,000
objects through two shared channels, mixing send, send_nowait, recv and
recv_nowait.

Layout (9 threads besides the main one, 5 interpreters):

    senders    3 threads of main, and subs S0, S1 (run() from their own threads)
    receivers  per channel (A, B): one thread of main and one sub (R_A, R_B)

Every sender sends PER_SENDER objects; object number i goes to channel A when
i is even and to B when i is odd, and encodes (sender, i) as an int, a str or
a bytes, by i % 3.  Every 20th object of each channel is sent with the
blocking send(), the rest with send_nowait().  Receivers mix recv() and
recv_nowait() and record, per sender, the numbers they received; a sub
receiver reports its record to main through a result channel.  Once every
sender is done, main sends one None per receiver on each channel to stop
them.

Checked: every object arrives exactly once, on the channel it was sent to,
with its exact type, and each receiver sees each sender's objects of one
channel in increasing order (FIFO per sender per channel); every thread ends
(joined with a timeout).
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
import support  # noqa: E402
from support import interpref, Call  # noqa: E402

PER_SENDER = 40000
BLOCKING_EVERY = 20
MAIN_SENDERS = (0, 1, 2)
SUB_SENDERS = (3, 4)
SENDERS = MAIN_SENDERS + SUB_SENDERS
JOIN_TIMEOUT = 120.0

# Shared by main's threads and (as source text) the subinterpreters.
CODEC = '''
def encode(sender, i):
    kind = i % 3
    if kind == 0:
        return (sender << 32) | i
    if kind == 1:
        return '%d:%d' % (sender, i)
    return b'%d:%d' % (sender, i)

def decode(obj):
    if type(obj) is int:
        return obj >> 32, obj & 0xFFFFFFFF, 0
    if type(obj) is str:
        sender, i = obj.split(':')
        return int(sender), int(i), 1
    if type(obj) is bytes:
        sender, i = obj.split(b':')
        return int(sender), int(i), 2
    raise TypeError('unexpected %r' % (type(obj),))
'''

SENDER_LOOP = '''
def send_all(sender, a, b, count, blocking_every):
    for i in range(count):
        end = a if i % 2 == 0 else b
        obj = encode(sender, i)
        if (i // 2) % blocking_every == 0:
            end.send(obj)
        else:
            end.send_nowait(obj)
'''

RECEIVER_LOOP = '''
def receive_all(recv, parity):
    """Returns ({sender: [i, ...]}, problems)."""
    missing = object()
    got = {}
    problems = []
    n = 0
    while True:
        n += 1
        if n % 3 == 0:
            obj = recv.recv()
        else:
            obj = recv.recv_nowait(missing)
            if obj is missing:
                obj = recv.recv()
        if obj is None:
            return got, problems
        sender, i, kind = decode(obj)
        if kind != i % 3:
            problems.append('type %s for object %d of sender %d' % (type(obj).__name__, i, sender))
        if i % 2 != parity:
            problems.append('object %d of sender %d on the wrong channel' % (i, sender))
        seen = got.setdefault(sender, [])
        if seen and seen[-1] >= i:
            problems.append('sender %d: %d after %d' % (sender, i, seen[-1]))
        seen.append(i)
'''

namespace = {}
exec(CODEC + SENDER_LOOP + RECEIVER_LOOP, namespace)
send_all = namespace['send_all']
receive_all = namespace['receive_all']

SUB_SENDER_CODE = CODEC + SENDER_LOOP + '''
import interpref
send_all(sender_id, a, b, count, blocking_every)
del a, b
'''

SUB_RECEIVER_CODE = CODEC + RECEIVER_LOOP + '''
import interpref
got, problems = receive_all(inbox, parity)
report = ';'.join('%d:%s' % (s, ','.join(map(str, seq))) for s, seq in sorted(got.items()))
results.send_nowait(report)
results.send_nowait('|'.join(problems))
del inbox, results
'''


def parse_report(report):
    got = {}
    if report:
        for part in report.split(';'):
            sender, seq = part.split(':')
            got[int(sender)] = [int(i) for i in seq.split(',')] if seq else []
    return got


class StressChannelsTest(unittest.TestCase):

    def test_many_threads_and_interpreters_share_channels(self):
        started = time.monotonic()
        recv_a, send_a = interpref.create_channel()
        recv_b, send_b = interpref.create_channel()
        results_r, results_s = interpref.create_channel()
        subs = [support.new_interpreter(self) for _ in range(4)]
        for interp, sender in zip(subs[:2], SUB_SENDERS):
            interp.run('sender_id, count, blocking_every = %d, %d, %d'
                       % (sender, PER_SENDER, BLOCKING_EVERY))
        for interp, parity in zip(subs[2:], (0, 1)):
            interp.run('parity = %d' % parity)

        # Receivers first: main threads, then subs run from their own threads.
        main_receivers = [Call(self, receive_all, recv, parity, name='recv-main-%d' % parity)
                          for recv, parity in ((recv_a, 0), (recv_b, 1))]
        sub_receivers = [
            Call(self, lambda interp=interp, recv=recv: interp.run(
                SUB_RECEIVER_CODE, channels={'inbox': recv, 'results': results_s}),
                name='recv-sub-%d' % parity)
            for interp, recv, parity in ((subs[2], recv_a, 0), (subs[3], recv_b, 1))]
        senders = [Call(self, send_all, sender, send_a, send_b, PER_SENDER, BLOCKING_EVERY,
                        name='send-main-%d' % sender)
                   for sender in MAIN_SENDERS]
        senders += [Call(self, lambda interp=interp: interp.run(
                            SUB_SENDER_CODE, channels={'a': send_a, 'b': send_b}),
                         name='send-sub-%d' % sender)
                    for interp, sender in zip(subs[:2], SUB_SENDERS)]
        threads = main_receivers + sub_receivers + senders
        self.assertGreaterEqual(len(threads), 8)

        for call in senders:
            call.join(JOIN_TIMEOUT)
        for call in senders:
            self.assertIsNone(call.error, call.error)
        # Two receivers per channel: one None each stops them.
        for send in (send_a, send_a, send_b, send_b):
            send.send(None)
        for call in main_receivers + sub_receivers:
            call.join(JOIN_TIMEOUT)
            self.assertIsNone(call.error, call.error)

        # Collect every receiver's record.
        records = {}   # (channel parity, receiver) -> {sender: [i, ...]}
        for call, parity in zip(main_receivers, (0, 1)):
            got, problems = call.result
            self.assertEqual(problems, [])
            records[parity, 'main'] = got
        reports = support.drain(results_r)
        self.assertEqual(len(reports), 4)
        for n in range(2):
            report, problems = reports[2 * n], reports[2 * n + 1]
            self.assertEqual(problems, '')
            got = parse_report(report)
            parities = {i % 2 for seq in got.values() for i in seq}
            self.assertLessEqual(len(parities), 1)
            records[parities.pop() if parities else 'idle-%d' % n, 'sub-%d' % n] = got

        # Exactly once, on the right channel; FIFO per sender within each receiver.
        total = 0
        for parity in (0, 1):
            for sender in SENDERS:
                received = []
                for (p, _), got in records.items():
                    if p == parity:
                        seq = got.get(sender, [])
                        self.assertEqual(seq, sorted(seq))
                        received.extend(seq)
                expected = list(range(parity, PER_SENDER, 2))
                self.assertEqual(len(received), len(expected),
                                 'channel %d sender %d' % (parity, sender))
                self.assertEqual(sorted(received), expected)
                total += len(received)
        self.assertEqual(total, len(SENDERS) * PER_SENDER)
        self.assertGreaterEqual(total, 100000)
        # Both channels are empty and nobody is left running.
        self.assertIsNone(recv_a.recv_nowait())
        self.assertIsNone(recv_b.recv_nowait())
        for interp in subs:
            self.assertFalse(interp.is_running())
        print('\n%d objects, %d threads, %d interpreters, %.1f s'
              % (total, len(threads), len(subs) + 1, time.monotonic() - started),
              file=sys.stderr)


if __name__ == '__main__':
    unittest.main()
