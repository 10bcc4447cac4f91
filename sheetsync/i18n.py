"""Every message a person reads, in Chinese and English; `lang` picks one.

Before a configuration is loaded the language comes from SHEETSYNC_LANG, then from
LC_ALL / LANG (an `en_*` locale gives English); our users read Chinese first, so
anything else gives Chinese.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Final, Literal, Union

Lang = Literal["zh", "en"]

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # configuration
    "config.missing": ("找不到配置文件 {path}", "configuration file {path} not found"),
    "config.missing.hint": (
        "用 `sheetsync init` 新建一个订单台，或用 -c 指定配置文件",
        "create a desk with `sheetsync init`, or name the file with -c",
    ),
    "config.yaml": ("{path}:{line}:{col}: YAML 格式错误：{problem}", "{path}:{line}:{col}: not valid YAML: {problem}"),
    "config.yaml.hint": ("检查缩进和冒号；字符串里有冒号时加引号", "check indentation and colons; quote strings that contain a colon"),
    "config.not_mapping": ("{path}: 顶层必须是键值对（table: ...）", "{path}: the top level must be a mapping (table: ...)"),
    "config.field": ("{path}:{line}:{col}: {key}: {problem}", "{path}:{line}:{col}: {key}: {problem}"),
    "config.extra": ("未知的配置项（可用的有：{allowed}）", "unknown key (the known ones are: {allowed})"),
    "config.missing_key": ("缺少必填项", "this key is required"),
    "config.bad_preset": ("未知的表头预设 '{name}'（可用：{known}）", "unknown header preset '{name}' (known: {known})"),
    "config.bad_field": ("'{name}' 不是标准字段（标准字段：{known}）", "'{name}' is not a canonical field (the fields are: {known})"),
    "config.dup_header": ("表头 '{header}' 同时映射给了 {fields}", "header '{header}' is mapped to both {fields}"),
    "config.bad_backend": ("未知的存储后端 '{name}'（可用：{known}）", "unknown backend '{name}' (known: {known})"),
    "config.bad_format": ("订单号格式 '{fmt}' 无效：{problem}", "order id format '{fmt}' is not valid: {problem}"),
    "config.bad_format.hint": (
        "可用占位符 {{prefix}}、{{date:%Y%m%d}}、{{seq:06d}}，且必须含 {{seq}}",
        "use {{prefix}}, {{date:%Y%m%d}} and {{seq:06d}}; {{seq}} is required",
    ),
    "config.too_big": ("{path} 有 {size} 字节，超过 {limit}：配置文件不会这么大，本次不读", "{path} is {size} bytes, over {limit}: no configuration is that large; not read"),
    "config.aliases": ("{path} 用了 {n} 个 YAML 别名（*名字），超过 {limit}：本次不读（大量别名会展开成天文数字的内容）",
                       "{path} uses {n} YAML aliases (*name), over {limit}: not read (aliases can expand to billions of nodes)"),
    "config.too_deep": ("{path}:{line}:{col}: 层层嵌套超过 {limit} 层：本次不读（正常的配置不到十层，多半是括号没配对）",
                        "{path}:{line}:{col}: nested more than {limit} levels deep: not read (a real configuration has under ten; "
                        "look for unbalanced brackets)"),
    "v.seq_required": ("格式里必须有 {{seq}}（序号）", "{{seq}} is required"),
    "v.bad_format": ("格式写不通：{problem}", "the format does not work: {problem}"),
    "v.duration": ("“{value}”不是时长：应写成 30m、48h、2d 或 30分钟、48小时、2天", "'{value}' is not a duration like 30m, 48h or 2d (or 30分钟, 48小时, 2天)"),
    "v.state_key": ("“{word}: {key}”：{key} 不是状态键（可用的有：{keys}）", "'{word}: {key}': '{key}' is not a state key (the keys are: {keys})"),
    "v.pg_url": ("日志地址应以 postgresql:// 开头（现在是 {value}://）", "a journal URL begins with postgresql:// (this one with {value}://)"),
    "v.pg_password": ("密码不能写在日志地址里：放进 PGPASSWORD 或 ~/.pgpass，或用 password_env: 指定保存密码的环境变量",
                      "the password may not be in the journal's URL: put it in PGPASSWORD or ~/.pgpass, or name the environment "
                      "variable holding it in password_env:"),
    "v.pg_desk": ("“{value}”不能作订单台名（PostgreSQL 模式名）：只用小写字母、数字和下划线，字母开头",
                  "'{value}' cannot name a desk (a PostgreSQL schema): lowercase letters, digits and underscores, a letter first"),
    "v.zone": ("“{value}”不是时区名，应像 Asia/Shanghai", "'{value}' is not a time zone name like Asia/Shanghai"),
    "v.dup_alert": ("提醒目标名“{name}”用了两次", "the alert target name '{name}' is used twice"),
    "v.dup_channel": ("渠道名“{name}”用了两次", "the channel name '{name}' is used twice"),
    "v.field": ("“{value}”不是标准字段名（可用的有：{fields}）", "'{value}' is not a canonical field (the fields are: {fields})"),
    "v.datetime_field": ("“{value}”不是日期时间字段（可用的有：{fields}）", "'{value}' is not a date-time field (those are: {fields})"),
    "v.code": ("“{value}”不是大写下划线代码（如 BIG_ORDER）", "'{value}' is not an UPPER_SNAKE code like BIG_ORDER"),
    "v.builtin_code": ("“{value}”是内置代码，换一个名字", "'{value}' is a built-in code; choose another"),
    "v.message_both": ("提示语写成一段文字，或 {{zh: ..., en: ...}}", "write the message as one string, or as {{zh: ..., en: ...}}"),
    "v.message_semicolon": ("“; ”用来分隔异常单元格里的多条异常：请改用“，”或“, ”", "'; ' separates anomalies in the anomalies cell; write '，' or ', ' instead"),
    "v.dup_rule": ("规则名“{name}”用了两次", "the rule name '{name}' is used twice"),
    "v.colour": ("“{value}”不是颜色，应像 FFC7CE（六位十六进制）", "'{value}' is not a colour like FFC7CE (six hex digits)"),
    "p.string_type": ("应为文字", "should be text"),
    "p.int": ("应为整数", "should be a whole number"),
    "p.float": ("应为数字", "should be a number"),
    "p.bool": ("应为 true 或 false", "should be true or false"),
    "p.list": ("应为列表（- 开头的几行，或 [a, b]）", "should be a list (lines starting with -, or [a, b])"),
    "p.mapping": ("应为键值对（键: 值）", "should be a mapping (key: value)"),
    "p.literal": ("只能是：{expected}", "should be one of: {expected}"),
    "p.greater": ("应大于 {limit}", "should be greater than {limit}"),
    "p.greater_equal": ("应不小于 {limit}", "should be at least {limit}"),
    "p.less_equal": ("应不大于 {limit}", "should be at most {limit}"),
    "config.full_width": ("{path}:{line}:{col}: 这里用了全角的“{char}”：YAML 只认半角的“{ascii}”", "{path}:{line}:{col}: a full-width '{char}' here: YAML only knows the half-width '{ascii}'"),
    "config.full_width.hint": ("把输入法切到英文标点（或把“{char}”改成“{ascii}”）后保存", "switch the input method to half-width punctuation (or replace '{char}' with '{ascii}') and save"),
    "yaml.colon": ("找不到应有的冒号“:”（键和值之间要有“: ”）", "could not find the expected ':' (a key and its value are separated by ': ')"),
    "yaml.mapping_here": ("这里不能再有“键: 值”：冒号后要有空格，值里有冒号时给整个值加引号", "a 'key: value' is not allowed here: put a space after the colon, and quote a value that holds one"),
    "yaml.tab": ("不能用 Tab 缩进，请用空格", "tabs cannot indent YAML: use spaces"),
    "yaml.indent": ("缩进没对齐", "the indentation does not line up"),
    "yaml.quote": ("引号没有配对", "a quote is not closed"),
    "yaml.duplicate": ("键“{key}”写了两次：每个键只能写一次", "the key '{key}' is written twice: each key once"),
    "yaml.other": ("{problem}", "{problem}"),
    "config.exists": ("{path} 已存在，不会覆盖", "{path} already exists; it is not overwritten"),
    "config.exists.hint": ("换一个目录，或先移走这些文件", "choose another folder, or move those files away first"),
    "config.channels_unsupported": (
        "渠道 '{name}' 的类型 '{kind}' 在这个版本中还不可用（可用：{known}）",
        "channel '{name}': kind '{kind}' is not available in this version (available: {known})",
    ),
    "mapping.unknown": ("找不到映射 '{name}'（自带的有：{known}）", "no mapping '{name}' (shipped ones: {known})"),
    "mapping.cycle": ("映射 {path} 的 extends 形成了循环", "mapping {path} extends itself (a cycle)"),
    "mapping.no_header": (
        "{file} 的前 30 行里找不到映射 {mapping} 的表头（例如：{headers}）",
        "{file}: none of mapping {mapping}'s headers in the first 30 rows (e.g. {headers})",
    ),
    "pull.seen": ("内容相同的文件已导入过（{path}）", "a file with the same content was imported before ({path})"),
    "pull.seen.same": ("已导入过，内容没有变", "imported before, unchanged"),
    "pull.unreadable.hint": (
        "其余文件已正常导入；修好或移走这个文件后再运行",
        "the other files were taken; fix or move this file and run again",
    ),
    "reject.no_key": ("缺少订单号（{column}）", "no order number ({column})"),
    "reject.no_match_key": ("无法对应到订单（{columns} 都为空）", "cannot be matched to an order ({columns} all empty)"),
    "reject.required": ("缺少必填项（{column}）", "a required value is missing ({column})"),
    "reject.bad_amount": ("金额无法识别（{column}）", "amount not readable ({column})"),
    "reject.bad_date": ("日期无法识别（{column}）", "date not readable ({column})"),
    "reject.truncated": ("文件在这一行中间被截断", "the file is cut in the middle of this line"),
    "config.mapping_kind": (
        "'{name}' 用的映射 {mapping} 是 {kind} 类型：订单渠道放在 channels:，运单放在 logistics:",
        "'{name}' uses mapping {mapping} of kind {kind}: orders go under channels:, waybills under logistics:",
    ),
    # table / store
    "table.header_missing": (
        "{path} 的工作表「{sheet}」缺少表头：{headers}",
        "sheet '{sheet}' of {path} lacks the header(s): {headers}",
    ),
    "table.header_missing.hint": (
        "在表头行加上这些列，或在 sheetsync.yaml 的 headers: 中改成表里实际的列名",
        "add these columns to the header row, or map them to the sheet's own header text under headers: in sheetsync.yaml",
    ),
    "table.no_header": (
        "在 {path} 的工作表「{sheet}」前 {rows} 行里找不到订单号列（{header}）",
        "no order id column ({header}) in the first {rows} rows of sheet '{sheet}' of {path}",
    ),
    "table.no_header.hint": (
        "在表头行加上订单号列（sheetsync init --from 工作簿 --add-columns 可代为添加），或在 headers: 中写上你们的订单号列名；"
        "表头不在前 30 行时，在 table: 下写 header_row: 行号",
        "add an order id column to the header row (sheetsync init --from WORKBOOK --add-columns adds it), or map your own"
        " order number column under headers:; for a header row below row 30, set header_row: N under table:",
    ),
    "table.no_sheet": ("{path} 里没有工作表「{sheet}」（现有：{sheets}）", "{path} has no sheet '{sheet}' (it has: {sheets})"),
    "table.protected": (
        "{path} 的工作表「{sheet}」设了保护（审阅 → 保护工作表），本次不写入",
        "sheet '{sheet}' of {path} is protected (Review → Protect Sheet); nothing was written",
    ),
    "table.protected.hint": (
        "在表格软件里撤销工作表保护后重试；若确定要写入受保护的表，在 sheetsync.yaml 的 table: 下写 allow_protected: true",
        "unprotect the sheet in your spreadsheet application and run again; to write into the protected sheet anyway, set allow_protected: true under table: in sheetsync.yaml",
    ),
    "table.signed": (
        "{path} 带有数字签名，写入会使签名失效，本次不写入",
        "{path} carries a digital signature that a write would invalidate; nothing was written",
    ),
    "table.signed.hint": (
        "另存一份不带签名的工作簿再用它；若确定可以让签名失效，在 sheetsync.yaml 的 table: 下写 allow_signed: true",
        "save a copy without the signature and use that; to write anyway (the signature becomes invalid), set allow_signed: true under table: in sheetsync.yaml",
    ),
    "table.unreadable": ("无法读取 {path}：{problem}", "cannot read {path}: {problem}"),
    "table.unreadable.hint": (
        "确认它是 Excel 工作簿（.xlsx）且没有损坏；可从 .sheetsync/backups/ 恢复上一个版本",
        "make sure it is an Excel workbook (.xlsx) and not damaged; the previous version is in .sheetsync/backups/",
    ),
    "table.not_found": ("找不到工作簿 {path}", "workbook {path} not found"),
    "table.open_in_app": (
        "工作簿 {path} 正在被 {app} 打开（锁文件 {lock}），本次不写入",
        "workbook {path} is open in {app} (lock file {lock}); nothing was written",
    ),
    "table.open_in_app.hint": (
        "关闭表格后重试；若确定没人打开（锁文件是残留的），加 --force",
        "close it and run again; if nobody has it open (the lock file is left over), add --force",
    ),
    "table.changed": ("本次运行期间有人保存了 {path}：本次不写入，你们保存的内容原样保留",
                      "{path} was saved by someone while this run worked on it: nothing was written, your save is kept as it is"),
    "table.changed.hint": ("下一次运行会读取你们保存的版本（cron 会自动再跑）", "the next run reads the version you saved (cron runs it again)"),
    "journal.lost": ("日志 {path} 不见了或是空的，而这个订单台以前运行过：本次不运行（否则会重新读取所有收件箱文件、把每单都标成冲突）",
                     "the journal {path} is missing or empty, yet this desk has run before: not run (it would re-read every inbox file and flag every order)"),
    "journal.lost.hint": ("能找回 .sheetsync/journal.db 就放回去；找不回就运行 sheetsync rebuild -c {config}，按表格现在的样子重建日志（不标记任何东西）",
                          "put .sheetsync/journal.db back if you can; otherwise run sheetsync rebuild -c {config}: it rebuilds the journal from the sheet as it is, flagging nothing"),
    "rebuild.damaged": ("损坏的日志已留作 {path}", "the damaged journal was kept as {path}"),
    "rebuild.done": ("日志已按表格重建：{rows} 行订单，{keys} 个渠道单号，{files} 个收件箱文件记为已读",
                     "journal rebuilt from the sheet: {rows} orders, {keys} channel order numbers, {files} inbox files taken as seen"),
    "package.encrypted": ("{path} 设了打开密码（加密的工作簿）：sheetsync 读不了它", "{path} is encrypted (a password to open it): sheetsync cannot read it"),
    "package.encrypted.hint": ("在 Excel/WPS 里打开它，去掉打开密码（文件 → 信息 → 保护工作簿 → 用密码加密，清空）后保存",
                               "open it in Excel/WPS, remove the password to open (File → Info → Protect Workbook → Encrypt with Password: clear it) and save"),
    "package.old_xls": ("{path} 其实是旧的 .xls 格式，只是改了扩展名", "{path} is an old .xls workbook under an .xlsx name"),
    "package.old_xls.hint": ("在 Excel/WPS 里打开它，另存为 .xlsx（Excel 工作簿）", "open it in Excel/WPS and save it as .xlsx (Excel Workbook)"),
    "package.not_zip": ("{path} 不是有效的 .xlsx 文件（不是完整的 zip 包）", "{path} is not a valid .xlsx file (not a complete zip package)"),
    "package.not_zip.hint": ("在 Excel/WPS/LibreOffice 里打开它并重新另存为 .xlsx；工作簿的上一个版本在 .sheetsync/backups/",
                             "open it in Excel/WPS/LibreOffice and save it again as .xlsx; the previous version of a desk's workbook is in .sheetsync/backups/"),
    "package.duplicate": ("{path} 里有两个同名的部件（{member}）：不知道该读哪一个，本次不读",
                          "{path} holds two members named {member}: which one a reader takes is anyone's guess; not read"),
    "machine.no_room": ("磁盘空间不够了（写 {path} 时：{problem}）", "no room left on the disk (writing {path}: {problem})"),
    "machine.unchanged.hint": ("腾出磁盘空间后再运行；工作簿没有被改动（新文件总是先写在旁边，最后才替换）",
                               "free some disk space and run again; the workbook was not changed (a new file is always "
                               "written beside it and put in place last)"),
    "machine.not_allowed": ("没有权限写入 {path}：{problem}", "not allowed to write {path}: {problem}"),
    "machine.not_allowed.hint": ("检查这个文件夹是否只读、是否属于运行 sheetsync 的用户（cron 的用户）；工作簿没有被改动",
                                 "check that the folder is not read-only and belongs to the user that runs sheetsync (cron's "
                                 "user); the workbook was not changed"),
    "machine.io": ("读写日志时磁盘出错（{problem}）", "the disk failed while the journal was read or written ({problem})"),
    "machine.io.hint": ("看看磁盘是否满了、文件大小是否受限、磁盘是否有故障，然后再运行；工作簿没有被改动",
                        "check whether the disk is full, a file size limit applies or the disk is failing, then run again; the "
                        "workbook was not changed"),
    "machine.memory": ("内存不够了", "the machine ran out of memory"),
    "machine.memory.hint": ("关掉其他占内存的程序后再运行；sheetsync.yaml 的 limits: 可以调小读入文件的上限",
                            "close other programs using memory and run again; limits: in sheetsync.yaml bounds what is read"),
    "journal.damaged": ("日志（.sheetsync/journal.db）损坏了：{problem}", "the journal (.sheetsync/journal.db) is damaged: {problem}"),
    "journal.damaged.hint": ("运行 sheetsync rebuild：损坏的文件会留作 journal.db.damaged-时间，再按表格现状重建日志（不改表格、不标冲突）",
                             "run `sheetsync rebuild`: the damaged file is kept as journal.db.damaged-TIME and the journal is "
                             "rebuilt from the sheet as it is (no cell written, nothing flagged)"),
    "package.doctype": ("{path} 的 {member} 声明了 DOCTYPE：Office 软件从不写它（可能是恶意构造的文件），本次不读",
                        "{path}: {member} declares a DOCTYPE, which no Office application writes (it may be a crafted file); not read"),
    "package.bomb": ("{path} 的 {member} 解压后有 {size}（压缩比 {ratio}:1），超过上限（{limit}，或压缩比 {max_ratio}:1）：本次不读",
                     "{path}: {member} inflates to {size} ({ratio}:1), past the limit ({limit}, or {max_ratio}:1); not read"),
    "package.bomb.hint": ("这不像正常的工作簿（可能是“压缩炸弹”）：确认来源；确实是真实数据的话，在 sheetsync.yaml 的 limits: 里调大 "
                          "member_bytes / member_ratio",
                          "this does not look like a real workbook (a zip bomb?): check where it came from; if it is real data, raise "
                          "member_bytes / member_ratio under limits: in sheetsync.yaml"),
    "extent.too_far": ("{path} 的 {part} 一直用到 {far}（{rows} 行 × {cols} 列）：读它要把这么大一块表放进内存，本次不读",
                       "{part} of {path} reaches {far} ({rows} rows × {cols} columns): reading it would lay all of that out in memory; not read"),
    "extent.stray": ("{path} 的 {part} 在 {far} 有一个孤立的单元格，离其余数据（到第 {last} 行）很远：读它要把中间整片空白放进内存，"
                     "新订单也加不到它下面，本次不读",
                     "{part} of {path} has a stray cell at {far}, far below the rest of the data (which ends at row {last}): "
                     "reading it would lay out all the empty rows between, and no new order would fit below it; not read"),
    "table.full": ("{path} 工作表“{sheet}”下面已经没有空行了（表格最多 {last} 行）：新订单加不进去，本次什么都没写",
                   "{path} sheet '{sheet}' has no room left below its last row (a sheet holds {last} rows): the new orders do "
                   "not fit; nothing was written"),
    "extent.stray_row": ("{path} 的 {part} 一直用到第 {row} 行，而数据大约只有 {last} 行：第 {row} 行多半有一个误填的单元格；"
                         "读它要把中间整片空白放进内存，新订单也加不到它下面，本次不读",
                         "{part} of {path} reaches row {row} while its data holds about {last} rows: most likely a stray cell "
                         "on row {row}; reading it would lay out all the empty rows between, and no new order would fit below "
                         "it; not read"),
    "extent.stray_row.hint": ("在表格软件里按 Ctrl+End 跳到第 {row} 行的那个单元格，清除它（或删除那些空行）后保存",
                              "in your spreadsheet application press Ctrl+End to reach the cell on row {row}, clear it (or "
                              "delete the empty rows) and save"),
    "extent.too_far.hint": ("这多半是远处一个误填的单元格：在表格软件里清除 {far}（以及它附近误填的内容）后保存",
                            "most likely a stray cell far away: clear {far} (and anything typed near it by mistake) in your spreadsheet application and save"),
    "table.replace_failed": ("无法替换 {path}：{problem}", "could not replace {path}: {problem}"),
    "table.replace_failed.hint": (
        "文件可能正被其他程序占用；关闭后重试，原文件未改动",
        "another program may hold the file; close it and run again; the workbook is unchanged",
    ),
    # run lock
    "lock.held": (
        "另一个 sheetsync 正在处理这张表（进程 {pid}，主机 {host}，开始于 {since}）",
        "another sheetsync run holds this table (process {pid} on {host}, since {since})",
    ),
    "lock.held.hint": ("等它结束后再运行", "wait for it to finish, then run again"),
    "lock.stale": (
        "上一次运行（进程 {pid}，开始于 {since}）没有正常结束，已接管它的锁",
        "the previous run (process {pid}, since {since}) did not finish; its lock was taken over",
    ),
    "journal.recovered": (
        "上一次运行 #{run} 在写入工作簿时中断：{outcome}",
        "run #{run} was interrupted while writing the workbook: {outcome}",
    ),
    "journal.recovered.kept": ("工作簿已是新版本，日志已补齐", "the workbook was replaced; the journal was completed"),
    "journal.recovered.dropped": ("工作簿仍是旧版本，日志已回滚", "the workbook was not replaced; the journal was rolled back"),
    "journal.newer": (
        "日志 {path} 的版本（{found}）比本程序支持的（{known}）新",
        "journal {path} has schema version {found}, newer than this sheetsync knows ({known})",
    ),
    "journal.newer.hint": ("升级 sheetsync", "upgrade sheetsync"),
    "journal.pg_unreachable": ("连不上日志数据库 {where}：{problem}", "cannot reach the journal's database {where}: {problem}"),
    "journal.pg_unreachable.hint": ("检查数据库服务器是否在运行、地址和用户名是否正确、密码是否在 PGPASSWORD、~/.pgpass 或 password_env: 指定的变量里；本次没有改动表格",
                                    "check that the database server runs, that the URL and user are right and that the password is in "
                                    "PGPASSWORD, ~/.pgpass or the variable password_env: names; the table was not changed"),
    "journal.pg_other_desk": ("日志 {where} 属于另一张表（{table}），不是这个订单台的（{mine}）",
                              "the journal {where} belongs to another table ({table}), not this desk's ({mine})"),
    "journal.pg_other_desk.hint": ("同一个数据库里的每个订单台要有自己的名字：在 journal: 下写 desk: 名字（如 desk: shanghai）",
                                   "each desk of one database needs a name of its own: write desk: NAME under journal: (e.g. desk: shanghai)"),
    "journal.copy_not_empty": ("{where} 里已经有运行记录：日志只能复制到空的位置（不会把两段历史混在一起）",
                               "{where} already holds runs: a journal is copied only where there is none (two histories are never mixed)"),
    "journal.copy_not_empty.hint": ("换一个新文件，或在 --desk 给一个新的订单台名", "name a new file, or a new desk name with --desk"),
    "journal.copy_differs": ("复制后核对不一致：表 {table} 在 {source} 有 {rows} 行，复制到 {target} 后是 {copied} 行或内容不同；什么都没有保留",
                             "the copy did not check out: table {table} has {rows} rows in {source} and {copied} (or other contents) in "
                             "{target}; nothing was kept"),
    "journal.action": ("不认识的日志操作：{action}（可用的有：copy）", "unknown journal action: {action} (there is: copy)"),
    "journal.copied": ("日志已从 {source} 复制到 {target}，逐表核对一致", "the journal was copied from {source} to {target}, every table checked"),
    "journal.copied.columns": ("表,行数,校验和", "table,rows,checksum"),
    "journal.copied.use": ("要改用复制的日志，把 sheetsync.yaml 里的 journal: 换成：",
                           "to use the copy, replace journal: in sheetsync.yaml with:"),
    "journal.unreadable": ("无法打开日志 {path}：{problem}", "cannot open the journal {path}: {problem}"),
    # anomalies
    "anomaly.DUP_ORDER_ID": ("订单号重复（第 {rows} 行）", "order id used on rows {rows}"),
    "anomaly.PHONE_INVALID.lost": ("电话号码的位数已丢失（{value}）", "the phone number lost its digits ({value})"),
    "anomaly.CONFLICT_NEWS": ("{channel} 说订单是「{incoming}」，表格里是「{sheet}」：两者矛盾，保留表格的状态，请核对",
                              "{channel} says the order is '{incoming}', the sheet says '{sheet}': they contradict, the sheet's status is kept; please check"),
    "anomaly.STATUS_NOT_IN_LIST": ("「{word}」不在状态列的下拉列表里：没有写入，仍是「{kept}」（在 statuses: 里补上它，或设 table.status_list: extend）",
                                   "'{word}' is not in the status column's dropdown: not written, still '{kept}' (add it under statuses:, or set table.status_list: extend)"),
    "anomaly.CONFLICT": ("{field} 人工值「{sheet}」与渠道新值「{incoming}」冲突", "{field}: a person's '{sheet}' conflicts with the channel's new '{incoming}'"),
    "anomaly.TRACKING_CHANGED": ("已发货订单的快递单号变了：{old}→{new}", "tracking number of a shipped order changed: {old}→{new}"),
    # validation rules (sheetsync/rules)
    "rule.REQUIRED_MISSING": ("缺少{field}", "{field} is missing"),
    "rule.PHONE_MISSING": ("缺少电话", "no phone number"),
    "rule.PHONE_INVALID": ("电话号码无效（{value}）", "not a valid phone number ({value})"),
    "rule.PHONE_INVALID.foreign": ("不是有效的 {country} 电话号码（{value}）", "not a valid phone number for {country} ({value})"),
    "rule.ADDR_INCOMPLETE": ("地址缺少{parts}", "the address lacks the {parts}"),
    "rule.ADDR_INCOMPLETE.short": ("详细地址太短（{value}）", "the street address is too short ({value})"),
    "rule.ADDR_UNKNOWN.province": ("找不到省份「{name}」", "no province named '{name}'"),
    "rule.ADDR_UNKNOWN.city": ("{parent}没有叫「{name}」的城市", "{parent} has no city named '{name}'"),
    "rule.ADDR_UNKNOWN.city.anywhere": ("找不到城市「{name}」", "no city named '{name}'"),
    "rule.ADDR_UNKNOWN.district": ("{parent}没有叫「{name}」的区县", "{parent} has no district named '{name}'"),
    "rule.ADDR_UNKNOWN.district.anywhere": ("找不到区县「{name}」", "no district named '{name}'"),
    "rule.ADDR_MISMATCH": ("{name}不属于{parent}（属于{expected}）", "{name} is not in {parent} (it is in {expected})"),
    "rule.POSTCODE_INVALID": ("邮编应为 6 位数字（{value}）", "a postcode has 6 digits ({value})"),
    "rule.POSTCODE_INVALID.province": ("邮编 {value} 属于{postcode_province}，地址在{province}", "postcode {value} is for {postcode_province}, the address is in {province}"),
    "rule.RURAL_NO_PHONE": ("农村地址（{place}）没有可用的电话", "rural address ({place}) without a usable phone"),
    "rule.AMOUNT_INVALID": ("{field}不是金额（{value}）", "{field} is not an amount ({value})"),
    "rule.AMOUNT_INVALID.negative": ("{field}是负数（{value}）", "{field} is negative ({value})"),
    "rule.AMOUNT_INVALID.overpaid": ("实付 {paid} 大于应付 {payable}", "amount paid {paid} exceeds amount payable {payable}"),
    "rule.DATE_INVALID": ("{field}不是日期时间（{value}）", "{field} is not a date and time ({value})"),
    "rule.DATE_INVALID.no_year": ("{field}「{value}」没有年份：写成 {example} 这样的完整日期",
                                  "{field} '{value}' has no year: write the whole date, like {example}"),
    "rule.DATE_INVALID.future": ("{field} {value} 晚于现在", "{field} {value} is in the future"),
    "rule.DATE_INVALID.order": ("支付时间 {paid} 早于下单时间 {created}", "paid at {paid}, before the order was created ({created})"),
    "rule.DUP_CHANNEL_ORDER": ("{channel}订单号 {value} 重复（另见{rows}）", "duplicate {channel} order {value} (also on {rows})"),
    "rule.row": ("第 {rows} 行", "row {rows}"),
    "rule.rows": ("第 {rows} 行", "rows {rows}"),
    "rule.more_rows": ("{rows}及另外 {n} 行", "{rows} and {n} more"),
    "rule.or": ("或", " or "),
    "rule.list": ("、", ", "),
    "rule.level.province": ("省份", "province"),
    "rule.level.city": ("城市", "city"),
    "rule.level.district": ("区县", "district"),
    "rule.level.address": ("详细地址", "street address"),
    "rule.field.order_id": ("订单号", "order id"),
    "rule.field.channel": ("渠道", "channel"),
    "rule.field.channel_order_id": ("渠道订单号", "channel order id"),
    "rule.field.created_at": ("下单时间", "order time"),
    "rule.field.paid_at": ("支付时间", "payment time"),
    "rule.field.customer_name": ("客户姓名", "customer name"),
    "rule.field.customer_id": ("客户编号", "customer id"),
    "rule.field.phone": ("电话", "phone"),
    "rule.field.province": ("省份", "province"),
    "rule.field.city": ("城市", "city"),
    "rule.field.district": ("区县", "district"),
    "rule.field.address": ("详细地址", "address"),
    "rule.field.postcode": ("邮编", "postcode"),
    "rule.field.country": ("国家", "country"),
    "rule.field.items": ("商品", "items"),
    "rule.field.amount_payable": ("应付金额", "amount payable"),
    "rule.field.amount_paid": ("实付金额", "amount paid"),
    "rule.field.priority": ("优先级", "priority"),
    "rule.field.status": ("状态", "status"),
    "rule.field.status_since": ("状态时间", "status time"),
    "rule.field.warehouse": ("仓库", "warehouse"),
    "rule.field.approver": ("审批人", "approver"),
    "rule.field.carrier": ("快递公司", "carrier"),
    "rule.field.tracking_no": ("快递单号", "tracking number"),
    "rule.field.shipped_at": ("发货时间", "shipping time"),
    "rule.field.delivered_at": ("签收时间", "delivery time"),
    "rule.field.promised_by": ("承诺时间", "promised time"),
    "rule.field.sla": ("时效", "SLA"),
    "rule.field.anomalies": ("异常", "anomalies"),
    "rule.field.note": ("备注", "note"),
    "rule.field.ticket_id": ("售后单号", "ticket id"),
    "rule.field.channel_ticket_id": ("渠道售后单号", "channel ticket id"),
    "rule.field.kind": ("类型", "type"),
    "rule.field.reason": ("原因大类", "reason"),
    "rule.field.sub_reason": ("具体原因", "detail"),
    "rule.field.refund_amount": ("退款金额", "refund amount"),
    "rule.field.return_tracking_no": ("退件快递单号", "return tracking no."),
    "rule.field.photos": ("照片", "photos"),
    "rule.field.owner": ("负责人", "owner"),
    # report
    "report.title": ("同步完成", "Sync done"),
    "report.title.dry": ("预演（未写入任何内容）", "Dry run (nothing written)"),
    "report.rows": ("订单行", "order rows"),
    "report.new_ids": ("新编订单号", "order ids assigned"),
    "report.person_edits": ("人工修改", "edits by people"),
    "report.cells": ("写入单元格", "cells written"),
    "report.appended": ("新增行", "rows appended"),
    "report.duplicate": ("订单号 {order_id} 出现在多行（第 {rows} 行）：这几行都不会改动，请保留其中一行或改成不同的订单号",
                         "order id {order_id} is on more than one row (rows {rows}): none of them is changed; keep one, or give them different ids"),
    "report.deleted": ("被人工删除的订单（不会重建）", "orders deleted by a person (not re-created)"),
    "report.duplicates": ("订单号重复", "duplicate order ids"),
    "report.anomalies": ("异常", "anomalies"),
    "report.seen_files": ("{n} 个文件已导入过、内容没有变，跳过：{names}", "{n} files imported before and unchanged, skipped: {names}"),
    "report.anomalies.columns": ("代码,说明,行数", "code,meaning,rows"),
    "report.tickets.assigned": ("售后表：新编售后单号 {n} 个（{ids}）", "after-sales: {n} new ticket ids ({ids})"),
    "report.tickets.anomalies": ("售后异常", "after-sales anomalies"),
    "report.tickets.done": ("售后表：店铺新售后单 {new} 个；流转 {moved}；订单跟着售后变状态 {orders} 个；快递显示的退件 {returns} 个",
                            "after-sales: {new} new from the shops; moved {moved}; {orders} orders following their tickets; "
                            "{returns} returns tracked by the carriers"),
    "report.workbook_unchanged": ("工作簿无变化，未改写", "no change: the workbook was not rewritten"),
    "report.workbook_written": ("已写入 {path}（旧版本在 {backup}）", "wrote {path} (previous version in {backup})"),
    "report.would_write": ("将写入：", "would write:"),
    "report.files": ("输入文件", "input files"),
    "report.files.columns": ("文件,读取,新增,更新,未变,拒收,说明", "file,read,new,updated,unchanged,rejected,note"),
    "report.rejects": ("未能导入的行已保存到 {path}（原值和原因）", "rows not taken are kept in {path} (original values and reason)"),
    "report.unmatched": ("{n} 个运单对不上任何订单：{numbers}", "{n} waybill(s) match no order: {numbers}"),
    "report.not_recreated": ("已被人工删除、不会重建的订单：{ids}", "orders a person deleted, not re-created: {ids}"),
    "report.took": ("用时 {seconds:.2f} 秒", "took {seconds:.2f} s"),
    "history.none": ("没有订单 {order_id} 的记录", "no recorded change for order {order_id}"),
    "history.source.tool": ("工具", "tool"),
    "history.source.person": ("人工", "person"),
    "history.source.channel": ("渠道", "channel"),
    "history.source.journal": ("日志", "journal"),
    "history.columns": ("运行,时间,字段,原值,新值,来源", "run,time,field,old,new,source"),
    "history.created": ("（新建订单）", "(order created)"),
    "history.title": ("订单 {order_id} 的变更记录", "changes of order {order_id}"),
    "check.ok": ("配置有效：{path}", "configuration is valid: {path}"),
    "check.rules": ("校验规则 {n} 条，条件都能编译", "{n} rules are on; their conditions compile"),
    "validate.clean": ("{rows} 行都通过了校验", "all {rows} rows pass the rules"),
    "validate.summary": ("{rows} 行中发现 {n} 个问题，其中 {errors} 个是错误", "{n} findings in {rows} rows, {errors} of them errors"),
    "validate.row": ("行", "row"),
    "validate.order": ("订单号", "order"),
    "validate.code": ("代码", "code"),
    "validate.level": ("级别", "level"),
    "validate.message": ("说明", "message"),
    "validate.more": ("……另有 {n} 个问题未列出（--out 文件.xlsx 写出全部）", "... and {n} more (--out FILE.xlsx writes them all)"),
    "validate.written": ("全部 {n} 个问题已写入 {path}", "all {n} findings written to {path}"),
    "validate.bad_out": ("{path}：--out 只能写 .xlsx、.csv 或 .json", "{path}: --out writes .xlsx, .csv or .json"),
    "validate.bad_out.hint": ("换个扩展名再试，例如 --out 问题.xlsx", "use one of those suffixes, e.g. --out findings.xlsx"),
    "validate.sheet": ("校验结果", "findings"),
    "validate.col.row": ("行", "row"),
    "validate.col.order_id": ("订单号", "order id"),
    "validate.col.code": ("代码", "code"),
    "validate.col.level": ("级别", "level"),
    "validate.col.column": ("列", "column"),
    "validate.col.message": ("说明", "message"),
    "validate.level.error": ("错误", "error"),
    "validate.level.warn": ("警告", "warning"),
    "validate.level.info": ("提示", "info"),
    "check.table": ("工作表「{sheet}」第 {row} 行是表头，{rows} 行订单", "sheet '{sheet}': header on row {row}, {rows} order rows"),
    "check.mapped": ("已对应的列：{n}", "mapped columns: {n}"),
    "check.absent": ("表中没有（不会写入）：{fields}", "not in the sheet (not written): {fields}"),
    "check.extra": ("人工添加的列（不会改动）：{headers}", "columns added by people (never touched): {headers}"),
    "check.kind.orders": ("订单", "orders"),
    "check.kind.waybills": ("运单", "waybills"),
    "check.kind.tickets": ("售后单", "after-sales tickets"),
    "check.channel": ("渠道 {name}：映射 {mapping}（{kind}），收件箱里有 {files} 个文件", "channel {name}: mapping {mapping} ({kind}), {files} file(s) in its inbox"),
    "init.done": ("已创建订单台：{dir}", "created an order desk in {dir}"),
    "demo.copied": ("已复制示例订单台到 {dir}；示例的时钟是 {now}（示例数据那天的第二天早上）",
                    "copied the example desk to {dir}; the example's clock is {now} (the morning after its data)"),
    # import (sheetsync import)
    "import.title": ("导入完成", "Import done"),
    "import.progress.read": ("读取文件", "reading files"),
    "import.progress.write": ("写入订单表", "writing the order table"),
    "import.progress.done": ("完成", "done"),
    "import.title.preview": ("预览（未写入任何内容）", "Preview (nothing written)"),
    "import.estimated": ("按抽样估计的数字（大文件只读了一部分）", "estimated from a sample (a large file is not read whole)"),
    "import.read": ("读取行", "rows read"),
    "import.imported": ("新导入", "imported"),
    "import.merged": ("合并到已有订单", "merged into existing orders"),
    "import.duplicate": ("重复", "duplicates"),
    "import.rejected": ("拒收", "rejected"),
    "import.accounting": (
        "读取 {read} = 导入 {imported} + 合并 {merged} + 重复 {duplicate} + 拒收 {rejected}",
        "read {read} = imported {imported} + merged {merged} + duplicate {duplicate} + rejected {rejected}",
    ),
    "import.accounting.estimated": ("约 ", "about "),
    "import.files.columns": ("文件,工作表,读取,导入,合并,重复,拒收,说明", "file,sheet,read,imported,merged,duplicate,rejected,note"),
    "import.mapping.auto": ("自动匹配", "automatic"),
    "import.line": ("行号", "line"),
    "import.mapping.title": ("{table} 的列对应（映射 {mapping}，表头在第 {line} 行）", "columns of {table} (mapping {mapping}, header on line {line})"),
    "import.mapping.columns": ("列,字段,依据,把握", "column,field,basis,confidence"),
    "import.basis.header": ("标准表头", "standard header"),
    "import.basis.synonym": ("同义词", "synonym"),
    "import.basis.partial": ("表头包含同义词", "header contains a synonym"),
    "import.basis.content": ("按内容（{note}）", "by content ({note})"),
    "import.basis.mapping": ("映射", "mapping"),
    "import.unmatched": ("未对应的列（不导入）：{headers}", "columns not matched (not imported): {headers}"),
    "import.composed": ("没有订单号列：用 {fields} 组合成来源单号", "no order number column: the order's number is made of {fields}"),
    "import.day_first": ("日期按 日/月/年 读取", "dates read day/month/year"),
    "import.sample": ("标准化后的样例", "normalised sample"),
    "import.reasons": ("拒收原因", "reasons for rejecting"),
    "import.disagreements": ("{n} 个重复的订单与先导入的那行内容不同（已放进拒收文件）：", "{n} duplicate(s) differ from the row taken first (kept in the rejects file):"),
    "import.disagreement": ("{key}：{file} 第 {line} 行与 {first_file} 第 {first_line} 行不同：{fields}", "{key}: line {line} of {file} differs from line {first_line} of {first_file}: {fields}"),
    "import.saved_mapping": ("对应关系已保存为 {path}；以后可用 --mapping {name}", "the match is saved as {path}; next time use --mapping {name}"),
    "import.mapping_saved.partial": ("只保存了 {file} 的对应；这些表的表头不同：{others}", "only the match of {file} was saved; these tables have other headers: {others}"),
    "import.no_files": ("没有找到文件：{pattern}", "no file matches {pattern}"),
    "import.no_files.hint": ("检查路径；通配符要加引号，如 'old/*.csv'", "check the path; quote wildcards, e.g. 'old/*.csv'"),
    "import.mapping_and_auto": ("--mapping 和 --auto 只能选一个", "give --mapping or --auto, not both"),
    "import.save_needs_auto": ("--save-mapping 保存的是自动对应的结果，不能和 --mapping 一起用", "--save-mapping saves an automatic match; it cannot go with --mapping"),
    "import.rejects_suffix": ("拒收文件必须是 .xlsx 或 .csv：{path}", "the rejects file must be .xlsx or .csv: {path}"),
    "import.mapping_kind": ("映射 {mapping} 是 {kind} 类型，导入订单需要 orders 类型的映射", "mapping {mapping} is of kind {kind}; importing orders needs an orders mapping"),
    "import.not_ready": ("{file}：找不到订单号列，也无法用下单时间、电话、姓名组合（缺少：{missing}）", "{file}: no order number column, and none can be made of order time, phone and name (missing: {missing})"),
    "import.nothing_taken": ("{file} 里没有能导入的表：{reasons}", "nothing in {file} could be imported: {reasons}"),
    "import.nothing_taken.hint": ("用 --mapping 指定映射，或用 --preview 查看自动对应的结果", "name a mapping with --mapping, or look at the automatic match with --preview"),
    "import.reject.digits_lost": ("数字已丢失：{column} 是 {value}（被表格软件存成了科学计数法）", "digits lost: {column} is {value} (a spreadsheet stored it in scientific notation)"),
    "import.duplicate_reason": (
        "与 {file} 第 {line} 行是同一订单，内容不同（{fields}）；只导入了先出现的那行",
        "same order as line {line} of {file} but different ({fields}); only the first was imported",
    ),
    # adopting an existing workbook (sheetsync init --from)
    "report.list_added": ("状态列的下拉列表加上了：{words}", "added to the status column's dropdown: {words}"),
    "report.rejects_failed": ("未能写出拒收文件（{problem}）；{n} 行拒收的原因在日志里，本次运行照常完成",
                              "the rejects file could not be written ({problem}); the {n} rows' reasons are in the log, the run completed"),
    "report.alert_failed": ("提醒没发出去（{target}）：{problem}", "an alert was not sent ({target}): {problem}"),
    "table.long_cell": ("{path} 工作表“{sheet}”的 {cell} 超过 {limit} 个字符（Excel 单元格的上限）：本次不读",
                        "{path} sheet '{sheet}': {cell} is longer than {limit} characters (Excel's own limit); not read"),
    "table.long_cell.hint": ("在表格软件里把 {cell} 的内容缩短（或移到别处）后保存", "shorten what {cell} holds (or move it elsewhere) and save"),
    "read.long_line": ("{path} 第 {line} 行有 {size} 字节，超过一行的上限 {limit}：本次不读",
                       "{path} line {line} is {size} bytes long, past the limit of {limit} per line; not read"),
    "read.wide_line": ("{path} 第 {line} 行有 {n} 个字段，超过上限 {limit}：本次不读",
                       "{path} line {line} has {n} fields, past the limit of {limit}; not read"),
    "read.long_cell": ("{path} 的单元格（{where}）超过 {limit} 个字符（Excel 单元格的上限）：本次不读",
                       "{path}: a cell ({where}) is longer than {limit} characters (Excel's own limit); not read"),
    "read.at": ("第 {line} 行第 {n} 列", "line {line}, field {n}"),
    "read.limit.hint": ("这多半是导出出错或文件被截断拼接了：重新导出一次；确实是真实数据的话，在 sheetsync.yaml 的 limits: 里调大上限",
                        "the export probably went wrong: export it again; if it is real data, raise the bound under limits: in "
                        "sheetsync.yaml"),
    "pull.set_aside": ("{file} 读不了，已移到 {folder}（原因写在旁边的 .reason.txt）；修好后放回收件箱即可",
                       "{file} could not be read and was moved to {folder} (the reason beside it, .reason.txt); put it back in the inbox once fixed"),
    "report.folded": ("并入其他列的值（字段 订单数）：{fields}", "values folded into another column (field orders): {fields}"),
    "report.unplaced": (
        "表格没有这些列，值已记在日志里（加上这一列后下次同步会自动填入）：{fields}",
        "the sheet has no column for these, their values are kept in the journal (add the column and the next sync fills it): {fields}",
    ),
    "report.filled": ("新加的列已按日志填入（字段 单元格数）：{fields}", "columns added since the last run, filled from the journal (field cells): {fields}"),
    "workflow.news": ("{channel} 的消息：{path}", "news from {channel}: {path}"),
    "workflow.news_behind": ("{channel} 说「{new}」，订单已经到了「{old}」：不退回", "{channel} says '{new}', the order is already '{old}': not moved back"),
    "workflow.news_conflict": ("{channel} 说「{new}」，与「{old}」矛盾：保留「{old}」并标记冲突",
                               "{channel} says '{new}', which contradicts '{old}': '{old}' kept and flagged"),
    "queue.unknown": ("状态不认识的订单（STATE_UNKNOWN，请改成工作流里的状态，或在 sheetsync.yaml 的 statuses: 中说明）：{n} 单",
                      "orders whose status is no state (STATE_UNKNOWN: change it to a state, or say what it means under statuses: in sheetsync.yaml): {n}"),
    "adopt.unknown_statuses": ("这些状态词看不出含义，请在下面补上（例如 已打包: preparing）：{words}",
                               "these status words say nothing known: add them below (e.g. Packed: preparing): {words}"),
    "adopt.statuses": ("状态词：{pairs}", "status words: {pairs}"),
    "check.never": ("「{move}」永远不会发生：它要用到的列表格里没有（{headers}）；加上这些列，或在工作流里改掉这一步",
                    "'{move}' can never happen: it needs columns the sheet lacks ({headers}); add them, or change that step of the workflow"),
    "check.shadowed": ("{old}→{new} 有多条规则（{first} 先生效，{others} 不会被用到）；合并成一条",
                       "{old}→{new} has more than one transition ({first} applies, {others} never does); make them one"),
    "check.dropdown": ("工作流会写入「{states}」，但状态列的下拉列表只允许「{allowed}」；把它们加进下拉列表，或在 statuses: 里写上你们对应的词",
                       "the workflow may write '{states}', which the status column's dropdown does not allow ('{allowed}'); add them to the dropdown, or name your own words under statuses:"),
    "check.unknown_states": ("{n} 单的状态不是工作流里的状态（{words}）：queue 把它们单独列出；在 statuses: 里写上它们的含义",
                             "{n} orders have a status that is no state of the workflow ({words}): queue lists them apart; say what they mean under statuses:"),
    "check.report.on_time": ("报表算不出准时率：缺少列 {headers}", "the report cannot compute the on-time rate: no column {headers}"),
    "check.report.time_in_state": ("报表算不出各状态耗时：缺少列 {headers}", "the report cannot compute the time in each state: no column {headers}"),
    "check.warnings": ("注意（不影响运行）：", "to note (sync still runs):"),
    "usage": ("用法错误：{problem}", "usage error: {problem}"),
    "usage.hint": ("运行 {command} --help 查看用法", "run {command} --help to see how it is used"),
    "adopt.title": ("{path} 工作表「{sheet}」的表头（第 {row} 行）", "headers of sheet '{sheet}' of {path} (row {row})"),
    "adopt.columns": ("表头,字段,依据,把握", "header,field,basis,confidence"),
    "adopt.written": ("已写入 {path}：表格按原样使用", "wrote {path}: the workbook is used as it is"),
    "adopt.added": ("已在表头右侧添加列：{headers}", "columns added at the right of the header row: {headers}"),
    "adopt.missing": ("表中没有这些列（加 --add-columns 可在右侧添加）：{headers}", "the sheet lacks these columns (--add-columns appends them at the right): {headers}"),
    "adopt.unnamed": ("这些列没有表头，未对应（给表头单元格填上名字后再运行 init --from）：{columns}",
                      "columns without a header, left unmapped (name their header cell, then run init --from again): {columns}"),
    "adopt.unmatched": ("未对应的列（sheetsync 不会改动）：{headers}", "columns not matched (sheetsync never touches them): {headers}"),
    "adopt.no_order_id": (
        "工作表「{sheet}」没有订单号列：sync 之前要有一列订单号",
        "sheet '{sheet}' has no order id column: sync needs one",
    ),
    "adopt.no_order_id.hint": (
        "加 --add-columns 在表头右侧添加订单号等列（已有的行在第一次 sync 时编号），或用 --order-id-column 列名 指定你们自己的订单号列",
        "pass --add-columns to append an order id column and the others at the right (existing rows get ids on the first sync), or name your own order number column with --order-id-column NAME",
    ),
    "adopt.exists.hint": (
        "要给已接管的表格补上缺少的列，加 --add-columns 再运行；要重新接管，先移走 sheetsync.yaml",
        "to add the missing columns to a workbook already adopted, run again with --add-columns; to adopt it anew, move sheetsync.yaml away first",
    ),
    "adopt.no_header": (
        "在 {path} 的工作表「{sheet}」前 30 行里找不到表头",
        "no header row in the first 30 rows of sheet '{sheet}' of {path}",
    ),
    "adopt.no_header.hint": (
        "用 --header-row 行号 指出表头在第几行（写进 sheetsync.yaml 的 table.header_row）",
        "say which row holds the headers with --header-row N (it is written as table.header_row in sheetsync.yaml)",
    ),
    "adopt.bad_header_row": (
        "--header-row {row}：工作表「{sheet}」的第 {row} 行是空的或不存在",
        "--header-row {row}: row {row} of sheet '{sheet}' is empty or does not exist",
    ),
    "adopt.not_orders": (
        "工作表「{sheet}」看起来不是订单表（认出的列：{found}）；没有添加任何列",
        "sheet '{sheet}' does not look like an order table (columns recognised: {found}); no column was added",
    ),
    "adopt.not_orders.hint": (
        "用 --sheet 指定订单所在的工作表；订单表至少要有订单号、下单时间、客户、电话、地址、商品、金额、状态中的两列",
        "name the order sheet with --sheet; an order table has at least two of: order number, order time, customer, phone, address, items, amount, status",
    ),
    "adopt.no_column": ("--order-id-column：表头里没有「{name}」（表头有：{headers}）",
                        "--order-id-column: the header row has no '{name}' (it has: {headers})"),
    "adopt.order_id": ("订单号用你们自己的「{header}」列：已有的订单号不会改动", "order ids are your own column '{header}': existing ids are never changed"),
    "adopt.id_format": ("新订单的编号接着你们的编号往下排：{example}", "new orders are numbered on from your own ids: {example}"),
    "adopt.timezone": ("时区：{zone}（写在 sheetsync.yaml 的 timezone:）", "time zone: {zone} (timezone: in sheetsync.yaml)"),
    "adopt.repeated": ("这些表头重复出现，第二次出现的列未对应（改个名字再运行 init --from 即可对应）：{headers}",
                       "these header texts appear twice; the later column is left unmapped (rename it and run init --from again to map it): {headers}"),
    "adopt.guarded": ("注意：{what}。sync 不会写入它，除非在 sheetsync.yaml 里允许（{key}: true）",
                      "note: {what}. sync will not write into it unless sheetsync.yaml allows it ({key}: true)"),
    "adopt.guard.protected": ("工作表「{sheet}」设了保护", "sheet '{sheet}' is protected"),
    "adopt.guard.signed": ("工作簿带有数字签名（写入会使签名失效）", "the workbook carries a digital signature (a write invalidates it)"),
    "adopt.not_added": ("因此没有添加列：{headers}", "so no column was added: {headers}"),
    "adopt.loss": ("没有「{header}」列：{loss}", "no '{header}' column: {loss}"),
    "adopt.loss.order_id": ("sync 无法运行（每一行要靠订单号识别）", "sync cannot run (every row is identified by its order id)"),
    "adopt.loss.channel": ("看不出订单来自哪个渠道，承诺时效不能按渠道算，报表不能按渠道分", "no telling which channel an order came from: no promise per channel, no report by channel"),
    "adopt.loss.channel_order_id": ("店铺的订单号只记在日志（journal）里，表格和对账里看不到", "the shop's order number is kept in the journal only, not shown in the sheet"),
    "adopt.loss.status": ("没有订单状态：工作流、队列、审批都不可用", "no order status: no workflow, no queue, no approval"),
    "adopt.loss.status_since": ("不知道订单何时进入当前状态，时效颜色和状态耗时报表不可用", "no telling when an order entered its state: no SLA colours, no time-in-state report"),
    "adopt.loss.promised_by": ("无法标出超过承诺的订单，报表没有准时率", "orders past their promise are not marked, no on-time rate"),
    "adopt.loss.sla": ("时效（绿/黄/红）只在 queue 里显示，表格里看不到", "the SLA level (green/yellow/red) shows in queue only, not in the sheet"),
    "adopt.loss.anomalies": ("异常只出现在终端和报告里，表格里看不到", "anomalies show on the terminal and in reports only, not in the sheet"),
    "adopt.not_xlsx": ("只能接管 .xlsx 工作簿：{path}", "only an .xlsx workbook can be adopted: {path}"),
    "adopt.not_xlsx.hint": ("用 Excel 或 WPS 另存为 .xlsx 后再试", "save it as .xlsx from Excel or WPS, then try again"),
    "adopt.next": ("下一步：sheetsync check -c {config}，然后 sheetsync sync -c {config}", "next: sheetsync check -c {config}, then sheetsync sync -c {config}"),
    # automatic matching of headers
    "automap.not_ready": ("自动对应还不完整（缺少：{missing}），不能保存", "the automatic match is not complete (missing: {missing}); not saved"),
    "automap.not_ready.hint": ("写一个映射文件（mappings/名称.yaml）并用 --mapping 指定", "write a mapping file (mappings/NAME.yaml) and name it with --mapping"),
    "automap.bad_name": ("映射名 '{name}' 不能含路径", "the mapping name '{name}' must not be a path"),
    "automap.exists.hint": ("换一个名字，或先删除这个文件", "choose another name, or remove that file first"),
    "automap.saved_description": ("由 sheetsync import --auto 按 {file} 的表头生成", "made by sheetsync import --auto from the headers of {file}"),
    "automap.saved_unmatched": ("未对应的列：{headers}", "columns not matched: {headers}"),
    "bug": ("意外错误（这是 sheetsync 的缺陷）：{problem}", "unexpected error (a bug in sheetsync): {problem}"),
    "bug.hint": ("详细信息在 {log}", "details are in {log}"),
    "manual.label": ("手工", "manual"),
    # after-sales reason trees
    "anomaly.TICKET_ORDER_UNKNOWN": ("订单表里没有订单 {order_id}", "there is no order {order_id} in the order sheet"),
    "anomaly.TICKET_ORDER_MISSING": ("没有填订单号", "no order id"),
    "anomaly.REASON_UNKNOWN": ("原因树里没有大类「{first}」", "the reason tree has no '{first}'"),
    "anomaly.REASON_MISMATCH": ("「{second}」不是「{first}」下的原因", "'{second}' is no reason under '{first}'"),
    "anomaly.REASON_UNDESCRIBED": ("选了「其他」，请在备注里写明", "'other' needs a description in the note"),
    "code.TICKET_ORDER_UNKNOWN": ("订单不存在", "order unknown"),
    "code.TICKET_ORDER_MISSING": ("没有订单号", "no order id"),
    "code.REASON_UNKNOWN": ("原因不在树里", "reason unknown"),
    "code.REASON_MISMATCH": ("原因不属于大类", "reason under another first level"),
    "code.REASON_UNDESCRIBED": ("「其他」未说明", "'other' undescribed"),
    "init.add_sheet.unknown": ("不认识的工作表 '{name}'：--add-sheet 现在只能加 after-sales", "no sheet '{name}' to add: --add-sheet adds after-sales"),
    "init.add_sheet.hint": ("sheetsync init --add-sheet after-sales -c sheetsync.yaml", "sheetsync init --add-sheet after-sales -c sheetsync.yaml"),
    "init.add_sheet.done": ("已加入工作表：{sheets}（{config} 已写明 aftersales:）", "added the sheets {sheets} ({config} names them under aftersales:)"),
    "init.add_sheet.config_only": ("工作簿已有售后表；已在 {config} 里补上 aftersales:", "the workbook has the after-sales sheet already; aftersales: added to {config}"),
    "sheet.exists": ("{path} 已有工作表「{sheet}」，不会覆盖", "{path} already has a sheet '{sheet}'; it is not overwritten"),
    "sheet.name_taken": ("{path} 已有名称（定义的名称）“{name}”，不会覆盖", "{path} already has a defined name '{name}'; it is not overwritten"),
    "sheet.exists.hint": ("把那个工作表（或名称）改名后再运行；它的内容不会被动", "rename that sheet (or name) and run again; its content is left alone"),
    "reasons.bad_word": ("原因“{word}”不能为空、首尾不能有空格，最长 {most} 个字", "the reason '{word}' must not be empty, start or end with a space, or be longer than {most} characters"),
    "reasons.repeated": ("同一大类下的原因重复了：{words}", "reasons repeated under one first level: {words}"),
    "reasons.other_unused": ("other: “{other}”不是树里的任何一个原因", "other: '{other}' is no reason of the tree"),
    "reasons.unknown": ("找不到原因树 '{name}'（预设有：{known}；也没有文件 {path}）", "no reason tree '{name}' (presets: {known}; no file {path})"),
    "reasons.unknown.hint": ("写一个预设名，或相对 sheetsync.yaml 的 YAML 文件路径", "name a preset, or a YAML file relative to sheetsync.yaml"),
    # anomaly codes in a few words (the terminal's counts; the cell says the whole)
    "code.REQUIRED_MISSING": ("缺少必填项", "required field missing"),
    "code.PHONE_MISSING": ("没有电话", "no phone"),
    "code.PHONE_INVALID": ("电话有误", "phone not valid"),
    "code.ADDR_INCOMPLETE": ("地址不全", "address incomplete"),
    "code.ADDR_UNKNOWN": ("地名不存在", "place unknown"),
    "code.ADDR_MISMATCH": ("地址层级不符", "address levels disagree"),
    "code.ADDR_LOCKED": ("地址已锁定", "address locked"),
    "code.POSTCODE_INVALID": ("邮编有误", "postcode not valid"),
    "code.RURAL_NO_PHONE": ("农村地址缺电话", "village address without phone"),
    "code.AMOUNT_INVALID": ("金额有误", "amount not valid"),
    "code.DATE_INVALID": ("时间有误", "date not valid"),
    "code.DUP_CHANNEL_ORDER": ("店铺订单重复", "shop order on several rows"),
    "code.DUP_ORDER_ID": ("订单号重复", "order id on several rows"),
    "code.CONFLICT": ("人工修改与渠道冲突", "a person's edit conflicts with the channel"),
    "code.CONFLICT_NEWS": ("店铺状态与表格矛盾", "the shop's status contradicts the sheet"),
    "code.TRACKING_CHANGED": ("快递单号变了", "tracking number changed"),
    "code.STATUS_NOT_IN_LIST": ("状态不在下拉列表里", "status not in the dropdown"),
    "code.ILLEGAL_MOVE": ("不允许的状态流转", "move not allowed"),
    "code.REASON_MISSING": ("流转缺少必填项", "move needs fields filled in"),
    "code.ENTRY_STATE_INVALID": ("新订单的状态不对", "a new order's state not allowed"),
    "code.STATE_UNKNOWN": ("状态不在工作流中", "state not in the workflow"),
    "code.APPROVER_INVALID": ("审批人不对", "approver not valid"),
    "code.STOCK_SHORT": ("库存不足", "not enough stock"),
    "code.CREDIT_HOLD": ("超出信用额度", "credit limit exceeded"),
    "code.CHECK": ("条件成立", "condition holds"),
    "import.legacy.label": ("历史导入", "legacy"),
    # conditions (rules, routing, workflow)
    "cond.error": ("规则 '{name}' 的条件有误（{where}）：{problem}\n  {line}\n  {caret}", "rule '{name}': the condition is wrong at {where}: {problem}\n  {line}\n  {caret}"),
    "cond.at": ("第 {col} 列", "column {col}"),
    "cond.at_line": ("第 {line} 行第 {col} 列", "line {line}, column {col}"),
    "cond.hint": (
        "条件的写法如 amount_payable > 5000 AND channel = '抖音'：字段用标准字段名，文字和日期加单引号，数字不加",
        "write conditions like amount_payable > 5000 AND channel = '抖音': fields by their canonical names, text and dates in single quotes, numbers without",
    ),
    "cond.did_you_mean": ("是不是想写 {field}？", "did you mean {field}?"),
    "cond.empty": ("条件是空的", "the condition is empty"),
    "cond.unclosed": ("引号或注释没有闭合", "a quote or a comment is not closed"),
    "cond.statements": ("只能写一个条件，不能有 ';'", "write one condition, without ';'"),
    "cond.syntax": ("语法错误，在 '{token}' 附近", "syntax error near '{token}'"),
    "cond.incomplete": ("条件不完整：'{token}' 前后缺少内容", "the condition is incomplete around '{token}'"),
    "cond.too_deep": ("条件的括号或 NOT 嵌套太深，请简化", "the condition nests parentheses or NOT too deeply; simplify it"),
    "cond.arguments": ("{func} 的参数不对", "wrong arguments to {func}"),
    "cond.unknown_field": ("未知字段 '{field}'（可用字段：{known}）", "unknown field '{field}' (the fields are: {known})"),
    "cond.unknown_function": ("不支持函数 {func}（可用的函数：{known}）", "function {func} is not supported (the functions are: {known})"),
    "cond.not_allowed": (
        "条件里不能用 {what}（只能用比较、AND/OR/NOT、IN、LIKE、IS NULL、BETWEEN、+ - * / 和函数 {functions}）",
        "{what} is not allowed in a condition (use comparisons, AND/OR/NOT, IN, LIKE, IS NULL, BETWEEN, + - * / and the functions {functions})",
    ),
    "cond.not_condition": ("条件的结果必须是真或假，这里得到的是{kind}", "a condition must be true or false; this one gives {kind}"),
    "cond.mismatch": ("'{op}' 两边的类型不同：{left}和{right}", "the two sides of '{op}' have different types: {left} and {right}"),
    "cond.operand": ("'{op}' 需要{kind}，这里是{actual}", "'{op}' needs {kind}, not {actual}"),
    "cond.unordered": ("{kind}不能用 '{op}' 比较大小", "{kind} cannot be ordered with '{op}'"),
    "cond.null_compare": ("用 '{op}' 和 NULL 比较永远不成立，请写 IS NULL 或 IS NOT NULL", "'{op}' with NULL is never true; write IS NULL or IS NOT NULL"),
    "cond.bad_datetime": ("'{value}' 不是日期时间（写成 '2024-01-05' 或 '2024-01-05 13:00:00'）", "'{value}' is not a date and time (write '2024-01-05' or '2024-01-05 13:00:00')"),
    "cond.bad_number": ("数字 {value} 超出范围（整数最多 {digits} 位，小数最多 {scale} 位）", "the number {value} is out of range (at most {digits} digits before the point and {scale} after)"),
    "cond.integer": ("{func} 的第 {arg} 个参数必须是 {low} 到 {high} 的整数", "argument {arg} of {func} must be a whole number from {low} to {high}"),
    "cond.kind.text": ("文本", "text"),
    "cond.kind.number": ("数字", "a number"),
    "cond.kind.datetime": ("日期时间", "a date and time"),
    "cond.kind.boolean": ("真假值", "true/false"),
    "cond.kind.null": ("NULL", "NULL"),
    # workflow (states, transitions, SLA, approval, routing, locks, alerts, work queues)
    "workflow.unknown": (
        "找不到工作流 '{name}'：既不是自带预设（{known}），也没有文件 {path}",
        "no workflow '{name}': not a shipped preset ({known}) and no file {path}",
    ),
    "workflow.unknown.hint": (
        "在 sheetsync.yaml 里写 workflow: default_zh，或写工作流文件相对于配置文件的路径",
        "write workflow: default_zh in sheetsync.yaml, or the path of a workflow file relative to it",
    ),
    "workflow.unknown_state": ("未知的状态 '{name}'（已定义的状态：{known}）", "unknown state '{name}' (the states are: {known})"),
    "workflow.dup_state": ("状态 '{name}' 定义了两次", "state '{name}' is defined twice"),
    "workflow.unreachable": (
        "状态 '{name}' 永远到不了：从入口状态（{entry}）出发没有流转通向它",
        "state '{name}' can never be reached: no transition leads to it from the entry state(s) ({entry})",
    ),
    "workflow.no_entry": ("没有入口状态：给至少一个状态写 entry: true", "no entry state: write entry: true on at least one state"),
    "workflow.final_entry": ("终态 '{name}' 不能是入口状态", "final state '{name}' cannot be an entry state"),
    "workflow.from_final": ("终态 '{name}' 不能再流转出去", "final state '{name}' cannot be left"),
    "workflow.self_move": ("流转的起点和终点都是 '{name}'", "the transition leads from '{name}' to itself"),
    "workflow.tool_field": ("'{name}' 由 sheetsync 维护，不能在这里设置", "'{name}' is kept by sheetsync and cannot be set here"),
    "workflow.circular": ("审批档位的条件不能用 {field}（它由审批档位算出）", "an approval tier's condition cannot read {field} (the tiers decide it)"),
    "workflow.lookup_needed": (
        "字段 {field} 来自 lookups.{lookup}，但工作流没有配置 lookups.{lookup}",
        "field {field} comes from lookups.{lookup}, which this workflow does not configure",
    ),
    "workflow.unknown_target": (
        "通知对象 '{name}' 不在 sheetsync.yaml 的 alerts: 里（已有：{known}）",
        "alert target '{name}' is not under alerts: in sheetsync.yaml (known: {known})",
    ),
    "workflow.route": ("分单规则 '{name}'", "routing rule '{name}'"),
    "workflow.moved": ("自动流转 {old}→{new}", "automatic move {old}→{new}"),
    "workflow.accepted": ("人工流转 {old}→{new} 已确认", "move {old}→{new} by a person accepted"),
    "workflow.put_back": ("{code}：改回 {old}", "{code}: put back to {old}"),
    "workflow.started": ("进入入口状态 {state}", "entered the entry state {state}"),
    "workflow.approved": ("审批通过：{signers}", "approved by {signers}"),
    "workflow.unlocked": ("已解锁（{by}：{reason}），保留修改", "unlocked ({by}: {reason}); the change is kept"),
    "anomaly.ILLEGAL_MOVE": ("{old}→{new} 不是允许的流转，已改回 {old}", "{old}→{new} is not an allowed move; put back to {old}"),
    "anomaly.ILLEGAL_MOVE.guard": ("{old}→{new} 的条件不成立（{when}），已改回 {old}", "{old}→{new}: its condition does not hold ({when}); put back to {old}"),
    "anomaly.ILLEGAL_MOVE.approval": (
        "{old}→{new} 需要 {need} 个有效签名（现有 {have} 个），已改回 {old}",
        "{old}→{new} needs {need} valid signature(s) (has {have}); put back to {old}",
    ),
    "anomaly.ILLEGAL_MOVE.held": ("{old}→{new}：订单因 {code} 暂停，已改回 {old}", "{old}→{new}: the order is held by {code}; put back to {old}"),
    "anomaly.ILLEGAL_MOVE.cleared": ("状态被清空，已改回 {old}", "the status was cleared; put back to {old}"),
    "anomaly.REASON_MISSING": ("{old}→{new} 需要先填写 {fields}，已改回 {old}", "{old}→{new} needs {fields} filled in first; put back to {old}"),
    "anomaly.ENTRY_STATE_INVALID": (
        "新订单只能从 {entry} 开始（填的是 {typed}），已改为 {state}",
        "a new order can only start in {entry} (it said {typed}); set to {state}",
    ),
    "anomaly.STATE_UNKNOWN": ("状态 '{typed}' 不在工作流中（可用：{known}）", "status '{typed}' is not in the workflow (the states are: {known})"),
    "anomaly.ADDR_LOCKED": (
        "订单已到 {state}，{field} 已锁定：'{typed}' 已改回（先用 sheetsync unlock 解锁再改）",
        "the order is past {state}, {field} is locked: '{typed}' was put back (run sheetsync unlock first)",
    ),
    "anomaly.APPROVER_INVALID": (
        "{names} 不能签批「{tier}」（可签：{signers}）",
        "{names} cannot sign tier '{tier}' (who can: {signers})",
    ),
    "anomaly.STOCK_SHORT": ("库存不足", "not enough stock"),
    "anomaly.CREDIT_HOLD": ("超出信用额度，订单暂停", "credit limit exceeded; order held"),
    "anomaly.CHECK": ("条件成立：{when}", "condition holds: {when}"),
    "sla.ok": ("正常", "ok"),
    "sla.warn": ("预警", "warn"),
    "sla.breach": ("超时", "breach"),
    "sla.critical": ("严重", "critical"),
    "gsheets.no_spreadsheet": ("table.spreadsheet 没有写：Google 表格的地址或 ID", "table.spreadsheet is missing: the Google Sheet's address or id"),
    "gsheets.bad_spreadsheet": ("table.spreadsheet 不是 Google 表格的地址或 ID：{value}", "table.spreadsheet is no Google Sheet address or id: {value}"),
    "gsheets.bad_endpoint": ("table.endpoint 不是网址：{value}", "table.endpoint is no URL: {value}"),
    "gsheets.http_refused": ("table.endpoint 用的是不加密的 http://，只允许本机地址（或设 table.allow_http: true）：{value}",
                             "table.endpoint is plain http://, allowed only to a loopback address (or with table.allow_http: true): {value}"),
    "gsheets.no_credentials": ("环境变量 {var} 没有设置：它应该是服务账号密钥文件（JSON）的路径",
                               "the environment variable {var} is not set: it should hold the path of the service account's key file (JSON)"),
    "gsheets.bad_credentials": ("{var} 指向的密钥文件 {path} 读不了（{problem}）：请换成 Google 云控制台下载的服务账号 JSON 密钥",
                                "the key file {path} that {var} names cannot be read ({problem}): use the service account's JSON key from the Google Cloud console"),
    "gsheets.not_found": ("找不到 Google 表格 {where}：检查地址，并把表格共享给服务账号的邮箱",
                          "Google Sheet {where} not found: check the address, and share the sheet with the service account's e-mail"),
    "gsheets.denied": ("Google 拒绝访问 {where}（HTTP {status}：{said}）：把表格共享给服务账号的邮箱（编辑者）",
                       "Google refused access to {where} (HTTP {status}: {said}): share the sheet with the service account's e-mail as an editor"),
    "gsheets.refused": ("Google 表格拒绝了请求 {where}（HTTP {status}：{said}）", "the Google Sheets API refused a request on {where} (HTTP {status}: {said})"),
    "gsheets.quota": ("超出 Google 表格的请求配额（HTTP {status}）", "over the Google Sheets API's quota (HTTP {status})"),
    "gsheets.server": ("Google 表格服务出错（HTTP {status}）", "the Google Sheets service failed (HTTP {status})"),
    "gsheets.network": ("连接 Google 表格失败（{problem}）", "could not reach the Google Sheets API ({problem})"),
    "gsheets.gave_up": ("试了 {tries} 次仍不行：{problem}。{where} 没有改动，日志也没有改动；下次运行会再试",
                        "gave up after {tries} tries: {problem}. Nothing of {where} was changed, nor the journal; the next run tries again"),
    "gsheets.tab_not_empty": ("Google 表格 {where} 的工作表「{sheet}」里已经有内容，没有改动它",
                              "the tab \"{sheet}\" of {where} already holds values; nothing was changed"),
    "gsheets.tab_not_empty.hint": ("要沿用这张表：sheetsync init --from-gsheet 地址；要新建：用 --sheet 取一个新名字",
                                   "to use that sheet as it is: sheetsync init --from-gsheet URL; for a new one: --sheet NEW_NAME"),
    "gsheets.header_taken": ("没有加列：有人正在 {where} 第 {row} 行右边的空格里输入；请再运行一次",
                             "no columns added: someone typed into the free cells right of row {row} of {where} meanwhile; run it again"),
    "init.gsheet.done": ("已在 Google 表格 {where} 设好工作表：{sheets}；配置写在 {config}",
                         "set up the tabs {sheets} of the Google Sheet {where}; configuration in {config}"),
    "init.gsheet.next": ("下一步：设置环境变量 {var}（服务账号密钥文件的路径），把表格共享给服务账号的邮箱，然后运行 sheetsync sync",
                         "next: set {var} (the path of the service account's key file), share the sheet with the service account's email, then run sheetsync sync"),
    "init.gsheet.both": ("--gsheet、--from-gsheet 和 --from 只能选一个", "give one of --gsheet, --from-gsheet and --from"),
    "channel.failed.hint": ("其他渠道的订单已经写入；这个渠道的读取位置没有前移，下次运行会从原处再读",
                            "the other channels' orders are written; this channel's cursor did not move, and the next run reads from where it was"),
    "api.failed": ("渠道 {name}（{kind}）：{problem}", "channel {name} ({kind}): {problem}"),
    "api.gave_up": ("试了 {tries} 次仍不行：{problem}", "gave up after {tries} tries: {problem}"),
    "api.status": ("HTTP {status}：{said}", "HTTP {status}: {said}"),
    "api.network": ("连接失败（{problem}）", "could not connect ({problem})"),
    "api.malformed": ("回答不是有效的 JSON（{problem}）", "the answer is not valid JSON ({problem})"),
    "api.denied": ("密钥被拒绝（HTTP {status}）：检查 {vars} 里的密钥是否有效、有没有权限", "the credentials were refused (HTTP {status}): check the keys in {vars} and their permissions"),
    "api.no_secret": ("渠道 {name} 需要环境变量 {var}（密钥不写在配置里）", "channel {name} needs the environment variable {var} (secrets are never in the configuration)"),
    "api.no_setting": ("渠道 {name}（{kind}）缺少设置 {key}", "channel {name} ({kind}) lacks the setting {key}"),
    "api.bad_endpoint": ("渠道 {name} 的 endpoint 不是网址：{value}", "channel {name}: endpoint is no URL: {value}"),
    "api.http_refused": ("渠道 {name} 的地址用的是不加密的 http://，只允许本机地址（或设 allow_http: true）：{value}",
                         "channel {name}: plain http:// is allowed only to a loopback address (or with allow_http: true): {value}"),
    "woo.window_ignored": ("渠道 {name}：这家店的 WooCommerce 不认 modified_after（5.8 之前的版本），会把所有订单每次都发回来；请先升级 WooCommerce，这个渠道暂不读取",
                           "channel {name}: this WooCommerce store ignores modified_after (a version before 5.8) and would send every order on every run; upgrade WooCommerce first, the channel is not read until then"),
    "channel.unknown": ("没有叫 {name} 的渠道（有：{known}）", "there is no channel named {name} (there are: {known})"),
    "channels.title": ("渠道检查", "Channels"),
    "channels.columns": ("渠道,类型,结果,订单,最近更新,限流,问题", "channel,kind,result,orders,newest update,rate limit,problem"),
    "channels.ok": ("正常", "ok"),
    "channels.failed": ("失败", "failed"),
    "channels.files": ("{n} 个文件等待导入", "{n} files waiting"),
    "channels.action": ("不认识的操作 {action}：只有 test", "unknown action {action}: there is only test"),
    "doudian.masked": ("【收件人是平台打码的：应用没有解密权限，请在抖店后台核对】", "[receiver masked by the platform: the app may not decrypt it; check it in the 抖店 back office]"),
    "run.untouched": ("工作簿和收件箱都和上次运行后一样，时间也还没让任何状态变化：本次没有读表，什么都没改（数字是上次的）",
                      "the workbook and the inboxes are as the last run left them and the clock has changed no state yet: "
                      "the sheet was not read and nothing was changed (the figures are the last run's)"),
    "run.untouched.import": ("导入的每一条记录都和上次说的一样，工作簿也和上次运行后一样：本次没有读表，什么都没改",
                             "every record imported is as it was said before and the workbook is as the last run left "
                             "it: the sheet was not read and nothing was changed"),
    "run.dropped": ("{n} 个单元格没有写入：运行期间有人改了它们（或删了所在行），以人工为准，下次运行会按人工修改处理",
                    "{n} cells not written: a person changed them (or deleted their row) while the run worked; the person wins, and the next run takes them as their edits"),
    "alert.title": ("订单提醒（{n} 单）", "Order alerts ({n})"),
    "alert.title.tickets": ("售后提醒（{n} 单）", "After-sales alerts ({n})"),
    "alert.sla": ("{order_id}｜{state}｜{level}（在此状态 {hours} 小时）", "{order_id} | {state} | {level} ({hours} h in this state)"),
    "alert.move": ("{order_id}｜{old}→{new}", "{order_id} | {old}→{new}"),
    "alert.check": ("{order_id}｜{state}｜{code} {message}", "{order_id} | {state} | {code} {message}"),
    "alert.more": ("……另有 {n} 单", "... and {n} more"),
    "alert.no_target": ("通知对象 '{name}' 没有配置", "alert target '{name}' is not configured"),
    "alert.no_env": ("环境变量 {var} 未设置", "environment variable {var} is not set"),
    "alert.http": ("HTTP {status}", "HTTP {status}"),
    "alert.refused": ("{kind} 拒绝了消息：{code} {message}", "{kind} refused the message: {code} {message}"),
    "alert.unreachable": ("无法连接（{problem}）", "could not connect ({problem})"),
    "queue.title": ("{group}：{n} 单", "{group}: {n} open"),
    "queue.ungrouped": ("（未分组）", "(no group)"),
    "queue.columns": ("订单号,客户,渠道订单号,状态,时效,距承诺,优先级,在此状态",
                      "order,customer,shop order,status,sla,to promise,priority,in state"),
    "queue.none": ("没有未完成的订单", "no open orders"),
    "queue.hours": ("{h} 小时", "{h} h"),
    "workflow.approve.signed": ("{order_id}：已加签 {name}", "{order_id}: signed by {name}"),
    "workflow.approve.already": ("{order_id}：{name} 已经签过", "{order_id}: {name} has signed already"),
    "workflow.approve.not_found": ("找不到订单 {order_id}", "no order {order_id}"),
    "workflow.approve.not_in_review": ("{order_id}：不在审批状态，没有加签", "{order_id}: not in review; not signed"),
    "workflow.approve.not_signer": ("{order_id}：{name} 不在「{tier}」的签批名单里，签名不算数", "{order_id}: {name} is not a signer of tier '{tier}'; the signature will not count"),
    "workflow.approve.no_state": ("工作流没有审批状态（approval:），无需签批", "the workflow has no approval state (approval:); nothing to sign"),
    "workflow.approve.usage": ("给出订单号，或用 --group G --all 签一整组", "name the orders, or sign a whole group with --group G --all"),
    "workflow.approve.no_column": ("表里没有审批人列（{header}）", "the sheet has no approver column ({header})"),
    "workflow.unlock.done": (
        "订单 {order_id} 已解锁（{by}：{reason}）：下次同步保留人工对地址的修改",
        "order {order_id} unlocked ({by}: {reason}): the next sync keeps a person's change to its address",
    ),
    # reconcile and report (issue 8)
    "reconcile.no_source": ("没有指定对账来源", "no source to reconcile against"),
    "reconcile.source.hint": (
        "用 --against 指定：配置里的渠道或物流名（--against douyin），或 映射=文件（--against finance=exports/fin.xlsx），可重复",
        "name sources with --against: a channel or logistics name of the configuration (--against douyin), or MAPPING=FILE (--against finance=exports/fin.xlsx); repeatable",
    ),
    "reconcile.unknown_source": ("'{name}' 不是配置里的渠道或物流（有：{known}）", "'{name}' is not a channel or logistics source of the configuration (they are: {known})"),
    "reconcile.no_files": ("对账来源 {source}：{pattern} 没有匹配到任何文件", "source {source}: {pattern} matches no file"),
    "reconcile.bad_tolerance": ("--tolerance 不能是负数（{value}）", "--tolerance cannot be negative ({value})"),
    "reconcile.bad_tolerance.text": ("--tolerance：'{value}' 不是金额", "--tolerance: '{value}' is not an amount"),
    "reconcile.unreadable.hint": ("修好或移走这个文件后再对账", "fix or move this file and reconcile again"),
    "reconcile.bad_out": ("{path}：只能写 .xlsx、.csv 或 .json", "{path}: only .xlsx, .csv or .json can be written"),
    "reconcile.bad_out.hint": ("例如 --out 对账.xlsx", "for example --out reconcile.xlsx"),
    "reconcile.bad_date": ("{option}：'{value}' 不是日期（写成 2026-11-01）", "{option}: '{value}' is not a date (write 2026-11-01)"),
    "reconcile.title": ("对账结果：{rows} 行订单，{n} 处差异", "reconciliation: {rows} orders, {n} difference(s)"),
    "reconcile.none": ("没有差异", "no differences"),
    "reconcile.first": ("{n} 处差异，每类都有（全部请用 --out 写到文件）", "{n} differences, of every kind (write them all with --out)"),
    "reconcile.written": ("完整结果已写入 {path}", "the full result is in {path}"),
    "reconcile.rejected": ("{n} 行没有读入（如合计行），原因见 --out 的文件", "{n} source row(s) not taken (such as a totals row); see the --out file"),
    "reconcile.totals": ("实付 / 实收 按渠道合计", "paid (sheet) / received (source) per channel"),
    "reconcile.kind.missing_in_source": ("来源中缺少", "missing in source"),
    "reconcile.kind.missing_on_desk": ("表格中缺少", "missing on desk"),
    "reconcile.kind.amount": ("金额不符", "amount differs"),
    "reconcile.kind.refund": ("退款不符", "refund differs"),
    "reconcile.kind.payment": ("实付实收不符", "payment differs"),
    "reconcile.kind.status": ("状态不符", "status differs"),
    "reconcile.kind.tracking": ("运单号不符", "tracking differs"),
    "reconcile.kind.duplicate": ("重复", "duplicate"),
    "reconcile.note.digits_lost": ("订单号被 Excel 改成科学计数，位数已丢失", "the order number was turned into scientific notation; its digits are lost"),
    "reconcile.note.identical_lines": ("完全相同的行", "identical lines"),
    "reconcile.side.desk": ("表格", "desk"),
    "reconcile.side.source": ("来源", "source"),
    "reconcile.col.kind": ("差异", "kind"),
    "reconcile.col.source": ("来源", "source"),
    "reconcile.col.order_id": ("订单号", "order_id"),
    "reconcile.col.channel": ("渠道", "channel"),
    "reconcile.col.key": ("来源单号", "source key"),
    "reconcile.col.field": ("字段", "field"),
    "reconcile.col.desk": ("表格中的值", "desk value"),
    "reconcile.col.other": ("来源中的值", "source value"),
    "reconcile.col.delta": ("差额（表格-来源）", "delta (desk - source)"),
    "reconcile.col.row": ("表格行", "sheet row"),
    "reconcile.col.line": ("来源文件:行", "source file:line"),
    "reconcile.col.side": ("在哪一边", "side"),
    "reconcile.col.note": ("说明", "note"),
    "reconcile.sheet.summary": ("汇总", "Summary"),
    "reconcile.sheet.rejected": ("未读入的行", "Rows not taken"),
    "reconcile.summary.workbook": ("工作簿", "workbook"),
    "reconcile.summary.rows": ("订单行数", "order rows"),
    "reconcile.summary.tolerance": ("金额容差", "amount tolerance"),
    "reconcile.summary.kind": ("差异类型", "kind"),
    "reconcile.summary.count": ("数量", "count"),
    "reconcile.summary.source": ("来源", "source"),
    "reconcile.summary.records": ("记录数", "records"),
    "reconcile.summary.matched": ("对上的订单", "matched"),
    "reconcile.summary.rejected": ("未读入的行", "rows not taken"),
    "reconcile.total.source": ("来源", "source"),
    "reconcile.total.channel": ("渠道", "channel"),
    "reconcile.total.orders": ("订单数", "orders"),
    "reconcile.total.desk_paid": ("表格实付", "paid (desk)"),
    "reconcile.total.source_paid": ("来源实收", "received (source)"),
    "reconcile.total.difference": ("差额", "difference"),
    "kpi.bad_period": ("--from {start} 晚于 --to {end}", "--from {start} is after --to {end}"),
    "group.title": ("各订单台对比：{start} 至 {end}（截至 {now}）", "Desks side by side: {start} to {end} (as of {now})"),
    "group.kpi": ("指标", "KPI"),
    "group.orders": ("订单数", "orders"),
    "group.urgent_share": ("加急订单占比", "urgent share"),
    "group.on_time_rate": ("准时率", "on-time rate"),
    "group.ship_median_hours": ("下单到发货（中位数，小时）", "hours to ship (median)"),
    "group.past_sla": ("超时积压", "backlog past SLA"),
    "group.anomaly_rate": ("异常率", "anomaly rate"),
    "group.return_rate": ("退货率", "return rate"),
    "group.chart": ("各订单台的比率", "rates per desk"),
    "group.written": ("对比看板已写入 {path}", "the side-by-side dashboard was written to {path}"),
    "group.cannot": ("{desk}：表格缺少 {fields}，{kpi} 无法计算", "{desk}: the sheet lacks {fields}, so {kpi} cannot be said"),
    "group.none": ("没有找到订单台：{targets}", "no desk found in {targets}"),
    "group.dashboard": ("几个订单台的看板不属于任何一个工作簿：用 --out 文件.xlsx 把它写进一个新工作簿",
                        "the desks' dashboard belongs to no one desk's workbook: write it to a new one with --out FILE.xlsx"),
    "group.usage": ("--desks 后面要跟各订单台的 sheetsync.yaml，或一个 postgresql:// 数据库地址",
                    "--desks takes the desks' sheetsync.yaml files, or a postgresql:// database"),
    "kpi.title": ("订单看板：{start} 至 {end}（截至 {now}）", "KPIs from {start} to {end} (as of {now})"),
    "kpi.on_time": ("准时交付率", "on-time delivery"),
    "kpi.cannot.on_time": ("表格没有{fields}列，无法计算准时率", "the sheet has no {fields} column: the on-time rate cannot be computed"),
    "kpi.on_time.columns": ("渠道,订单,准时,迟到,未完成,准时率,承诺达成率(±2h)", "channel,orders,on time,late,open,on-time rate,within ±2h"),
    "kpi.all": ("全部", "all"),
    "kpi.as.title": ("售后", "After-sales"),
    "kpi.label.reason": ("售后原因", "reason"),
    "kpi.label.tickets": ("售后单", "tickets"),
    "kpi.label.share": ("占比", "share"),
    "kpi.chart.reasons": ("售后原因分布", "after-sales reasons"),
    "kpi.as.cannot": ("退货率算不出来：订单表缺少 {fields}（发货时间）", "the return rate cannot be given: the order sheet lacks {fields}"),
    "kpi.as.summary": ("本期售后单 {tickets} 个，发货订单 {shipped} 个，退货率 {rate}；未完结 {open} 个，其中超时 {past} 个；"
                       "本期办完 {closed} 个，用时中位数 {median} 小时、P90 {p90} 小时；退款 {refunded} 元；原因选「其他」的占 {other}",
                       "{tickets} tickets in the period against {shipped} orders shipped: return rate {rate}; {open} open, "
                       "{past} of them past their SLA; {closed} closed in the period, median {median} h, p90 {p90} h; "
                       "{refunded} refunded; reason 'other': {other}"),
    "kpi.as.by_channel": ("各渠道退货率", "return rate by channel"),
    "kpi.as.by_sku": ("各商品退货率（售后最多的 10 个）", "return rate by SKU (the 10 with most tickets)"),
    "kpi.as.by_warehouse": ("各仓库退货率", "return rate by warehouse"),
    "kpi.as.by_channel.columns": ("渠道,售后单,发货订单,退货率", "channel,tickets,shipped,rate"),
    "kpi.as.by_sku.columns": ("商品,售后单,发货订单,退货率", "SKU,tickets,shipped,rate"),
    "kpi.as.by_warehouse.columns": ("仓库,售后单,发货订单,退货率", "warehouse,tickets,shipped,rate"),
    "kpi.as.reasons": ("售后原因", "after-sales reasons"),
    "kpi.as.reasons.columns": ("原因大类,具体原因,售后单,占比,退货率", "reason,detail,tickets,share,return rate"),
    "kpi.states": ("各状态停留时间（小时）", "time in each state (hours)"),
    "kpi.states.columns": ("状态,次数,中位数,P90", "state,stays,median,p90"),
    "kpi.transitions": ("最慢的流转（小时）", "slowest transitions (hours)"),
    "kpi.transitions.columns": ("从,到,次数,中位数,P90", "from,to,count,median,p90"),
    "kpi.heatmap": ("积压热力图：各状态在每个整点的平均订单数", "backlog heat map: mean orders in each state at each hour"),
    "kpi.anomalies": ("异常原因（与上一周期对比）", "anomaly reasons (against the previous period)"),
    "kpi.anomalies.columns": ("代码,说明,本期,上期,变化,当前未解决", "code,meaning,this period,previous,change,open now"),
    "kpi.self_heal": ("异常自愈率：{rate}（{healed}/{total}，人工处理 {by_person}，仍未解决 {still_open}）",
                      "anomalies cleared without a person: {rate} ({healed}/{total}; by a person {by_person}; still open "
                      "{still_open})"),
    "kpi.self_heal.by_config": ("；另有 {n} 个因规则变更而清除，不计入", "; {n} more cleared by a change of the rules, not counted"),
    "kpi.counts": ("本期新订单：按渠道 / 状态 / 仓库", "new orders of the period by channel / state / warehouse"),
    "kpi.stuck": ("超出时效的订单（按组）", "orders past their SLA, by group"),
    "kpi.stuck.columns": ("组,订单数,订单号", "group,orders,order ids"),
    "kpi.stuck.none": ("没有超出时效的未完成订单", "no open order is past its SLA"),
    "kpi.counts.none": ("本期没有新订单", "no new orders in the period"),
    "kpi.none": ("（无）", "(none)"),
    "kpi.unassigned": ("（未分配）", "(unassigned)"),
    "kpi.dashboard": ("看板已写入 {path} 的工作表「{sheet}」", "dashboard written to sheet '{sheet}' of {path}"),
    "kpi.dashboard.sheet": ("看板", "Dashboard"),
    "kpi.dashboard.marker": ("由 sheetsync report --dashboard 生成，每次运行整张替换：请不要在这张表里填写",
                             "made by sheetsync report --dashboard and replaced whole on every run: do not type into this sheet"),
    "kpi.dashboard.not_ours": (
        "{path} 已有工作表「{sheet}」，但不是 sheetsync 建的，不会覆盖",
        "{path} already has a sheet '{sheet}' that sheetsync did not make; it is not overwritten",
    ),
    "kpi.dashboard.not_ours.hint": ("把那个工作表改个名字，再运行 --dashboard", "rename that sheet, then run --dashboard again"),
    "kpi.dashboard.xlsx_only": ("看板只能写入 .xlsx 工作簿（这个订单台的存储是 {backend}）", "the dashboard can only be written into an .xlsx workbook (this desk's store is {backend})"),
    "kpi.png": ("图片已写入 {paths}", "images written: {paths}"),
    "kpi.png.missing": ("画 PNG 图需要 matplotlib", "--png needs matplotlib"),
    "kpi.png.no_font": ("没有字体能画图里的这些字：{chars}（画出来会是方框），图片没有写",
                        "no font here can draw these characters of the charts: {chars} (they would be boxes); no image written"),
    "kpi.png.missing.hint": ("pip install 'sheetsync[charts]'", "pip install 'sheetsync[charts]'"),
    "kpi.chart.on_time": ("各渠道准时交付率", "on-time delivery by channel"),
    "kpi.chart.backlog": ("各状态积压订单", "backlog by state"),
    "kpi.label.rate": ("准时率", "on-time rate"),
    "kpi.label.window": ("承诺达成率(±2h)", "within ±2h"),
    "kpi.label.open": ("未完成订单", "open orders"),
    "kpi.label.stuck": ("超时效订单", "orders past SLA"),
    "kpi.label.self_heal": ("异常自愈率", "anomaly self-heal rate"),
    "kpi.label.hour": ("时", "hour"),
    "kpi.label.state": ("状态", "state"),
    "kpi.label.orders": ("订单数", "orders"),
    "kpi.label.generated": ("生成于", "generated"),
}


_asked: ContextVar[Lang | None] = ContextVar("sheetsync_asked_lang", default=None)


def asked_lang() -> Lang | None:
    """The language the command line asked the messages in (`--lang`, else SHEETSYNC_LANG), if it did."""
    return _asked.get()


def ask_lang(lang: Lang | None) -> object:
    """Make `lang` the messages' language from now on (over the desk's `lang:`); the token undoes it (`unask`)."""
    return _asked.set(lang)


def unask(token: object) -> None:
    _asked.reset(token)  # type: ignore[arg-type]


def default_lang() -> Lang:
    """The language before a configuration says which."""
    for var in ("SHEETSYNC_LANG", "LC_ALL", "LANG"):
        value = os.environ.get(var, "").lower()
        if value.startswith("en"):
            return "en"
        if value.startswith("zh"):
            return "zh"
    return "zh"


def t(key: str, lang: Lang, /, **values: object) -> str:
    """The message `key` in `lang`, with `values` filled in."""
    zh, en = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**values)



Words = Union["Text", "Joined", "Localized", str]
"""Something said to a person: plain text (a value, a name a person gave), or a message rendered in the
language of the desk where it is shown or written."""


def render(words: object, lang: Lang) -> str:
    """`words` in `lang` (a plain value as it is)."""
    return words.render(lang) if isinstance(words, (Text, Joined, Localized)) else str(words)


@dataclass(frozen=True, slots=True)
class Text:
    """A message by its key and values, rendered where it is shown or written, in the language of the desk:
    the steps and the journal that find a problem never need to know that language.  A value may itself
    be words (a field's name, a list)."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: Lang) -> str:
        return t(self.key, lang, **{k: render(v, lang) if isinstance(v, (Text, Joined, Localized)) else v
                                   for k, v in self.values.items()})

    def __str__(self) -> str:
        return self.render(default_lang())


@dataclass(frozen=True, slots=True)
class Joined:
    """Words joined by a separator that is itself words (a list's `、` or `, `)."""

    items: tuple[object, ...]
    separator: Words

    def render(self, lang: Lang) -> str:
        return render(self.separator, lang).join(render(item, lang) for item in self.items)

    def __str__(self) -> str:
        return self.render(default_lang())


@dataclass(frozen=True, slots=True)
class Localized:
    """A text a person wrote in both languages (a custom rule's message), or a separator that differs."""

    zh: str
    en: str

    def render(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return self.render(default_lang())


class Worded(ValueError):
    """A ValueError a configuration validator raises with its words in both languages: pydantic carries it to
    the error that names the file, line and key, which says it in the reader's language."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.text = Text(key, values)
        super().__init__(self.text.render("en"))


def field_word(name: str) -> Text | str:
    """A field as people call it (`note` -> 备注 / note), said in the language where it is shown."""
    return Text(f"rule.field.{name}") if f"rule.field.{name}" in MESSAGES else name


def field_said(name: str, lang: Lang) -> str:
    """A field as people call it, in `lang` (a name that is no field as it is)."""
    return render(field_word(name), lang)


def code_said(code: str, lang: Lang) -> str:
    """An anomaly code in a few words (`DUP_ORDER_ID` -> 订单号重复); "" for a team's own code (its message is in
    the cell)."""
    return t(f"code.{code}", lang) if f"code.{code}" in MESSAGES else ""


def text(key: str, /, **values: object) -> Text:
    """`Text(key, values)`, written as `t` is called: `text("journal.newer", path=p)`."""
    return Text(key, values)
