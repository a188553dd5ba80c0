"""A deliberately broken implementation for the runner's hardening tests:
its import never returns.  The runner must say so once (exit 2) within the
import check's deadline, without importing it in its own process."""

import threading

threading.Event().wait()  # forever
