"""`--help` in the reader's language, laid out for the terminal it is read on (80 columns, 60, CJK wide).

The commands' English help lives beside their options (typer's `help=`); the Chinese is here, by command and
option name (`*.config`: every command's `--config`).  `render` builds the text from the click objects typer
made, so a command or option added without its Chinese is caught by a test, never shown half in English.
Typer's own rich help is not used: it shows a `<bool>` placeholder on every flag (typer 0.29), boxes that break
at 80 columns and cuts sentences mid-word; click's plain help counts a Chinese character as one column.
"""

from __future__ import annotations

import io
from typing import Any, Final

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sheetsync.cli.fit import wrap
from sheetsync.i18n import Lang

ZH: Final[dict[str, str]] = {
    "": "让订单表格可信：拉取渠道订单、校验、推进状态、写回表格。",
    "*.config": "本台的配置文件 sheetsync.yaml。",
    "*.json_out": "只在标准输出打印一个 JSON 文档，别的什么都不打印。",
    "*.now": "本次运行的时钟（ISO 8601），用于测试和重放。",
    "*.force": "即使有锁文件说明工作簿正开着，也照样写入。",
    "*.help": "显示本帮助。",
    "*.start": "时段的第一天（2026-11-01）或开始时间。",
    "*.end": "时段的最后一天（含当天），或结束时间。",
    "init": "新建一个订单台；或用 --from 接管已有的工作簿（在它旁边写 sheetsync.yaml）；或用 --gsheet 把 Google 表格设为订单台。",
    "init.directory": "订单台建在哪个文件夹。",
    "init.lang": "订单台的语言：zh 或 en（表头、工作表名和提示）。",
    "init.from_": "接管这个现有的 .xlsx 订单工作簿，原样保留。",
    "init.sheet": "配合 --from / --gsheet：订单所在的工作表。",
    "init.gsheet": "把这个现有 Google 表格（地址或 ID）里的订单工作表设好（没有就新建），并为它写 sheetsync.yaml。",
    "init.from_gsheet": "接管这个现有的 Google 表格（地址或 ID），原样保留；sheetsync.yaml 写在 DIRECTORY。",
    "init.endpoint": "配合 --gsheet / --from-gsheet：Google 表格接口的地址（默认 https://sheets.googleapis.com）。",
    "init.credentials_env": ("配合 --gsheet / --from-gsheet：存放服务账号密钥文件路径的环境变量"
                             "（默认 GOOGLE_APPLICATION_CREDENTIALS）。"),
    "init.add_columns": "配合 --from：把缺少的列加在最右边。",
    "init.header_row": "配合 --from：表头在第几行（1 = 第一行）。",
    "init.order_id_column": "配合 --from：你们自己的订单编号列。",
    "init.add_sheet": "给 --config 指定的订单台加一个工作表：after-sales（售后表和它的原因列表）。",
    "channels": ("检查渠道：接口渠道的密钥、权限和一页订单（多少单、最近更新、限流状态），文件渠道的收件箱。"
                 "什么都不写。有渠道失败时退出码 5。"),
    "channels.action": "test：检查每个渠道的密钥并读一页。",
    "channels.name": "只检查这个渠道。",
    "journal": ("把本台的整个日志（每次运行、每个修改、基准值、渠道对应和游标）复制到 PostgreSQL 或一个 SQLite 文件，"
                "逐表核对行数和校验和，期间持有本台的运行锁。目标里不能已有运行记录。复制后本台仍用原来的日志，"
                "直到你把 sheetsync.yaml 里的 journal: 换成复制的那个（会打印要写的内容）。"),
    "journal.action": "copy：把本台的整个日志复制到 --to，并核对。",
    "journal.to": "postgresql://用户@主机/数据库，或一个新的 SQLite 文件。",
    "journal.desk": "本台在 PostgreSQL 里的名字（模式名）。",
    "journal.password_env": "存放 PostgreSQL 密码的环境变量。",
    "demo": "把自带的示例订单台复制到一个新文件夹，并在上面运行一次同步。",
    "demo.directory": "示例订单台复制到哪个文件夹。",
    "demo.now": "示例运行的时钟（ISO 8601），默认是示例数据那天的第二天早上 2026-11-21T10:00。",
    "check": "检查配置、规则和工作簿的表头；什么都不写。",
    "check.rules": "只检查规则（编译它们的条件）。",
    "validate": "用规则检查整张表并列出发现的问题；除 --out 外什么都不写。有错误级问题时退出码为 3。",
    "validate.now": "规则看到的时间（ISO），用于检查将来的日期。",
    "validate.out_file": "把全部问题写到 FILE.xlsx、.csv 或 .json。",
    "sync": "运行一次同步：读表、编号、识别人工修改、拉取渠道订单、校验、推进状态，写回有变化的内容。",
    "sync.dry_run": "只显示会改什么，什么都不写。",
    "sync.strict": "发现任何错误级异常时退出码为 3。",
    "sync.strict_alerts": "有提醒没能发出时退出码为 5。",
    "history": "列出一个订单记录在案的每一次修改，从早到晚。日志里没有这个订单时退出码为 2。",
    "history.order_id": "要查看的订单号。",
    "rebuild": "日志丢失后按表格现状重建：每一行都作为它自己的基准（不标任何冲突），收件箱里现有的文件记为已读。不写任何单元格。",
    "import": "把旧订单文件导入订单表：先预览，能收的都收下，什么都不丢。",
    "import.files": "文件或通配符（加引号）：.csv .tsv .txt .xlsx .xls；工作簿的每个工作表都读。",
    "import.mapping": "按名字（mappings/NAME.yaml）或路径指定映射。",
    "import.auto": "按同义词和内容自动匹配表头（不给 --mapping 时默认如此）。",
    "import.channel": "导入行的渠道，映射或某一列另有说明时除外；不给时记为「历史导入」（英文表头的表格记为 legacy）。",
    "import.sheet": "每个工作簿只读这个工作表。",
    "import.preview": "只显示匹配结果、样例和计数；什么都不写。",
    "import.rejects": "没收下的行写到哪里：.xlsx（全部为文本）或 .csv。",
    "import.save_mapping": "把自动匹配的结果保存为 mappings/NAME.yaml。",
    "reconcile": "把表格和店铺导出、财务导出、快递文件逐单核对；有差异时退出码为 3。除 --out 外什么都不写。",
    "reconcile.against": "核对来源：配置里的渠道或物流名（douyin），或 映射=文件 或通配符（finance=exports/fin.xlsx）。可重复。",
    "reconcile.out": "把每一条差异写到 FILE.xlsx、.csv 或 .json。",
    "reconcile.tolerance": "金额差多少以内算相等（如 0.01）。",
    "report": "关键指标：准时交付、各状态耗时、积压热力图、异常原因、超时订单。",
    "report.dashboard": "把指标和原生图表写进工作簿自己的「看板」工作表（每次运行替换）。",
    "report.png": "把热力图和准时率图以 PNG 图片写到 DIR。",
    "report.targets": "配合 --desks：各订单台的 sheetsync.yaml，或一个 postgresql:// 数据库（其中所有订单台）。",
    "report.desks": "几个订单台并排对比：订单数、加急占比、准时率、下单到发货时长、超时积压、异常率和退货率。",
    "report.out": "配合 --desks：把并排的指标和一张图写进一个新的 FILE.xlsx（工作表「看板」）。",
    "report.password_env": "配合 --desks postgresql://...：存放密码的环境变量。",
    "queue": "按处理顺序列出每个分组的未完成订单：先超时的，再按离承诺时间的剩余时间，优先级（红/黄/绿 或 A/B/C）"
             "排先后。什么都不写。",
    "queue.group": "只看这个分组（例如一个仓库）。",
    "approve": "签批订单：把名字加进审批人单元格，写入表格（记入日志）。签名够了，下次同步就让订单离开审核。",
    "approve.order_ids": "要签批的订单。",
    "approve.by": "签批人的名字，与审批层级里写的一致。",
    "approve.group": "配合 --all：要签批哪个分组的订单。",
    "approve.all_orders": "签批（--group 里）所有在审核中、这个名字有权签批的订单。",
    "unlock": "解锁一个订单被锁定的字段（从锁定状态起的地址）：下次同步保留人工的修改，而不是改回去。连同谁、为什么记入日志。",
    "unlock.order_id": "要重新允许修改地址的订单。",
    "unlock.by": "谁来解锁。",
    "unlock.reason": "原因（记入日志）。",
}
"""The Chinese help of the app (""), each command and each option (`command.param`, `*.param` for all)."""

