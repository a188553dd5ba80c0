"""interpref: the module's names and exceptions, and Interpreter objects:
create(), list_all(), get_current(), get_main(), Interpreter(id),
is_running(), close()."""
import gc
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # python -I: for support
import support  # noqa: E402
from support import interpref, new_interpreter, run_and_collect  # noqa: E402

EXPORTED = {
    'Interpreter', 'RecvChannel', 'SendChannel', 'create', 'list_all', 'get_current',
    'get_main', 'is_shareable', 'create_channel', 'list_all_channels', 'RunFailedError',
    'ChannelError', 'ChannelNotFoundError', 'ChannelEmptyError', 'ChannelNotEmptyError',
    'NotReceivedError',
}


def ids(interps):
    return [interp.id for interp in interps]


class ModuleTests(unittest.TestCase):

    def test_exports_exactly_the_documented_names(self):
        public = {name for name in dir(interpref) if not name.startswith('_')}
        self.assertEqual(public, EXPORTED)

    def test_run_failed_error_is_a_runtime_error(self):
        self.assertTrue(issubclass(interpref.RunFailedError, RuntimeError))

    def test_channel_error_derives_directly_from_exception(self):
        self.assertEqual(interpref.ChannelError.__bases__, (Exception,))
        self.assertFalse(issubclass(interpref.ChannelError, RuntimeError))

    def test_channel_exceptions_derive_from_channel_error(self):
        for name in ('ChannelNotFoundError', 'ChannelEmptyError', 'ChannelNotEmptyError',
                     'NotReceivedError'):
            with self.subTest(name=name):
                exc = getattr(interpref, name)
                self.assertEqual(exc.__bases__, (interpref.ChannelError,))

    def test_exception_classes_are_distinct(self):
        names = ['RunFailedError', 'ChannelError', 'ChannelNotFoundError', 'ChannelEmptyError',
                 'ChannelNotEmptyError', 'NotReceivedError']
        classes = {getattr(interpref, name) for name in names}
        self.assertEqual(len(classes), len(names))

    def test_exceptions_can_be_raised_and_caught_with_a_message(self):
        for name in ('RunFailedError', 'ChannelError', 'ChannelNotFoundError',
                     'ChannelEmptyError', 'ChannelNotEmptyError', 'NotReceivedError'):
            with self.subTest(name=name):
                cls = getattr(interpref, name)
                self.assertEqual(str(cls('m')), 'm')
                with self.assertRaises(cls):
                    raise cls('m')

    def test_functions_without_parameters_refuse_arguments(self):
        before = ([i.id for i in interpref.list_all()], support.channel_ids())
        for name in ('get_current', 'get_main', 'list_all', 'create_channel',
                     'list_all_channels'):
            with self.subTest(name=name):
                with self.assertRaises(TypeError):
                    getattr(interpref, name)(1)
        self.assertEqual(([i.id for i in interpref.list_all()], support.channel_ids()), before)

    def test_the_names_exist_in_a_subinterpreter_too(self):
        for isolated in (True, False):
            with self.subTest(isolated=isolated):
                self.check_names_in(new_interpreter(self, isolated=isolated))

    def check_names_in(self, interp):
        got = run_and_collect(interp, """if True:
            out.send_nowait(' '.join(sorted(n for n in dir(interpref)
                                            if not n.startswith('_'))))
            out.send_nowait(int(interpref.ChannelError.__bases__ == (Exception,)))
            """)
        self.assertEqual(got, [' '.join(sorted(EXPORTED)), 1])


