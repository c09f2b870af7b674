"""Start-up benchmark: medians over N runs, as ratios against baselines measured in the same run.

    python tests/benchmarks/bench_startup.py [--runs 15]

Goals: `sydium --version` <= 3x `python -c pass`; `sydium --help` and one completion request < 0.5x a
script that imports typer, rich, httpx, pydantic, keyring, platformdirs and yaml and makes the same
request; `sydium post` (key from the environment, --json, loopback sandbox) < 0.8x that script.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import KEY, PY, Sandbox, base_env, interleaved_medians, sydium_cmd

IMPORT_ALL = "import typer, rich, httpx, pydantic, keyring, platformdirs, yaml"
REQUEST = (
    IMPORT_ALL
    + "\nimport sys\nr = httpx.post(sys.argv[1] + '/v1/posts', headers={'Authorization': 'Bearer ' + sys.argv[2]},"
    " json={'caption': 'bench', 'targets': [{'platform': 'x'}]})\nprint(r.text)"
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    tmp = Path(tempfile.mkdtemp(prefix="sydium-bench-"))
    env = base_env(tmp)
    syd = sydium_cmd()
    complete_env = {**env, "_SYDIUM_COMPLETE": "complete_bash", "COMP_WORDS": "sydium post --to ", "COMP_CWORD": "3"}
    with Sandbox(env) as box:
        post_env = {**env, "SYDIUM_API_KEY": KEY, "SYDIUM_BASE_URL": box.url}
        # --force: the same caption every run would otherwise be refused as a duplicate
        post = [*syd, "post", "--json", "--force", "--to", "x", "bench"]
        t = interleaved_medians(
            {
                "python -c pass": ([PY, "-c", "pass"], env),
                "import-everything": ([PY, "-c", IMPORT_ALL], env),
                "import-everything + POST": ([PY, "-c", REQUEST, box.url, KEY], env),
                "sydium --version": ([*syd, "--version"], env),
                "sydium --help": ([*syd, "--help"], env),
                "completion request": (syd, complete_env),
                "sydium post --json": (post, post_env),
            },
            runs,
        )
    goals = [
        ("sydium --version", "python -c pass", 3.0),
        ("sydium --help", "import-everything", 0.5),
        ("completion request", "import-everything", 0.5),
        ("sydium post --json", "import-everything + POST", 0.8),
    ]
    print(f"python {sys.version.split()[0]}, medians of {runs} interleaved rounds")
    for name in ("python -c pass", "import-everything", "import-everything + POST"):
        print(f"  {name:<26}{t[name] * 1000:7.1f} ms")
    failed = 0
    for name, base, goal in goals:
        r = t[name] / t[base]
        failed += not r < goal
        verdict = "ok" if r < goal else "MISSED"
        print(f"  {name:<24}{t[name] * 1000:7.1f} ms  = {r:5.2f}x {base:<25} goal < {goal}x  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
