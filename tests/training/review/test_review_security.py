"""The workbench's request rules, with Starlette's TestClient (issue 20 point 3).

No token, 401; a foreign Host, 403 (DNS rebinding); a state-changing request
from another origin, 403; no route reads a path from a request; page text
reaches the browser as JSON data only and the script never parses it as HTML;
labels land in the CSV formula-safe.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytest.importorskip("starlette")

from claim_risk.training.review.app import create_app
from claim_risk.training.review.security import allowed_hosts, cookie_name
from claim_risk.training.review.session import Session
from starlette.testclient import TestClient

PORT = 8765
TOKEN = "test-token-0123456789"
BASE = f"http://127.0.0.1:{PORT}"
STATIC = Path(__file__).resolve().parents[3] / "training" / "review" / "static"


@pytest.fixture
def session(tmp_path: Path, pages_dir: Path) -> Session:
    s = Session([str(pages_dir)], tmp_path / "labels" / "mine.csv")
    s.load()
    return s


@pytest.fixture
def client(session: Session) -> TestClient:
    app = create_app(session, None, TOKEN, allowed_hosts("127.0.0.1", PORT), PORT)
    return TestClient(app, base_url=BASE, follow_redirects=False)


def _authed(client: TestClient) -> TestClient:
    client.headers["X-Claim-Risk-Token"] = TOKEN
    client.headers["Origin"] = BASE
    return client


def _first_id(session: Session, containing: str = "") -> str:
    return next(s.id for p in session.pages for s in p.sentences if containing in s.text)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/api/state"),
        ("GET", "/api/suggest"),
        ("GET", "/static/app.js"),
        ("GET", "/api/retrain"),
        ("POST", "/api/label"),
        ("POST", "/api/retrain"),
        ("GET", "/nothing-here"),
    ],
)
def test_every_request_without_the_token_is_refused(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, headers={"Origin": BASE})
    assert response.status_code == 401
    assert "token" in response.text


def test_a_wrong_token_is_refused_in_every_place_it_can_come(client: TestClient) -> None:
    assert client.get("/?token=wrong").status_code == 401
    assert client.get("/api/state", headers={"X-Claim-Risk-Token": "wrong"}).status_code == 401
    client.cookies.set(cookie_name(PORT), "wrong")
    assert client.get("/api/state").status_code == 401
    assert client.get(f"/api/state?token={TOKEN}").status_code == 401  # query only on the page


def test_the_token_in_the_url_becomes_a_strict_httponly_cookie(client: TestClient) -> None:
    response = client.get(f"/?token={TOKEN}")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{cookie_name(PORT)}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "<title>claim-risk review</title>" in page.text
    assert client.get("/api/state").status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "host",
    ["evil.example", f"evil.example:{PORT}", f"127.0.0.1:{PORT + 1}", "127.0.0.1", "", "[::2]"],
)
def test_a_foreign_host_header_is_refused_even_with_the_token(
    client: TestClient, host: str
) -> None:
    _authed(client)
    assert client.get("/api/state", headers={"Host": host}).status_code == 403
    assert client.get(f"/?token={TOKEN}", headers={"Host": host}).status_code == 403


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"LOCALHOST:{PORT}"])
def test_loopback_names_are_served(client: TestClient, host: str) -> None:
    _authed(client)
    origin = f"http://{host.lower()}"
    assert client.get("/api/state", headers={"Host": host, "Origin": origin}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": f"http://127.0.0.1:{PORT + 1}"},
        {"Origin": "null"},
        {"Origin": f"https://127.0.0.1:{PORT}"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {},
    ],
)
def test_a_state_changing_request_from_elsewhere_is_refused(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    client.headers["X-Claim-Risk-Token"] = TOKEN
    sid = _first_id(session)
    response = client.post("/api/label", json={"id": sid, "label": "none"}, headers=headers)
    assert response.status_code == 403
    assert client.post("/api/retrain", json={}, headers=headers).status_code == 403
    assert session.store.labels() == {}


def test_same_origin_by_fetch_metadata_is_accepted(client: TestClient, session: Session) -> None:
    client.headers["X-Claim-Risk-Token"] = TOKEN
    sid = _first_id(session)
    ok = client.post(
        "/api/label", json={"id": sid, "label": "none"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert ok.status_code == 200
    assert session.store.labels() == {sid: "none"}


@pytest.mark.parametrize(
    "path",
    [
        "/static/../security.py",
        "/static/..%2fsecurity.py",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/index.html",
        "/static/",
        "/static/app.js/../../cli.py",
        "/etc/passwd",
        "/../../../../etc/passwd",
        "/api/state/../../../etc/passwd",
    ],
)
def test_no_path_outside_the_fixed_assets_is_served(client: TestClient, path: str) -> None:
    _authed(client)
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.text and "import" not in response.text


def test_sentences_are_named_by_id_never_by_path(client: TestClient, session: Session) -> None:
    _authed(client)
    for bad in ("/etc/passwd", "../../etc/passwd", "", 7, None, ["x"]):
        response = client.post("/api/label", json={"id": bad, "label": "none"})
        assert response.status_code == 404
    assert session.store.labels() == {}
    state = client.get("/api/state", params={"path": "/etc/passwd"}).json()
    assert "root:" not in str(state)
    sources = {p["source"] for p in state["pages"]}
    assert all("pages" in s for s in sources) and len(sources) == 4


def test_bodies_must_be_small_json_objects_with_a_known_label(
    client: TestClient, session: Session
) -> None:
    _authed(client)
    sid = _first_id(session)
    assert (
        client.post("/api/label", content=f'{{"id": "{sid}", "label": "none"}}').status_code == 415
    )
    big = {"id": sid, "label": "none", "pad": "x" * 5000}
    assert client.post("/api/label", json=big).status_code == 413
    assert client.post("/api/label", json=[sid]).status_code == 400
    assert client.post("/api/label", json={"id": sid, "label": "skip"}).status_code == 400
    assert client.post("/api/label", json={"id": sid, "label": "=1+1"}).status_code == 400
    assert session.store.labels() == {}


def test_page_text_reaches_the_page_as_json_and_the_script_never_parses_html(
    client: TestClient,
) -> None:
    _authed(client)
    response = client.get("/api/state")
    assert response.headers["content-type"].startswith("application/json")
    texts = [s["text"] for p in response.json()["pages"] for s in p["sentences"]]
    assert any(t.startswith("<script>") for t in texts)
    page = client.get("/").text
    assert "<script>document" not in page and "pwned" not in page
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert "http://" not in script and "https://" not in script  # nothing from another origin
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html and "<script>" not in html


def test_labels_are_written_formula_safe(client: TestClient, session: Session) -> None:
    _authed(client)
    sid = _first_id(session, "=HYPERLINK")
    assert client.post("/api/label", json={"id": sid, "label": "unsupported"}).status_code == 200
    with session.store.path.open(newline="", encoding="utf-8") as fh:
        raw = {r["id"]: r for r in csv.DictReader(fh)}
    assert raw[sid]["text"].startswith("'=HYPERLINK")
    assert raw[sid]["label"] == "unsupported"
    assert session.store.labels()[sid] == "unsupported"
    assert next(r for r in session.store.rows() if r["id"] == sid)["text"].startswith("=HYPERLINK")


def test_label_skip_and_clear_through_the_api(client: TestClient, session: Session) -> None:
    _authed(client)
    a, b = (s.id for s in session.pages[0].sentences[:2])
    assert client.post("/api/label", json={"id": a, "label": "hedged"}).status_code == 200
    assert client.post("/api/skip", json={"id": b}).status_code == 200
    state = client.get("/api/state").json()
    assert state["labels"] == {a: "hedged"} and state["skipped"] == [b]
    suggested = client.get("/api/suggest", params={"n": 100}).json()["ids"]
    assert a not in suggested and b not in suggested and suggested
    assert client.post("/api/label", json={"id": a, "label": ""}).status_code == 200
    assert client.get("/api/state").json()["labels"] == {}
    assert client.get("/api/retrain").json() == {"state": "unavailable"}


def test_websockets_are_refused(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    _authed(client)
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/api/state"):
        pass