WORDS: Final[dict[str, tuple[str, str]]] = {
    "usage": ("用法：", "Usage: "),
    "options": ("选项：", "Options:"),
    "arguments": ("参数：", "Arguments:"),
    "commands": ("命令：", "Commands:"),
    "OPTIONS": ("[选项]", "[OPTIONS]"),
    "COMMAND": ("命令 [参数]...", "COMMAND [ARGS]..."),
    "default": ("（默认：{value}）", " (default: {value})"),
    "more": ("每个命令的说明：sheetsync 命令 --help", "Each command's help: sheetsync COMMAND --help"),
    "FILE": ("文件", "FILE"),
    "DIR": ("文件夹", "DIR"),
    "TEXT": ("文字", "TEXT"),
    "N": ("数字", "N"),
    "TIME": ("时间", "TIME"),
    "NAME": ("名字", "NAME"),
    "URL": ("网址", "URL"),
}
_METAVARS: Final = {"config": "FILE", "out_file": "FILE", "from_": "FILE", "rejects": "FILE", "out": "FILE", "mapping": "NAME",
                    "save_mapping": "NAME", "png": "DIR", "directory": "DIR", "now": "TIME", "start": "TIME",
                    "end": "TIME", "header_row": "N", "by": "NAME", "group": "NAME", "sheet": "NAME", "channel": "NAME",
                    "order_id_column": "NAME", "gsheet": "URL", "from_gsheet": "URL", "endpoint": "URL",
                    "credentials_env": "NAME", "lang": "zh|en", "against": "TEXT", "tolerance": "N"}


