"""The command line: a thin shell over the library.

The command's process uses one BLAS thread unless told otherwise: cjm's analyses never use
more (the VoC models limit themselves to one), and the idle threads of a BLAS library spin
for a while after it loads, taking a core from DuckDB and the compiled passes. Set before
numpy is imported; ``OPENBLAS_NUM_THREADS`` (or ``OMP_NUM_THREADS``) in the environment wins.
"""

import os

if "OMP_NUM_THREADS" not in os.environ:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
