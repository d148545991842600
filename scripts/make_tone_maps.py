"""Write the tone-mapping LUTs the app ships (viewra_desktop/core/data/tone-map-*.cube.gz).

    .venv/bin/python scripts/make_tone_maps.py

tests/unit/test_color.py checks the shipped files are what this writes.
"""

from __future__ import annotations

import gzip

from viewra_desktop.core import color
from viewra_desktop.core.media import HLG, PQ

if __name__ == "__main__":
    color.DATA.mkdir(exist_ok=True)
    for transfer in (PQ, HLG):
        data = color.tone_map_lut(transfer).encode("ascii")
        color.lut_file(transfer).write_bytes(gzip.compress(data, 9, mtime=0))
