"""The wire models (api/wire.py, api/models.py): decoding with paths, kept fields, request limits."""

from __future__ import annotations

from typing import Any

import pytest

from sydium_cli.api import models as M
from sydium_cli.api.wire import WireError, camel

OPERATION: dict[str, Any] = {
    "id": "op_1",
    "status": "partially_failed",
    "targets": [
        {"platform": "x", "status": "published", "postId": "1", "url": "https://x.com/i/1", "error": None},
        {"platform": "mastodon", "status": "teleported", "novel": [1, 2]},
    ],
    "futureField": {"a": 1},
}


def test_decoding_keeps_what_was_received_and_takes_unknown_statuses() -> None:
    op = M.Operation.from_wire(OPERATION)
    assert op.id == "op_1" and op.status == "partially_failed"
    assert [t.platform for t in op.targets] == ["x", "mastodon"]
    assert op.targets[0].post_id == "1" and op.targets[0].error is None
    assert op.targets[1].status == "teleported" and op.targets[1].post_id is None
    assert op.wire() == OPERATION  # JSON output shows exactly what the API said, nulls and unknowns kept
    assert op.extra == {"futureField": {"a": 1}}
    assert op.targets[1].extra == {"novel": [1, 2]}
    assert op.is_settled()  # an unknown status never keeps a wait loop spinning


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("id"), "id: missing"),
        (lambda d: d["targets"][1].pop("platform"), "targets[1].platform: missing"),
        (lambda d: d["targets"][0].update(status=3), "targets[0].status: expected a string, got a number"),
        (lambda d: d.update(targets={"x": 1}), "targets: expected a list, got an object"),
        (lambda d: d.update(status=None), "status: expected a string, got null"),
        (lambda d: d["targets"].__setitem__(0, "x"), "targets[0]: expected an object, got a string"),
        (lambda d: d["targets"][0].update(error=[1]), "targets[0].error: expected an object, got a list"),
    ],
)
def test_a_field_that_does_not_fit_is_named_by_its_path(change: Any, message: str) -> None:
    data: dict[str, Any] = {**OPERATION, "targets": [dict(t) for t in OPERATION["targets"]]}
    change(data)
    with pytest.raises(WireError) as info:
        M.Operation.from_wire(data)
    assert str(info.value) == message


def test_numbers_are_strict_and_booleans_are_not_numbers() -> None:
    cap = {"platform": "x", "captionLimit": 280, "maxMediaItems": 4, "mediaTypes": ["image"]}
    assert M.PlatformCapability.from_wire(cap).caption_limit == 280
    for bad in (True, "280", 280.5):
        with pytest.raises(WireError, match="captionLimit: expected an integer"):
            M.PlatformCapability.from_wire({**cap, "captionLimit": bad})


def test_wire_names_camel_case_and_declared_exceptions() -> None:
    assert camel("why_it_fits") == "whyItFits" and camel("id") == "id"
    rng = M.AnalyticsRange.from_wire({"from": "2026-12-01", "to": "2026-12-04"})
    assert rng.from_ == "2026-12-01"
    assert M.AnalyticsRange(from_="a").wire() == {"from": "a"}
    assert M.IdeaEnvelope.from_wire({"idea": None}).idea is None


def test_requests_encode_camel_case_without_unset_fields() -> None:
    request = M.CreatePostRequest(
        caption="Hi",
        schedule_at="2026-12-05T09:00:00+01:00",
        targets=[M.PostTarget(platform="youtube", post_type="short", options={"privacy": "public"})],
    )
    assert request.wire() == {
        "caption": "Hi",
        "scheduleAt": "2026-12-05T09:00:00+01:00",
        "targets": [{"platform": "youtube", "postType": "short", "options": {"privacy": "public"}}],
    }


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: M.CreatePostRequest(caption="a", targets=[]), "targets must have at least 1 item"),
        (
            lambda: M.CreatePostRequest(caption="a", targets=[M.PostTarget(platform=f"p{i}") for i in range(11)]),
            "targets has 11 items; the API takes at most 10",
        ),
        (
            lambda: M.CreatePostRequest(media=["u"] * 36, targets=[M.PostTarget(platform="x")]),
            "media has 36 items; the API takes at most 35",
        ),
        (
            lambda: M.CreatePostRequest(caption="a", targets=[M.PostTarget(platform="x"), M.PostTarget(platform="x")]),
            "platform 'x' is targeted twice",
        ),
        (
            lambda: M.CreatePostRequest(
                caption="a", schedule_at="2026-12-05T09:00", targets=[M.PostTarget(platform="x")]
            ),
            "must carry a UTC offset",
        ),
        (
            lambda: M.CreatePostRequest(caption="a", schedule_at="soon", targets=[M.PostTarget(platform="x")]),
            "not an ISO 8601 timestamp",
        ),
        (lambda: M.PostTarget(platform=""), "needs a platform"),
        (lambda: M.GenerateRequest(topic="x" * 2001), "1 to 2000 characters"),
        (lambda: M.MediaUploadUrlRequest(content_type="image/png", file_size=-1), "must not be negative"),
    ],
)
def test_requests_refuse_what_the_api_would_refuse(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_a_request_decoded_from_bad_data_fails_as_a_wire_error() -> None:
    with pytest.raises(WireError, match="targets must have at least 1 item"):
        M.CreatePostRequest.from_wire({"caption": "a", "targets": []})


def test_constructor_equality_and_repr_behave_like_a_dataclass() -> None:
    with pytest.raises(TypeError, match="needs status="):
        M.Health(version="1")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes no colour"):
        M.Health(status="ok", version="1", colour="red")  # type: ignore[call-arg]
    assert M.Health(status="ok", version="1") == M.Health.from_wire({"status": "ok", "version": "1", "x": 1})
    assert M.Health(status="ok", version="1") != M.Health(status="ok", version="2")
    assert repr(M.PostTarget(platform="x")) == "PostTarget(platform='x', post_type=None, options=None)"
    with pytest.raises(TypeError):
        hash(M.PostTarget(platform="x"))
