"""Shared helpers for the on-demand benchmarks (not collected by pytest)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
KEY = "sk_test_" + "b" * 24


def sydium_cmd() -> list[str]:
    exe = Path(PY).parent / "sydium"
    return [str(exe)] if exe.exists() else [PY, "-m", "sydium_cli"]


def base_env(tmp: Path) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE (set in some dev shells) would make every run recompile sydium's sources;
    # an installed tool runs from bytecode, so that is what is measured.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYDIUM_") and k != "PYTHONDONTWRITEBYTECODE"}
    for kind in ("CONFIG", "DATA", "CACHE", "STATE"):
        env[f"SYDIUM_{kind}_DIR"] = str(tmp / kind.lower())
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


def interleaved_medians(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, float]:
    """Median wall time of each command, run in rounds (one of each per round, after a warm-up round).

    The machine is shared: load comes and goes over seconds, so timing all runs of one command before
    the next would put them under different loads. Rounds keep every ratio a comparison under one load.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, (argv, env) in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            if round_:  # round 0 warms the bytecode and OS caches
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sandbox:
    """`sydium sandbox serve` on a free loopback port, for the duration of a `with` block."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="sydium-bench-"))
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Sandbox:
        argv = [*sydium_cmd(), "sandbox", "serve", "--port", str(self.port), "--state", str(self.dir / "s.sqlite3")]
        self.proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the sandbox did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def maxrss_mib_of(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run argv under /usr/bin/time -v when present (peak RSS of that child only); else (nan, result)."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if gnu_time is None:
        return float("nan"), subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    result = subprocess.run([gnu_time, "-v", *argv], env=env, capture_output=True, text=True, check=False)
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return (int(match.group(1)) / 1024 if match else float("nan")), result
