"""The widget's files as the broker serves them: the loader (ETag, SRI hash), the frame's bundle and its assets.

Each file has gzip and brotli copies precompressed at build time (``widget/dist/precompressed``).
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import mimetypes
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import brotli

WIDGET_SRC = Path(__file__).resolve().parents[2] / "widget" / "src"
# What the frame may load from the source tree: a closed list of folders and file types, nothing else.
ASSET_PATTERN = re.compile(
    r"^(messages\.js|frame/[a-z0-9_]+\.js|(styles|pages)/[a-z_]+\.css|i18n/(pages/)?(en|fr)\.json)$"
)
# Served paths built by ``npm run build`` into widget/dist (the frame's modules bundled into one file, its style sheets
# joined into one).
BUILT = {
    "frame/bundle.js": "frame.js",
    "frame/later.js": "frame-later.js",
    "styles/widget.css": "widget.css",
    "pages/receipt.js": "receipt.js",
    "pages/accountant.js": "accountant.js",
    # The catalogues split by the build: the first step's words, and the later steps' (fetched with later.js).
    "i18n/en.json": "i18n/en.json",
    "i18n/fr.json": "i18n/fr.json",
    "i18n/later/en.json": "i18n/later/en.json",
    "i18n/later/fr.json": "i18n/later/fr.json",
}
ASSETS_PATH = "/widget/v1/assets/"
# Content-Encoding → suffix of the precompressed copy, best first.
ENCODINGS = {"br": "br", "gzip": "gz"}
_DECOMPRESS = {"br": brotli.decompress, "gzip": gzip.decompress}


@dataclass(frozen=True)
class Asset:
    """One file ready to serve: its bytes, media type, strong ETag and SRI hash."""

    body: bytes
    mimetype: str
    etag: str
    integrity: str
    encoded: Mapping[str, bytes] = field(default_factory=dict)  # Content-Encoding → body, precompressed

    def representation(self, encoding: str | None) -> tuple[bytes, str]:
        """The body and strong ETag (without quotes) of one encoding (``None``: identity): each has its own."""
        if encoding is None or encoding not in self.encoded:
            return self.body, self.etag
        return self.encoded[encoding], f"{self.etag}-{encoding}"


def _precompressed(served: str, body: bytes, src: Path) -> dict[str, bytes]:
    """The build's compressed copies of ``served`` that decompress to ``body`` (a stale copy is never served)."""
    found = {}
    for encoding, suffix in ENCODINGS.items():
        file = src.parent / "dist" / "precompressed" / f"{served}.{suffix}"
        if file.is_file():
            data = file.read_bytes()
            try:
                if _DECOMPRESS[encoding](data) == body:
                    found[encoding] = data
            except (OSError, EOFError, brotli.error):
                continue
    return found


def _asset(body: bytes, mimetype: str, served: str | None = None, src: Path = WIDGET_SRC) -> Asset:
    digest = hashlib.sha384(body).digest()
    return Asset(
        body=body,
        mimetype=mimetype,
        etag=hashlib.sha256(body).hexdigest()[:32],
        integrity="sha384-" + base64.b64encode(digest).decode(),
        encoded=_precompressed(served, body, src) if served else {},
    )


def build_loader(src: Path = WIDGET_SRC) -> Asset:
    """Return ``/widget/v1/loader.js``: ``widget/dist/loader.js``, built from messages.js and loader.js by
    ``npm run build`` (a node test fails when it is stale) so that serving needs no Node."""
    return _asset((src.parent / "dist" / "loader.js").read_bytes(), "text/javascript", "loader.js", src)


@functools.lru_cache(maxsize=64)
def load_asset(path: str, src: Path = WIDGET_SRC) -> Asset | None:
    """Return a frame asset by its served path (under ``widget/src``, or a built file of ``widget/dist``) or None when
    it is not one the frame may load. Read once per process: the files only change with a new release."""
    if path in BUILT:
        file = src.parent / "dist" / BUILT[path]
    elif ASSET_PATTERN.match(path):
        file = src / path
    else:
        return None
    if not file.is_file():
        return None
    mimetype = "text/javascript" if path.endswith(".js") else (mimetypes.guess_type(path)[0] or "text/plain")
    return _asset(file.read_bytes(), mimetype, path, src)


