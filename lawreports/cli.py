"""The command line: ``python build_site.py [convert|check] …``. Messages in Chinese, exit codes stable.

Exit codes: 0 all good; 1 some report failed (the others were still converted / the site was still
built from them where that is safe); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, TypeVar

from rich.console import Console
from rich.progress import Progress

from . import __version__
from .build import pipeline, publish
from .build.collect import input_files
from .build.history import HISTORY_DIR, History, HistoryError, Mode
from .build.project import Project, load_project
from .model import Diagnostic
from .parts import PartTableError
from .settings import SettingsError

T = TypeVar("T")

DESCRIPTION = """\
法治政府建设年度报告发布工具：把 seeds/ 中的报告原文转换为网页，并生成可检索的公开网站。

常用命令：
  python build_site.py                 转换 seeds/ 并生成网站到 site/
  python build_site.py convert         只转换（写入 docs/reports/）
  python build_site.py check           发布前检查（缺少部分、年份、序号、时限、敏感信息……）
  python build_site.py withdraw 文件名 --reason 理由
                                       撤回已发布的报告（原地址显示撤回通知）

更正报告信息（标题、单位、年度、日期……）请写入与原文同名的 seeds/<文件名>.meta.yml，不要手工修改
生成的页面（手工修改过的页面不会被覆盖，转换会报错；确认要覆盖时加 --force）。
单位的规范名称、简称（别名）、所属地区和网址名见 agencies.yml。
已发布的报告每一版都记在 history/ 中（生成网站时自动追加，请与原文的改动一起提交）；
更正已发布的报告时，在 .meta.yml 中写明 correction: {date: YYYY-MM-DD, reason: 更正理由}。

