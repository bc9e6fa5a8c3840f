"""The Japanese font for printed output: IPAex ゴシック (Debian ``fonts-ipaexfont-gothic``).

A TrueType file (not CFF/OpenType), so reportlab can embed a subset into the PDF and matplotlib can
draw with it. Found at run time on disk — known Debian paths first, then fontconfig — and never
fetched from the network: on an LGWAN machine there is no network to fetch from.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

FAMILY = "IPAexGothic"
DEBIAN_PACKAGE = "fonts-ipaexfont-gothic"
#: Where Debian/Ubuntu put the file (the first is the package's own path; the others are the
#: alternatives symlink and older layouts).
KNOWN_PATHS = (
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
)


class FontNotFound(RuntimeError):
    """The Japanese font is not installed; the message says how to install it."""


def _from_fontconfig() -> Path | None:
    # fc-list (unlike fc-match) prints nothing when the family is absent, instead of a fallback font
    # that would have no Japanese glyphs.
    if shutil.which("fc-list") is None:
        return None
    listed = subprocess.run(["fc-list", "-f", "%{file}\n", f":family={FAMILY}"], capture_output=True, text=True,
                            timeout=30, check=False).stdout.split()
    files = [Path(f) for f in listed if f.lower().endswith(".ttf")]
    return files[0] if files else None


@lru_cache(maxsize=1)
def font_path() -> Path:
    """Path of ``ipaexg.ttf``. Raises :class:`FontNotFound` with the install command if missing."""
    for path in KNOWN_PATHS:
        if path.is_file():
            return path
    found = _from_fontconfig()
    if found is not None and found.is_file():
        return found
    raise FontNotFound(
        f"日本語フォント（IPAexゴシック）が見つかりません。地域カルテのPDFを作るには "
        f"`sudo apt-get install {DEBIAN_PACKAGE}` でインストールしてください "
        f"(font {FAMILY} not found in {', '.join(str(p) for p in KNOWN_PATHS)} or via fc-list)")
