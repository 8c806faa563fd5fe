"""How text.png and text.expected.json were made (run once; both files are committed).

    python demos/ocr/samples/make_text_image.py      # needs webedge's Chromium (Playwright) and DejaVu fonts

Three lines of text set in DejaVu Sans (Debian's fonts-dejavu-core) on an off-white card, drawn by
headless Chromium and saved as a PNG screenshot: the known answer is the text itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from webedge.testing import browser

HERE = Path(__file__).resolve().parent
LINES = ["Static sites can run models", "OCR in the browser 2026", "webedge reads this line"]
PAGE = """<!doctype html><meta charset=utf-8><style>
  body { margin: 0; background: #fff; }
  #card { display: inline-block; padding: 26px 34px; background: #fbfaf6; color: #202020;
          font: 30px/1.6 'DejaVu Sans', sans-serif; }
  #card p { margin: 0; } #card p.small { font-size: 24px; color: #333; }
</style><div id=card>%s</div>"""


def main() -> None:
    body = "".join(f"<p class={'small' if i == 2 else 'big'}>{line}</p>" for i, line in enumerate(LINES))
    with browser.launch(webgpu=False) as b:
        page = b.new_page(viewport={"width": 900, "height": 400}, device_scale_factor=1)
        page.set_content(PAGE % body)
        page.locator("#card").screenshot(path=str(HERE / "text.png"))
    (HERE / "text.expected.json").write_text(json.dumps(
        {"file": "text.png", "lines": LINES, "how": "demos/ocr/samples/make_text_image.py (DejaVu Sans, Chromium)"},
        indent=1) + "\n")


if __name__ == "__main__":
    main()
