"""The server holds a request for a thumbnail sheet until it is made (ledger.expect_files)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from unit.test_server import Served, make_served
from viewra_desktop.core import layout
from viewra_desktop.core.ledger import Ledger, Wait
from viewra_desktop.core.streams import video

SHEET = layout.image_sheet(1)


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    served = make_served(tmp_path)
    (served.folder / layout.IMAGE_FOLDER).mkdir()
    yield served
    served.server.close()


def test_a_sheet_being_made_is_waited_for_then_sent(served):
    served.ledger.expect_files([SHEET])
    answers = []
    thread = threading.Thread(target=lambda: answers.append(served.get(SHEET)))
    thread.start()
    time.sleep(0.3)
    assert answers == []  # still waiting: no 404 for a sheet that will exist
    (served.folder / SHEET).write_bytes(b"\xff\xd8jpeg\xff\xd9")
    served.ledger.file_done(SHEET, True)
    thread.join(10)
    assert answers[0].status == 200
    assert answers[0].headers["content-type"] == "image/jpeg"
    assert answers[0].body == b"\xff\xd8jpeg\xff\xd9"


def test_a_sheet_that_will_not_be_made_is_404_and_a_failure_503(served):
    served.ledger.expect_files([SHEET, layout.image_sheet(2)])
    served.ledger.file_done(SHEET, False)
    assert served.get(SHEET).status == 404
    served.ledger.fail("The session was stopped.")
    assert served.get(layout.image_sheet(2)).status == 503


def test_a_sheet_nobody_makes_is_served_from_disk_or_404(served):
    assert served.get(layout.image_sheet(3)).status == 404
    (served.folder / layout.image_sheet(3)).write_bytes(b"jpeg")
    assert served.get(layout.image_sheet(3)).status == 200


def test_wait_file_times_out_and_can_be_cancelled():
    ledger = Ledger((video(0),))
    ledger.expect_files(["thumbnails/1.jpg"])
    assert ledger.wait_file("thumbnails/1.jpg", 0.05) is Wait.TIMEOUT
    assert ledger.wait_file("thumbnails/1.jpg", 5, cancelled=lambda: True) is Wait.CANCELLED
    assert ledger.wait_file("subtitles/0.vtt", 5) is Wait.READY  # not announced: on disk
