"""Shared part of the adapters for CPython 3.13 and 3.14, whose interpreters
API is PEP 734-shaped: `exec()` and `prepare_main()` instead of `run()`,
`ExecutionFailed` instead of `RunFailedError`, channels in their own module.

An adapter only renames: it maps each documented name of the seed API onto
the closest native one and emulates nothing, so that every deviation of the
native implementation still shows (conformance/SPEC.md, Appendix A).  What
has no native counterpart (NotReceivedError, for one) is left out, and the
scenarios that need it fail, as they should.

documented_names() is the mapping itself, the same for both versions: each
adapter only says which modules hold the API on its version.

The two pieces of glue, both unavoidable to call the API at all:
  - `Interpreter.run(src, /, *, channels=None)` becomes `prepare_main()` of
    the channels (the documented tuple is bound as `channels`; anything else
    goes to prepare_main() as it is) followed by `exec(src)`.
  - `ExecutionFailed` becomes the documented `RunFailedError`, a
    RuntimeError, carrying the original type name and message.
"""


class RunFailedError(RuntimeError):
    """The documented name for a run() that ended with an uncaught exception."""


def _type_name(excinfo):
    kind = excinfo.type
    module = getattr(kind, "__module__", None)
    name = getattr(kind, "__qualname__", None) or getattr(kind, "__name__", "?")
    return name if module in (None, "builtins") else "%s.%s" % (module, name)


def make_run(execution_failed):
    def run(self, src_str, /, *, channels=None):
        if channels is not None:
            self.prepare_main({"channels": channels} if isinstance(channels, tuple) else channels)
        try:
            self.exec(src_str)
        except execution_failed as exc:
            info = exc.excinfo
            failure = RunFailedError("%s: %s" % (_type_name(info), info.msg))
            failure.type_name = _type_name(info)
            failure.msg = info.msg
            failure.formatted = getattr(info, "errdisplay", None) or info.formatted
            raise failure from None

    return run


def make_create(hl, low, interpreter):
    def create(*, isolated=True):
        if isolated:
            return hl.create()
        # The legacy (shared-GIL, unrestricted) config is reachable only at
        # the low level (conformance/EVIDENCE.md, sections V3 and V5).
        return interpreter(low.create("legacy", reqrefs=True), _ownsref=True)

    return create


def documented_names(hl, low, ch):
    """The documented names of the seed API, mapped onto CPython's high-level
    interpreters module `hl`, its low-level module `low` (_interpreters) and
    the channels module `ch`: an adapter puts them in its namespace.

    Interpreter is hl's own class; run() is added to it when it has none."""
    interpreter = hl.Interpreter
    if not hasattr(interpreter, "run"):
        interpreter.run = make_run(hl.ExecutionFailed)
    return {
        "Interpreter": interpreter,
        "create": make_create(hl, low, interpreter),
        "list_all": hl.list_all,
        "get_current": hl.get_current,
        "get_main": hl.get_main,
        "is_shareable": hl.is_shareable,
        "RecvChannel": ch.RecvChannel,
        "SendChannel": ch.SendChannel,
        "create_channel": ch.create,
        "list_all_channels": ch.list_all,
        "ChannelError": ch.ChannelError,
        "ChannelNotFoundError": ch.ChannelNotFoundError,
        "ChannelEmptyError": ch.ChannelEmptyError,
        "ChannelNotEmptyError": ch.ChannelNotEmptyError,
    }
