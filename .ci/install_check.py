"""A user's script beside their own model.py and training.py, run by .ci/install_check.sh.

It runs from a folder outside the repository with the installed (not editable) claim-risk:
the import name is claim_risk, the user's `model` stays theirs, nothing top-level named
`model` or `training` is installed, and HTML is reduced to its main text (trafilatura),
through `predict` and through the API.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sysconfig
from pathlib import Path

from claim_risk import score_sentences, score_text
from claim_risk.textio.readers import html_to_text

import model
import training

HERE = Path.cwd()
BOILERPLATE = ("Home | Shop | Cart", "All rights reserved.", "Free shipping on orders over $40")
CLAIM = "Our herbal calm drops cure anxiety in three days, guaranteed."


def check(ok: bool, what: str) -> None:
    """Stop with a one-line reason when a check fails."""
    if not ok:
        raise SystemExit(f"install check failed: {what}")


def main() -> None:
    """Run every check; print one line per group."""
    check(getattr(model, "WHOSE", None) == "user", f"import model gave {model.__file__}")
    check(getattr(training, "WHOSE", None) == "user", f"import training gave {training.__file__}")
    site = Path(sysconfig.get_paths()["purelib"])
    for name in ("model", "training"):
        check(not (site / name).exists() and not (site / f"{name}.py").exists(), f"{site}/{name}")
    files = importlib.metadata.distribution("claim-risk").files or []
    # RECORD paths: site-packages entries, and the console script as ../../../bin/predict
    tops = {f.parts[0] for f in files} - {".."}
    tops = {t for t in tops if not t.endswith(".dist-info")}
    check(tops == {"claim_risk"}, f"claim-risk installs {sorted(tops)} into site-packages")
    print("imports: claim_risk beside the user's model.py and training.py, nothing else installed")

    scores = score_sentences(["Garlic cures flu, guaranteed.", "Ask your doctor first."])
    check(len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores), f"scores {scores}")
    text = (HERE / "example.txt").read_text(encoding="utf-8")
    records = score_text(text)
    check(len(records) == 5, f"example.txt gave {len(records)} sentences")
    check(all(text[r.start : r.end] == r.text for r in records), "offsets")
    print(f"text: {len(records)} sentences, {sum(r.flagged for r in records)} flagged")

    page = (HERE / "shop.html").read_text(encoding="utf-8")
    main_text = html_to_text(page)
    api = [r.text for r in score_text(main_text)]
    predict = shutil.which("predict")
    check(predict is not None, "no predict console script on PATH")
    res = subprocess.run(
        [predict, "--file", "shop.html", "--input-format", "html", "--format", "jsonl"],
        capture_output=True,
        text=True,
        check=False,
    )
    check(res.returncode == 0, f"predict exited {res.returncode}: {res.stderr.strip()}")
    cli = [json.loads(line)["text"] for line in res.stdout.splitlines()]
    for sentences, how in ((api, "API"), (cli, "predict")):
        check(CLAIM in sentences, f"{how}: the page's claim is missing: {sentences}")
        leaked = [s for s in sentences if any(b in s for b in BOILERPLATE)]
        check(not leaked, f"{how}: boilerplate scored (tag stripping?): {leaked}")
    check(api == cli, f"API and predict cut the page differently: {api} / {cli}")
    print(f"html: {len(cli)} sentences of main text, no menu or footer (API and predict)")


if __name__ == "__main__":
    main()
