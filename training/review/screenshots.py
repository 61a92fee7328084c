"""Screenshots of the workbench for the README (``make workbench-screenshots``).

Starts ``claim-risk review`` on the three pages of ``examples/review/`` with a
throwaway labels file, labels a few sentences by keyboard in Debian's
chromium driven by Playwright, retrains (fast tier) and saves:

- ``examples/workbench.png``: the suggested sentences, some labelled;
- ``examples/workbench-page.png``: one page, riskiest sentences first, some labelled;
- ``examples/workbench-retrained.png``: after retraining, the lift panel and the
  new scores beside the old.

Needs the ``dev`` extra (Playwright) and chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1280, "height": 860}


def _start(folder: Path) -> tuple[subprocess.Popen[str], str]:
    """``claim-risk review review/ --labels user/mine.csv`` run in ``folder``."""
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "claim_risk.training.review.cli", "review", "review/"),
            *("--labels", "user/mine.csv", "--no-browser", "--tier", "fast"),
        ],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = proc.stdout.readline().strip() if proc.stdout else ""
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit("screenshots: the workbench did not start")
    return proc, url


def main(argv: list[str] | None = None) -> int:
    """Write the three screenshots into ``--out`` (default examples/)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("screenshots: needs Playwright: pip install -e '.[dev]'", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "examples" / "review", Path(tmp) / "review")
        proc, url = _start(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(url)
                page.wait_for_selector("body[data-ready=true]")
                saving = "() => !document.querySelector('li.sent .label.saving')"
                for key in "nnnnnn":
                    page.keyboard.press(key)
                page.wait_for_function(saving)
                page.mouse.move(0, 0)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(args.out / "workbench.png"))
                page.keyboard.press("]")
                for key in "uuuu":
                    page.keyboard.press(key)
                page.wait_for_function(saving)
                page.screenshot(path=str(args.out / "workbench-page.png"))
                page.keyboard.press("r")
                page.wait_for_selector("#lift:not([hidden])", timeout=900_000)
                page.evaluate("document.getElementById('toast').hidden = true")
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(args.out / "workbench-retrained.png"))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    for name in ("workbench.png", "workbench-page.png", "workbench-retrained.png"):
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
