"""YAML post files: structure, positions in every message, refusals (aliases, size, encoding)."""

from __future__ import annotations

import io
import resource
import textwrap
from pathlib import Path

import pytest

from sydium_cli.compose.plan import Problems
from sydium_cli.compose.postfile import MAX_FILE_BYTES, load_posts, read_capped


def load(text: str, label: str = "post.yaml") -> tuple[list, Problems]:  # type: ignore[type-arg]
    problems = Problems()
    posts = load_posts(textwrap.dedent(text), label, problems)
    return posts, problems


def test_a_full_post_with_plain_and_mapping_targets() -> None:
    posts, problems = load(
        """\
        caption: Hello
        media: [https://media.sydium.com/a.png]
        at: tomorrow 09:00
        timezone: Europe/Paris
        targets:
          - X
          - platform: youtube
            postType: short
            options: {privacy: public, tags: [a, b], n: 3, on: true, when: 2026-12-05}
            caption: For YouTube
            media: https://media.sydium.com/b.mp4
        """
    )
    assert problems == []
    (post,) = posts
    assert (post.caption, post.at, post.timezone) == ("Hello", "tomorrow 09:00", "Europe/Paris")
    assert [m.raw for m in post.media] == ["https://media.sydium.com/a.png"]
    x, yt = post.targets
    assert (x.platform, x.caption, x.media) == ("x", None, None)
    assert yt.post_type == "short" and yt.caption == "For YouTube"
    assert yt.options == {"privacy": "public", "tags": ["a", "b"], "n": 3, "on": True, "when": "2026-12-05"}
    assert [m.raw for m in yt.media or []] == ["https://media.sydium.com/b.mp4"]
    assert str(yt.where) == "post.yaml:7:5"


def test_unquoted_iso_timestamp_stays_text() -> None:
    posts, problems = load("caption: a\nat: 2026-12-05T09:00:00Z\ntargets: [x]\n")
    assert problems == [] and posts[0].at == "2026-12-05T09:00:00Z"


def test_documents_and_posts_lists_hold_several_posts() -> None:
    docs, p1 = load("caption: one\ntargets: [x]\n---\ncaption: two\ntargets: [linkedin]\n---\n")
    listed, p2 = load("posts:\n  - caption: one\n    targets: [x]\n  - caption: two\n    targets: [linkedin]\n")
    assert p1 == [] and p2 == []
    assert [p.caption for p in docs] == [p.caption for p in listed] == ["one", "two"]
    assert [p.path for p in listed] == ["posts[0]", "posts[1]"]


def test_unknown_key_names_line_column_field_and_suggestion() -> None:
    _, problems = load(
        """\
        caption: Hi
        targets:
          - x
          - platform: linkedin
            captoin: hello
        """
    )
    assert problems == ["post.yaml:5:5: targets[1]: unknown key 'captoin' (did you mean 'caption'?)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scheduleAt: in 1h\n", "post.yaml:1:1: unknown key 'scheduleAt' (did you mean 'at'?)"),
        ("platforms: [x]\n", "post.yaml:1:1: unknown key 'platforms' (did you mean 'targets'?)"),
        ("zzz: 1\n", "post.yaml:1:1: unknown key 'zzz' (expected one of: caption, media, at, timezone, targets)"),
    ],
)
def test_unknown_top_level_keys(text: str, expected: str) -> None:
    _, problems = load(text)
    assert expected in problems


def test_every_problem_in_a_file_is_reported() -> None:
    _, problems = load(
        """\
        posts:
          - caption: 42
            targets: x
          - caption: ok
            media: {a: 1}
            targets:
              - platform: [x]
              - postType: reel
              - platform: youtube
                options: [1]
                colour: red
        """
    )
    assert problems == [
        "post.yaml:2:14: posts[0].caption: must be a string, not a number (quote it if needed)",
        "post.yaml:3:14: posts[0].targets: must be a non-empty list of platforms or mappings",
        "post.yaml:5:12: posts[1].media: must be a list of media URLs or paths",
        "post.yaml:7:19: posts[1].targets[0].platform: must be a string, not a list (quote it if needed)",
        "post.yaml:8:9: posts[1].targets[1]: the target has no 'platform'",
        "post.yaml:11:9: posts[1].targets[2]: unknown key 'colour' (expected one of: platform, postType, "
        "options, caption, media)",
        "post.yaml:10:18: posts[1].targets[2].options: must be a mapping of option names to values",
    ]


def test_repeated_keys_are_refused() -> None:
    _, problems = load("caption: a\ncaption: b\ntargets: [x]\n")
    assert problems == ["post.yaml:2:1: key 'caption' is given twice"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "the post file is empty"),
        ("# only a comment\n", "the post file is empty"),
        ("---\n---\n", "the post file is empty"),
        ("posts: []\n", "posts: the list is empty"),
        ("posts: [ ]\ncaption: x\n", "holds nothing else"),
        ("- a\n- b\n", "a post must be a mapping"),
        ("caption: [unclosed\n", "invalid YAML"),
        ("caption: 'a\ntargets: [x]\n", "invalid YAML"),
        ("caption: !!binary aGk=\ntargets: [x]\n", "must be a string"),
    ],
)
def test_malformed_files(text: str, needle: str) -> None:
    _, problems = load(text)
    assert problems and any(needle in p for p in problems), problems
    assert all(p.startswith("post.yaml") for p in problems)


def test_anchors_and_aliases_are_refused_before_expansion() -> None:
    _, problems = load("base: &b {caption: hi}\npost: *b\n")
    assert problems == ["post.yaml:1:7: YAML anchors (&name) are not allowed in post files"]


def test_billion_laughs_fails_fast_in_bounded_memory() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _, problems = load("\n".join(lines) + "\n")
    assert problems == ["post.yaml:1:5: YAML anchors (&name) are not allowed in post files"]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    _, problems = load("caption: " + "[" * 5000 + "]" * 5000 + "\n")
    assert problems and "post.yaml" in problems[0]


# ---- reading files ---------------------------------------------------------------------------


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbfcaption: hi\ntargets: [x]\n")
    text, label = read_capped(str(path), what="post file", stdin=None)
    assert text.startswith("caption") and label == str(path)


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"caption: ok\ncaption: \xff\xfe\n")
    with pytest.raises(ValueError, match=r"p\.yaml:2: the post file is not valid UTF-8"):
        read_capped(str(path), what="post file", stdin=None)


def test_oversized_file_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ValueError, match="larger than 1 MiB, the limit for a post file"):
        read_capped(str(path), what="post file", stdin=None)


def test_oversized_stdin_is_refused() -> None:
    with pytest.raises(ValueError, match=r"<stdin>: the caption file is larger than 1 MiB"):
        read_capped("-", what="caption file", stdin=io.BytesIO(b"a" * (MAX_FILE_BYTES + 10)))


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a directory; give the path of a post file"):
        read_capped(str(tmp_path), what="post file", stdin=None)
    with pytest.raises(ValueError, match="no such post file"):
        read_capped(str(tmp_path / "nope.yaml"), what="post file", stdin=None)
