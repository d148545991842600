"""Two versions of the code, side by side: ``serve``'s first frame with each, in turns.

    .venv/bin/python -m benchmarks.sidebyside OLD_TREE NEW_TREE [--source one|three]
        [--profile NAME] [--rounds N]

Each tree is a checkout of this repository (``git worktree add /tmp/old COMMIT``). In each
round, ``serve`` runs from the old tree and then from the new one (``PYTHONPATH``), each
played by the benchmark's libmpv (``players.first_frame``). Prints, per tree, the median
first frame and the median of each step of ``serve``'s timing line, and the ratio of the
medians: on a shared machine, a change is only seen in a comparison made in one run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import tempfile
from pathlib import Path

from .players import PROFILE, Start, first_frame
from .sources import make_sources, make_three_audio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="a checkout of the code before")
    parser.add_argument("new", type=Path, help="a checkout of the code after")
    parser.add_argument("--source", choices=("one", "three"), default="one",
                        help="the 60 s 1080p30 clip with one audio track, or three")  # fmt: skip
    parser.add_argument("--profile", default=PROFILE)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    hd, _ = make_sources()
    source = make_three_audio(hd) if args.source == "three" else hd
    vid = "2" if args.profile == "ladder" else "auto"  # the ladder's 720p rung
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    for tree in trees.values():
        # Both trees' modules compiled first: a new worktree has none, and where Python may
        # not write them (PYTHONDONTWRITEBYTECODE) its serve compiled every module on every
        # start, about 0.06 s later to its first frame than the other tree.
        compileall.compile_dir(tree / "viewra_desktop", quiet=1)
    found: dict[str, list[Start]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="viewra-sidebyside-") as tmp:
        os.environ["VIEWRA_HOME"] = str(Path(tmp) / "home")
        # ``python -m`` puts the working folder before PYTHONPATH: not a checkout's.
        os.chdir(tmp)
        for index in range(args.rounds):
            for name, tree in trees.items():
                os.environ["PYTHONPATH"] = str(tree)  # serve's process imports this tree
                cache = Path(tmp) / f"{name}-{index}"
                found[name].append(first_frame(source, cache, "--profile", args.profile, vid=vid))
    for name, starts in found.items():
        steps = {
            step: statistics.median(s.serve_steps[step] for s in starts)
            for step in starts[0].serve_steps
        }
        line = ", ".join(f"{step} {at:.3f}" for step, at in steps.items())
        frame = statistics.median(s.frame for s in starts)
        print(f"{name} ({trees[name]}): first frame {frame:.3f} s (median of {len(starts)}); "
              f"{line}")  # fmt: skip
    old, new = (statistics.median(s.frame for s in found[n]) for n in ("old", "new"))
    print(f"new ÷ old: {new / old:.3f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
