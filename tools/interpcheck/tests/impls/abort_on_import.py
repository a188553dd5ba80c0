"""A deliberately broken implementation for the runner's hardening tests:
its import kills the importing process (SIGABRT).  The runner must survive
it and say so once (exit 2)."""

import os

os.abort()
