"""A fixture implementation for `raises` by class name (FORMAT.md 5.5): it
raises exceptions whose classes are called RunFailedError (directly or as a
base class) but does not provide the name RunFailedError itself, as CPython
3.10 and 3.11 do not."""


def _classes():
    class RunFailedError(RuntimeError):
        pass

    class Special(RunFailedError):
        pass

    return RunFailedError, Special


_RunFailed, _Special = _classes()
ChannelError = type("ChannelError", (RuntimeError,), {})


def fail():
    raise _RunFailed("the code failed")


def fail_special():
    raise _Special("a subclass of a class named RunFailedError")


def fail_otherwise():
    raise ValueError("not a RunFailedError")
