"""A bounded load test of the label endpoint: many clients at once on loopback, no label lost.

20 clients, each on its own connection, save 25 labels each (500 in all) to a
real ``claim-risk review`` server as fast as it answers; every save must be
answered 200 and every label must be in the CSV at the end, and the server
must still answer a page load while it happens. Figures go to standard output
(``pytest -s``); nothing is timed against a limit.
"""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

import pytest
from claim_risk.training.data.schema import LABELS
from claim_risk.training.data.sentences import read_rows

from tests.training.review.conftest import start_workbench, stop, write_pages

CLIENTS = 20
LABELS_EACH = 25


def test_concurrent_clients_lose_no_label(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    pages = write_pages(tmp_path / "pages", pages=CLIENTS, sentences=LABELS_EACH + 5)
    labels = tmp_path / "user" / "load.csv"
    bench = start_workbench(tmp_path, str(pages), labels=labels)
    try:
        status, state = bench.request("GET", "/api/state")
        assert status == 200
        ids = [s["id"] for p in state["pages"] for s in p["sentences"]]
        assert len(ids) >= CLIENTS * LABELS_EACH
        plan = {
            k: [(ids[k + CLIENTS * j], LABELS[(k + j) % 3]) for j in range(LABELS_EACH)]
            for k in range(CLIENTS)
        }
        answers: dict[int, list[int]] = {k: [] for k in range(CLIENTS)}
        barrier = threading.Barrier(CLIENTS + 1)

        def client(k: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", bench.port, timeout=120)
            barrier.wait()
            for sid, label in plan[k]:
                code, _ = bench.request(
                    "POST", "/api/label", {"id": sid, "label": label}, conn=conn
                )
                answers[k].append(code)
            conn.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        barrier.wait()
        started = time.perf_counter()
        during, _ = bench.request("GET", "/api/state")  # the server answers while loaded
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        assert during == 200
        assert all(codes == [200] * LABELS_EACH for codes in answers.values()), answers
        rows = {r["id"]: r["label"] for r in read_rows(labels, spreadsheet=True)}
        expected = {sid: label for k in plan for sid, label in plan[k]}
        lost = [sid for sid, label in expected.items() if rows.get(sid) != label]
        assert lost == []
        assert len(rows) == len(ids)  # no row gained or dropped
        assert sum(1 for v in rows.values() if v) == CLIENTS * LABELS_EACH
        print(
            f"\nload: {CLIENTS} clients x {LABELS_EACH} labels = {CLIENTS * LABELS_EACH} saves "
            f"into a {len(ids)}-row CSV in {wall:.1f} s ({CLIENTS * LABELS_EACH / wall:.0f}/s), "
            f"{len(lost)} lost"
        )
    finally:
        stop(bench)