def text_of(command: str, param: str | None, english: str | None, lang: Lang) -> str:
    """The help of `command` (or of its option `param`) in `lang`: the Chinese of `ZH`, or the English given."""
    if lang == "en":
        return " ".join((english or "").split())
    if param is None:
        return ZH.get(command, "")
    return ZH.get(f"{command}.{param}") or ZH.get(f"*.{param}", "")


def missing_chinese(group: Any) -> list[str]:
    """The commands and options of the click `group` with no Chinese help (a test keeps this empty)."""
    missing = [] if ZH.get("") else ["(app)"]
    for name, command in group.commands.items():
        if not ZH.get(name):
            missing.append(name)
        for param in command.params:
            if not text_of(name, param.name, None, "zh"):
                missing.append(f"{name}.{param.name}")
    return missing


def render(group: Any, command: str | None, lang: Lang, width: int) -> str:
    """The help of the app (`command` None) or of one of its commands, as text `width` columns wide."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None, highlight=False, markup=False)
    word = {k: v[0 if lang == "zh" else 1] for k, v in WORDS.items()}
    if command is None:
        console.print(f"{word['usage']}sheetsync {word['OPTIONS']} {word['COMMAND']}")
        console.print()
        console.print(text_of("", None, group.help, lang))
        console.print()
        rows = [(name, _first_sentence(text_of(name, None, cmd.help, lang), lang)) for name, cmd in group.commands.items()]
        _two_columns(console, word["commands"], rows)
        console.print()
        _two_columns(console, word["options"], [("--version", "显示版本号。" if lang == "zh" else "Print the version and exit."),
                                                ("--help", text_of("*", "help", "Show this message and exit.", lang))])
        console.print()
        console.print(word["more"])
        return _trimmed(console)
    cmd = group.commands[command]
    arguments = [p for p in cmd.params if not p.opts[0].startswith("-")]
    options = [p for p in cmd.params if p.opts[0].startswith("-")]
    shown_args = " ".join(f"{_metavar(p, word)}{'...' if p.nargs == -1 else ''}" for p in arguments)
    console.print(f"{word['usage']}sheetsync {command} {word['OPTIONS']} {shown_args}".rstrip())
    console.print()
    console.print(text_of(command, None, cmd.help, lang))
    if arguments:
        console.print()
        _two_columns(console, word["arguments"],
                     [(_metavar(p, word), _with_default(text_of(command, p.name, p.help, lang), p, word))
                      for p in arguments])
    console.print()
    rows = [(_option_names(p, word), _with_default(text_of(command, p.name, p.help, lang), p, word)) for p in options]
    rows.append(("--help", text_of(command, "help", "Show this message and exit.", lang)))
    _two_columns(console, word["options"], rows)
    return _trimmed(console)


def _trimmed(console: Console) -> str:
    """The recorded text without the padding the table leaves at the end of each line."""
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def _two_columns(console: Console, title: str, rows: list[tuple[str, str]]) -> None:
    """Names and their help side by side; the help wraps in its own column (CJK-wide characters counted two)."""
    console.print(title)
    names_width = max((cell_len(name) for name, _ in rows), default=0)
    if names_width > console.width // 2:  # too wide to sit beside: each help under its name
        for name, text in rows:
            console.print(Text("  " + name))
            for line in wrap(text, console.width - 6):
                console.print(Text("      " + line))
        return
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    for name, text in rows:
        table.add_row("  " + name, Text("\n".join(wrap(text, console.width - names_width - 4))))
    console.print(table)


def _option_names(param: Any, word: dict[str, str]) -> str:
    names = sorted(param.opts, key=len)
    shown = ", ".join(names) if len(names) > 1 else names[0]
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return shown
    return f"{shown} {_metavar(param, word)}"


def _metavar(param: Any, word: dict[str, str]) -> str:
    name = _METAVARS.get(param.name or "", "TEXT" if param.opts[0].startswith("-") else (param.name or "").upper())
    return word.get(name, name)


def _with_default(text: str, param: Any, word: dict[str, str]) -> str:
    default = getattr(param, "default", None)
    if getattr(param, "is_flag", False) or default in (None, "", (), [], False) or callable(default):
        return text
    return text + word["default"].format(value=default)


def _first_sentence(text: str, lang: Lang) -> str:
    stop = "。" if lang == "zh" else ". "
    head, found, _ = text.partition(stop)
    return head + ("。" if found and lang == "zh" else "." if found else "")
