"""The widget's files as the broker serves them: the one-script loader (with its ETag and SRI hash) and frame assets."""

from __future__ import annotations

import base64
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

WIDGET_SRC = Path(__file__).resolve().parents[2] / "widget" / "src"
# What the frame may load from the source tree: a closed list of folders and file types, nothing else.
ASSET_PATTERN = re.compile(r"^(messages\.js|frame/[a-z0-9_]+\.js|styles/[a-z_]+\.css|i18n/(en|fr)\.json)$")


@dataclass(frozen=True)
class Asset:
    """One file ready to serve: its bytes, media type, strong ETag and SRI hash."""

    body: bytes
    mimetype: str
    etag: str
    integrity: str

    @property
    def gzipped_size(self) -> int:
        """Bytes on the wire with gzip at level 9 (what a compressing proxy would send)."""
        return len(gzip.compress(self.body, compresslevel=9, mtime=0))


def _asset(body: bytes, mimetype: str) -> Asset:
    digest = hashlib.sha384(body).digest()
    return Asset(
        body=body,
        mimetype=mimetype,
        etag=hashlib.sha256(body).hexdigest()[:32],
        integrity="sha384-" + base64.b64encode(digest).decode(),
    )


def build_loader(src: Path = WIDGET_SRC) -> Asset:
    """Return ``/widget/v1/loader.js``: ``widget/dist/loader.js``, built from messages.js and loader.js by
    ``npm run build`` (a node test fails when it is stale) so that serving needs no Node."""
    return _asset((src.parent / "dist" / "loader.js").read_bytes(), "text/javascript")


def load_asset(path: str, src: Path = WIDGET_SRC) -> Asset | None:
    """Return a frame asset by its path under ``widget/src`` or None when it is not one the frame may load."""
    if not ASSET_PATTERN.match(path):
        return None
    file = src / path
    if not file.is_file():
        return None
    mimetype = "text/javascript" if path.endswith(".js") else (mimetypes.guess_type(path)[0] or "text/plain")
    return _asset(file.read_bytes(), mimetype)


def frame_html(src: Path = WIDGET_SRC) -> bytes:
    """Return the frame's HTML document (static: no token, no inline script or style)."""
    return (src / "frame" / "index.html").read_bytes()


def frame_gzipped_size(src: Path = WIDGET_SRC) -> dict[str, int]:
    """Return the gzipped bytes of everything the frame loads for English (HTML, scripts, styles, messages)."""
    sizes = {"frame.html": len(gzip.compress(frame_html(src), compresslevel=9, mtime=0))}
    for path in sorted(src.rglob("*")):
        relative = path.relative_to(src).as_posix()
        if path.is_file() and ASSET_PATTERN.match(relative) and relative not in {"i18n/fr.json", "frame/callback.js"}:
            asset = load_asset(relative, src)
            if asset is not None:
                sizes[relative] = asset.gzipped_size
    return sizes
