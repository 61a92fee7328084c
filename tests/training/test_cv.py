"""Grouped splitting never leaks; augmentation is deterministic and keeps labels."""

from __future__ import annotations

import numpy as np

from training.augment import swap_topics
from training.cv import Candidate, grouped_splits, out_of_fold


def test_no_group_on_both_sides() -> None:
    groups = np.repeat([f"d{i}" for i in range(7)], [3, 1, 4, 2, 5, 2, 3])
    for n_splits in (None, 3, 5):
        seen_test = []
        for train, test in grouped_splits(groups, n_splits):
            assert not set(groups[train]) & set(groups[test])
            seen_test.extend(test)
        assert sorted(seen_test) == list(range(len(groups)))


def test_out_of_fold_scores_every_row_once(tiny_corpus) -> None:
    from training.data import load_labels

    t = load_labels(*tiny_corpus, user_dir=None).to_dict()
    y = (np.asarray(t["label"]) == 0).astype(int)
    p = out_of_fold(
        Candidate("w", {"cues": True}),
        t["text"],
        y,
        np.asarray(t["topic"]),
        np.zeros(len(y), bool),
        random_state=0,
        n_jobs=1,
    )
    assert p.shape == y.shape and np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()


def test_topic_swap() -> None:
    texts = ["Kratom relieves postpartum depression fast.", "Drink water.", "KETAMINE for PPD"]
    new, labels = swap_topics(texts, [1, 0, 1], copies=2, random_state=3)
    assert labels == [1, 1, 1, 1]
    assert all("kratom" not in s.lower() and "ketamine" not in s.lower() for s in new)
    assert all("postpartum depression" not in s.lower() for s in new)
    assert (new, labels) == swap_topics(texts, [1, 0, 1], copies=2, random_state=3)
    assert new[0][0].isupper()
