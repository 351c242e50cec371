"""The data files a model document reads -- CSV series and tables, ``dataframe`` parameters, a Pywr model's table
and parameter ``url`` s and its ``includes`` --: where they may be, and which were read (:class:`DataFiles`).

By default a model reads any file its paths name, relative to its own folder (``../shared/inflow.csv``, an absolute
path), as a spreadsheet's links do.  Confined (``daryo.load(path, confine=True)``, ``daryo run --confine``), every
path must lead -- symbolic links followed -- into the model file's folder or below it: one that leads out is refused,
naming the path as written, before the file is opened, so that a model file from someone else (an upload to a web
service) cannot read the service's files, nor learn whether one exists or what columns it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .._files import file_digest
from ..errors import LINK_LOOP

__all__ = ["DataFileRefused", "DataFiles", "data_files_text"]


class DataFileRefused(Exception):
    """A data file the model may not read (outside its folder, under confinement; any, without a folder): the
    message says why, for the place that names it."""


#: what a document given as text without a folder for its data files is told of one it names
_NO_FOLDER = ("the model was given as text without a folder for its data files, so it reads none: give the folder "
              "they are in (daryo.load_text(text, base_dir=...)), or give the values in the model itself")


def checked_confine(confine: object, function: str = "") -> bool:
    """``confine`` as a bool, where it is True or False (NumPy's too); a TypeError naming ``function`` otherwise: a
    flag given as text, ``"no"`` or ``"false"``, was true, and confined without a word (an input fuzzer's review)."""
    if type(confine).__name__ not in ("bool", "bool_"):
        raise TypeError(f"{function}{': ' if function else ''}confine is True or False, not {type(confine).__name__} "
                        f"{confine!r}")
    return bool(confine)


@dataclass
class DataFiles:
    """Where a model document's data files are read from, whether they must stay there, and those it read.

    Attributes
    ----------
    base_dir
        The folder relative paths are read from (the model file's); None: the document may read no data file (a
        model given as text without one).
    confine
        Whether every path must lead into ``base_dir`` (or below it), symbolic links followed.
    read
        The files read, in the order first read: each path as the document writes it, and a SHA-256 digest of the
        file's bytes as they were read.
    """

    base_dir: Path | None
    confine: bool = False
    read: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.confine = checked_confine(self.confine)

    def branch(self) -> DataFiles:
        """A copy with the same rules and a copy of the record: what one build of a document reads, beside what
        was read before it (a Pywr document's conversion), without what another build read (an overlay checked)."""
        return DataFiles(self.base_dir, self.confine, dict(self.read))

    def locate(self, name: str) -> Path:
        """The file that the path ``name`` (as a model writes it) leads to, symbolic links followed.

        Raises
        ------
        DataFileRefused
            If the file may not be read: there is no folder for data files, or (confined) it is outside it.  The
            file is not opened, nor is it said whether it exists.
            Also if it is a loop of symbolic links (a diff review: a Pywr table's ``url`` of one was a RuntimeError,
            not a problem at its place).
        """
        if self.base_dir is None:
            raise DataFileRefused(f"'{name}' cannot be read: {_NO_FOLDER}")
        try:
            path = (self.base_dir / name).resolve()
        except (RuntimeError, OSError):  # (a loop of symbolic links: RuntimeError before Python 3.13, then OSError)
            raise DataFileRefused(f"'{name}' cannot be read: {LINK_LOOP}") from None
        if self.confine and not path.is_relative_to(self.base_dir.resolve()):
            raise DataFileRefused(f"'{name}' leads outside the model file's folder (through '..', an absolute path "
                                  "or a symbolic link), and this model is loaded confined to its folder (confine=True, "
                                  "--confine): the file is not read; put the file in the model's folder")
        return path

    def record(self, name: str, path: Path) -> None:
        """Record the file at ``path``, named ``name`` in the document, as read (once, by its first digest)."""
        if name not in self.read and (digest := file_digest(path)) is not None:
            self.read[name] = digest


def data_files_text(files: tuple[tuple[str, str], ...]) -> str:
    """A model's data files as results record them (``data_files``): a line ``SHA256  PATH`` for each, as
    ``sha256sum`` writes them, so that ``sha256sum -c`` in the model's folder checks them; a path holding a line
    break or a backslash is written with escapes, and its line starts with a backslash, as ``sha256sum`` does."""
    lines = []
    for name, digest in files:
        escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        mark = "\\" if escaped != name else ""
        lines.append(f"{mark}{digest}  {escaped}")
    return "\n".join(lines)
