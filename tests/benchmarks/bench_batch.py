"""Batch benchmark: 200 posts in one `sydium post -f dir/` versus a shell loop of 200 `sydium post` runs.

    python tests/benchmarks/bench_batch.py [--posts 200]

Both against one `sydium sandbox serve` on a free loopback port, in the same run.
Goals: the batch at least 30x faster (median of three batch runs); peak RSS of the batch child under 80 MiB.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import KEY, Sandbox, base_env, maxrss_mib_of, sydium_cmd


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=200)
    n = parser.parse_args().posts
    tmp = Path(tempfile.mkdtemp(prefix="sydium-batch-"))
    posts = tmp / "posts"
    posts.mkdir()
    for i in range(n):
        (posts / f"post-{i:04d}.yaml").write_text(f"caption: Batch post number {i}\ntargets: [x, linkedin]\n")
    env = base_env(tmp)
    syd = " ".join(shlex.quote(p) for p in sydium_cmd())
    with Sandbox(env) as box:
        run_env = {**env, "SYDIUM_API_KEY": KEY, "SYDIUM_BASE_URL": box.url}
        # The median of three batch runs, each with a ledger of its own (the same posts again would be
        # refused as duplicates); peak memory from the first.
        batch_times, rss = [], float("nan")
        for run in range(3):
            env_run = {**run_env, "SYDIUM_LEDGER": str(tmp / f"ledger-{run}.sqlite3")}
            start = time.perf_counter()
            run_rss, batch = maxrss_mib_of([*sydium_cmd(), "post", "--json", "-f", str(posts)], env_run)
            batch_times.append(time.perf_counter() - start)
            rss = run_rss if run == 0 else rss
            if batch.returncode != 0:
                break
        t_batch = statistics.median(batch_times)
        loop = (
            f'for i in $(seq 1 {n}); do {syd} post --json --to x --to linkedin "Loop post number $i" >/dev/null; done'
        )
        start = time.perf_counter()
        looped = subprocess.run(["sh", "-c", loop], env=run_env, capture_output=True, text=True)
        t_loop = time.perf_counter() - start
    print(
        f"{n} posts: one invocation {t_batch:.2f} s (median of {len(batch_times)}, exit {batch.returncode}), "
        f"shell loop {t_loop:.2f} s "
        f"(exit {looped.returncode})"
    )
    speedup = t_loop / t_batch
    print(f"  speed-up {speedup:.1f}x (goal >= 30x)  {'ok' if speedup >= 30 else 'MISSED'}")
    print(f"  peak RSS of the batch {rss:.1f} MiB (goal < 80 MiB)  {'ok' if rss < 80 else 'MISSED'}")
    if batch.returncode != 0:
        print("  batch stderr:", batch.stderr.strip().splitlines()[-3:])
    return 0 if speedup >= 30 and rss < 80 and batch.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