class CreateTests(unittest.TestCase):

    def test_create_returns_a_new_idle_interpreter(self):
        interp = new_interpreter(self)
        self.assertIs(type(interp), interpref.Interpreter)
        self.assertIs(type(interp.id), int)
        self.assertGreater(interp.id, 0)
        self.assertIn(interp, interpref.list_all())
        self.assertFalse(interp.is_running())

    def test_ids_increase(self):
        first = new_interpreter(self)
        second = new_interpreter(self)
        self.assertGreater(second.id, first.id)

    def test_ids_are_never_reused(self):
        first = interpref.create()
        first_id = first.id
        first.close()
        second = new_interpreter(self)
        self.assertGreater(second.id, first_id)

    def test_isolated_is_keyword_only(self):
        before = ids(interpref.list_all())
        with self.assertRaises(TypeError):
            interpref.create(True)
        with self.assertRaises(TypeError):
            interpref.create(False)
        self.assertEqual(ids(interpref.list_all()), before)

    def test_unknown_keyword_is_a_type_error(self):
        before = ids(interpref.list_all())
        with self.assertRaises(TypeError):
            interpref.create(isolate=True)
        self.assertEqual(ids(interpref.list_all()), before)

    def test_isolated_true_and_false_both_create(self):
        for isolated in (True, False):
            with self.subTest(isolated=isolated):
                interp = new_interpreter(self, isolated=isolated)
                self.assertEqual(run_and_collect(interp, 'out.send_nowait(6 * 7)'), [42])

    def test_isolated_uses_the_truth_value_of_any_object(self):
        # A false value behaves as isolated=False: threads may be started.
        start_thread = """if True:
            import threading
            try:
                t = threading.Thread(target=lambda: None)
                t.start()
                t.join()
                out.send_nowait('started')
            except RuntimeError:
                out.send_nowait('refused')
            """
        for value, expected in ((0, 'started'), ([], 'started'), ('', 'started'),
                                (1, 'refused'), ('yes', 'refused'), ([0], 'refused')):
            with self.subTest(isolated=value):
                interp = new_interpreter(self, isolated=value)
                self.assertEqual(run_and_collect(interp, start_thread), [expected])

    def test_create_inside_a_subinterpreter(self):
        outer = new_interpreter(self)
        got = run_and_collect(outer, """if True:
            inner = interpref.create()
            out.send_nowait(inner.id)
            out.send_nowait(' '.join(str(i.id) for i in interpref.list_all()))
            inner.run('x = 1')
            inner.close()
            out.send_nowait(inner in interpref.list_all() and 1 or 0)
            """)
        self.assertEqual(len(got), 3)
        inner_id = got[0]
        self.assertGreater(inner_id, outer.id)
        self.assertIn(str(inner_id), got[1].split())
        self.assertIn(str(outer.id), got[1].split())
        self.assertEqual(got[2], 0)
        self.assertNotIn(inner_id, ids(interpref.list_all()))

    @unittest.skipIf(sys.version_info >= (3, 13),
                     'CPython 3.13 ends the process (Py_ExitStatusException) when an audit '
                     'hook refuses a new interpreter')
    def test_creation_refused_by_an_audit_hook_is_a_runtime_error(self):
        # CPython cannot create the interpreter when an audit hook refuses
        # it.  In a process of its own: audit hooks cannot be removed.
        proc = support.run_script("""if True:
            import sys
            refusing = True
            def refuse(event, args):
                if refusing and event == 'cpython.PyInterpreterState_New':
                    raise PermissionError('no subinterpreters here')
            sys.addaudithook(refuse)
            before = interpref.list_all()
            try:
                interpref.create()
            except RuntimeError as exc:
                print(str(exc).startswith('interpreter creation failed'))
            print(interpref.list_all() == before)
            refusing = False
            interp = interpref.create()
            interp.run('x = 1')
            print(interpref.list_all() == before + [interp])
            """)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.splitlines(), ['True', 'True', 'True'])


class ListAllTests(unittest.TestCase):

    def test_main_alone_or_first(self):
        everything = interpref.list_all()
        self.assertIs(type(everything), list)
        self.assertEqual(everything[0], interpref.get_main())
        for interp in everything:
            self.assertIs(type(interp), interpref.Interpreter)

    def test_ascending_each_exactly_once(self):
        created = [new_interpreter(self) for _ in range(3)]
        listed = ids(interpref.list_all())
        self.assertEqual(listed, sorted(set(listed)))
        for interp in created:
            self.assertEqual(listed.count(interp.id), 1)
        self.assertEqual(listed.count(0), 1)

    def test_closed_interpreters_disappear(self):
        a = new_interpreter(self)
        b = new_interpreter(self)
        c = new_interpreter(self)
        b.close()
        listed = ids(interpref.list_all())
        self.assertIn(a.id, listed)
        self.assertNotIn(b.id, listed)
        self.assertIn(c.id, listed)

    def test_running_and_handleless_subs_are_listed(self):
        running = new_interpreter(self)
        handleless_id = interpref.create().id
        self.addCleanup(support.close_if_alive, interpref.Interpreter(handleless_id))
        gc.collect()
        call, send = support.blocked_run(self, running)
        listed = ids(interpref.list_all())
        send.send(None)
        call.value()
        self.assertIn(running.id, listed)
        self.assertIn(handleless_id, listed)

    def test_same_list_seen_from_a_subinterpreter(self):
        a = new_interpreter(self)
        b = new_interpreter(self)
        got = run_and_collect(a, """if True:
            for i in interpref.list_all():
                out.send_nowait(i.id)
            """)
        self.assertEqual(got, ids(interpref.list_all()))
        self.assertIn(b.id, got)


