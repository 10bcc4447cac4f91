"""The machine refuses (a full disk, a file size limit, a read-only folder, a damaged journal): the right exit code
and a hint through the console entry, never "a bug of sheetsync", and the workbook as it was."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sheetsync.desk.new import init_desk


def sheetsync(*args: str, cwd: Path, before: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHEETSYNC_LANG": "zh"}
    return subprocess.run([sys.executable, "-m", "sheetsync", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=before)


def _desk_with_news(folder: Path, orders: int = 300) -> None:
    init_desk(folder, "zh")
    (folder / "mappings").mkdir()
    (folder / "mappings" / "shop.yaml").write_text("label: 店\nfields:\n  channel_order_id: 订单号\n  customer_name: 收货人\n"
                                                   "  address: 地址\n", encoding="utf-8")
    with (folder / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: shop, path: inbox/shop/*, mapping: shop}\n")
    inbox = folder / "inbox" / "shop"
    inbox.mkdir(parents=True)
    lines = "".join(f"P-{i},客户{i},浙江省杭州市西湖区文三路{i}号 {'备注' * 40}\n" for i in range(orders))
    (inbox / "orders.csv").write_text("订单号,收货人,地址\n" + lines, encoding="utf-8")


def _unchanged(folder: Path, before: bytes) -> None:
    assert (folder / "orders.xlsx").read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".orders") or p.suffix == ".tmp"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB file system (tmpfs), when this machine lets the tests mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small disk needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"this machine does not let the tests mount a file system: {made.stderr!r}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_exit_5_with_a_hint_and_the_workbook_is_as_it_was(small_disk: Path) -> None:
    desk = small_disk / "desk"
    desk.mkdir()
    _desk_with_news(desk)
    assert sheetsync("sync", cwd=desk).returncode == 0  # the journal exists; the news now comes in a second file
    (desk / "inbox" / "shop" / "more.csv").write_text(
        "订单号,收货人,地址\n" + "".join(f"Q-{i},客户{i},浙江省杭州市上城区{i}号 {'备注' * 60}\n" for i in range(3000)),
        encoding="utf-8")
    before = (desk / "orders.xlsx").read_bytes()
    free = shutil.disk_usage(small_disk).free
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * max(free - 64 * 1024, 0))
    run = sheetsync("sync", cwd=desk)
    assert run.returncode == 5, run.stderr[-800:]
    assert "磁盘空间不够" in run.stderr and "缺陷" not in run.stderr and "Traceback" not in run.stderr
    _unchanged(desk, before)
    filler.unlink()
    run = sheetsync("sync", cwd=desk)
    assert run.returncode == 0, run.stderr[-800:]
    assert (desk / "orders.xlsx").read_bytes() != before


def test_a_file_size_limit_is_exit_5_and_the_workbook_is_as_it_was(tmp_path: Path) -> None:
    _desk_with_news(tmp_path, orders=3000)
    before = (tmp_path / "orders.xlsx").read_bytes()

    def small_files() -> None:  # Python ignores SIGXFSZ: a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) + 20_000, len(before) + 20_000))

    run = sheetsync("sync", cwd=tmp_path, before=small_files)
    assert run.returncode == 5, run.stderr[-800:]
    assert "磁盘" in run.stderr and "rebuild" not in run.stderr and "Traceback" not in run.stderr
    _unchanged(tmp_path, before)
    assert sheetsync("sync", cwd=tmp_path).returncode == 0


def test_a_read_only_desk_folder_is_exit_5_with_a_hint(tmp_path: Path) -> None:
    _desk_with_news(tmp_path)
    before = (tmp_path / "orders.xlsx").read_bytes()
    root = os.geteuid() == 0
    if not root:
        tmp_path.chmod(0o555)
    else:  # root writes anywhere a permission allows: make the folder a read-only mount of itself
        made = subprocess.run(["mount", "--bind", "-o", "ro", str(tmp_path), str(tmp_path)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"this machine does not let the tests mount a read-only folder: {made.stderr!r}")
    try:
        run = sheetsync("sync", cwd=tmp_path)
    finally:
        if root:
            subprocess.run(["umount", "-l", str(tmp_path)], check=False)
        else:
            tmp_path.chmod(0o755)
    assert run.returncode == 5, run.stderr[-800:]
    assert "没有权限" in run.stderr and "缺陷" not in run.stderr
    _unchanged(tmp_path, before)


def test_a_damaged_journal_is_exit_6_and_rebuild_sets_it_aside(tmp_path: Path) -> None:
    _desk_with_news(tmp_path)
    assert sheetsync("sync", cwd=tmp_path).returncode == 0
    journal = tmp_path / ".sheetsync" / "journal.db"
    data = bytearray(journal.read_bytes())
    for at in range(4096, len(data), 3):  # every page after the first scribbled over
        data[at] = 0xAB
    journal.write_bytes(bytes(data))
    before = (tmp_path / "orders.xlsx").read_bytes()
    run = sheetsync("sync", cwd=tmp_path)
    assert run.returncode == 6, run.stderr[-800:]
    assert "sheetsync rebuild" in run.stderr and "缺陷" not in run.stderr
    _unchanged(tmp_path, before)
    run = sheetsync("rebuild", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-800:]
    assert "journal.db.damaged-" in run.stdout
    assert list((tmp_path / ".sheetsync").glob("journal.db.damaged-*"))
    run = sheetsync("sync", "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-800:]
    assert '"conflicts": 0' in run.stdout.replace(" ", "").replace('"conflicts":0', '"conflicts": 0')
