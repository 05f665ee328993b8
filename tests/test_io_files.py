"""Paths that are not files are refused by name; written files get the mode open() would give."""

from __future__ import annotations

import contextlib
import os
import signal
import stat

import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.errors import DataError
from sgfund.examples_scf import GR2
from sgfund.io.declared import read_declared_figures
from sgfund.io.export import Table, write_csv, write_xlsx
from sgfund.io.files import atomic_write, restore_cell
from sgfund.io.importer import read_applications
from sgfund.io.threesixtygiving import read_360giving

# The built-in plugins and the vocabulary and districts the example rounds need; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file kinds and modes")


def _readers():
    return {
        "csv": lambda p: read_applications(p, pm=PM, rounds=[GR2]),
        "xlsx": lambda p: read_applications(p, pm=PM, rounds=[GR2]),
        "json": lambda p: read_360giving(p),
        "declared": lambda p: read_declared_figures(p),
    }


def _suffix(kind: str) -> str:
    return {"csv": ".csv", "xlsx": ".xlsx", "json": ".json", "declared": ".csv"}[kind]


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json", "declared"])
def test_a_missing_file_is_a_data_error_naming_it(tmp_path, kind):
    path = tmp_path / f"missing{_suffix(kind)}"
    with pytest.raises(DataError, match="there is no") as caught:
        _readers()[kind](path)
    assert caught.value.problems[0].file == str(path)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json", "declared"])
def test_a_folder_is_a_data_error_naming_it(tmp_path, kind):
    path = tmp_path / f"folder{_suffix(kind)}"
    path.mkdir()
    with pytest.raises(DataError, match="this is a folder") as caught:
        _readers()[kind](path)
    assert caught.value.file == str(path)


@POSIX
@pytest.mark.parametrize("kind", ["csv", "xlsx", "json", "declared"])
def test_a_symbolic_link_loop_is_a_data_error(tmp_path, kind):
    path = tmp_path / f"loop{_suffix(kind)}"
    other = tmp_path / f"other{_suffix(kind)}"
    path.symlink_to(other)
    other.symlink_to(path)
    with pytest.raises(DataError, match="loop of symbolic links"):
        _readers()[kind](path)


@contextlib.contextmanager
def _deadline(seconds: int):
    def hung(*_args):
        raise TimeoutError(f"still waiting after {seconds}s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@POSIX
@pytest.mark.parametrize("kind", ["csv", "xlsx", "json", "declared"])
def test_a_pipe_named_like_a_file_is_refused_without_waiting(tmp_path, kind):
    path = tmp_path / f"grants{_suffix(kind)}"
    os.mkfifo(path)  # nobody writes to it: opening it for reading would wait for ever
    with _deadline(20), pytest.raises(DataError, match="not a regular file"):
        _readers()[kind](path)


@POSIX
def test_a_device_is_refused(tmp_path):
    path = tmp_path / "grants.csv"
    path.symlink_to("/dev/zero")  # endless bytes: reading it would never finish
    with pytest.raises(DataError, match="not a regular file"):
        read_applications(path, pm=PM, rounds=[GR2])


@POSIX
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path, umask):
    old = os.umask(umask)
    try:
        path = write_csv(tmp_path / "t.csv", Table(title="T", columns=["a"], rows=[["1"]]))
        expected = 0o666 & ~umask
        with (tmp_path / "plain.txt").open("w") as handle:
            handle.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == expected
    assert stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode) == expected  # as open() does


@POSIX
def test_replacing_a_file_keeps_its_mode(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"old")
    path.chmod(0o644)
    write_xlsx(path, Table(title="T", columns=["a"], rows=[["1"]]))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o640)
    with atomic_write(path) as handle:
        handle.write("new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == "new"


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "t.csv"
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write("half")
        raise RuntimeError("disk gone")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("'=Fun run 2", "=Fun run 2"),
        ("'-5", "-5"),
        ("'@home", "@home"),
        ("'+44", "+44"),
        ("'plain", "'plain"),
        ("it's", "it's"),
        ("''=x", "''=x"),
    ],
)
def test_restoring_a_neutralised_cell(written, read):
    assert restore_cell(written) == read
