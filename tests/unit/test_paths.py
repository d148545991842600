"""The log file: rotated once as a process starts, never in the middle of a run."""

from __future__ import annotations

import logging
from pathlib import Path

from viewra_desktop.core.paths import LOG_MAX_BYTES, AppPaths, rotate_log, setup_logging


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_a_small_log_is_left_alone(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _write(log, "x" * 9)
    rotate_log(log, max_bytes=10)
    assert log.read_text() == "x" * 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.log"]


def test_a_full_log_moves_down_and_the_oldest_goes(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _write(log, "now" * 4)
    for number, text in ((1, "one"), (2, "two"), (3, "three")):
        _write(tmp_path / f"app.log.{number}", text)
    rotate_log(log, max_bytes=10, backups=3)
    assert not log.exists()
    assert (tmp_path / "app.log.1").read_text() == "now" * 4
    assert (tmp_path / "app.log.2").read_text() == "one"
    assert (tmp_path / "app.log.3").read_text() == "two"
    assert not (tmp_path / "app.log.4").exists()  # "three" is gone


def test_no_log_yet_is_no_error(tmp_path: Path) -> None:
    rotate_log(tmp_path / "missing.log", max_bytes=1)
    assert list(tmp_path.iterdir()) == []


def test_setup_logging_starts_a_new_file_after_a_full_one(tmp_path: Path) -> None:
    paths = AppPaths(cache=tmp_path / "cache", logs=tmp_path / "logs", config=tmp_path / "c")
    paths.logs.mkdir()
    old = "old\n" * (LOG_MAX_BYTES // 4)
    _write(paths.log_file, old)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        assert setup_logging(paths) == paths.log_file
        logging.getLogger("viewra_desktop.test").info("a new line")
        for handler in root.handlers:
            handler.flush()
        assert "a new line" in paths.log_file.read_text(encoding="utf-8")
        assert (paths.logs / f"{paths.log_file.name}.1").read_text(encoding="utf-8") == old
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
