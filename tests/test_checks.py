"""Offline capability checks (one test per rule) and the capability cache."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from sydium_cli.api.client import RetryPolicy, SydiumClient
from sydium_cli.api.errors import NetworkError, UsageError
from sydium_cli.api.models import PlatformCapability
from sydium_cli.api.secret import SecretKey
from sydium_cli.compose.capabilities import Capabilities, cache_path, load_capabilities
from sydium_cli.compose.checks import caption_length, check_plan, raise_for_problems, type_accepted
from sydium_cli.compose.plan import MediaRef, PlannedOperation, PlannedTarget, PostPlan, SourceLocation
from tests.api_fake import CAPS, KEY, ContractApi, ok, start_api


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ContractApi:
    return start_api(httpserver, monkeypatch)


WHERE = SourceLocation("post.yaml", 3, 5)
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def caps() -> Capabilities:
    items = [PlatformCapability.from_wire(c) for c in CAPS]
    return Capabilities({c.platform: c for c in items}, NOW)


def plan(
    *platforms: str, caption: str = "hello", media: list[str] | None = None, post_type: str | None = None
) -> PostPlan:
    targets = [
        PlannedTarget(p, post_type=post_type, where=SourceLocation("post.yaml", 7 + i, 5))
        for i, p in enumerate(platforms)
    ]
    refs = [MediaRef(m, SourceLocation("--media")) for m in media or []]
    return PostPlan([PlannedOperation(caption, refs, None, targets, WHERE)])


def test_a_plan_within_every_limit_has_no_problems() -> None:
    assert check_plan(plan("x", "linkedin"), caps()) == []


def test_unknown_platform_with_suggestion_and_location() -> None:
    problems = check_plan(plan("twitter", "linkdin"), caps())
    assert [p.message for p in problems] == ["unknown platform 'twitter'", "unknown platform 'linkdin'"]
    assert "Did you mean 'x'?" in (problems[0].hint or "")
    assert "Did you mean 'linkedin'?" in (problems[1].hint or "")
    assert str(problems[0].where) == "post.yaml:7:5"


def test_caption_over_the_limit_says_by_how_much() -> None:
    (problem,) = check_plan(plan("x", "linkedin", caption="a" * 290), caps())
    assert problem.platform == "x"
    assert "290" in problem.message and "10 over its limit of 280" in problem.message


def test_x_counts_urls_as_23_and_wide_characters_as_2() -> None:
    url = "https://example.com/" + "p" * 200
    assert caption_length(f"see {url}", "x") == 4 + 23
    assert caption_length("日本語", "x") == 6
    assert caption_length("日本語", "linkedin") == 3
    assert caption_length("👍🏽", "x") == 2  # an emoji sequence weighs 2
    assert caption_length("e\u0301", "linkedin") == 1  # NFC: é is one code point
    (problem,) = check_plan(plan("x", caption="字" * 141), caps())
    assert "282 weighted characters" in problem.message


def test_a_long_url_does_not_push_an_x_caption_over() -> None:
    caption = "a" * 250 + " https://example.com/" + "q" * 300
    assert check_plan(plan("x", caption=caption), caps()) == []


def test_too_many_media(tmp_path: Path) -> None:
    files = []
    for i in range(5):
        path = tmp_path / f"{i}.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n")
        files.append(str(path))
    (problem,) = check_plan(plan("x", media=files), caps())
    assert problem.message == "5 media items for x, which takes at most 4"


def test_media_type_not_accepted_from_file_bytes_and_url_extension(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0")
    problems = check_plan(plan("youtube", media=[str(photo)], post_type="video"), caps())
    assert [p.message for p in problems] == [f"youtube does not take image/jpeg media ({photo}); it takes video"]
    (url_problem,) = check_plan(plan("youtube", media=["https://example.com/cat.png"]), caps())
    assert "image/png" in url_problem.message


def test_post_type_not_offered() -> None:
    (problem,) = check_plan(plan("youtube", post_type="reel"), caps())
    assert problem.message == "youtube does not offer post type 'reel'"
    assert problem.hint == "It offers: video, short."


def test_title_over_the_limit() -> None:
    p = plan("youtube", post_type="short")
    p.operations[0].targets[0].options = {"title": "t" * 120}
    (problem,) = check_plan(p, caps())
    assert "title is 120 characters for youtube, 20 over its limit of 100" in problem.message


def test_missing_local_file_is_a_problem_with_its_location(tmp_path: Path) -> None:
    (problem,) = check_plan(plan("x", media=[str(tmp_path / "gone.png")]), caps())
    assert "no such file" in problem.message and str(problem.where) == "--media"


def test_raise_for_problems_lists_all_and_exits_2() -> None:
    problems = check_plan(plan("twitter", "x", caption="a" * 300), caps())
    with pytest.raises(UsageError) as caught:
        raise_for_problems(problems)
    assert caught.value.exit_code == 2
    assert "2 problems found before sending anything" in caught.value.message
    raise_for_problems([])  # nothing to raise


@pytest.mark.parametrize(
    ("ctype", "accepted", "expected"),
    [
        ("image/png", ["image"], True),
        ("image/gif", ["image", "video"], True),
        ("video/mp4", ["image"], False),
        ("video/mp4", ["video/*"], True),
        ("image/jpeg", ["jpg"], True),
        ("video/quicktime", ["mov"], True),
        ("application/pdf", ["image", "video"], False),
        ("image/png", ["images"], True),
    ],
)
def test_type_accepted(ctype: str, accepted: list[str], expected: bool) -> None:
    assert type_accepted(ctype, accepted) is expected


# ---- the capability cache -----------------------------------------------------------------------


def _client(server: ContractApi) -> SydiumClient:
    return SydiumClient(server.base_url, key_provider=lambda: SecretKey(KEY))


def test_capabilities_are_fetched_once_then_served_from_the_cache(api: ContractApi) -> None:
    api.route("GET", "/v1/platforms", ok({"platforms": CAPS}))
    with _client(api) as client:
        first = load_capabilities(lambda: client, base_url=api.base_url, now=lambda: NOW)
        second = load_capabilities(lambda: client, base_url=api.base_url, now=lambda: NOW + timedelta(hours=23))
    assert (first.source, second.source) == ("api", "cache")
    assert second.names == ["linkedin", "x", "youtube"]
    assert api.paths().count(("GET", "/v1/platforms")) == 1


def test_cache_older_than_a_day_or_refresh_fetches_again(api: ContractApi) -> None:
    api.route("GET", "/v1/platforms", ok({"platforms": CAPS}))
    with _client(api) as client:
        load_capabilities(lambda: client, base_url=api.base_url, now=lambda: NOW)
        load_capabilities(lambda: client, base_url=api.base_url, now=lambda: NOW + timedelta(days=1, minutes=1))
        load_capabilities(lambda: client, base_url=api.base_url, refresh=True, now=lambda: NOW)
    assert api.paths().count(("GET", "/v1/platforms")) == 3


def test_offline_uses_a_stale_cache_with_a_warning(api: ContractApi) -> None:
    api.route("GET", "/v1/platforms", ok({"platforms": CAPS}))
    with _client(api) as client:
        load_capabilities(lambda: client, base_url=api.base_url, now=lambda: NOW)
    dead = SydiumClient("http://127.0.0.1:9", key_provider=lambda: SecretKey(KEY), retry=RetryPolicy(attempts=1))
    later = NOW + timedelta(days=3)
    stale = load_capabilities(lambda: dead, base_url=api.base_url, refresh=True, now=lambda: later)
    assert stale.source == "stale-cache" and stale.warnings
    assert load_capabilities(None, base_url=api.base_url, now=lambda: later).names  # fully offline


def test_offline_without_any_cache_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="No platform capabilities are cached"):
        load_capabilities(None, base_url="https://api.sydium.com")


def test_cache_is_per_api_host_and_survives_damage() -> None:
    assert cache_path("https://api.sydium.com") != cache_path("http://127.0.0.1:8080")
    path = cache_path("https://api.sydium.com")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"fetchedAt": "garbage"}))
    with pytest.raises(NetworkError):
        load_capabilities(None, base_url="https://api.sydium.com")
