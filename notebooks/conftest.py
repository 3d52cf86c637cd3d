"""nbval runs the notebooks' kernels with the date the stored outputs were made on (kt.today,
issue #20): set before any kernel starts."""

import os

os.environ.setdefault("KORTOOLS_TODAY", "2026-12-01")