class CurrentAndMainTests(unittest.TestCase):

    def test_main_is_id_zero(self):
        main = interpref.get_main()
        self.assertIs(type(main), interpref.Interpreter)
        self.assertEqual(main.id, 0)
        self.assertIs(type(main.id), int)
        self.assertEqual(main, interpref.Interpreter(0))

    def test_current_in_main_is_main(self):
        self.assertEqual(interpref.get_current(), interpref.get_main())
        self.assertEqual(interpref.get_current().id, 0)

    def test_current_and_main_inside_a_subinterpreter(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            out.send_nowait(interpref.get_current().id)
            out.send_nowait(interpref.get_main().id)
            """)
        self.assertEqual(got, [interp.id, 0])

    def test_current_inside_a_nested_run(self):
        outer = new_interpreter(self)
        inner = new_interpreter(self)
        recv, send = interpref.create_channel()
        outer.run("""if True:
            import interpref
            interpref.Interpreter(%d).run(
                'import interpref; channels[1].send_nowait(interpref.get_current().id)',
                channels=channels)
            channels[1].send_nowait(interpref.get_current().id)
            del channels
            """ % inner.id, channels=(None, send))
        self.assertEqual(support.drain(recv), [inner.id, outer.id])


class HandleTests(unittest.TestCase):

    def test_construct_from_an_int(self):
        interp = interpref.Interpreter(7)
        self.assertIs(type(interp), interpref.Interpreter)
        self.assertEqual(interp.id, 7)
        self.assertIs(type(interp.id), int)

    def test_id_keyword(self):
        self.assertEqual(interpref.Interpreter(id=3).id, 3)

    def test_int_subclasses_are_accepted(self):
        class MyInt(int):
            pass
        self.assertEqual(interpref.Interpreter(True).id, 1)
        self.assertIs(type(interpref.Interpreter(True).id), int)
        self.assertEqual(interpref.Interpreter(False), interpref.get_main())
        self.assertEqual(interpref.Interpreter(MyInt(5)).id, 5)
        self.assertIs(type(interpref.Interpreter(MyInt(5)).id), int)

    def test_non_int_ids_are_type_errors(self):
        for bad in ('1', 1.0, None, b'1', [1], object()):
            with self.subTest(id=bad):
                with self.assertRaises(TypeError):
                    interpref.Interpreter(bad)

    def test_negative_ids_are_value_errors(self):
        for bad in (-1, -2**31, -2**63, -2**70):
            with self.subTest(id=bad):
                with self.assertRaises(ValueError):
                    interpref.Interpreter(bad)

    def test_id_beyond_int64(self):
        # SPEC INTERP-OBJ-5: either an unknown id (RuntimeError on use) or
        # OverflowError at construction or first use.
        for big in (2**63, 2**64, 2**70):
            with self.subTest(id=big):
                try:
                    handle = interpref.Interpreter(big)
                except OverflowError:
                    continue
                with self.assertRaises((RuntimeError, OverflowError)):
                    handle.is_running()
                with self.assertRaises((RuntimeError, OverflowError)):
                    handle.run('pass')
                with self.assertRaises((RuntimeError, OverflowError)):
                    handle.close()

    def test_largest_int64_id_is_accepted(self):
        handle = interpref.Interpreter(2**63 - 1)
        self.assertEqual(handle.id, 2**63 - 1)
        with self.assertRaises(RuntimeError):
            handle.is_running()

    def test_missing_or_extra_arguments(self):
        support.assert_type_errors(self, interpref.Interpreter, (), (1, 2))

    def test_id_is_read_only(self):
        interp = interpref.Interpreter(4)
        with self.assertRaises(AttributeError):
            interp.id = 5
        with self.assertRaises(AttributeError):
            del interp.id
        self.assertEqual(interp.id, 4)

    def test_equality(self):
        self.assertEqual(interpref.Interpreter(3), interpref.Interpreter(3))
        self.assertFalse(interpref.Interpreter(3) != interpref.Interpreter(3))
        self.assertNotEqual(interpref.Interpreter(3), interpref.Interpreter(4))
        self.assertFalse(interpref.Interpreter(3) == interpref.Interpreter(4))

    def test_never_equal_to_a_plain_int(self):
        for n in (0, 3):
            with self.subTest(n=n):
                self.assertFalse(interpref.Interpreter(n) == n)
                self.assertFalse(n == interpref.Interpreter(n))
                self.assertTrue(interpref.Interpreter(n) != n)

    def test_not_equal_to_a_channel_end_with_the_same_id(self):
        self.assertNotEqual(interpref.Interpreter(3), interpref.RecvChannel(3))
        self.assertNotEqual(interpref.Interpreter(3), interpref.SendChannel(3))

    def test_ordering_is_not_defined(self):
        with self.assertRaises(TypeError):
            interpref.Interpreter(1) < interpref.Interpreter(2)

    def test_hash_is_the_hash_of_the_id(self):
        for n in (0, 1, 12345, 2**40, 2**63 - 1):
            with self.subTest(n=n):
                self.assertEqual(hash(interpref.Interpreter(n)), hash(n))

    def test_usable_as_dict_key(self):
        table = {interpref.Interpreter(1): 'a', interpref.Interpreter(2): 'b'}
        self.assertEqual(table[interpref.Interpreter(2)], 'b')
        self.assertEqual(len({interpref.Interpreter(5), interpref.Interpreter(5)}), 1)

    def test_repr(self):
        self.assertEqual(repr(interpref.Interpreter(0)), 'Interpreter(id=0)')
        self.assertEqual(repr(interpref.Interpreter(42)), 'Interpreter(id=42)')

    def test_handle_from_id_names_the_same_interpreter(self):
        interp = new_interpreter(self)
        interp.run('value = 41')
        again = interpref.Interpreter(interp.id)
        self.assertEqual(again, interp)
        self.assertEqual(run_and_collect(again, 'out.send_nowait(value + 1)'), [42])

    def test_unknown_id_is_lazy(self):
        unknown = interpref.Interpreter(10**9)   # constructing it succeeds
        with self.assertRaises(RuntimeError):
            unknown.is_running()
        with self.assertRaises(RuntimeError):
            unknown.run('pass')
        with self.assertRaises(RuntimeError):
            unknown.close()
        self.assertNotIn(unknown, interpref.list_all())

    def test_dropping_the_handle_does_not_destroy(self):
        interp = interpref.create()
        interp_id = interp.id
        self.addCleanup(support.close_if_alive, interpref.Interpreter(interp_id))
        interp.run('kept = "still here"')
        del interp
        gc.collect()
        self.assertIn(interp_id, ids(interpref.list_all()))
        again = interpref.Interpreter(interp_id)
        self.assertEqual(run_and_collect(again, 'out.send_nowait(kept)'), ['still here'])


class IsRunningTests(unittest.TestCase):

    def test_refuses_arguments(self):
        interp = new_interpreter(self)
        with self.assertRaises(TypeError):
            interp.is_running(1)
        with self.assertRaises(TypeError):
            interp.close(1)
        self.assertIn(interp, interpref.list_all())

    def test_main_is_always_running(self):
        self.assertIs(interpref.get_main().is_running(), True)
        self.assertIs(interpref.Interpreter(0).is_running(), True)

    def test_idle_subinterpreter_is_not_running(self):
        interp = new_interpreter(self)
        self.assertIs(interp.is_running(), False)
        interp.run('pass')
        self.assertIs(interp.is_running(), False)

    def test_running_as_seen_from_inside(self):
        interp = new_interpreter(self)
        got = run_and_collect(interp, """if True:
            out.send_nowait(interpref.get_current().is_running() and 1 or 0)
            out.send_nowait(interpref.get_main().is_running() and 1 or 0)
            out.send_nowait(interpref.Interpreter(%d).is_running() and 1 or 0)
            """ % interp.id)
        self.assertEqual(got, [1, 1, 1])

    def test_running_while_a_run_executes_in_another_thread(self):
        interp = new_interpreter(self)
        call, send = support.blocked_run(self, interp)
        self.assertIs(interp.is_running(), True)
        send.send(None)
        call.value()
        self.assertIs(interp.is_running(), False)

    def test_sibling_sees_a_nested_run_as_running(self):
        outer = new_interpreter(self)
        inner = new_interpreter(self)
        got = run_and_collect(outer, """if True:
            inner = interpref.Interpreter(%d)
            before = inner.is_running()
            inner.run('import interpref\\n'
                      'channels[1].send_nowait(interpref.Interpreter(%d).is_running() and 1 or 0)\\n'
                      'del channels',
                      channels=(None, out))
            out.send_nowait(before and 1 or 0)
            out.send_nowait(inner.is_running() and 1 or 0)
            """ % (inner.id, outer.id))
        self.assertEqual(got, [1, 0, 0])

    def test_closed_interpreter_is_an_error(self):
        interp = interpref.create()
        interp.close()
        with self.assertRaises(RuntimeError):
            interp.is_running()


class CloseTests(unittest.TestCase):

    def test_close_returns_none_and_removes(self):
        interp = interpref.create()
        self.assertIsNone(interp.close())
        self.assertNotIn(interp, interpref.list_all())

    def assert_plain_runtime_error(self, exc):
        self.assertIsInstance(exc, RuntimeError)
        self.assertNotIsInstance(exc, (interpref.RunFailedError, interpref.ChannelError))

    def test_every_use_after_close_is_a_runtime_error(self):
        interp = interpref.create()
        interp.close()
        with self.assertRaises(RuntimeError) as cm:
            interp.close()
        self.assert_plain_runtime_error(cm.exception)
        with self.assertRaises(RuntimeError):
            interp.run('pass')
        with self.assertRaises(RuntimeError):
            interp.is_running()
        with self.assertRaises(RuntimeError):
            interpref.Interpreter(interp.id).run('pass')

    def test_close_main_is_a_runtime_error(self):
        with self.assertRaises(RuntimeError) as cm:
            interpref.get_main().close()
        self.assert_plain_runtime_error(cm.exception)
        with self.assertRaises(RuntimeError):
            interpref.Interpreter(0).close()
        self.assertIn(interpref.get_main(), interpref.list_all())
        self.assertTrue(interpref.get_main().is_running())

    def test_close_main_from_a_subinterpreter_is_a_runtime_error(self):
        interp = new_interpreter(self)
        got = support.raised_inside(interp, 'interpref.get_main().close()')
        self.assertEqual(got, ['RuntimeError'])
        self.assertIn(interpref.get_main(), interpref.list_all())

    def test_close_current_is_a_runtime_error(self):
        interp = new_interpreter(self)
        got = support.raised_inside(interp, 'interpref.get_current().close()',
                                    setup="kept = 'globals survive'")
        self.assertEqual(got, ['RuntimeError'])
        self.assertIn(interp, interpref.list_all())
        self.assertEqual(run_and_collect(interp, 'out.send_nowait(kept)'), ['globals survive'])

    def test_close_current_uncaught_surfaces_as_run_failed(self):
        interp = new_interpreter(self)
        with self.assertRaises(interpref.RunFailedError) as cm:
            interp.run('import interpref\ninterpref.get_current().close()')
        self.assertEqual(cm.exception.type_name, 'RuntimeError')
        self.assertIn(interp, interpref.list_all())

    def test_close_a_sibling(self):
        a = new_interpreter(self)
        b = new_interpreter(self)
        got = run_and_collect(a, """if True:
            b = interpref.Interpreter(%d)
            out.send_nowait(b.close() is None and 1 or 0)
            out.send_nowait(b in interpref.list_all() and 1 or 0)
            """ % b.id)
        self.assertEqual(got, [1, 0])
        self.assertNotIn(b, interpref.list_all())
        self.assertIn(a, interpref.list_all())
        with self.assertRaises(RuntimeError):
            b.run('pass')

    def test_close_from_a_thread_that_neither_created_nor_ran_it(self):
        interp = interpref.create()
        self.addCleanup(support.close_if_alive, interp)
        interp.run('import threading; x = 1')
        self.assertIsNone(support.Call(self, interp.close).value())
        self.assertNotIn(interp, interpref.list_all())

    def test_state_is_gone_after_close(self):
        interp = interpref.create()
        interp.run('x = 1')
        interp.close()
        other = new_interpreter(self)
        got = run_and_collect(other, "out.send_nowait('x' in globals() and 1 or 0)")
        self.assertEqual(got, [0])

    def test_many_create_close_cycles(self):
        for _ in range(20):
            interp = interpref.create()
            interp.run('import sys; data = list(range(100))')
            interp.close()
            self.assertNotIn(interp, interpref.list_all())


class ProcessExitTests(unittest.TestCase):

    def test_leftover_interpreters_are_closed_at_exit(self):
        proc = support.run_script("""if True:
            a = interpref.create()
            b = interpref.create(isolated=False)
            a.run('x = 1')
            r, s = interpref.create_channel()
            s.send_nowait('queued in a channel held by main and b')
            b.run('import interpref\\nkeep = channels', channels=(r, s))
            a.run('import interpref\\nmine = interpref.create_channel()\\n'
                  'mine[1].send_nowait(b"queued in a channel held by a only")')
            print('ok', flush=True)
            """)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), 'ok')
        self.assertEqual(proc.stderr, '')

    # SPEC LIFE-EXIT-2 (IMPL): with a run() blocked in a daemon thread, or a
    # live thread started by a sub's code, the exit either waits for them or
    # the process ends (any status, maybe after an error message).  Only a
    # process that never ends is wrong.
    def test_exit_with_a_run_blocked_in_a_daemon_thread_ends(self):
        proc = support.run_script("""if True:
            import threading
            a = interpref.create()
            r, s = interpref.create_channel()
            t = threading.Thread(target=a.run, args=('channels[0].recv()',),
                                 kwargs={'channels': (r, None)}, daemon=True)
            t.start()
            while not a.is_running():
                threading.Event().wait(0.01)
            print('exiting', flush=True)
            """, timeout=support.JOIN_TIMEOUT)
        self.assertEqual(proc.stdout.strip(), 'exiting', proc.stderr)

    def test_exit_with_a_live_thread_of_a_sub_ends(self):
        # The sub's thread ends by itself half a second after the exit began.
        proc = support.run_script("""if True:
            a = interpref.create(isolated=False)
            a.run('import threading\\n'
                  't = threading.Thread(target=threading.Event().wait, args=(0.5,))\\n'
                  't.start()')
            print('exiting', flush=True)
            """, timeout=support.JOIN_TIMEOUT)
        self.assertEqual(proc.stdout.strip(), 'exiting', proc.stderr)

    def test_closing_at_exit_leaves_a_running_interpreter_alone(self):
        # What atexit calls (interpref._atexit), called while a run() is
        # blocked in another thread: the idle sub is closed, the running one
        # is skipped without an error, and its run() completes normally.
        busy = new_interpreter(self)
        idle = interpref.create()
        self.addCleanup(support.close_if_alive, idle)
        recv, send = interpref.create_channel()
        call = support.Call(self, lambda: busy.run('channels[0].recv()', channels=(recv, None)))
        support.wait_until(busy.is_running, 'running')
        call.assert_blocked('the run()')
        self.assertIsNone(interpref._atexit())
        self.assertIn(busy, interpref.list_all())
        self.assertNotIn(idle, interpref.list_all())
        send.send_nowait('done')
        self.assertIsNone(call.value())
        busy.close()

    def test_closing_at_exit_leaves_an_interpreter_with_a_live_thread_alone(self):
        # The sub's thread was started with _thread, so threading (whose
        # _shutdown() would wait for it) was never imported there: nothing
        # can end the thread, and the interpreter is left alone.
        interp = new_interpreter(self, isolated=False)
        recv, send = interpref.create_channel()
        interp.run("""if True:
            import _thread
            _thread.start_new_thread(lambda inbox: inbox.recv(), (channels[0],))
            del channels
            """, channels=(recv, None))
        self.assertTrue(interp.is_running())
        self.assertIsNone(interpref._atexit())
        self.assertIn(interp, interpref.list_all())
        send.send_nowait('go')
        support.wait_until(lambda: not interp.is_running(), 'done with its thread')
        got = run_and_collect(interp, "import sys\nout.send_nowait(int('threading' in sys.modules))")
        self.assertEqual(got, [0])
        interp.close()

    def test_exit_status_requested_by_main_is_kept(self):
        proc = support.run_script("""if True:
            a = interpref.create()
            a.run('x = 1')
            raise SystemExit(7)
            """)
        self.assertEqual(proc.returncode, 7, proc.stderr)
        self.assertEqual(proc.stderr, '')


if __name__ == '__main__':
    unittest.main()
