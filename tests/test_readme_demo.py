"""The demo session the README shows is what the commands print: this test runs them through the console entry
point on an 80-column terminal and compares the README's block with it, so the README cannot drift.
`SHEETSYNC_UPDATE_GOLDEN=1` writes the block anew (review the diff)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"
BEGIN = "<!-- demo session: written by tests/test_readme_demo.py -->\n```\n"
END = "```\n<!-- end of demo session -->"
SESSION = [
    "sheetsync demo",
    "sheetsync history SS20261121-000001 -c sheetsync-demo/sheetsync.yaml",
    "sheetsync history SS20261121-000003 -c sheetsync-demo/sheetsync.yaml",
    "sheetsync sync -c sheetsync-demo/sheetsync.yaml --now 2026-11-21T10:05",
]


def _session(folder: Path) -> str:
    env = {**os.environ, "COLUMNS": "80", "SHEETSYNC_LANG": "zh", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    shown = []
    for line in SESSION:
        done = subprocess.run([sys.executable, "-m", "sheetsync", *line.split()[1:]], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        shown.append(f"$ {line}\n{done.stdout}{done.stderr}")
    text = "\n".join(shown).replace(f"{folder}{os.sep}", "")
    # what differs from one run to the next: the wall clock in the names of the files a run leaves, and the time taken
    text = re.sub(r"\d{8}T\d{12}", "20261207T093001123456", text)
    return re.sub(r"用时 \d+\.\d+ 秒", "用时 0.50 秒", text)


def test_the_readme_shows_what_the_demo_prints(tmp_path: Path) -> None:
    shown = _session(tmp_path)
    assert "订单号 SS20261120-000004 出现在多行" in shown and "（新建订单）" in shown and "工作簿无变化" in shown
    readme = README.read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme, "the README has lost its demo session markers"
    head, rest = readme.split(BEGIN, 1)
    block, tail = rest.split(END, 1)
    if os.environ.get("SHEETSYNC_UPDATE_GOLDEN") == "1":
        README.write_text(head + BEGIN + shown.rstrip("\n") + "\n" + END + tail, encoding="utf-8")
        return
    assert block.rstrip("\n") == shown.rstrip("\n"), "the README's demo session differs from what the commands print"
