"""Stress: blocked calls while the ends of the other side come and go.

recv() waits even while no SendChannel exists, and send() waits even while no
RecvChannel exists (SPEC CH-RECV-5/6, CH-SEND-6/7): an end built later from
the channel's id releases them.  Here every sender and every receiver builds
its end from the id for each object and drops it right after, so the side
being churned is often without any end while calls of the other side wait.

Two channels, each kept alive by one idle end that main holds (a channel
lives while any end exists, LIFE-CH-2):

    A  kept by an idle RecvChannel: its senders churn SendChannel(id) and its
       receivers churn RecvChannel(id), so receivers often wait with no
       SendChannel in existence;
    B  kept by an idle SendChannel: the same, so senders often wait with no
       RecvChannel in existence.

On each channel: 3 sender threads of main and 1 sub (run() from a thread)
send PER_SENDER objects each with the blocking send(); 2 receiver threads of
main and 1 sub receive with recv().  Once the senders are done, main sends
one None per receiver to stop them.

Checked: every object arrives exactly once, each receiver sees each sender's
objects in increasing order, and every thread ends (joined with a timeout).
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
import support  # noqa: E402
from support import interpref, Call  # noqa: E402

PER_SENDER = 5000
MAIN_SENDERS = 3
MAIN_RECEIVERS = 2
JOIN_TIMEOUT = 120.0

# Run by main's threads and (as source text) by the subinterpreters.
LOOPS = '''
def send_all(cid, sender, count):
    for i in range(count):
        end = interpref.SendChannel(cid)
        end.send(sender * 1000000 + i)
        del end


def receive_all(cid):
    """{sender: [i, ...]} in the order received, until a None arrives."""
    got = {}
    while True:
        end = interpref.RecvChannel(cid)
        obj = end.recv()
        del end
        if obj is None:
            return got
        got.setdefault(obj // 1000000, []).append(obj % 1000000)
'''

namespace = {'interpref': interpref}
exec(LOOPS, namespace)
send_all = namespace['send_all']
receive_all = namespace['receive_all']

# Both run after a line that sets their upper-case names.
SUB_SENDER = 'import interpref\n' + LOOPS + 'send_all(CID, SENDER, COUNT)\n'
SUB_RECEIVER = 'import interpref\n' + LOOPS + '''
got = receive_all(CID)
report = interpref.SendChannel(RESULTS)
report.send_nowait(';'.join('%d:%s' % (s, ','.join(map(str, seq)))
                            for s, seq in sorted(got.items())))
del report
'''


def parse_report(report):
    got = {}
    for part in report.split(';') if report else ():
        sender, seq = part.split(':')
        got[int(sender)] = [int(i) for i in seq.split(',')]
    return got


class EndsChurnTest(unittest.TestCase):

    def churn(self, cid, results_id):
        """Start the senders and receivers of channel `cid`; return both lists."""
        sub_sender, sub_receiver = (support.new_interpreter(self) for _ in range(2))
        receivers = [Call(self, receive_all, cid, name='recv-main-%d-%d' % (cid, n))
                     for n in range(MAIN_RECEIVERS)]
        receivers.append(Call(self, sub_receiver.run,
                              'CID, RESULTS = %d, %d\n' % (cid, results_id) + SUB_RECEIVER,
                              name='recv-sub-%d' % cid))
        senders = [Call(self, send_all, cid, n, PER_SENDER, name='send-main-%d-%d' % (cid, n))
                   for n in range(MAIN_SENDERS)]
        senders.append(Call(self, sub_sender.run,
                            'CID, SENDER, COUNT = %d, %d, %d\n' % (cid, MAIN_SENDERS, PER_SENDER)
                            + SUB_SENDER,
                            name='send-sub-%d' % cid))
        return senders, receivers

    def test_calls_wait_while_the_other_sides_ends_come_and_go(self):
        started = time.monotonic()
        results_r, results_s = interpref.create_channel()
        keep_a, drop = interpref.create_channel()       # A: only a RecvChannel kept
        del drop
        drop, keep_b = interpref.create_channel()       # B: only a SendChannel kept
        del drop
        work = {}
        for cid in (keep_a.id, keep_b.id):
            work[cid] = self.churn(cid, results_s.id)

        for cid, (senders, receivers) in work.items():
            for call in senders:
                call.join(JOIN_TIMEOUT)
                self.assertIsNone(call.error, call.error)
            stop = interpref.SendChannel(cid)
            for _ in receivers:
                stop.send(None)
            del stop
            for call in receivers:
                call.join(JOIN_TIMEOUT)
                self.assertIsNone(call.error, call.error)

        total = 0
        reports = support.drain(results_r)
        self.assertEqual(len(reports), 2)
        for (cid, (senders, receivers)), report in zip(work.items(), reports):
            records = [call.result for call in receivers[:MAIN_RECEIVERS]]
            records.append(parse_report(report))
            for sender in range(len(senders)):
                received = []
                for got in records:
                    seq = got.get(sender, [])
                    self.assertEqual(seq, sorted(seq), 'channel %d sender %d' % (cid, sender))
                    received.extend(seq)
                self.assertEqual(sorted(received), list(range(PER_SENDER)),
                                 'channel %d sender %d' % (cid, sender))
                total += len(received)
        self.assertEqual(total, 2 * (MAIN_SENDERS + 1) * PER_SENDER)
        # Only the kept ends and the results channel remain.
        self.assertEqual(sorted(support.channel_ids()),
                         sorted((keep_a.id, keep_b.id, results_r.id)))
        print('\n%d objects through churning ends, %.1f s' % (total, time.monotonic() - started),
              file=sys.stderr)


if __name__ == '__main__':
    unittest.main()
