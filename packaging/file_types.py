"""The video types Viewra Desktop registers for, in each system's terms.

One list feeds all three desktops: the Linux ``.desktop`` file's ``MimeType=`` (checked
against it by tests/packaging), the macOS ``CFBundleDocumentTypes`` (built in the spec) and
the Windows installer's file associations (``windows_associations`` writes the Inno Setup
lines). Run ``python packaging/file_types.py iss FILE`` to write those lines.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

BUNDLE_ID = "org.viewra.desktop"
PROG_ID = "ViewraDesktop.Video"


@dataclass(frozen=True)
class VideoType:
    extensions: tuple[str, ...]
    mime: str  # freedesktop shared-mime-info name
    uti: str  # macOS Uniform Type Identifier
    description: str
    # macOS does not declare this UTI itself: the app declares it (UTImportedTypeDeclarations).
    imported: bool = False


VIDEO_TYPES: tuple[VideoType, ...] = (
    VideoType(("mp4",), "video/mp4", "public.mpeg-4", "MPEG-4 video"),
    VideoType(("m4v",), "video/x-m4v", "com.apple.m4v-video", "MPEG-4 video"),
    VideoType(("mov",), "video/quicktime", "com.apple.quicktime-movie", "QuickTime movie"),
    VideoType(("mkv",), "video/x-matroska", "org.matroska.mkv", "Matroska video", True),
    VideoType(("webm",), "video/webm", "org.webmproject.webm", "WebM video", True),
    VideoType(("avi",), "video/x-msvideo", "public.avi", "AVI video"),
    VideoType(("wmv",), "video/x-ms-wmv", "com.microsoft.windows-media-wmv", "Windows Media video"),
    VideoType(("flv",), "video/x-flv", "com.adobe.flash.video", "Flash video", True),
    VideoType(("mpg", "mpeg"), "video/mpeg", "public.mpeg", "MPEG video"),
    VideoType(
        ("ts", "m2ts", "mts"), "video/mp2t", "public.mpeg-2-transport-stream", "MPEG-TS video"
    ),
    VideoType(("3gp",), "video/3gpp", "public.3gpp", "3GPP video"),
    VideoType(("ogv",), "video/ogg", "org.xiph.ogv", "Ogg video", True),
)


def mime_types() -> list[str]:
    return [t.mime for t in VIDEO_TYPES]


def extensions() -> list[str]:
    return [ext for t in VIDEO_TYPES for ext in t.extensions]


def macos_info_plist(version: str) -> dict:
    """Info.plist keys for the .app: what it opens, and the types macOS does not know."""
    return {
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleName": "Viewra Desktop",
        "CFBundleDisplayName": "Viewra Desktop",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSHighResolutionCapable": True,
        "LSMinimumSystemVersion": "11.0",
        "NSRequiresAquaSystemAppearance": False,
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": "Video",
                "CFBundleTypeRole": "Viewer",
                # Listed under "Open With"; the user picks it as the default in Get Info.
                "LSHandlerRank": "Alternate",
                "LSItemContentTypes": ["public.movie"] + [t.uti for t in VIDEO_TYPES],
            }
        ],
        "UTImportedTypeDeclarations": [
            {
                "UTTypeIdentifier": t.uti,
                "UTTypeDescription": t.description,
                "UTTypeConformsTo": ["public.movie"],
                "UTTypeTagSpecification": {
                    "public.filename-extension": list(t.extensions),
                    "public.mime-type": t.mime,
                },
            }
            for t in VIDEO_TYPES
            if t.imported
        ],
    }


def windows_associations() -> str:
    """Inno Setup [Registry] lines: a ProgID, and each extension's "Open with" entry.

    Windows 10 and later do not let an installer take over a type's default program: these
    entries put Viewra Desktop in "Open with", and Windows asks the user the next time.
    ``HKA`` is HKCU for a per-user install and HKLM for an all-users one.
    """
    key = rf"Software\Classes\{PROG_ID}"
    lines = [
        f'Root: HKA; Subkey: "{key}"; ValueType: string; ValueName: ""; '
        'ValueData: "Video"; Flags: uninsdeletekey',
        f'Root: HKA; Subkey: "{key}\\DefaultIcon"; ValueType: string; ValueName: ""; '
        'ValueData: "{app}\\viewra-desktop.exe,0"',
        f'Root: HKA; Subkey: "{key}\\shell\\open\\command"; ValueType: string; ValueName: ""; '
        'ValueData: """{app}\\viewra-desktop.exe"" ""%1"""',
        r'Root: HKA; Subkey: "Software\Classes\Applications\viewra-desktop.exe"; '
        'ValueType: string; ValueName: "FriendlyAppName"; ValueData: "Viewra Desktop"; '
        "Flags: uninsdeletekey",
    ]
    for ext in extensions():
        lines.append(
            rf'Root: HKA; Subkey: "Software\Classes\.{ext}\OpenWithProgids"; '
            f'ValueType: string; ValueName: "{PROG_ID}"; ValueData: ""; '
            "Flags: uninsdeletevalue"
        )
        lines.append(
            r'Root: HKA; Subkey: "Software\Classes\Applications\viewra-desktop.exe'
            rf'\SupportedTypes"; ValueType: string; ValueName: ".{ext}"; ValueData: ""'
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "iss":
        sys.exit("usage: file_types.py iss OUTPUT")
    Path(sys.argv[2]).write_text(windows_associations(), encoding="utf-8")
