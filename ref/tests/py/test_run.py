"""interpref: Interpreter.run(): semantics, persistence of __main__, the
RunFailedError it raises, nested runs, and the channels= argument."""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # python -I: for support
import support  # noqa: E402
from support import interpref, new_interpreter, run_and_collect, drain  # noqa: E402


def ran(interp):
    """Did an earlier run() in interp set the global `ran`?"""
    return run_and_collect(interp, "out.send_nowait(int('ran' in globals()))") == [1]


class RunTests(unittest.TestCase):

    def test_fresh_main_namespace_has_only_dunder_names(self):
        interp = new_interpreter(self)
        interp.run("names = ' '.join(sorted(n for n in globals()\n"
                   "                        if not (n.startswith('__') and n.endswith('__'))))")
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(names)'), [''])

    def test_returns_none(self):
        interp = new_interpreter(self)
        self.assertIsNone(interp.run('x = 1'))

    def test_runs_in_main_module_namespace(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            import sys
            out.send_nowait(__name__)
            out.send_nowait(int(globals() is sys.modules['__main__'].__dict__))
            """)
        self.assertEqual(got, ['__main__', 1])

    def test_state_persists_across_runs(self):
        interp = new_interpreter(self)
        interp.run('x = 1')
        interp.run('x += 1')
        interp.run('def twice(v):\n    return 2 * v')
        interp.run('import json')
        got = run_and_collect(interp, "out.send_nowait(twice(x))\nout.send_nowait(json.dumps([x]))")
        self.assertEqual(got, [4, '[2]'])

    def test_interpreters_do_not_share_state(self):
        a = new_interpreter(self)
        b = new_interpreter(self)
        a.run('only_in_a = 1')
        self.assertEqual(run_and_collect(b, "out.send_nowait(int('only_in_a' in globals()))"),
                         [0])
        self.assertNotIn('only_in_a', globals())

    def test_sys_modules_are_separate(self):
        interp = new_interpreter(self)
        interp.run('import sys; sys.interpref_test_marker = 1')
        self.assertFalse(hasattr(sys, 'interpref_test_marker'))

    def test_runs_in_the_calling_os_thread(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, 'import threading\n'
                                      'out.send_nowait(threading.get_native_id())')
        self.assertEqual(got, [threading.get_native_id()])

    def test_runs_in_the_calling_os_thread_from_another_thread(self):
        interp = new_interpreter(self)

        def body():
            return threading.get_native_id(), run_and_collect(
                interp, 'import threading\nout.send_nowait(threading.get_native_id())')
        ident, got = support.Call(self, body).value()
        self.assertEqual(got, [ident])

    def test_blocks_until_done(self):
        interp = new_interpreter(self)
        recv, send = interpref.create_channel()
        interp.run("""if True:
            for i in range(1000):
                channels[1].send_nowait(i)
            del channels
            """, channels=(None, send))
        self.assertEqual(drain(recv), list(range(1000)))

    def test_source_must_be_str(self):
        interp = new_interpreter(self)
        for bad in (b'ran = 1', None, 1, ['ran = 1'], compile('ran = 1', '<s>', 'exec')):
            with self.subTest(source=bad):
                with self.assertRaises(TypeError):
                    interp.run(bad)
        self.assertFalse(ran(interp))

    def test_source_that_is_not_utf8_encodable_is_refused_in_the_caller(self):
        interp = new_interpreter(self)
        with self.assertRaises(UnicodeEncodeError):
            interp.run('ran = 1  # \ud800')
        self.assertFalse(ran(interp))

    def test_source_is_positional_only(self):
        interp = new_interpreter(self)
        with self.assertRaises(TypeError):
            interp.run(src_str='ran = 1')
        self.assertFalse(ran(interp))

    def test_argument_count(self):
        interp = new_interpreter(self)
        with self.assertRaises(TypeError):
            interp.run()
        with self.assertRaises(TypeError):
            interp.run('ran = 1', None)
        with self.assertRaises(TypeError):
            interp.run('ran = 1', other=None)
        self.assertFalse(ran(interp))

    def test_channels_none_explicitly(self):
        interp = new_interpreter(self)
        interp.run('ran = 1', channels=None)
        self.assertTrue(ran(interp))

    def test_run_in_main_is_a_runtime_error_and_runs_nothing(self):
        recv, send = interpref.create_channel()
        for main in (interpref.get_main(), interpref.Interpreter(0)):
            with self.subTest(main=main):
                with self.assertRaises(RuntimeError) as cm:
                    main.run('channels[1].send_nowait(1)', channels=(None, send))
                self.assertNotIsInstance(cm.exception, interpref.RunFailedError)
        self.assertIsNone(recv.recv_nowait())

    def test_run_in_own_interpreter_is_a_runtime_error(self):
        interp = new_interpreter(self)
        got = support.raised_inside(
            interp, 'interpref.get_current().run(\'out.send_nowait("nested ran")\')')
        self.assertEqual(got, ['RuntimeError'])

    def test_run_in_a_busy_interpreter_is_a_runtime_error(self):
        interp = new_interpreter(self)
        call, send = support.blocked_run(self, interp)
        with self.assertRaises(RuntimeError) as cm:
            interp.run('ran = 1')
        self.assertNotIsInstance(cm.exception, interpref.RunFailedError)
        send.send(None)
        call.value()
        self.assertFalse(ran(interp))

    def test_run_in_a_closed_interpreter_is_a_runtime_error(self):
        interp = interpref.create()
        interp.close()
        with self.assertRaises(RuntimeError):
            interp.run('pass')

    def test_interpreter_can_import_interpref(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, "out.send_nowait(interpref.__name__)")
        self.assertEqual(got, ['interpref'])

    def test_many_runs(self):
        interp = new_interpreter(self)
        interp.run('n = 0')
        for _ in range(200):
            interp.run('n += 1')
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(n)'), [200])


class RunFailedTests(unittest.TestCase):

    def failure(self, interp, source):
        with self.assertRaises(interpref.RunFailedError) as cm:
            interp.run(source)
        return cm.exception

    def assert_failure(self, source, type_name, msg=None, text=None, interp=None):
        """Running `source` in `interp` (default: a new interpreter) raises
        RunFailedError with this type_name, and this msg and str() where
        given.  Returns the exception."""
        exc = self.failure(interp or new_interpreter(self), source)
        self.assertEqual(exc.type_name, type_name)
        if msg is not None:
            self.assertEqual(exc.msg, msg)
        if text is not None:
            self.assertEqual(str(exc), text)
        return exc

    def test_builtin_exception(self):
        interp = new_interpreter(self)
        exc = self.failure(interp, "raise ValueError('boom')")
        self.assertIsInstance(exc, RuntimeError)
        self.assertIs(type(exc), interpref.RunFailedError)
        self.assertEqual(str(exc), 'ValueError: boom')
        self.assertEqual(exc.type_name, 'ValueError')
        self.assertEqual(exc.msg, 'boom')
        self.assertIs(type(exc.type_name), str)
        self.assertIs(type(exc.msg), str)
        self.assertIs(type(exc.formatted), str)
        self.assertIsNone(exc.__cause__)

    def test_formatted_traceback(self):
        interp = new_interpreter(self)
        exc = self.failure(interp, "def inner_function():\n    raise KeyError('k')\n"
                                   "inner_function()\n")
        self.assertTrue(exc.formatted.startswith('Traceback (most recent call last):'),
                        exc.formatted)
        self.assertIn('inner_function', exc.formatted)
        self.assertTrue(exc.formatted.rstrip().endswith("KeyError: 'k'"), exc.formatted)
        self.assertEqual(exc.type_name, 'KeyError')
        self.assertEqual(exc.msg, "'k'")

    def test_chained_exception_shows_in_formatted(self):
        interp = new_interpreter(self)
        exc = self.failure(interp, "try:\n    1/0\nexcept ZeroDivisionError:\n"
                                   "    raise ValueError('second')\n")
        self.assertEqual(exc.type_name, 'ValueError')
        self.assertEqual(exc.msg, 'second')
        self.assertIn('ZeroDivisionError', exc.formatted)

    def test_exception_without_message(self):
        interp = new_interpreter(self)
        exc = self.failure(interp, 'raise ValueError')
        self.assertEqual(exc.type_name, 'ValueError')
        self.assertEqual(exc.msg, '')
        self.assertIn('ValueError', str(exc))

    def test_custom_exception_class_is_qualified(self):
        self.assert_failure("class MyErr(Exception):\n    pass\nraise MyErr('x')",
                            '__main__.MyErr', msg='x', text='__main__.MyErr: x')

    def test_nested_custom_class_uses_qualname(self):
        self.assert_failure("class Outer:\n    class Inner(LookupError):\n        pass\n"
                            "raise Outer.Inner('deep')",
                            '__main__.Outer.Inner', text='__main__.Outer.Inner: deep')

    def test_exception_class_whose_module_is_not_a_str(self):
        self.assert_failure("class Odd(Exception):\n"
                            "    __module__ = 42\n"
                            "raise Odd('odd')", 'Odd', msg='odd')

    def test_exception_class_without_a_module(self):
        # type() takes __module__ from the caller's __name__: here there is none.
        self.assert_failure("ns = {'__builtins__': __builtins__}\n"
                            "exec(\"Bare = type('Bare', (Exception,), {})\", ns)\n"
                            "raise ns['Bare']('bare')", 'Bare', msg='bare')

    def test_exception_from_a_library_module(self):
        interp = new_interpreter(self)
        exc = self.failure(interp, "import json\njson.loads('{')")
        self.assertEqual(exc.type_name, 'json.decoder.JSONDecodeError')
        self.assertTrue(str(exc).startswith('json.decoder.JSONDecodeError: '), str(exc))
        self.assertIn(exc.msg, str(exc))

    def test_interpref_exception_inside(self):
        self.assert_failure("import interpref\ninterpref.RecvChannel(10**9).recv()",
                            'interpref.ChannelNotFoundError')

    def test_system_exit(self):
        interp = new_interpreter(self)
        self.assert_failure('raise SystemExit(3)', 'SystemExit', msg='3', text='SystemExit: 3',
                            interp=interp)
        self.assert_failure('import sys\nsys.exit()', 'SystemExit', msg='', interp=interp)
        # The process and the interpreter are still alive.
        self.assertIn(interp, interpref.list_all())
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(1)'), [1])

    def test_keyboard_interrupt(self):
        interp = new_interpreter(self)
        self.assert_failure('raise KeyboardInterrupt', 'KeyboardInterrupt', msg='', interp=interp)
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(1)'), [1])

    def test_base_exception_subclass(self):
        self.assert_failure("class Stop(BaseException):\n    pass\nraise Stop('s')",
                            '__main__.Stop', msg='s')

    def test_syntax_error_in_the_source(self):
        interp = new_interpreter(self)
        exc = self.assert_failure('ran = 1\ndef (:\n', 'SyntaxError', interp=interp)
        self.assertTrue(str(exc).startswith('SyntaxError: '), str(exc))
        self.assertIn('SyntaxError', exc.formatted)
        # Nothing of the source ran.
        self.assertFalse(ran(interp))

    def test_null_character_in_the_source(self):
        # SPEC INTERP-RUN-13: source that does not compile is a failure of the run.
        interp = new_interpreter(self)
        self.assert_failure('ran = 1\n\0\n', 'SyntaxError', interp=interp)
        self.assertFalse(ran(interp))

    def test_indentation_error_in_the_source(self):
        interp = new_interpreter(self)
        self.assert_failure('ran = 1\nif True:\npass\n', 'IndentationError', interp=interp)
        self.assertFalse(ran(interp))

    def test_exception_whose_str_raises(self):
        interp = new_interpreter(self)
        exc = self.assert_failure("class Weird(Exception):\n"
                                  "    def __str__(self):\n"
                                  "        raise TypeError('no str for you')\n"
                                  "raise Weird('hidden')", '__main__.Weird', interp=interp)
        self.assertIn('__main__.Weird', str(exc))
        self.assertIs(type(exc.msg), str)
        self.assertIs(type(exc.formatted), str)
        # No exception leaks out of the failed str() and the interpreter is fine.
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(1)'), [1])

    def test_exception_whose_repr_and_str_raise(self):
        interp = new_interpreter(self)
        self.assert_failure("class Weird(Exception):\n"
                            "    def __str__(self):\n"
                            "        raise SystemExit('not from str')\n"
                            "    __repr__ = __str__\n"
                            "raise Weird()", '__main__.Weird', interp=interp)
        self.assertIn(interp, interpref.list_all())
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(1)'), [1])

    def test_non_ascii_message(self):
        interp = new_interpreter(self)
        exc = self.failure(interp, "raise ValueError('\u00e9\u4e2d\U0001F600')")
        self.assertEqual(exc.msg, '\u00e9\u4e2d\U0001F600')
        self.assertEqual(str(exc), 'ValueError: \u00e9\u4e2d\U0001F600')

    def test_lone_surrogate_message_does_not_break_reporting(self):
        interp = new_interpreter(self)
        exc = self.failure(interp, "raise ValueError('a\\udc80b')")
        self.assertEqual(exc.type_name, 'ValueError')
        self.assertTrue(exc.msg.startswith('a'), exc.msg)
        self.assertTrue(exc.msg.endswith('b'), exc.msg)

    def test_state_before_the_failure_persists(self):
        interp = new_interpreter(self)
        self.failure(interp, "before = 1\nraise ValueError\nafter = 2")
        got = run_and_collect(interp, "out.send_nowait(before)\n"
                                      "out.send_nowait(int('after' in globals()))")
        self.assertEqual(got, [1, 0])

    def test_no_exception_left_pending_inside(self):
        interp = new_interpreter(self)
        self.failure(interp, "raise ValueError('x')")
        got = run_and_collect(interp, "import sys\nout.send_nowait(repr(sys.exc_info()))")
        self.assertEqual(got, ['(None, None, None)'])

    def test_failure_in_a_nested_run(self):
        outer = new_interpreter(self)
        inner = new_interpreter(self)
        got = run_and_collect(outer, """if True:
            try:
                interpref.Interpreter(%d).run("raise ValueError('inner boom')")
            except interpref.RunFailedError as exc:
                out.send_nowait(exc.type_name)
                out.send_nowait(exc.msg)
                out.send_nowait(str(exc))
            """ % inner.id)
        self.assertEqual(got, ['ValueError', 'inner boom', 'ValueError: inner boom'])

    def test_uncaught_nested_failure_is_a_run_failed_error_in_the_outer(self):
        outer = new_interpreter(self)
        inner = new_interpreter(self)
        exc = self.failure(outer, "import interpref\n"
                                  "interpref.Interpreter(%d).run('1/0')" % inner.id)
        self.assertEqual(exc.type_name, 'interpref.RunFailedError')
        self.assertIn('ZeroDivisionError', exc.msg)
        self.assertIn('RunFailedError', str(exc))
        self.assertIn('division by zero', str(exc))


class NestedRunTests(unittest.TestCase):

    def test_run_in_a_sibling(self):
        a = new_interpreter(self)
        b = new_interpreter(self)
        got = run_and_collect(a, """if True:
            b = interpref.Interpreter(%d)
            b.run('value = 20')
            b.run('value += 1')
            b.run('import interpref\\n'
                  'channels[1].send_nowait(value * 2)\\n'
                  'channels[1].send_nowait(interpref.get_current().id)\\n'
                  'del channels', channels=(None, out))
            out.send_nowait(interpref.get_current().id)
            """ % b.id)
        self.assertEqual(got, [42, b.id, a.id])

    def test_chain_of_three(self):
        a, b, c = (new_interpreter(self) for _ in range(3))
        recv, send = interpref.create_channel()
        a.run("""if True:
            import interpref
            interpref.Interpreter(%d).run('''if True:
                import interpref
                interpref.Interpreter(%d).run(
                    'import interpref\\\\nchannels[1].send_nowait(interpref.get_current().id)',
                    channels=channels)
                channels[1].send_nowait(interpref.get_current().id)
                del channels
                ''', channels=channels)
            channels[1].send_nowait(interpref.get_current().id)
            del channels
            """ % (b.id, c.id), channels=(None, send))
        self.assertEqual(drain(recv), [c.id, b.id, a.id])
        c.run('del channels')

    def test_run_in_main_from_a_sub_is_refused(self):
        interp = new_interpreter(self)
        got = support.raised_inside(interp, "interpref.get_main().run('pass')")
        self.assertEqual(got, ['RuntimeError'])

    def test_caller_of_a_nested_run_cannot_be_entered(self):
        # a runs b; code in b tries to run a, which is running.
        a = new_interpreter(self)
        b = new_interpreter(self)
        got = run_and_collect(a, """if True:
            interpref.Interpreter(%d).run('''if True:
                import interpref
                try:
                    interpref.Interpreter(%d).run('pass')
                except interpref.RunFailedError:
                    channels[1].send_nowait('RunFailedError')
                except RuntimeError:
                    channels[1].send_nowait('RuntimeError')
                del channels
                ''', channels=(None, out))
            """ % (b.id, a.id))
        self.assertEqual(got, ['RuntimeError'])


class ChannelsArgumentTests(unittest.TestCase):

    def setUp(self):
        self.interp = new_interpreter(self)
        self.recv, self.send = interpref.create_channel()

    def test_tuple_binds_channels_with_own_end_objects(self):
        r2, s2 = interpref.create_channel()
        self.interp.run("""if True:
            import interpref
            r, s = channels
            out = channels[1]
            out.send_nowait(type(channels).__name__)
            out.send_nowait(len(channels))
            out.send_nowait(int(type(r) is interpref.RecvChannel))
            out.send_nowait(int(type(s) is interpref.SendChannel))
            out.send_nowait(r.id)
            out.send_nowait(s.id)
            del r, s, out, channels
            """, channels=(r2, self.send))
        got = drain(self.recv)
        self.assertEqual(got, ['tuple', 2, 1, 1, r2.id, self.send.id])

    def test_tuple_ends_work_both_ways(self):
        to_sub_r, to_sub_s = interpref.create_channel()
        to_sub_s.send_nowait('ping')
        self.interp.run("""if True:
            inbox, outbox = channels
            outbox.send_nowait(inbox.recv() + ' pong')
            del inbox, outbox, channels
            """, channels=(to_sub_r, self.send))
        self.assertEqual(self.recv.recv(), 'ping pong')

    def test_tuple_with_none_halves(self):
        for value, expected in (((None, None), [1, 1]),
                                ((None, 'send'), [1, 0]),
                                (('recv', None), [0, 1])):
            with self.subTest(channels=value):
                channels = tuple(None if v is None else getattr(self, v) for v in value)
                out_r, out_s = interpref.create_channel()
                self.interp.run("""if True:
                    import interpref
                    r, s = channels
                    o = interpref.SendChannel(%d)
                    o.send_nowait(int(r is None))
                    o.send_nowait(int(s is None))
                    del r, s, o, channels
                    """ % out_s.id, channels=channels)
                self.assertEqual(drain(out_r), expected)

    def test_mapping_binds_each_name(self):
        other_r, other_s = interpref.create_channel()
        self.interp.run("""if True:
            import interpref
            results.send_nowait(int(type(inbox) is interpref.RecvChannel))
            results.send_nowait(int(type(results) is interpref.SendChannel))
            results.send_nowait(inbox.id)
            results.send_nowait(spare.id)
            del inbox, results, spare
            """, channels={'inbox': other_r, 'results': self.send, 'spare': other_s})
        self.assertEqual(drain(self.recv), [1, 1, other_r.id, other_s.id])

    def test_channels_none_leaves_an_existing_global_alone(self):
        self.interp.run('channels = "mine"')
        self.interp.run('pass')
        self.interp.run('pass', channels=None)
        self.interp.run('saved = channels')
        self.assertEqual(run_and_collect(self.interp, 'out.send_nowait(saved)'), ['mine'])

    def test_channels_none_does_not_bind_the_name(self):
        self.interp.run("had = int('channels' in globals())")
        self.assertEqual(run_and_collect(self.interp, 'out.send_nowait(had)'), [0])

    def test_tuple_replaces_an_existing_global_and_persists(self):
        self.interp.run('channels = "mine"')
        self.interp.run('pass', channels=(self.recv, None))
        self.interp.run("saved = (type(channels).__name__, channels[0].id, channels[1])")
        got = run_and_collect(self.interp, 'out.send_nowait(saved[0])\n'
                                           'out.send_nowait(saved[1])\n'
                                           'out.send_nowait(saved[2])')
        self.assertEqual(got, ['tuple', self.recv.id, None])

    def test_refused_channels_leave_the_global_unchanged(self):
        self.interp.run('channels = "mine"')
        for bad, exc in (([self.recv, self.send], TypeError), ((self.send, self.recv), ValueError),
                         ({'channels': 1}, ValueError), ({1: self.recv}, TypeError)):
            with self.subTest(channels=bad):
                with self.assertRaises(exc):
                    self.interp.run('ran = 1', channels=bad)
        self.interp.run('saved = channels')
        self.assertEqual(run_and_collect(self.interp, 'out.send_nowait(saved)'), ['mine'])
        self.assertFalse(ran(self.interp))

    def test_mapping_replaces_existing_globals_including_dunders(self):
        self.interp.run('inbox = "old"')
        self.interp.run("""if True:
            import interpref
            results.send_nowait(int(type(inbox) is interpref.RecvChannel))
            results.send_nowait(int(type(__doc__) is interpref.SendChannel))
            del results
            """, channels={'inbox': self.recv, '__doc__': self.send, 'results': self.send})
        self.assertEqual(drain(self.recv), [1, 1])
        self.interp.run('saved = inbox.id')   # persists after run()
        self.assertEqual(run_and_collect(self.interp, 'out.send_nowait(saved)'), [self.recv.id])

    def test_refused_mapping_binds_nothing(self):
        for bad in ({'first': self.send, 'bad': 1}, {'first': self.send, 2: self.recv}):
            with self.subTest(channels=bad):
                with self.assertRaises((TypeError, ValueError)):
                    self.interp.run('ran = 1', channels=bad)
        got = run_and_collect(self.interp, "out.send_nowait(int('first' in globals()))")
        self.assertEqual(got, [0])
        self.assertFalse(ran(self.interp))

    def test_empty_mapping(self):
        self.interp.run('ran = 1', channels={})
        self.assertTrue(ran(self.interp))

    def assert_refused(self, exc_type, channels):
        with self.assertRaises(exc_type):
            self.interp.run('ran = 1', channels=channels)
        self.assertFalse(ran(self.interp))

    def test_wrong_shapes_are_type_errors(self):
        r, s = self.recv, self.send
        for bad in ([r, s], (r,), (), (r, s, None), (None, None, None), 5, 'rs', r, s,
                    {r, s}, iter((r, s))):
            with self.subTest(channels=bad):
                self.assert_refused(TypeError, bad)

    def test_wrong_end_in_the_tuple_is_a_value_error(self):
        r, s = self.recv, self.send
        for bad in ((s, r), (r, r), (s, s), (s, None), (None, r), (1, s), (r, 'x'),
                    (interpref.get_main(), None), ((r,), None)):
            with self.subTest(channels=bad):
                self.assert_refused(ValueError, bad)

    def test_non_str_key_in_the_mapping_is_a_type_error(self):
        for bad in ({1: self.recv}, {b'inbox': self.recv}, {('a',): self.send},
                    {'ok': self.send, 2: self.recv}):
            with self.subTest(channels=bad):
                self.assert_refused(TypeError, bad)

    def test_key_that_is_not_utf8_encodable_is_refused(self):
        self.assert_refused(UnicodeEncodeError, {'\ud800': self.recv})

    def test_non_end_value_in_the_mapping_is_a_value_error(self):
        for bad in ({'inbox': 1}, {'inbox': None}, {'inbox': (self.recv, self.send)},
                    {'good': self.send, 'bad': 'x'}, {'i': interpref.get_main()}):
            with self.subTest(channels=bad):
                self.assert_refused(ValueError, bad)

    def test_validation_happens_before_anything_runs(self):
        # The code would send through a valid end if it ran at all.
        with self.assertRaises(ValueError):
            self.interp.run('target.send_nowait(1)\nran = 1',
                            channels={'target': self.send, 'bad': object()})
        with self.assertRaises(ValueError):
            self.interp.run('channels[1].send_nowait(1)\nran = 1',
                            channels=(self.send, self.send))
        self.assertIsNone(self.recv.recv_nowait())
        self.assertFalse(ran(self.interp))
        # Not even the valid names were bound.
        got = run_and_collect(self.interp, "out.send_nowait(int('target' in globals()))")
        self.assertEqual(got, [0])

    def test_ends_of_an_unknown_channel_are_accepted_but_fail_on_use(self):
        unknown = interpref.RecvChannel(10**9)
        with self.assertRaises(interpref.RunFailedError) as cm:
            self.interp.run('channels[0].recv_nowait()', channels=(unknown, None))
        self.assertEqual(cm.exception.type_name, 'interpref.ChannelNotFoundError')


REFUSE_INTERPREF = """if True:
    import sys
    class Refuse:
        def find_spec(self, name, path=None, target=None):
            if name == 'interpref':
                raise RuntimeError('no interpref here')
    sys.meta_path.insert(0, Refuse())
    sys.modules.pop('interpref', None)
    """


class InterprefInTheTargetTests(unittest.TestCase):
    """run() imports interpref in the target before running the code, so
    that the code can use it and channels= can be bound there.  Whatever the
    target's earlier code did to that import must not break run(), nor crash
    it: only channels= needs the module."""

    def setUp(self):
        self.interp = new_interpreter(self)
        self.recv, self.send = interpref.create_channel()

    def test_code_without_channels_runs_when_interpref_cannot_be_imported(self):
        self.interp.run("import sys\nsys.modules['interpref'] = None")
        self.interp.run('ran = 1')
        self.interp.run("import sys\ndel sys.modules['interpref']")
        self.assertTrue(ran(self.interp))

    @unittest.skipIf(hasattr(interpref, '__file__'),
                     'loaded from a file: run() loads it from there instead '
                     '(test_a_sub_loads_the_module_from_the_file_main_loaded)')
    def test_channels_need_interpref_in_the_target(self):
        self.interp.run("import sys\nsys.modules['interpref'] = None")
        with self.assertRaises(interpref.RunFailedError) as cm:
            self.interp.run('ran = 1', channels=(self.recv, self.send))
        self.assertEqual(cm.exception.type_name, 'ModuleNotFoundError')
        self.interp.run("import sys\ndel sys.modules['interpref']")
        self.assertFalse(ran(self.interp))

    def test_something_else_in_sys_modules_is_an_import_error(self):
        # Only the extension's own module has the state channels= needs.
        for stand_in in ('42', "type(sys)('interpref')", 'sys'):
            with self.subTest(stand_in=stand_in):
                self.interp.run("import sys\nsys.modules['interpref'] = " + stand_in)
                with self.assertRaises(interpref.RunFailedError) as cm:
                    self.interp.run('ran = 1', channels=(self.recv, self.send))
                self.assertEqual(cm.exception.type_name, 'ImportError')
                self.assertIn("sys.modules['interpref']", cm.exception.msg)
                self.interp.run('ran_anyway = 1')
                self.interp.run("import sys\ndel sys.modules['interpref']")
                self.assertFalse(ran(self.interp))
                got = run_and_collect(self.interp, 'out.send_nowait(ran_anyway)\ndel ran_anyway')
                self.assertEqual(got, [1])
        self.assertIsNone(self.recv.recv_nowait())

    def test_an_import_hook_that_raises_fails_the_run_with_its_error(self):
        self.interp.run(REFUSE_INTERPREF)
        with self.assertRaises(interpref.RunFailedError) as cm:
            self.interp.run('ran = 1', channels=(self.recv, None))
        self.assertEqual(cm.exception.type_name, 'RuntimeError')
        self.assertEqual(cm.exception.msg, 'no interpref here')
        self.interp.run('ran_anyway = 1')
        self.interp.run('import sys\ndel sys.meta_path[0]')
        self.assertFalse(ran(self.interp))
        self.assertEqual(run_and_collect(self.interp, 'out.send_nowait(ran_anyway)'), [1])

    @unittest.skipUnless(support.STOCK_PYTHON and support.STOCK_MODULE_DIR,
                         'needs a stock interpreter that can load the built module file')
    def test_a_sub_loads_the_module_from_the_file_main_loaded(self):
        # support.py puts the module's folder on sys.path at run time, after
        # start-up; a subinterpreter starts from the initial sys.path, without
        # it, so run() must load interpref from the file main loaded it from.
        proc = support.run_script("""if True:
            a = interpref.create()
            r, s = interpref.create_channel()
            a.run('''if True:
                import sys
                out = channels[1]
                out.send_nowait(sys.modules['interpref'].__file__)
                del sys.modules['interpref']
                try:
                    import interpref
                except ImportError:
                    out.send_nowait('not importable by name')
                del out
                ''', channels=(r, s))
            print(r.recv_nowait() == interpref.__file__)
            print(r.recv_nowait())
            # Loaded again by the next run; its channels are everybody's.
            a.run('import interpref\\n'
                  'channels[1].send_nowait(interpref.create_channel()[0].id)',
                  channels=(None, s))
            print(type(r.recv_nowait()).__name__)
            # An import that fails otherwise than by not finding the module
            # is the failure of the run, not a reason to load the file.
            a.run(%r)
            try:
                a.run('pass', channels=(r, s))
            except interpref.RunFailedError as exc:
                print(exc.type_name, exc.msg)
            a.close()
            """ % REFUSE_INTERPREF, stock=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.splitlines(),
                         ['True', 'not importable by name', 'int',
                          'RuntimeError no interpref here'])


if __name__ == '__main__':
    unittest.main()
