"""The workbench as a person uses it, in a real Chromium driven by Playwright (issue 20 point 4).

Open the printed URL, label by keyboard, reload and find the labels there,
label in two tabs at once, see hostile page text as text, and nothing fetched
from anywhere but the workbench. Playwright cannot download its own browsers
here, so it drives Debian's chromium (`.ci/run` installs it); without it, or
without Playwright, these tests skip and say why.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.training.review.conftest import Workbench, start_workbench, stop

CHROMIUM = shutil.which("/usr/bin/chromium") or shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip(
        "no Chromium on this machine: `apt-get install chromium` (as .ci/run does) to run "
        "the workbench in a real browser",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'"
)

READY = "body[data-ready=true]"
# Every key handled and every label saved.
SETTLED = "() => !document.body.dataset.busy && !document.querySelector('li.sent .label.saving')"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def context(browser) -> Iterator:
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    yield ctx
    ctx.close()


def _open(context, bench: Workbench):
    page = context.new_page()
    page.goto(bench.url)
    page.wait_for_selector(READY)
    return page


def press(page, key: str) -> None:
    """Press ``key`` and wait until the page has handled it (and saved what it labelled)."""
    page.keyboard.press(key)
    page.wait_for_function(SETTLED)


def _ids(page) -> list[str]:
    return page.eval_on_selector_all("li.sent", "els => els.map(e => e.dataset.id)")


def _labels_on_page(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "li.sent", "els => Object.fromEntries(els.map(e => [e.dataset.id, e.dataset.label]))"
    )


def _saved(bench: Workbench) -> dict[str, str]:
    status, state = bench.request("GET", "/api/state")
    assert status == 200
    return state["labels"]


def test_open_label_by_keyboard_and_reload(context, workbench: Workbench) -> None:
    page = _open(context, workbench)
    assert page.url == workbench.base + "/"  # the token left the address bar
    assert page.title() == "claim-risk review"
    assert "Next to label" in page.inner_text("#view-title")
    first = _ids(page)[:4]
    for key in "unhs":  # typed at speed: the keys queue, in order
        page.keyboard.press(key)
    page.wait_for_function(SETTLED)
    page.wait_for_function(SETTLED)
    shown = [page.inner_text(f"li.sent[data-id='{sid}'] .label") for sid in first]
    assert shown == ["unsupported", "none", "hedged", "skipped"]
    expected = {first[0]: "unsupported", first[1]: "none", first[2]: "hedged"}
    assert _saved(workbench) == expected
    assert "3 of 21 sentences labelled" in page.inner_text("#counts")
    # j / k move the focus; the help opens with ? and closes with Escape.
    focused = page.get_attribute("li.sent[aria-selected=true]", "data-id")
    press(page, "k")
    assert page.get_attribute("li.sent[aria-selected=true]", "data-id") != focused
    press(page, "j")
    assert page.get_attribute("li.sent[aria-selected=true]", "data-id") == focused
    press(page, "?")
    assert page.is_visible("#help")
    press(page, "Escape")
    assert not page.is_visible("#help")

    page.reload()
    page.wait_for_selector(READY)
    assert "3 of 21 sentences labelled" in page.inner_text("#counts")
    assert not set(first) & set(_ids(page))  # labelled and skipped ones are not suggested again
    seen: dict[str, str] = {}
    for _ in range(4):  # every page, by ]
        press(page, "]")
        seen.update(_labels_on_page(page))
    assert {sid: label for sid, label in seen.items() if label} == expected
    # a label is cleared with x
    sid = first[0]
    press(page, "g")
    for _ in range(4):
        press(page, "]")
        if sid in _ids(page):
            break
    for _ in range(_ids(page).index(sid)):
        press(page, "j")
    assert page.get_attribute("li.sent[aria-selected=true]", "data-id") == sid
    press(page, "x")
    assert sid not in _saved(workbench)
    assert page.get_attribute(f"li.sent[data-id='{sid}']", "data-label") == ""


def test_two_tabs_labelling_at_once_both_persist(context, workbench: Workbench) -> None:
    a = _open(context, workbench)
    b = context.new_page()
    b.goto(workbench.base + "/")  # the second tab has the cookie, not the token
    b.wait_for_selector(READY)
    press(a, "]")  # tab A on the riskiest page, tab B on the next
    press(b, "]")
    press(b, "]")
    ids_a, ids_b = _ids(a)[:3], _ids(b)[:3]
    assert not set(ids_a) & set(ids_b)
    for key in "unh":  # interleaved, without waiting for either tab's saves
        a.keyboard.press(key)  # raw: no waiting between the two tabs
        b.keyboard.press(key)  # raw
    a.wait_for_function(SETTLED)
    b.wait_for_function(SETTLED)
    names = {"u": "unsupported", "n": "none", "h": "hedged"}
    expected = {sid: names[k] for ids in (ids_a, ids_b) for sid, k in zip(ids, "unh", strict=True)}
    assert _saved(workbench) == expected
    for tab in (a, b):
        tab.reload()
        tab.wait_for_selector(READY)
        assert "6 of 21 sentences labelled" in tab.inner_text("#counts")


def test_hostile_page_text_stays_text(context, workbench: Workbench) -> None:
    page = _open(context, workbench)
    for _ in range(6):  # every page of the fixture, in whatever order the model ranks them
        if "hostile.txt" in page.inner_text("#view-title"):  # the file, not the test's folder
            break
        press(page, "]")
    assert "hostile.txt" in page.inner_text("#view-title")
    texts = page.eval_on_selector_all("li.sent .text", "els => els.map(e => e.textContent)")
    assert any(t.startswith("<script>document.title='pwned'</script>") for t in texts)
    assert any(t.startswith("<img src=x onerror=") for t in texts)
    assert page.title() == "claim-risk review"
    assert page.query_selector_all("#sentences img, #sentences script") == []


def test_nothing_is_fetched_from_elsewhere_and_no_token_means_401(
    browser, workbench: Workbench
) -> None:
    ctx = browser.new_context()
    try:
        urls: list[str] = []
        page = ctx.new_page()
        page.on("request", lambda r: urls.append(r.url))
        response = page.goto(workbench.base + "/")
        assert response is not None and response.status == 401
        page.goto(workbench.url)
        page.wait_for_selector(READY)
        press(page, "]")
        assert urls and all(
            u.startswith(workbench.base + "/") or u.startswith("data:") for u in urls
        )
    finally:
        ctx.close()


@pytest.mark.slow
def test_retrain_with_progress_then_before_and_after(
    context, tmp_path: Path, pages_dir: Path
) -> None:
    """Label a few sentences on two pages, press r: a progress bar, then the lift and new scores.

    The fast tier on a handful of labels: about 20 s of training on a quiet machine.
    """
    labels = tmp_path / "user" / "mine.csv"
    bench = start_workbench(tmp_path, str(pages_dir), labels=labels, extra=("--tier", "fast"))
    try:
        page = _open(context, bench)
        for keys in ("unn", "unh"):
            press(page, "]")
            for key in keys:
                press(page, key)
        page.wait_for_function(SETTLED)
        before = _saved(bench)
        assert len(before) == 6
        press(page, "r")
        page.wait_for_selector("#progress:not([hidden])")
        assert "retraining" in page.inner_text("#retrain-status")
        assert page.is_disabled("#retrain")
        press(page, "g")  # labelling goes on while it trains
        press(page, "n")
        page.wait_for_function(SETTLED)
        assert len(_saved(bench)) == 7
        page.wait_for_selector("#lift:not([hidden])", timeout=600_000)
        status = page.inner_text("#retrain-status")
        assert "retrained" in status, status
        assert page.is_hidden("#progress")
        meta = page.inner_text("#lift-meta")  # the 7th label may land before training reads
        assert meta.startswith(("6 labels on 2 pages", "7 labels on 3 pages")), meta
        assert "too few labels" in page.inner_text("#lift-warning")  # and gives no figure
        assert page.is_hidden("#lift-table")
        assert page.query_selector_all("li.sent .before")  # each score beside its old one
        _, state = bench.request("GET", "/api/state")
        model = Path(state["retrain"]["model"])
        assert model.parent == labels.parent / "models"
        assert (model / "lift.json").is_file() and (model / "model.json").is_file()
        assert state["model"]["name"] == str(model)
        assert state["labels"] == _saved(bench) and len(state["labels"]) == 7  # untouched
    finally:
        stop(bench)


class _Finished:
    """A retraining already done, with figures (the dict the adapt loop's retrain returns)."""

    RESULT = {  # noqa: RUF012
        "tier": "semantic",
        "n_labels": 300,
        "n_pages": 12,
        "n_positive": 90,
        "weight": 3.0,
        "folds": 5,
        "before": {"roc_auc": 0.71, "ci": [0.6, 0.8]},
        "after": {"roc_auc": 0.78, "ci": [0.7, 0.86]},
        "lift": {"delta": 0.07, "ci": [0.01, 0.12]},
        "enough": True,
        "warning": None,
    }

    def status(self) -> dict:
        return {"state": "done", "model": "my_model", "result": self.RESULT}

    def start(self) -> bool:
        return False


def test_the_lift_panel_shows_before_after_and_the_lift(
    context, tmp_path: Path, pages_dir: Path
) -> None:
    """The panel as it shows a retraining with enough labels (served in-process)."""
    import threading

    import uvicorn
    from claim_risk.training.review.app import create_app
    from claim_risk.training.review.cli import bind
    from claim_risk.training.review.security import allowed_hosts
    from claim_risk.training.review.session import Session

    session = Session([str(pages_dir)], tmp_path / "user" / "mine.csv")
    session.load()
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app = create_app(session, _Finished(), "t0ken", allowed_hosts("127.0.0.1", port), port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/?token=t0ken")
        page.wait_for_selector(READY)
        assert page.is_visible("#lift-table")
        cells = {
            cell: page.inner_text(f"#{cell}")
            for cell in (
                "lift-before",
                "lift-before-ci",
                "lift-after",
                "lift-delta",
                "lift-delta-ci",
            )
        }
        assert cells == {
            "lift-before": "0.710",
            "lift-before-ci": "0.600 – 0.800",
            "lift-after": "0.780",
            "lift-delta": "+0.070",
            "lift-delta-ci": "0.010 – 0.120",
        }
        meta = page.inner_text("#lift-meta")
        assert meta.startswith("300 labels on 12 pages (90 unsupported), 5 folds by page")
        assert page.is_hidden("#lift-warning")
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
