"""Regenerate completions/sydium.{bash,zsh,fish,ps1} from the app (`--check`: exit 1 when stale)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {"bash": "sydium.bash", "zsh": "sydium.zsh", "fish": "sydium.fish", "powershell": "sydium.ps1"}


def expected() -> dict[Path, str]:
    sys.path.insert(0, str(ROOT))
    from sydium_cli.commands.completion import completion_script

    return {ROOT / "completions" / name: completion_script(shell) for shell, name in FILES.items()}


def main(argv: list[str]) -> int:
    stale = [p for p, text in expected().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run: python scripts/gen_completions.py)", file=sys.stderr)
        return 1 if stale else 0
    for path, text in expected().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