退出码：0 全部成功；1 有报告未通过（其余报告照常处理，问题已逐条列出）；2 命令用法错误。
"""

PROGRESS_THRESHOLD = 30  #: screen height assumed when the terminal does not say


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        self._optionals.title = "选项"

    def error(self, message: str) -> NoReturn:  # usage errors exit 2, in Chinese
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 用法错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="build_site.py", description=DESCRIPTION, add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
    parser.add_argument("--version", action="version", version=f"lawreports {__version__}", help="显示版本号")
    parser.add_argument("--config", default="mkdocs.yml", help="网站配置文件（默认 mkdocs.yml）")
    parser.add_argument("--force", action="store_true", help="覆盖手工修改过的页面（请先把更正写入 .meta.yml）")
    parser.add_argument("--allow-empty", action="store_true",
                        help="报告目录为空时仍生成网站（会清空已发布的报告；默认拒绝）")
    parser.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                        help="同时转换的进程数（默认为本机可用的 CPU 数；1 为不并行）")
    parser.add_argument("--frozen-record", action="store_true",
                        help="不写发布记录（history/）；有改动而记录中没有时失败、网站不变（用于 CI 部署）")
    commands = parser.add_subparsers(dest="command", metavar="命令", title="命令", parser_class=ChineseArgumentParser)

    convert = commands.add_parser("convert", help="只把报告原文转换为 Markdown 页面", add_help=False,
                                  description="把报告原文转换为带元数据的 Markdown 页面。"
                                  "退出码：0 全部成功；1 有文件失败；2 用法错误。")
    convert.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
    convert.add_argument("--seeds", help="报告原文所在目录（默认 seeds/，见 mkdocs.yml 的 extra.reports.seeds_dir）")
    convert.add_argument("--out", help="页面输出目录（默认 docs/reports/，见 extra.reports.reports_dir）")
    convert.add_argument("--agencies", help="单位表（默认为网站配置文件旁的 agencies.yml）")
    # SUPPRESS: `build_site.py --force convert` must keep the --force given before the command
    convert.add_argument("--force", action="store_true", default=argparse.SUPPRESS, help="覆盖手工修改过的页面")
    convert.add_argument("--jobs", type=_jobs, default=argparse.SUPPRESS, metavar="N",
                         help="同时转换的进程数（默认为本机可用的 CPU 数；1 为不并行）")

    check = commands.add_parser("check", help="发布前检查，不生成网站", add_help=False,
                                description="列出督察时会发现的问题：file:line: 级别 代码: 说明。"
                                "退出码：有 error 时为 1，否则为 0。")
    check.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
    check.add_argument("--seeds", help="报告原文所在目录（默认 seeds/）")
    check.add_argument("--format", choices=("text", "json"), default="text", help="输出格式：text 或 json")

    withdraw = commands.add_parser("withdraw", help="撤回一份已发布的报告（写入发布记录 history/）", add_help=False,
                                   description="把撤回写入发布记录；之后可删除原文并重新生成网站。原地址显示撤回通知。"
                                   "退出码：0 已记录；1 未发布过或已撤回。")
    withdraw.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
    withdraw.add_argument("source", help="原文文件名，如 004_xxx.txt（也可写 seeds/004_xxx.txt）")
    withdraw.add_argument("--reason", required=True, help="撤回理由（在撤回通知中公开）")
    withdraw.add_argument("--date", type=_date, default=None, help="撤回日期 YYYY-MM-DD（默认今天）")
    return parser


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD，而不是 {text!r}") from None


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"进程数应为正整数，而不是 {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; never lets a Python traceback reach the user. ``check --format json``
    prints valid JSON whatever happens: a settings error or a bug is one row of it."""
    args = build_parser().parse_args(argv)
    as_json = args.command == "check" and args.format == "json"
    try:
        return _main(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except (PartTableError, SettingsError) as err:  # a table or a setting edited: a message, not a bug report
        return _fail(str(err), "settings", as_json, args.config)
    except Exception as err:  # a bug: say so in one line, in Chinese, with what to send
        return _fail(f"程序内部错误（{type(err).__name__}: {err}）。请把这条信息和所用的命令发给维护人员。",
                     "internal-error", as_json, args.config)


def _fail(message: str, code: str, as_json: bool, config: str) -> int:
    if as_json:
        row = {"file": Path(config).name, "line": None, "severity": "error", "code": code, "message": message}
        print(json.dumps([row], ensure_ascii=False, indent=2))
    print(f"错误：{message}", file=sys.stderr)
    return 1


def _main(args: argparse.Namespace) -> int:
    project = load_project(Path(args.config))
    if getattr(args, "agencies", None):
        project = replace(project, agencies_file=Path(args.agencies).resolve())
    if args.command == "convert":
        seeds = Path(args.seeds) if args.seeds else project.seeds_dir
        out = Path(args.out) if args.out else project.reports_dir
        if not seeds.is_dir():
            print(f"错误：找不到报告目录 {seeds}", file=sys.stderr)
            return 2
        generation = with_progress(
            seeds, lambda tick: pipeline.convert(project, seeds, out, args.force, args.jobs, tick))
        report(generation)
        return 0 if generation.ok else 1
    if args.command == "check":
        seeds = Path(args.seeds) if args.seeds else project.seeds_dir
        return run_checks(project, seeds, args.format)
    if args.command == "withdraw":
        return withdraw(project, Path(args.source).name, args.reason.strip(), args.date or dt.date.today().isoformat())
    return build(project, force=args.force, jobs=args.jobs, allow_empty=args.allow_empty,
                 record="frozen" if args.frozen_record else "write")


def withdraw(project: Project, source: str, reason: str, date: str) -> int:
    """``build_site.py withdraw``: the withdrawal into the record; the next build puts up the notice."""
    if not reason:
        print("错误：请写明撤回理由（--reason），它会在撤回通知中公开", file=sys.stderr)
        return 2
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in reason):
        print("错误：撤回理由含有换行、控制字符或不可见字符，请只写一行可见的文字", file=sys.stderr)
        return 2
    try:
        history = History.load(project.root / HISTORY_DIR)
        history.withdraw(source, date, reason)
    except HistoryError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 1
    written = history.save()
    print(f"已记录撤回：{'、'.join(written)}（{date}）。请删除或保留原文后运行 python build_site.py，"
          "并把 history/ 与改动一起提交。")
    return 0


def screen_lines() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).lines
    except (OSError, ValueError):
        return PROGRESS_THRESHOLD


def with_progress(seeds: Path, work: Callable[[Callable[[str], None] | None], T]) -> T:
    """Run ``work`` with a progress bar on a terminal when the raw files fill more than a screen."""
    total = len(input_files(seeds))
    if total <= screen_lines() or not sys.stderr.isatty():
        return work(None)
    bar = Progress(console=Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task("转换报告", total=total)
        return work(lambda name: bar.advance(task))


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Errors to stderr, warnings and infos to stdout, one ``file:line: severity code: message`` each;
    characters that would move a terminal's cursor or colours are shown as escapes."""
    for item in diagnostics:
        stream = sys.stderr if item.severity == "error" else sys.stdout
        print(str(item).translate(CONTROL), file=stream, flush=True)  # in file order, even in one log


#: C0 and C1 control characters but the tab, shown as \xNN (the input never drives the terminal).
CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, *range(0x80, 0xA0)]}