@dataclass(frozen=True)
class Page:
    """What one of the widget's HTML documents puts in the shell they all share (``widget/src/pages/document.html``)."""

    body: str  # the file under widget/src holding the markup of its <body>
    script: str  # the served path of its one module
    styles: tuple[str, ...] = ("styles/widget.css", "pages/pages.css")
    data: Mapping[str, str] = field(default_factory=dict)  # the data-* attributes of <html>
    boot: bool = False  # whether it starts with the frame's inline boot script


# The frame's page and the broker's own pages (receipt, accountant).
PAGES = {
    "frame": Page("pages/body-loading.html", "frame/bundle.js", styles=("styles/widget.css",), boot=True),
    "receipt": Page("pages/body-receipt.html", "pages/receipt.js", data={"page": "receipt"}),
    "accountant": Page("pages/body-loading.html", "pages/accountant.js", data={"page": "accountant", "mode": "inline"}),
}
SHELL = "pages/document.html"
# Where the shell takes a page's attributes, its links (boot script, style sheets, module) and its body.
ATTRIBUTES_PLACEHOLDER = " $attributes"
LINKS_PLACEHOLDER = re.compile(r"<!-- links: [^>]*-->")
BODY_PLACEHOLDER = re.compile(r"<!-- body: [^>]*-->")


def asset_url(served: str, src: Path = WIDGET_SRC) -> str:
    """The URL of a served file; a built one is named by its version (``?v=<ETag>``): that URL never changes content,
    so browsers keep it without asking."""
    asset = load_asset(served, src) if served in BUILT else None
    return f"{ASSETS_PATH}{served}" + (f"?v={asset.etag}" if asset is not None else "")


def document(name: str, src: Path = WIDGET_SRC) -> bytes:
    """Return one of the widget's static HTML documents (``PAGES``; no token, no inline style): the shared shell with
    the page's attributes, the files it loads named by their version, and its body. The frame's one inline script is
    the boot script (``widget/dist/boot.js``: the handshake and the first broker call, started before the bundle
    arrives), allowed by its hash (``boot_script_hash``)."""
    page = PAGES[name]
    attributes = "".join(f' data-{key}="{value}"' for key, value in page.data.items())
    links = [f"<script>{boot_script(src)}</script>"] if page.boot else []
    links += [f'<link rel="stylesheet" href="{asset_url(style, src)}" />' for style in page.styles]
    if page.boot:  # fetched at once, run by the boot script once the host page answered (see boot.js)
        links.append(f'<link rel="modulepreload" href="{asset_url(page.script, src)}" />')
    else:
        links.append(f'<script type="module" src="{asset_url(page.script, src)}"></script>')
    body = textwrap.indent((src / page.body).read_text(encoding="utf-8"), "    ").strip()
    html = (src / SHELL).read_text(encoding="utf-8").replace(ATTRIBUTES_PLACEHOLDER, attributes, 1)
    html = LINKS_PLACEHOLDER.sub(lambda _: "\n    ".join(links), html, count=1)
    return BODY_PLACEHOLDER.sub(lambda _: body, html, count=1).encode()


@functools.lru_cache(maxsize=4)
def frame_html(src: Path = WIDGET_SRC) -> bytes:
    """The frame's page (read once per process)."""
    return document("frame", src)


@functools.lru_cache(maxsize=8)
def page_html(name: str, src: Path = WIDGET_SRC) -> bytes:
    """The page of one of the broker's own pages (``receipt``, ``accountant``), read once per process."""
    return document(name, src)


def boot_script(src: Path = WIDGET_SRC) -> str:
    """The frame's inline boot script, as built (``npm run build``)."""
    return (src.parent / "dist" / "boot.js").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=4)
def boot_script_hash(src: Path = WIDGET_SRC) -> str:
    """The CSP source that allows the boot script, and no other inline script: ``'sha256-…'``."""
    digest = hashlib.sha256(boot_script(src).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@functools.cache
def messages(locale: str, src: Path = WIDGET_SRC) -> dict[str, str]:
    """The widget's words for the pages the broker renders itself (the OAuth callback), in ``locale`` (en or fr).

    They sit beside the frame's catalogue (``i18n/pages/``) but apart from it, so the frame's first step does not
    carry words only those pages show.
    """
    catalogue: dict[str, str] = json.loads((src / "i18n" / "pages" / f"{locale}.json").read_text(encoding="utf-8"))
    return catalogue
