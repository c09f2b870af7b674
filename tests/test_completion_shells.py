"""Drive each real shell's completion machinery on the committed scripts (skipped where a shell is absent).

bash: source the script and call its completion function with COMP_WORDS/COMP_CWORD set.
zsh: an interactive zsh in a zpty with compinit loaded, TAB pressed for real, matches captured by
     wrapping compadd. fish: `complete -C`, fish's own non-interactive completion entry point.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.shells

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "completions"
BUILTIN = ["bluesky", "facebook", "instagram", "linkedin", "pinterest", "threads", "tiktok", "x", "youtube"]

ZSH_DRIVER = r"""
zmodload zsh/zpty
zpty z zsh -f -i
integer n=0
step() { n+=1; zpty -w z "$1; print -- '==SY''NC$n=='"; zpty -r -m z out "*==SYNC$n==*" }
step "PS1=''; RPROMPT=''; autoload -Uz compinit && compinit -u -D"
step 'compadd () { builtin compadd -O __hits "$@"; print -l -- "\x3c\x3c"${^__hits}"\x3e\x3e"; builtin compadd "$@" }'
step "source ${(q)1}; zstyle ':completion:*' list-prompt ''"
zpty -n -w z "$2"$'\t'
# Wait for the matches before typing more: zsh skips completion when it sees keys already queued.
integer i=0; acc=''
while (( i++ < 300 )); do
  if zpty -r -t z chunk; then acc+=$chunk; [[ $acc == *'>>'* ]] && break; else sleep 0.1; fi
done
zpty -w z $'\x15print -- "==EN""D=="'
zpty -r -m z out '*==END==*'
print -r -- $acc$out
zpty -d z
"""


def _shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs bash, zsh and fish)")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """PATH with the `sydium` entry point of this interpreter, plus one profile in the config."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    launcher = bindir / "sydium"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sydium_cli "$@"\n')
    launcher.chmod(0o755)
    config = Path(os.environ["SYDIUM_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.json").write_text(json.dumps({"profiles": {"work": {}}}))
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(tmp_path)}


def _run(argv: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, cwd=env["HOME"])
    assert result.returncode == 0, result.stderr
    return result.stdout


CASES = [
    ("sydium po", ["post", "posts"]),
    ("sydium post --to ", BUILTIN),
    ("sydium auth switch ", ["default", "work"]),
]


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_bash_completion(env: dict[str, str], line: str, expected: list[str]) -> None:
    bash = _shell("bash")
    words = line.split() + ([""] if line.endswith(" ") else [])
    script = (
        f"source {SCRIPTS / 'sydium.bash'}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
        "_sydium_completion sydium\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    assert _run([bash, "--norc", "--noprofile", "-c", script], env).split() == expected


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_zsh_completion(env: dict[str, str], line: str, expected: list[str], tmp_path: Path) -> None:
    zsh = _shell("zsh")
    driver = tmp_path / "driver.zsh"
    driver.write_text(ZSH_DRIVER)
    out = _run([zsh, "-f", str(driver), str(SCRIPTS / "sydium.zsh"), line], env)
    assert sorted(set(re.findall(r"<<([^<>\s]*)>>", out))) == expected


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_fish_completion(env: dict[str, str], line: str, expected: list[str]) -> None:
    fish = _shell("fish")
    script = f"source {SCRIPTS / 'sydium.fish'}; complete -C {line!r}"
    out = _run([fish, "--no-config", "-c", script], env)
    assert sorted(row.split("\t")[0] for row in out.splitlines() if row) == expected
