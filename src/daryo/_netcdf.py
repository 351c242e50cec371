"""The one lock that daryo's NetCDF reads and writes hold, each from the file's opening to its closing.

The netCDF-C and HDF5 libraries under netCDF4 and xarray are not safe to call from two threads at once: a web
service that saved four runs' results from four threads died of a segmentation fault inside ``to_netcdf``
(netCDF4 1.7.5, HDF5 2.2.0), and two ensembles written to ``.nc`` in two threads failed with "NetCDF: HDF error";
reading two runs' files in four threads crashed as well (a backend developer's review).  Each of daryo's NetCDF
operations therefore holds :data:`NETCDF_LOCK` through :func:`netcdf_io`, so that no two of them, in any threads,
ever run at once.  The lock is this module's only state: one per process, as the libraries' own state is.  It is
re-entrant, as daryo's reads nest: two stores held open at once (``compare_ensembles``), and a table given the
store that an :func:`daryo.ensemble.open_output` block holds open.

What it does not cover: the user's own xarray or netCDF4 calls beside daryo's, in other threads; a Dataset that
daryo hands back still open (:func:`daryo.ensemble.open_output`'s, read under the lock inside its block, by the
thread that opened it); and a Dataset the user opened lazily and gave to a daryo function other than
``open_output`` and the ensemble tables (``compare_runs``, the indicators), whose reads are the user's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["NETCDF_LOCK", "netcdf_io"]

#: held by each of daryo's NetCDF reads and writes, from opening the file to closing it (:func:`netcdf_io`)
NETCDF_LOCK = threading.RLock()


@contextmanager
def netcdf_io() -> Iterator[None]:
    """Hold :data:`NETCDF_LOCK` for the block: open, read or write and close a NetCDF file inside it.

    A thread that holds it may enter it again (a table read from a store an ``open_output`` block holds); another
    waits until the block ends.
    """
    with NETCDF_LOCK:
        yield
