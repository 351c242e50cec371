"""Imported by the workers of an ensemble's local Dask cluster as they start (a Dask preload).

They leave Ctrl-C to the process that started them, which stops the run and closes the cluster; else each worker
would print its own traceback of the interrupt.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
