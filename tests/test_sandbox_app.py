"""The sandbox WSGI app, driven through httpx's WSGI transport; every response checked against the contract."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from sydium_cli.sandbox import make_app
from sydium_cli.sandbox.app import SandboxApp
from tests.contract import _check, spec, validate_response

KEY = "sk_test_" + "a" * 24
BASE = "http://sandbox.sydium.invalid"
T0 = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc).timestamp()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class Sandbox:
    """An httpx client over the app that validates every /v1/ response against the contract."""

    def __init__(self, app: SandboxApp, clock: Clock) -> None:
        self.app, self.clock = app, clock
        self.http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE)

    def call(self, method: str, path: str, *, key: str | None = KEY, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        headers.update(kwargs.pop("headers", {}))
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        documented = spec()["paths"].get(_template(path), {}).get(method.lower(), {}).get("responses", {})
        if str(response.status_code) in documented:
            validate_response(method, path, response.status_code, body)
        else:  # a fault-switch status the contract does not list: still the documented error envelope
            _check(spec()["components"]["schemas"]["ErrorResponse"], body, f"{method} {path}")
        return response

    def data(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json()["data"]

    def error(self, method: str, path: str, status: int, code: str, **kwargs: Any) -> str:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
        return str(response.json()["error"]["message"])


def _template(path: str) -> str:
    for template in spec()["paths"]:
        parts, want = template.split("/"), path.split("/")
        if len(parts) == len(want) and all(p == w or p.startswith("{") for p, w in zip(parts, want, strict=True)):
            return template
    return path


def make(tmp_path: Path, *, delay: float = 0, faults: str = "") -> Sandbox:
    clock = Clock()
    app = make_app(tmp_path / "state.sqlite3", publish_delay=delay, faults=faults, clock=clock)
    return Sandbox(app, clock)


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    return make(tmp_path)


def hosted_image(sb: Sandbox, ext: str = "png", ctype: str = "image/png") -> str:
    data = sb.data("POST", "/v1/media/upload-url", 201, json={"contentType": ctype, "fileSize": 4})
    assert sb.http.put(data["uploadUrl"], content=b"abcd").status_code == 200
    return str(data["publicUrl"])


# ---- reads ----------------------------------------------------------------------------------------


def test_health_needs_no_key(sb: Sandbox) -> None:
    data = sb.data("GET", "/v1/health", key=None)
    assert data["status"] == "ok"


def test_accounts_cover_every_platform(sb: Sandbox) -> None:
    accounts = sb.data("GET", "/v1/accounts")["accounts"]
    assert {a["platform"] for a in accounts} >= {"x", "linkedin", "instagram", "youtube", "tiktok"}


def test_platform_table_has_realistic_limits(sb: Sandbox) -> None:
    table = {p["platform"]: p for p in sb.data("GET", "/v1/platforms")["platforms"]}
    assert table["x"]["captionLimit"] == 280
    assert table["linkedin"]["captionLimit"] == 3000
    assert table["instagram"]["captionLimit"] == 2200
    assert table["facebook"]["captionLimit"] == 63206
    assert table["threads"]["captionLimit"] == 500
    assert table["bluesky"]["captionLimit"] == 300
    assert table["youtube"]["titleLimit"] == 100 and table["youtube"]["descriptionLimit"] == 5000
    assert table["tiktok"]["mediaTypes"] == ["video"]
    assert table["youtube"]["media"]["postTypes"] == ["video", "short"]
    assert set(table["instagram"]["media"]["postTypes"]) == {"post", "reel", "story"}


def test_single_platform_and_unknown_platform_404(sb: Sandbox) -> None:
    assert sb.data("GET", "/v1/platforms/linkedin")["captionLimit"] == 3000
    assert "myspace" in sb.error("GET", "/v1/platforms/myspace", 404, "not_found")


def test_keys_missing_malformed_and_magic(sb: Sandbox) -> None:
    sb.error("GET", "/v1/accounts", 401, "unauthorized", key=None)
    sb.error("GET", "/v1/accounts", 401, "unauthorized", key="pk_nope")
    sb.error("GET", "/v1/accounts", 401, "unauthorized", key="sk_test_unauthorized" + "x" * 10)
    sb.error("GET", "/v1/accounts", 403, "insufficient_permissions", key="sk_test_noscope" + "x" * 10)
    live = "sk_live_" + "b" * 24
    assert sb.data("GET", "/v1/accounts", key=live)["accounts"]


def test_readonly_key_reads_but_cannot_publish(sb: Sandbox) -> None:
    readonly = "sk_test_readonly" + "x" * 10
    assert sb.data("GET", "/v1/posts", key=readonly) == {"posts": []}
    body = {"caption": "hi", "targets": [{"platform": "x"}]}
    assert "posts:write" in sb.error("POST", "/v1/posts", 403, "insufficient_permissions", key=readonly, json=body)
    broke = "sk_test_notokens" + "x" * 10
    assert "tokens" in sb.error("POST", "/v1/posts", 429, "rate_limited", key=broke, json=body)
    assert sb.data("GET", "/v1/accounts", key=broke)["accounts"]


def test_idea_today_is_deterministic(sb: Sandbox) -> None:
    first = sb.data("GET", "/v1/ideas/today")["idea"]
    assert first == sb.data("GET", "/v1/ideas/today")["idea"]
    assert first["date"] == "2026-12-04"


def test_generate_is_deterministic_and_fits_the_platform(sb: Sandbox) -> None:
    body = {"topic": "release notes " * 40, "platform": "x", "tone": "casual"}
    one = sb.data("POST", "/v1/generate", json=body)
    assert one == sb.data("POST", "/v1/generate", json=body)
    assert len(one["text"]) <= 280 and one["tokensUsed"] > 0


@pytest.mark.parametrize(
    "body",
    [{}, {"topic": ""}, {"topic": "x" * 2001}, {"topic": "ok", "platform": "myspace"}, {"topic": "a", "tone": 3}],
)
def test_generate_rejects_bad_input_with_422(sb: Sandbox, body: dict[str, Any]) -> None:
    sb.error("POST", "/v1/generate", 422, "unprocessable", json=body)


def test_analytics_defaults_to_last_30_days(sb: Sandbox) -> None:
    data = sb.data("GET", "/v1/analytics")
    assert data["range"] == {"from": "2026-11-05", "to": "2026-12-04"}
    assert len(data["days"]) == 30
    totals = data["days"][0]["totals"]
    assert totals["impressions"] >= totals["reach"] >= totals["engagement"] >= 0


def test_analytics_grow_with_what_was_published(sb: Sandbox) -> None:
    before = sb.data("GET", "/v1/analytics", params={"from": "2026-12-04", "to": "2026-12-04"})["days"][0]["totals"]
    sb.data(
        "POST", "/v1/posts", 201, json={"caption": "hello", "targets": [{"platform": "x"}, {"platform": "linkedin"}]}
    )
    after = sb.data("GET", "/v1/analytics", params={"from": "2026-12-04", "to": "2026-12-04"})["days"][0]["totals"]
    assert after["impressions"] > before["impressions"] + 500
    assert after["posts"] == 2


@pytest.mark.parametrize(
    "params",
    [{"from": "yesterday"}, {"to": "2026-13-01"}, {"from": "2026-12-04", "to": "2026-12-01"}, {"from": "2020-01-01"}],
)
def test_analytics_bad_windows_422(sb: Sandbox, params: dict[str, str]) -> None:
    sb.error("GET", "/v1/analytics", 422, "unprocessable", params=params)


def test_unknown_endpoint_404(sb: Sandbox) -> None:
    response = sb.http.get("/v1/nope", headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


# ---- publishing ---------------------------------------------------------------------------------


def test_publish_now_goes_processing_then_published(tmp_path: Path) -> None:
    sb = make(tmp_path, delay=2)
    op = sb.data(
        "POST", "/v1/posts", 201, json={"caption": "Hello", "targets": [{"platform": "x"}, {"platform": "linkedin"}]}
    )
    assert op["id"].startswith("op_") and op["status"] == "processing"
    assert [t["status"] for t in op["targets"]] == ["processing", "processing"]
    sb.clock.now += 2
    done = sb.data("GET", f"/v1/posts/{op['id']}")
    assert done["status"] == "completed"
    x, linkedin = done["targets"]
    assert x["url"] == f"https://x.com/sydium_sandbox/status/{x['postId']}" and x["error"] is None
    assert linkedin["postId"].startswith("urn:li:share:")
    assert sb.data("GET", "/v1/posts") == {"posts": []}  # published posts are never listed


def test_partial_failure_has_realistic_error_objects(sb: Sandbox) -> None:
    body = {"caption": "Hello", "targets": [{"platform": "x"}, {"platform": "instagram"}, {"platform": "tiktok"}]}
    op = sb.data("POST", "/v1/posts", 201, json=body)
    assert op["status"] == "partially_failed"
    by = {t["platform"]: t for t in op["targets"]}
    assert by["x"]["status"] == "published"
    assert by["instagram"]["error"]["code"] == "media_required" and by["instagram"]["postId"] is None
    assert by["tiktok"]["status"] == "failed"


def test_caption_over_the_limit_fails_that_target_only(sb: Sandbox) -> None:
    op = sb.data(
        "POST", "/v1/posts", 201, json={"caption": "x" * 281, "targets": [{"platform": "x"}, {"platform": "linkedin"}]}
    )
    by = {t["platform"]: t for t in op["targets"]}
    assert by["x"]["error"]["code"] == "caption_too_long" and "280" in by["x"]["error"]["message"]
    assert by["linkedin"]["status"] == "published"


def test_video_only_platform_given_an_image_fails(sb: Sandbox) -> None:
    image = hosted_image(sb)
    op = sb.data(
        "POST",
        "/v1/posts",
        201,
        json={"caption": "c", "media": [image], "targets": [{"platform": "youtube"}, {"platform": "instagram"}]},
    )
    by = {t["platform"]: t for t in op["targets"]}
    assert by["youtube"]["error"]["code"] == "unsupported_media_type"
    assert by["instagram"]["status"] == "published"


def test_youtube_short_with_video_publishes_and_title_limit_applies(sb: Sandbox) -> None:
    video = hosted_image(sb, "mp4", "video/mp4")
    op = sb.data(
        "POST",
        "/v1/posts",
        201,
        json={"caption": "Short", "media": [video], "targets": [{"platform": "youtube", "postType": "short"}]},
    )
    assert op["targets"][0]["url"].startswith("https://www.youtube.com/shorts/")
    long_title = {"platform": "youtube", "options": {"title": "t" * 101}}
    op = sb.data("POST", "/v1/posts", 201, json={"caption": "d", "media": [video], "targets": [long_title]})
    assert op["targets"][0]["error"]["code"] == "title_too_long"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"caption": "hi"}, "targets"),
        ({"caption": "hi", "targets": []}, "targets"),
        ({"caption": "hi", "targets": [{"platform": "x"}] * 11}, "10"),
        ({"caption": "hi", "targets": [{"platform": "myspace"}]}, "myspace"),
        ({"caption": "hi", "targets": [{"platform": "x"}, {"platform": "x"}]}, "twice"),
        ({"caption": "hi", "targets": [{"platform": "youtube", "postType": "reel"}]}, "reel"),
        ({"caption": "hi", "targets": [{"platform": "x", "options": []}]}, "options"),
        ({"targets": [{"platform": "x"}]}, "caption"),
        (
            {"caption": "hi", "media": ["https://example.com/cat.png"], "targets": [{"platform": "x"}]},
            "example.com/cat.png",
        ),
        ({"caption": "hi", "media": ["https://cdn.sydium.com/a.png"] * 36, "targets": [{"platform": "x"}]}, "35"),
        ({"caption": "hi", "scheduleAt": "2026-12-05T09:00:00", "targets": [{"platform": "x"}]}, "offset"),
        ({"caption": "hi", "scheduleAt": "2020-01-01T09:00:00Z", "targets": [{"platform": "x"}]}, "past"),
        ({"caption": "hi", "scheduleAt": "tomorrow", "targets": [{"platform": "x"}]}, "ISO"),
        ({"caption": 5, "targets": [{"platform": "x"}]}, "caption"),
    ],
)
def test_create_post_rejects_invalid_requests_with_422(sb: Sandbox, body: dict[str, Any], needle: str) -> None:
    assert needle in sb.error("POST", "/v1/posts", 422, "unprocessable", json=body)


def test_create_post_rejects_malformed_json(sb: Sandbox) -> None:
    sb.error("POST", "/v1/posts", 422, "unprocessable", content=b"{nope", headers={"Content-Type": "application/json"})


def test_sydium_hosted_media_is_accepted_and_35_items_allowed(sb: Sandbox) -> None:
    media = ["https://cdn.sydium.com/a.png"] * 35
    op = sb.data(
        "POST", "/v1/posts", 201, json={"caption": "hi", "media": media, "targets": [{"platform": "linkedin"}]}
    )
    assert op["targets"][0]["error"]["code"] == "too_many_media"  # LinkedIn allows 20: a target failure, not 422


# ---- scheduling, listing, cancelling ------------------------------------------------------------


def schedule(sb: Sandbox, when: str, caption: str = "later", platforms: tuple[str, ...] = ("x", "linkedin")) -> Any:
    body = {"caption": caption, "scheduleAt": when, "targets": [{"platform": p} for p in platforms]}
    return sb.data("POST", "/v1/posts", 201, json=body)


def test_scheduled_list_is_sorted_and_windowed(sb: Sandbox) -> None:
    late = schedule(sb, "2026-12-20T09:00:00+01:00", "late")
    early = schedule(sb, "2026-12-05T09:00:00Z", "early", ("x",))
    assert early["status"] == "scheduled" and early["scheduledFor"] == "2026-12-05T09:00:00Z"
    posts = sb.data("GET", "/v1/posts")["posts"]
    assert [p["id"] for p in posts] == [early["id"], late["id"]]
    assert posts[1] == {
        "id": late["id"],
        "scheduledFor": "2026-12-20T08:00:00Z",
        "caption": "late",
        "platforms": ["x", "linkedin"],
        "status": "scheduled",
    }
    window = sb.data("GET", "/v1/posts", params={"from": "2026-12-10T00:00:00Z", "to": "2026-12-31T00:00:00Z"})
    assert [p["id"] for p in window["posts"]] == [late["id"]]
    sb.error("GET", "/v1/posts", 422, "unprocessable", params={"from": "soon"})
    sb.error(
        "GET", "/v1/posts", 422, "unprocessable", params={"from": "2026-12-31T00:00:00Z", "to": "2026-12-01T00:00:00Z"}
    )


def test_scheduled_post_publishes_when_its_time_comes(tmp_path: Path) -> None:
    sb = make(tmp_path, delay=2)
    op = schedule(sb, "2026-12-04T13:00:00Z")
    sb.clock.now += 3600
    assert sb.data("GET", f"/v1/posts/{op['id']}")["status"] == "processing"
    assert sb.data("GET", "/v1/posts")["posts"] == []
    sb.clock.now += 2
    assert sb.data("GET", f"/v1/posts/{op['id']}")["status"] == "completed"


def test_cancel_touches_only_scheduled_targets(sb: Sandbox) -> None:
    op = schedule(sb, "2026-12-06T09:00:00Z")
    cancelled = sb.data("DELETE", f"/v1/posts/{op['id']}")
    assert cancelled["status"] == "cancelled"
    assert {t["status"] for t in cancelled["targets"]} == {"cancelled"}
    assert sb.data("GET", "/v1/posts")["posts"] == []
    published = sb.data("POST", "/v1/posts", 201, json={"caption": "now", "targets": [{"platform": "x"}]})
    after = sb.data("DELETE", f"/v1/posts/{published['id']}")
    assert after["status"] == "completed" and after["targets"][0]["status"] == "published"


def test_cancel_never_races_an_in_flight_publish(tmp_path: Path) -> None:
    sb = make(tmp_path, delay=5)
    op = sb.data("POST", "/v1/posts", 201, json={"caption": "now", "targets": [{"platform": "x"}]})
    assert sb.data("DELETE", f"/v1/posts/{op['id']}")["targets"][0]["status"] == "processing"
    sb.clock.now += 5
    assert sb.data("GET", f"/v1/posts/{op['id']}")["status"] == "completed"


def test_unknown_operation_404_on_get_and_cancel(sb: Sandbox) -> None:
    sb.error("GET", "/v1/posts/op_000000000000000000000000", 404, "not_found")
    sb.error("DELETE", "/v1/posts/op_000000000000000000000000", 404, "not_found")


def test_state_survives_a_new_app_on_the_same_file(tmp_path: Path) -> None:
    op = schedule(make(tmp_path), "2026-12-06T09:00:00Z")
    again = make(tmp_path)
    assert [p["id"] for p in again.data("GET", "/v1/posts")["posts"]] == [op["id"]]


# ---- media ----------------------------------------------------------------------------------------


def test_upload_url_put_and_public_url(sb: Sandbox) -> None:
    data = sb.data("POST", "/v1/media/upload-url", 201, json={"contentType": "image/jpeg", "fileSize": 5})
    assert (
        data["uploadUrl"].startswith(f"{BASE}/_sandbox/upload/") and data["publicUrl"] == f"{BASE}/media/{data['key']}"
    )
    assert sb.http.get(data["publicUrl"]).status_code == 404  # nothing uploaded yet
    assert sb.http.put(data["uploadUrl"], content=b"12").status_code == 400  # size differs from fileSize
    assert sb.http.put(data["uploadUrl"], content=b"123456").status_code == 413
    assert sb.http.put(data["uploadUrl"], content=b"hello").status_code == 200
    served = sb.http.get(data["publicUrl"])
    assert served.content == b"hello" and served.headers["content-type"] == "image/jpeg"
    assert sb.http.put(f"{BASE}/_sandbox/upload/unknown.png", content=b"x").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"contentType": "text/html", "fileSize": 3},
        {"contentType": "image/png", "fileSize": 0},
        {"contentType": "image/png", "fileSize": 2**31},
        {"contentType": "image/png"},
    ],
)
def test_upload_url_rejects_bad_requests(sb: Sandbox, body: dict[str, Any]) -> None:
    sb.error("POST", "/v1/media/upload-url", 422, "unprocessable", json=body)


def test_from_url_records_without_fetching(sb: Sandbox) -> None:
    data = sb.data("POST", "/v1/media/from-url", 201, json={"url": "https://example.com/clip.mp4"})
    assert data["publicUrl"].endswith(".mp4") and "uploadUrl" not in data
    redirect = sb.http.get(data["publicUrl"])
    assert redirect.status_code == 302 and redirect.headers["location"] == "https://example.com/clip.mp4"
    op = sb.data(
        "POST",
        "/v1/posts",
        201,
        json={"caption": "clip", "media": [data["publicUrl"]], "targets": [{"platform": "tiktok"}]},
    )
    assert op["targets"][0]["status"] == "published"  # recognised as a video by its extension
    sb.error("POST", "/v1/media/from-url", 422, "unprocessable", json={"url": "ftp://example.com/a"})


# ---- fault switches -------------------------------------------------------------------------------


def test_fault_429_with_retry_after_limited_to_a_path_and_count(tmp_path: Path) -> None:
    sb = make(tmp_path, faults="429=3@/v1/accounts#1")
    response = sb.call("GET", "/v1/accounts")
    assert response.status_code == 429 and response.headers["retry-after"] == "3"
    assert sb.call("GET", "/v1/accounts").status_code == 200
    assert sb.call("GET", "/v1/platforms").status_code == 200


def test_fault_429_without_retry_after_hits_even_health(tmp_path: Path) -> None:
    sb = make(tmp_path, faults="429")
    response = sb.call("GET", "/v1/health", key=None)
    assert response.status_code == 429 and "retry-after" not in response.headers


def test_fault_tokens_hits_only_spending_calls(tmp_path: Path) -> None:
    sb = make(tmp_path, faults="tokens")
    assert sb.call("GET", "/v1/accounts").status_code == 200
    assert "tokens" in sb.error("POST", "/v1/generate", 429, "rate_limited", json={"topic": "t"})
    sb.error("POST", "/v1/posts", 429, "rate_limited", json={"caption": "c", "targets": [{"platform": "x"}]})


def test_fault_5xx_and_method_filter(tmp_path: Path) -> None:
    sb = make(tmp_path, faults="500@POST/v1/generate,503@/v1/accounts#1")
    sb.error("POST", "/v1/generate", 500, "internal_error", json={"topic": "t"})
    sb.error("GET", "/v1/accounts", 503, "internal_error")
    assert sb.call("GET", "/v1/accounts").status_code == 200


def test_fault_latency_delays_but_answers(tmp_path: Path) -> None:
    import time

    sb = make(tmp_path, faults="latency=0.2@/v1/health")
    started = time.monotonic()
    assert sb.call("GET", "/v1/health", key=None).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_embedded_drop_and_hang_become_transport_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sydium_cli.sandbox import embedded_transport

    monkeypatch.setenv("SYDIUM_SANDBOX_FAULT", "drop@/v1/accounts#1,hang@/v1/platforms")
    client = httpx.Client(transport=embedded_transport(tmp_path / "s.sqlite3"), base_url=BASE)
    headers = {"Authorization": f"Bearer {KEY}"}
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/v1/accounts", headers=headers)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/v1/platforms", headers=headers)
    response = client.get("/v1/accounts", headers=headers)
    validate_response("GET", "/v1/accounts", response.status_code, response.json())


@pytest.mark.parametrize("spec", ["explode", "latency", "429=abc", "500@v1/x"])
def test_bad_fault_spec_is_a_usage_error(tmp_path: Path, spec: str) -> None:
    from sydium_cli.api.errors import UsageError

    with pytest.raises(UsageError):
        make_app(tmp_path / "s.sqlite3", faults=spec)


def test_publish_delay_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sydium_cli.api.errors import UsageError

    monkeypatch.setenv("SYDIUM_SANDBOX_PUBLISH_DELAY", "0")
    assert make_app(tmp_path / "s.sqlite3").publish_delay == 0
    monkeypatch.setenv("SYDIUM_SANDBOX_PUBLISH_DELAY", "soon")
    with pytest.raises(UsageError):
        make_app(tmp_path / "s.sqlite3")
