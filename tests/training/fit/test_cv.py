"""Grouped splitting never leaks; augmentation is deterministic and keeps labels."""

from __future__ import annotations

import numpy as np
from claim_risk.training.data.augment import swap_topics
from claim_risk.training.data.labelled import LabelledSet
from claim_risk.training.fit.cv import Candidate, grouped_splits, one_standard_error, out_of_fold


def test_no_group_on_both_sides() -> None:
    groups = np.repeat([f"d{i}" for i in range(7)], [3, 1, 4, 2, 5, 2, 3])
    for n_splits in (None, 3, 5):
        seen_test = []
        for train, test in grouped_splits(groups, n_splits):
            assert not set(groups[train]) & set(groups[test])
            seen_test.extend(test)
        assert sorted(seen_test) == list(range(len(groups)))


def test_out_of_fold_scores_every_row_once(tiny_corpus) -> None:
    from claim_risk.training.data.sentences import load_labels

    data = LabelledSet.from_dataset(load_labels(*tiny_corpus, user_dir=None))
    p = out_of_fold(Candidate("w", {"cues": True}), data, data.topic, random_state=0, n_jobs=1)
    assert p.shape == data.y.shape and np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()


def test_topic_swap() -> None:
    texts = ["Kratom relieves postpartum depression fast.", "Drink water.", "KETAMINE for PPD"]
    new, labels = swap_topics(texts, [1, 0, 1], copies=2, random_state=3)
    assert labels == [1, 1, 1, 1]
    assert all("kratom" not in s.lower() and "ketamine" not in s.lower() for s in new)
    assert all("postpartum depression" not in s.lower() for s in new)
    assert (new, labels) == swap_topics(texts, [1, 0, 1], copies=2, random_state=3)
    assert new[0][0].isupper()


def test_one_standard_error_prefers_the_first_close_enough() -> None:
    rows = [{"topic_auc_mean": m, "topic_auc_std": 0.1} for m in (0.80, 0.86, 0.90, 0.89)]
    # best 0.90, se = 0.1 / sqrt(4) = 0.05: 0.86 is the first within it
    assert one_standard_error(rows, n_groups=5) == 1
    assert one_standard_error(rows, n_groups=10_001) == 2
