"""The figures the README quotes are the ones `make train` wrote."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_quotes_current_metrics() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = json.loads((ROOT / "reports" / "metrics.json").read_text())
    seed, ci = m["seed_cv"], m["seed_cv_detail"]["ci95"]["roc_auc"]
    expected = [
        f"ROC-AUC **{seed['roc_auc']:.3f}**",
        f"(95% interval {ci[0]:.3f}–{ci[1]:.3f})",
        f"PR-AUC {seed['pr_auc']:.3f}, F1 {seed['f1']:.3f}",
        f"keyword lexicon gets ROC-AUC {m['baselines']['seed']['lexicon']['roc_auc']:.3f}",
        f"ROC-AUC {m['topic_heldout']['roc_auc']:.3f}",
        f"threshold ({m['threshold']}",
    ]
    text = re.sub(r"\s+", " ", readme)
    for phrase in expected:
        assert phrase in text, f"README.md should say {phrase!r}: update it after 'make train'"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make train" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
