"""The figures of ``reports/``: every plot the reports show is drawn here, and only here.

Each function takes the numbers to plot and a folder or file to draw into; none
reads or writes anything else. The figure names are decided here too
(``figure_names``), so the report README can list them without drawing them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["FIGURES", "draw_adaptation_curve", "draw_training_figures", "figure_names"]

FIGURES = "figures"  # the subfolder of reports/ that holds the figures
_ALWAYS = ("pr_curve.png", "roc_curve.png", "calibration.png", "confusion_matrix.png")
_LEARNING_CURVE = "learning_curve.png"


def figure_names(metrics: dict) -> list[str]:
    """The training figures, in the order the report shows them, for a run's ``metrics``."""
    return [*_ALWAYS, _LEARNING_CURVE] if metrics.get("learning_curve") else list(_ALWAYS)


def _pyplot():
    """matplotlib's pyplot on the file-only Agg backend, with byte-stable output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "claim-risk", "figure.dpi": 100})
    return plt


def _auc_se(auc: float, n_pos: int, n_neg: int) -> float:
    """Hanley-McNeil standard error of a ROC-AUC (for error bars where no bootstrap ran)."""
    if n_pos < 1 or n_neg < 1:
        return 0.0
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)
    return float(np.sqrt(max(var, 0.0) / (n_pos * n_neg)))


def draw_training_figures(
    out: Path,
    y: np.ndarray,
    origin: np.ndarray,
    doc_oof: np.ndarray,
    topic_oof: np.ndarray,
    threshold: float,
    curve: list[dict] | None,
) -> list[str]:
    """Draw the training run's figures into ``out/figures``; returns their names.

    ``y`` is 1 for an unsupported sentence; ``doc_oof`` and ``topic_oof`` are
    the out-of-fold scores (document-grouped, held-out topic); ``curve`` the
    learning curve's points (no figure when empty).
    """
    plt = _pyplot()
    from matplotlib.gridspec import GridSpec
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import (
        ConfusionMatrixDisplay,
        PrecisionRecallDisplay,
        RocCurveDisplay,
        confusion_matrix,
    )

    fig_dir = out / FIGURES
    fig_dir.mkdir(parents=True, exist_ok=True)
    slices = [
        ("seed (doc-grouped)", origin == "seed", doc_oof),
        ("authored (doc-grouped)", origin == "authored", doc_oof),
        ("all, held-out topic", np.ones(len(y), bool), topic_oof),
    ]
    # y is 1 for "unsupported": name the class on the axes, not "Positive label: 1".
    labels = {
        "pr_curve.png": ("Recall: share of unsupported sentences found", "Precision: share of "
                         "flagged sentences that are unsupported"),
        "roc_curve.png": ("False positive rate: share of other sentences flagged",
                          "True positive rate: share of unsupported sentences found"),
    }  # fmt: skip

    for name, display in (
        ("pr_curve.png", PrecisionRecallDisplay),
        ("roc_curve.png", RocCurveDisplay),
    ):
        fig, ax = plt.subplots(figsize=(6, 5))
        for i, (label, mask, p) in enumerate(slices):
            if mask.any() and 0 < y[mask].sum() < mask.sum():
                kwargs = {"plot_chance_level": i == 0}
                display.from_predictions(y[mask], p[mask], name=label, ax=ax, **kwargs)
        ax.set_xlabel(labels[name][0])
        ax.set_ylabel(labels[name][1], fontsize=9)
        ax.set_xlim(-0.01, 1.01)
        ax.set_ylim(-0.01, 1.01)
        ax.set_title("Out-of-fold " + ("precision-recall" if "pr" in name else "ROC"))
        fig.tight_layout()
        fig.savefig(fig_dir / name, metadata={"Software": None})
        plt.close(fig)

    fig = plt.figure(figsize=(6, 7))
    grid = GridSpec(3, 1, figure=fig)
    ax = fig.add_subplot(grid[:2, 0])
    CalibrationDisplay.from_predictions(y, doc_oof, n_bins=10, name="doc-grouped OOF", ax=ax)
    ax.set_xlabel("mean score in the bin")
    ax.set_ylabel("share of the bin that is unsupported")
    ax.set_title("Reliability (all sentences)")
    ax2 = fig.add_subplot(grid[2, 0])
    ax2.hist(doc_oof, bins=20, range=(0, 1), color="grey")
    ax2.set_xlabel("score")
    ax2.set_ylabel("sentences")
    fig.tight_layout()
    fig.savefig(fig_dir / "calibration.png", metadata={"Software": None})
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8))
    for ax, (label, mask) in zip(
        axes, (("seed", origin == "seed"), ("authored", origin == "authored")), strict=True
    ):
        if mask.any():
            cm = confusion_matrix(y[mask], (doc_oof[mask] >= threshold).astype(int), labels=[0, 1])
            rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
            disp = ConfusionMatrixDisplay(rates, display_labels=["other", "unsupported"])
            disp.plot(ax=ax, colorbar=False, values_format=".0%", im_kw={"vmin": 0, "vmax": 1})
            for (i, j), text in np.ndenumerate(disp.text_):
                text.set_text(f"{rates[i, j]:.0%}\n({cm[i, j]:,})")
            ax.set_xlabel("flagged at the threshold as")
            ax.set_ylabel("labelled")
        ax.set_title(f"{label} at threshold {threshold:.2f}\n(rates within each label, counts)")
    fig.tight_layout()
    fig.savefig(fig_dir / "confusion_matrix.png", metadata={"Software": None})
    plt.close(fig)

    if curve:
        fig, ax = plt.subplots(figsize=(6, 4.5))
        xs = [c["train_sentences"] for c in curve]
        for key, mask, marker, label in (
            ("topic_heldout_roc_auc", np.ones(len(y), bool), "o", "held-out topic (all)"),
            ("seed_roc_auc", origin == "seed", "s", "seed (doc-grouped)"),
        ):
            aucs = [c[key] for c in curve]
            n_pos, n_neg = int(y[mask].sum()), int((1 - y[mask]).sum())
            errs = [1.96 * _auc_se(a, n_pos, n_neg) for a in aucs]
            ax.errorbar(xs, aucs, yerr=errs, marker=marker, capsize=3, label=label)
        ax.set_ylim(0.5, 1.0)
        ax.set_xlabel("training sentences available")
        ax.set_ylabel("ROC-AUC (0.5 = chance; bars: 95% interval)")
        ax.set_title("Learning curve")
        ax.legend(loc="lower right")
        fig.tight_layout()
        fig.savefig(fig_dir / _LEARNING_CURVE, metadata={"Software": None})
        plt.close(fig)
    return figure_names({"learning_curve": curve})


def draw_adaptation_curve(summary: dict, path: Path) -> None:
    """``make adapt-curve``'s figure: mean ROC-AUC over topics with a 95% interval across topics.

    One line per tier and order; the interval is the mean's (Student t over
    the per-topic means), so a gap smaller than the bars is not a difference.
    """
    plt = _pyplot()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    steps = np.asarray(summary["steps"])
    lines = [
        (tier, order)
        for tier in summary["tiers"]
        for order in ("random", "suggested")
        if order in summary["tiers"][tier]
    ]
    markers = {"random": "s", "suggested": "o"}
    for n, (tier, order) in enumerate(lines):
        entry = summary["tiers"][tier]
        shift = (n - (len(lines) - 1) / 2) * 1.2
        ax.errorbar(
            steps + shift,
            entry[order],
            yerr=entry[f"{order}_half95"],
            marker=markers[order],
            linestyle="-" if tier == "semantic" else "--",
            capsize=3,
            label=f"{tier} tier, {order} order",
        )
    ax.set_ylim(0.5, 1.0)
    ax.set_xlabel("labels of the new topic added (weighted as retrain weights them)")
    ax.set_ylabel("ROC-AUC on an unseen page of that topic\n(0.5 = chance; bars: 95% interval)")
    ax.set_title(f"Adapting to a new topic (mean over {summary['topics']} topics)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
