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

from _util import KEY, PY, Sandbox, base_env, median_seconds, sydium_cmd

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
    rows: list[tuple[str, float, str, float, float]] = []

    def ratio(name: str, t: float, base_name: str, base: float, goal: float) -> None:
        rows.append((name, t, base_name, t / base, goal))

    t_pass = median_seconds([PY, "-c", "pass"], env, runs)
    t_import = median_seconds([PY, "-c", IMPORT_ALL], env, runs)
    ratio("sydium --version", median_seconds([*syd, "--version"], env, runs), "python -c pass", t_pass, 3.0)
    ratio("sydium --help", median_seconds([*syd, "--help"], env, runs), "import-everything", t_import, 0.5)
    ratio("completion request", median_seconds(syd, complete_env, runs), "import-everything", t_import, 0.5)
    with Sandbox(env) as box:
        t_req = median_seconds([PY, "-c", REQUEST, box.url, KEY], env, runs)
        post_env = {**env, "SYDIUM_API_KEY": KEY, "SYDIUM_BASE_URL": box.url}
        # --force: the same caption every run would otherwise be refused as a duplicate
        argv = [*syd, "post", "--json", "--force", "--to", "x", "bench"]
        ratio("sydium post --json", median_seconds(argv, post_env, runs), "import-everything + POST", t_req, 0.8)
    print(f"python {sys.version.split()[0]}, medians of {runs} runs")
    print(f"  python -c pass            {t_pass * 1000:7.1f} ms")
    print(f"  import-everything         {t_import * 1000:7.1f} ms")
    print(f"  import-everything + POST  {t_req * 1000:7.1f} ms")
    failed = 0
    for name, t, base_name, r, goal in rows:
        ok = r < goal
        failed += not ok
        print(f"  {name:<24}{t * 1000:7.1f} ms  = {r:5.2f}x {base_name:<25} goal < {goal}x  {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
