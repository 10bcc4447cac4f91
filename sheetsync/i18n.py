"""Every message a person reads, in Chinese and English; `lang` picks one.

Before a configuration is loaded the language comes from SHEETSYNC_LANG, then from
LC_ALL / LANG (an `en_*` locale gives English); our users read Chinese first, so
anything else gives Chinese.
"""

from __future__ import annotations

import os
from typing import Final, Literal

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
    "table.no_sheet": ("{path} 里没有工作表「{sheet}」（现有：{sheets}）", "{path} has no sheet '{sheet}' (it has: {sheets})"),
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
    "journal.unreadable": ("无法打开日志 {path}：{problem}", "cannot open the journal {path}: {problem}"),
    # anomalies
    "anomaly.DUP_ORDER_ID": ("订单号重复（第 {rows} 行）", "order id used on rows {rows}"),
    "anomaly.PHONE_INVALID.lost": ("电话号码的位数已丢失（{value}）", "the phone number lost its digits ({value})"),
    "anomaly.CONFLICT": ("{field} 人工值「{sheet}」与渠道新值「{incoming}」冲突", "{field}: a person's '{sheet}' conflicts with the channel's new '{incoming}'"),
    "anomaly.TRACKING_CHANGED": ("已发货订单的快递单号变了：{old}→{new}", "tracking number of a shipped order changed: {old}→{new}"),
    # report
    "report.title": ("同步完成", "Sync done"),
    "report.title.dry": ("预演（未写入任何内容）", "Dry run (nothing written)"),
    "report.rows": ("订单行", "order rows"),
    "report.new_ids": ("新编订单号", "order ids assigned"),
    "report.person_edits": ("人工修改", "edits by people"),
    "report.cells": ("写入单元格", "cells written"),
    "report.appended": ("新增行", "rows appended"),
    "report.deleted": ("被人工删除的订单（不会重建）", "orders deleted by a person (not re-created)"),
    "report.duplicates": ("订单号重复", "duplicate order ids"),
    "report.anomalies": ("异常", "anomalies"),
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
    "history.columns": ("运行,时间,字段,原值,新值,来源", "run,time,field,old,new,source"),
    "history.created": ("（新建订单）", "(order created)"),
    "history.title": ("订单 {order_id} 的变更记录", "changes of order {order_id}"),
    "check.ok": ("配置有效：{path}", "configuration is valid: {path}"),
    "check.table": ("工作表「{sheet}」第 {row} 行是表头，{rows} 行订单", "sheet '{sheet}': header on row {row}, {rows} order rows"),
    "check.mapped": ("已对应的列：{n}", "mapped columns: {n}"),
    "check.absent": ("表中没有（不会写入）：{fields}", "not in the sheet (not written): {fields}"),
    "check.extra": ("人工添加的列（不会改动）：{headers}", "columns added by people (never touched): {headers}"),
    "check.channel": ("渠道 {name}：映射 {mapping}（{kind}），收件箱里有 {files} 个文件", "channel {name}: mapping {mapping} ({kind}), {files} file(s) in its inbox"),
    "init.done": ("已创建订单台：{dir}", "created an order desk in {dir}"),
    "demo.copied": ("已复制示例订单台到 {dir}", "copied the example desk to {dir}"),
    "bug": ("意外错误（这是 sheetsync 的缺陷）：{problem}", "unexpected error (a bug in sheetsync): {problem}"),
    "bug.hint": ("详细信息在 {log}", "details are in {log}"),
    "manual.label": ("手工", "manual"),
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
}


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
