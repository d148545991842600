"""warm: paging in the tools' binaries in the background."""

from __future__ import annotations

from viewra_desktop.core.warm import CHUNK, page_in, page_in_tools


def test_page_in_reads_every_file_through_and_skips_what_cannot_be_read(tmp_path):
    big = tmp_path / "ffmpeg"
    big.write_bytes(bytes(CHUNK * 2 + 123))  # more than one read
    small = tmp_path / "packager"
    small.write_bytes(b"tool")
    missing = tmp_path / "ffprobe"
    assert page_in([str(big), str(missing), str(small), str(tmp_path)]) == CHUNK * 2 + 127


def test_page_in_tools_reads_the_real_tools_and_ends(monkeypatch):
    read: list[str] = []
    monkeypatch.setattr("viewra_desktop.core.warm.page_in", lambda paths: read.extend(paths))
    thread = page_in_tools()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(read) == 3 and all("ffprobe" in p or "ffmpeg" in p or "packager" in p for p in read)


def test_page_in_tools_without_tools_does_nothing(monkeypatch, tmp_path):
    for name in ("VIEWRA_FFMPEG", "VIEWRA_FFPROBE", "VIEWRA_PACKAGER"):
        monkeypatch.setenv(name, str(tmp_path / "missing"))
    read: list[str] = []
    monkeypatch.setattr("viewra_desktop.core.warm.page_in", lambda paths: read.extend(paths))
    thread = page_in_tools()
    thread.join(timeout=10)
    assert not thread.is_alive() and read == []


def test_page_in_reads_where_sendfile_is_refused(tmp_path, monkeypatch):
    """Where ``sendfile`` cannot write to a file (macOS: sockets only), the rest is read."""
    tool = tmp_path / "ffmpeg"
    tool.write_bytes(bytes(CHUNK + 5))
    calls = []

    def refused(*args):
        calls.append(args)
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr("viewra_desktop.core.warm.os.sendfile", refused, raising=False)
    assert page_in([str(tool)]) == CHUNK + 5
    assert calls  # it was tried first