def report(generation: pipeline.Generation) -> None:
    """Every finding, then converted / failed / files written, unchanged, removed, warnings per file."""
    print_diagnostics(generation.diagnostics)
    collected, out = generation.collected, generation.outputs
    warnings: dict[str, int] = {}
    for item in generation.diagnostics:
        if item.severity == "warning":
            warnings[item.file] = warnings.get(item.file, 0) + 1
    failed = generation.failed
    written = len(out.written) if out else 0
    unchanged = out.unchanged if out else 0
    removed = len(out.removed) if out else 0
    print(f"共 {collected.total} 份：转换成功 {collected.total - len(failed)} 份，失败 {len(failed)} 份；"
          f"写入 {written} 个文件，未变 {unchanged} 个，删除 {removed} 个。")
    if warnings:
        print("提示（warning）：" + "；".join(f"{name} {count} 条" for name, count in sorted(warnings.items())))
    sys.stdout.flush()
    if failed:
        print("未转换：" + "、".join(failed), file=sys.stderr)
    elif not generation.ok:
        print("有错误，见上文。", file=sys.stderr)


def run_checks(project: Project, seeds: Path, fmt: str = "text") -> int:
    """``build_site.py check``: every finding; 1 when any is an error, 2 when the folder is missing."""
    if not seeds.is_dir():
        print(f"错误：找不到报告目录 {seeds}", file=sys.stderr)
        return 2
    collected = pipeline.check(project, seeds)
    findings = collected.diagnostics
    if fmt == "json":
        rows = [{"file": d.file, "line": d.line, "severity": d.severity, "code": d.code, "message": d.message}
                for d in findings]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for item in findings:  # one list on stdout: a report to read or to pipe, errors included
            print(str(item).translate(CONTROL))
        counts = {s: sum(1 for d in findings if d.severity == s) for s in ("error", "warning", "info")}
        print(f"共检查 {collected.total} 份：error {counts['error']} 条，warning {counts['warning']} 条，"
              f"info {counts['info']} 条。", file=sys.stderr)
    return 1 if any(d.severity == "error" for d in findings) else 0


def _peak_rss() -> str:
    """Peak resident memory of this process and of the largest child it waited for (the engine, workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"peak RSS: this process {own:.0f} MB, largest child process {child:.0f} MB"


def build(project: Project, force: bool = False, jobs: int | None = None, allow_empty: bool = False,
          record: Mode = "write") -> int:
    """The pipeline's stages, then the engine into a fresh folder swapped into site_dir: never half a site.

    ``LAWREPORTS_TIMINGS=1`` prints the time and peak memory of each stage (``lawreports timing:
    <stage> <s> s …``, on stderr) and lets MkDocs log at INFO."""
    timings = os.environ.get("LAWREPORTS_TIMINGS") == "1"
    if not project.config_file.exists():
        print(f"错误：找不到网站配置 {project.config_file.name}", file=sys.stderr)
        return 1
    if not project.seeds_dir.is_dir():
        print(f"错误：找不到报告目录 {project.seeds_dir}", file=sys.stderr)
        return 2
    if project.site_dir.is_symlink():  # the swap would rename the link aside, not update what it points to
        print(f"错误：{project.site_dir.name} 是符号链接，网站未生成；请在 mkdocs.yml 的 site_dir 中写出实际目录"
              f"（{project.site_dir.resolve()}）", file=sys.stderr)
        return 1
    publish.clean_leftovers(project)
    started = time.perf_counter()
    generation = with_progress(project.seeds_dir,
                               lambda tick: pipeline.generate(project, force, jobs, tick, search_beside=True,
                                                              allow_empty=allow_empty, record=record))
    report(generation)
    if generation.stopped:
        print(f"错误：{generation.stopped}；原有 {project.site_dir.name}/ 保持不变", file=sys.stderr)
        return 1
    if timings:
        print(f"lawreports timing: generate {time.perf_counter() - started:.2f} s ({_peak_rss()})", file=sys.stderr,
              flush=True)
    started = time.perf_counter()
    staging = publish.staging_dir(project)
    engine = publish.Render(project, staging, quiet=not timings)
    search_files = generation.search_files() if generation.search_files else []  # while the engine renders
    if timings:
        print(f"lawreports timing: search index {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)
    rendered = engine.wait()
    if timings:
        print(f"lawreports timing: mkdocs {time.perf_counter() - started:.2f} s ({_peak_rss()})", file=sys.stderr,
              flush=True)
    if not rendered:
        print(f"错误：网站生成失败，原有 {project.site_dir.name}/ 保持不变", file=sys.stderr)
        return 1
    publish.add_files(staging, search_files)
    if generation.recording is not None:  # the record first: a site is never online without its record
        try:
            saved = generation.recording.save()
        except HistoryError as err:
            print(f"错误：{err}；原有 {project.site_dir.name}/ 保持不变", file=sys.stderr)
            return 1
        for name in saved:
            print(f"发布记录已更新：{name}（请与原文的改动一起提交）")
    publish.swap(staging, project.site_dir)
    print(f"网站已生成：{project.site_dir.name}/（{len(generation.collected.records)} 份报告）")
    return 0 if generation.ok else 1
