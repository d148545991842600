"""Command line: ``viewra-desktop [FILE]`` (the window), ``viewra-desktop serve FILE``,
``viewra-desktop stats FILE``, ``viewra-desktop export FILE... --to DIR`` and
``viewra-desktop --list-profiles``. Each finds the user's own profiles (``profiles.toml`` in
the config folder); a file that cannot be used is told in one sentence, and the built-in
profiles still work."""

from __future__ import annotations

import argparse
import atexit
import logging
import sys
from pathlib import Path

from . import __version__
from .core.errors import ViewraError
from .core.paths import AppPaths, app_paths, setup_logging
from .core.profiles import BUILTIN, CODECS, DEFAULT_PROFILE, PROFILES
from .core.user_profiles import ProfileStore, listing
from .core.warm import page_in_tools

logger = logging.getLogger(__name__)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"viewra-desktop {__version__}")
    parser.add_argument(
        "--profile",
        default=None,
        help=f"quality profile: {', '.join(PROFILES)} or one of yours (default: {DEFAULT_PROFILE})",
    )
    parser.add_argument(
        "--codec",
        default=None,
        choices=list(CODECS),
        help="video codec, instead of the profile's",
    )
    parser.add_argument("--cache-dir", type=Path, default=None, help="cache folder to use")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="viewra-desktop serve",
        description="Encode and package FILE, serve it on 127.0.0.1 and print the manifest "
        "URLs as one JSON line. Stops on Ctrl+C or SIGTERM.",
    )
    parser.add_argument("file", metavar="FILE", help="the video to play")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--lan",
        action="store_true",
        help="also listen on this machine's network address, so another device can watch",
    )
    parser.add_argument(
        "--lan-address", default=None, help="the address --lan listens on (default: found)"
    )
    _common(parser)
    return parser


def stats_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="viewra-desktop stats",
        description="Print the per-segment table of FILE's encode (finished or running) as "
        "CSV: stream, segment, start, duration, bytes, kbps and the quality metrics.",
    )
    parser.add_argument("file", metavar="FILE", help="the video that was encoded")
    _common(parser)  # --profile, --codec and --cache-dir name the entry
    return parser


def export_parser() -> argparse.ArgumentParser:
    from .core.export import DEFAULT_SEGMENT_S
    from .core.keys import DEFAULT_SCHEME, SCHEMES

    parser = argparse.ArgumentParser(
        prog="viewra-desktop export",
        description="Export each FILE (or each video in a folder) as a package ready to put "
        "on a web server: DASH and HLS manifests, segments and a player page, in DIR/NAME. "
        "The cache's encode is reused (finished first if needed); nothing is encoded twice.",
    )
    parser.add_argument("files", metavar="FILE", nargs="+", help="videos or folders of videos")
    parser.add_argument("--to", type=Path, required=True, metavar="DIR", help="where to put them")
    parser.add_argument(
        "--segment-seconds",
        type=float,
        default=DEFAULT_SEGMENT_S,
        metavar="S",
        help=f"segment length, whole seconds (default: {DEFAULT_SEGMENT_S:g})",
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--hls-only", action="store_true", help="HLS playlists, no DASH MPD")
    only.add_argument("--dash-only", action="store_true", help="a DASH MPD, no HLS playlists")
    crypt = parser.add_argument_group("encryption (raw key)")
    crypt.add_argument("--encrypt", action="store_true", help="encrypt with a raw key")
    crypt.add_argument("--key", default=None, help="32 hex digits (default: random)")
    crypt.add_argument("--key-id", default=None, help="32 hex digits (default: random)")
    crypt.add_argument("--scheme", default=DEFAULT_SCHEME, choices=SCHEMES)
    crypt.add_argument(
        "--clear-lead", type=float, default=0.0, metavar="S", help="seconds left clear (0)"
    )
    _common(parser)  # --profile, --codec and --cache-dir name the entry to export
    return parser


def _run_export(args: argparse.Namespace, paths: AppPaths, store: ProfileStore) -> int:
    from .core.export import ExportOptions, check_segment_seconds
    from .core.keys import make_encryption
    from .core.profiles import get_profile
    from .export_cli import run_export

    encryption = None
    if args.encrypt:
        encryption = make_encryption(args.key, args.key_id, args.scheme, args.clear_lead)
    elif args.key or args.key_id:
        raise ViewraError("--key and --key-id need --encrypt.")
    options = ExportOptions(
        segment_seconds=check_segment_seconds(args.segment_seconds),
        encryption=encryption,
        dash=not args.hls_only,
        hls=not args.dash_only,
    )
    profile = get_profile(args.profile or DEFAULT_PROFILE, store.mapping()).with_codec(args.codec)
    return run_export(args.files, profile, options, args.to, args.cache_dir, paths)


def app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="viewra-desktop",
        description="Watch a video while it is encoded and packaged to DASH/HLS. "
        "Use 'viewra-desktop serve FILE' for the headless server.",
    )
    parser.add_argument("file", metavar="FILE", nargs="?", help="the video to open")
    parser.add_argument(
        "--demo", action="store_true", help="open the built-in demo clip (made on first use)"
    )
    parser.add_argument(
        "--list-profiles",
        action="store_true",
        help="list every profile (built-in and yours) with its codec and sizes, and exit",
    )
    _common(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    paths = app_paths()
    try:
        if args_list[:1] == ["serve"]:
            args = serve_parser().parse_args(args_list[1:])
            setup_logging(paths, args.verbose)
            page_in_tools()  # while the rest is imported (core.warm)
            _begin_probe(args.file)
            store = _user_profiles(paths.config)
            from .serve import run_serve

            lan = args.lan_address or ("" if args.lan else None)
            return run_serve(
                args.file,
                args.profile or DEFAULT_PROFILE,
                args.port,
                args.cache_dir,
                paths,
                codec=args.codec,
                profiles=store.mapping(),
                lan=lan,
            )
        if args_list[:1] == ["stats"]:
            args = stats_parser().parse_args(args_list[1:])
            setup_logging(paths, args.verbose)
            store = _user_profiles(paths.config)
            from .stats_command import run_stats

            profile = args.profile or DEFAULT_PROFILE
            return run_stats(args.file, profile, args.codec, args.cache_dir, paths, store.mapping())
        if args_list[:1] == ["export"]:
            args = export_parser().parse_args(args_list[1:])
            setup_logging(paths, args.verbose)
            return _run_export(args, paths, _user_profiles(paths.config))
        args = app_parser().parse_args(args_list)
        setup_logging(paths, args.verbose)
        if args.list_profiles:
            store = _user_profiles(paths.config)
            print("\n".join(listing(BUILTIN, store.profiles)))
            return 0
        page_in_tools()  # while Qt and the rest are imported (core.warm)
        from .app.main import run_app

        return run_app(args, paths)
    except ViewraError as exc:
        logger.error("%s %s", exc, exc.details)
        print(f"viewra-desktop: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _begin_probe(file: str) -> None:
    """Start ffprobe on ``file`` before the rest of serve is imported (``probe.begin``)."""
    from .core import binaries, probe

    try:
        ffprobe = binaries.find_tools().ffprobe
    except ViewraError:
        return  # said when the tool is first needed
    probe.begin(ffprobe, file)
    atexit.register(probe.end_begun)


def _user_profiles(config: Path) -> ProfileStore:
    """The user's profiles; a file that cannot be used is one sentence on stderr."""
    store = ProfileStore(config)
    if store.load().problem:
        print(f"viewra-desktop: {store.problem}", file=sys.stderr)
    return store


if __name__ == "__main__":
    sys.exit(main())
