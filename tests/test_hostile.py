"""A corpus of hostile and broken input: each ends in exit 2 (or a safe 0), one readable message, no
traceback, nothing sent, and bounded time and memory (measured in a subprocess for the big ones)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

KEY = "sk_test_" + "h" * 24
DEAD = "http://127.0.0.1:9"  # nothing listens: any network use would show as exit 1, not 2
MAX_RSS_MB = 200

# Runs the CLI in a child and reports its peak RSS (KiB on Linux) on the pipe $RSS_FD when it exits.
_RSS_WRAPPER = (
    "import atexit, os, resource, sys\n"
    "peak = lambda: str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).encode()\n"
    "atexit.register(lambda: os.write(int(os.environ['RSS_FD']), peak()))\n"
    "from sydium_cli.app import main\n"
    "main(sys.argv[1:])\n"
)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    rss_mb: float
    seconds: float


def run(*args: str, timeout: float = 20) -> Run:
    read_fd, write_fd = os.pipe()
    env = {**os.environ, "SYDIUM_API_KEY": KEY, "SYDIUM_BASE_URL": DEAD, "RSS_FD": str(write_fd)}
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _RSS_WRAPPER, "--timeout", "1", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        pass_fds=(write_fd,),
        stdin=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - start
    os.close(write_fd)
    raw = os.read(read_fd, 64)
    os.close(read_fd)
    result = Run(proc.returncode, proc.stdout, proc.stderr, int(raw or 0) / 1024, seconds)
    assert "Traceback" not in result.stderr, result.stderr
    assert KEY not in result.stdout + result.stderr
    return result


def inproc(*args: str) -> Run:
    """The same, in-process (fast) for inputs that are small by construction."""
    from typer.testing import CliRunner

    from sydium_cli.commands.root import app

    start = time.monotonic()
    env = {"SYDIUM_API_KEY": KEY, "SYDIUM_BASE_URL": DEAD}
    result = CliRunner().invoke(app, ["--timeout", "1", *args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    out = Run(result.exit_code, result.stdout, result.stderr, 0.0, time.monotonic() - start)
    assert "Traceback" not in out.stderr and KEY not in out.stdout + out.stderr
    return out


def refused(result: Run, *needles: str) -> None:
    assert result.code == 2, (result.code, result.stderr)
    assert result.stderr.count("Error:") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert result.rss_mb < MAX_RSS_MB, result.rss_mb


ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=False))
    + "caption: *i\ntargets: [x]\n"
)


def test_yaml_alias_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB)
    result = run("post", "-f", str(path), "--dry-run")
    refused(result, "bomb.yaml")
    assert result.seconds < 10


def test_fifty_megabyte_caption_file_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of zero bytes, cheap to create
    result = run("post", "--caption-file", str(path), "--to", "x", "--dry-run")
    refused(result, "huge.txt")


def test_dev_zero_as_caption_file_is_bounded() -> None:
    refused(run("post", "--caption-file", "/dev/zero", "--to", "x", "--dry-run"), "/dev/zero")


def test_fifo_without_a_writer_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for args in (("--caption-file", str(fifo), "--to", "x"), ("-f", str(fifo))):
        result = run("post", *args, "--dry-run", timeout=15)
        refused(result)
        assert result.seconds < 10


@pytest.mark.parametrize("media", ["/dev/zero", "{tmp}", "{tmp}/fifo", "{tmp}/loop", "{tmp}/missing.png"])
def test_bad_media_paths_are_refused_without_hanging(tmp_path: Path, media: str) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    result = run("post", "Hi", "--to", "x", "--media", media.format(tmp=tmp_path), "--dry-run", timeout=15)
    refused(result)
    assert result.seconds < 10


POST_FILES = {
    "malformed": ("caption: [unclosed\n", "malformed.yaml"),
    "invalid-utf8": (b"caption: caf\xe9\ntargets: [x]\n", "UTF-8"),
    "empty": ("", "empty"),
    "only-comment": ("# nothing\n", "only-comment.yaml"),
    "unknown-key": ("caption: hi\ntargets: [x]\nbogus: 1\n", "bogus"),
    "wrong-types": ("caption: [1, 2]\ntargets: 5\n", "caption"),
    "eleven-targets": ("caption: hi\ntargets: [x, linkedin, instagram, youtube, a, b, c, d, e, f, g]\n", "10"),
    "thirty-six-media": (
        "caption: hi\ntargets: [x]\nmedia:\n" + "".join(f"  - https://media.sydium.com/{i}.png\n" for i in range(36)),
        "35",
    ),
    "past": ("caption: hi\ntargets: [x]\nat: 2001-01-01T00:00:00Z\n", "past"),
    "far-future": ("caption: hi\ntargets: [x]\nat: 9999-01-01T00:00:00Z\n", "9999"),
    "binary": (bytes(range(256)) * 4, "binary"),
    "python-tag": ("caption: !!python/object/apply:os.system ['echo pwned']\ntargets: [x]\n", "tag"),
    "deep-nesting": ("caption: " + "[" * 5000 + "]" * 5000 + "\ntargets: [x]\n", "deep-nesting"),
}


@pytest.mark.parametrize("name", sorted(POST_FILES))
def test_bad_post_files_are_refused(tmp_path: Path, name: str) -> None:
    content, needle = POST_FILES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = inproc("post", "-f", str(path), "--dry-run")
    refused(result)
    assert needle.lower() in result.stderr.lower() or path.name in result.stderr


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfcaption: hi\ntargets: [x]\n")
    result = run("post", "-f", str(path), "--dry-run", "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["caption"] == "hi"


def test_duplicate_targets_become_one(tmp_path: Path) -> None:
    result = inproc("post", "hi", "--to", "x", "--to", "x,x", "--dry-run", "--json")
    if result.code == 0:
        assert [t["platform"] for t in json.loads(result.stdout)["targets"]] == ["x"]
    else:
        refused(result, "x")


@pytest.mark.parametrize(
    "args",
    [
        ("--to", "x,linkedin,instagram,youtube,a,b,c,d,e,f,g"),
        ("--to", "x", "--at", "2001-01-01T00:00:00Z"),
        ("--to", "x", "--at", "9999-12-31T23:59:59Z"),
        ("--to", "x", "--at", "in 99999999999999999999d"),
        ("--to", "x", "--at", "\x1b[2J"),
        ("--to", "x$(rm -rf ~)"),
        ("--to", ""),
        ("--to", "x", "--tz", "../../etc/passwd"),
        ("--to", "x", "--option", "noequals"),
        ("--to", "x", "--type", "=short"),
    ],
)
def test_bad_flags_are_refused(args: tuple[str, ...]) -> None:
    result = inproc("post", "hi", *args, "--dry-run")
    refused(result)
    assert "\x1b" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_post_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("caption: hi\ntargets: [x]\n")
    path.chmod(0)
    refused(run("post", "-f", str(path), "--dry-run"), "permission")


def test_symlink_loop_post_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    refused(inproc("post", "-f", str(tmp_path / "a.yaml"), "--dry-run"), "a.yaml")


def test_directory_as_post_file(tmp_path: Path) -> None:
    refused(inproc("post", "-f", str(tmp_path), "--dry-run"), "directory")
