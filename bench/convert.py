"""Converter benchmark: throughput, wall time and peak memory, on one core and on all of them.

    python bench/convert.py [--n 1000 4000] [--jobs J] [--no-parallel] [--keep] [--seed S]

For each N: generate N synthetic reports (bench/synth.py) into a temporary folder, then run
``python build_site.py convert --seeds DIR --out DIR --jobs 1`` in a fresh subprocess pinned to
one CPU (the target's setting), then ``--jobs J`` unpinned (J = the CPUs this process may use),
then that again over the same output (incremental: nothing changed, nothing parsed).
Wall time and reports/s include interpreter start-up and imports, as a user would see them;
``cpu s`` is user + system time of the converter and its workers, and reports/cpu-s the
throughput that leaves out waiting (the machine may be shared); peak memory is the maximum
resident set size of the converter process or of any of its workers (``os.wait4`` rusage, which
covers that child and the processes it reaped, nothing else). The ratio time(largest N)/time(smallest N)
of the one-core runs shows how the converter scales: the target is 1.1 × the size ratio (≤ 4.4
for 4,000 vs 1,000).

Exit status: 0 when every run converted everything, 1 when the converter reported failures or
crashed, 2 when it could not be started.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script, bench/ is sys.path[0], not the repo
    sys.path.insert(0, str(REPO_ROOT))

from bench.synth import generate  # noqa: E402

BUILD_SITE = REPO_ROOT / "build_site.py"
TARGET_REPORTS_PER_SECOND = 500.0
TARGET_SCALING_SLACK = 1.1  # time may grow 10 % faster than N (4,000 vs 1,000 → ≤ 4.4)


@dataclass(frozen=True)
class RunResult:
    n: int
    mode: str  #: "1 core", "2 jobs", "again" (incremental, nothing changed)
    synth_seconds: float
    wall_seconds: float
    cpu_seconds: float  #: user + system time of the converter process
    peak_rss_mb: float  #: the largest of the converter and its workers
    exit_code: int
    output_files: int  #: files the converter wrote under --out
    stderr_tail: str

    @property
    def reports_per_second(self) -> float:
        return self.n / self.wall_seconds if self.wall_seconds else float("inf")

    @property
    def reports_per_cpu_second(self) -> float:
        return self.n / self.cpu_seconds if self.cpu_seconds else float("inf")


def pick_cpu() -> int | None:
    """One CPU this process may use, or None where affinity is not supported."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    return min(os.sched_getaffinity(0))


def synthesize(n: int, work_dir: Path, seed: int) -> float:
    """Generates n reports into work_dir/raw; returns the seconds it took."""
    started = time.perf_counter()
    generate(n, work_dir / "raw", seed=seed)
    return time.perf_counter() - started


def convert_once(n: int, work_dir: Path, cpu: int | None, jobs: int, mode: str, synth_seconds: float = 0.0,
                 out_name: str = "out") -> RunResult:
    """Times one converter run over work_dir/raw into work_dir/<out_name>; pinned to ``cpu`` unless None."""
    seeds_dir, out_dir = work_dir / "raw", work_dir / out_name
    command = [sys.executable, str(BUILD_SITE), "convert", "--seeds", str(seeds_dir), "--out", str(out_dir),
               "--jobs", str(jobs)]
    # Single-threaded numeric libraries, in case the converter pulls one in.
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

    def pin_to_one_cpu() -> None:  # runs in the child before exec; children inherit the mask
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    log = f"{out_name}-{mode.replace(' ', '-')}"
    with open(work_dir / f"{log}.stdout.log", "wb") as stdout, open(work_dir / f"{log}.stderr.log", "wb") as stderr:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=stdout, stderr=stderr, preexec_fn=pin_to_one_cpu
        )
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would mix in earlier runs' peaks.
        _pid, status, usage = os.wait4(process.pid, 0)
        wall_seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    process.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    # The converter reaps its workers: our RUSAGE_CHILDREN then grows by the converter's time and
    # theirs (the difference covers this one run: runs are sequential).
    cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    stderr_lines = (work_dir / f"{log}.stderr.log").read_text(encoding="utf-8", errors="replace").splitlines()
    output_files = sum(1 for path in out_dir.rglob("*") if path.is_file()) if out_dir.exists() else 0
    return RunResult(
        n=n,
        mode=mode,
        synth_seconds=synth_seconds,
        wall_seconds=wall_seconds,
        cpu_seconds=cpu_seconds,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        exit_code=process.returncode,
        output_files=output_files,
        stderr_tail="\n".join(stderr_lines[-10:]),
    )


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def print_report(results: list[RunResult], cpu: int | None) -> None:
    pinned = f"pinned to CPU {cpu}" if cpu is not None else "not pinned (no CPU affinity here)"
    print(f"converter: python build_site.py convert, fresh process per run; '1 core' = --jobs 1 {pinned}; "
          f"'J jobs' = --jobs J unpinned; 'again' = the J-jobs run repeated over its own output (nothing changed)")
    print(f"load average before the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print(f"{'N':>7} {'mode':>7} {'synth s':>8} {'wall s':>8} {'cpu s':>8} {'reports/s':>10} {'rep/cpu-s':>10}"
          f" {'peak MB':>8} {'exit':>5} {'files':>6}  target ≥ {TARGET_REPORTS_PER_SECOND:.0f}/s on 1 core")
    for result in results:
        verdict = _verdict(result.reports_per_second >= TARGET_REPORTS_PER_SECOND) if result.mode == "1 core" else ""
        print(
            f"{result.n:>7} {result.mode:>7} {result.synth_seconds:>8.2f} {result.wall_seconds:>8.2f} {result.cpu_seconds:>8.2f}"
            f" {result.reports_per_second:>10.0f} {result.reports_per_cpu_second:>10.0f} {result.peak_rss_mb:>8.1f}"
            f" {result.exit_code:>5} {result.output_files:>6}  {verdict}"
        )
    for result in results:
        if result.exit_code != 0 and result.stderr_tail:
            print(f"\nN={result.n} ({result.mode}): converter exited {result.exit_code}; last lines of stderr:\n{result.stderr_tail}")

    single = [r for r in results if r.mode == "1 core"]
    if len(single) >= 2:
        small = min(single, key=lambda r: r.n)
        large = max(single, key=lambda r: r.n)
        ratio = large.wall_seconds / small.wall_seconds
        target = TARGET_SCALING_SLACK * large.n / small.n
        print(
            f"\ntime({large.n})/time({small.n}) = {ratio:.2f}   target ≤ {target:.1f}"
            f" ({TARGET_SCALING_SLACK} × size ratio)  {_verdict(ratio <= target)}"
        )
        extra_seconds = large.wall_seconds - small.wall_seconds
        if extra_seconds > 0:
            # The start-up cost cancels out in the difference: the steady per-report rate.
            marginal = (large.n - small.n) / extra_seconds
            startup = small.wall_seconds - small.n / marginal
            print(f"marginal rate {marginal:.0f} reports/s; fixed cost (start-up, imports) ≈ {startup:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `build_site.py convert` on synthetic reports, one core.")
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 4000], metavar="N", help="corpus sizes (default 1000 4000)")
    parser.add_argument("--seed", type=int, default=0, help="synth seed (default 0)")
    parser.add_argument("--jobs", type=int, default=None, metavar="J",
                        help="worker processes for the parallel runs (default: the CPUs this process may use)")
    parser.add_argument("--no-parallel", action="store_true", help="only the one-core runs")
    parser.add_argument("--keep", action="store_true", help="keep the generated reports and converter output")
    args = parser.parse_args(argv)
    jobs = args.jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)

    if not BUILD_SITE.exists():
        print(f"bench: {BUILD_SITE.name} not found in the repository root", file=sys.stderr)
        return 2
    cpu = pick_cpu()
    root = Path(tempfile.mkdtemp(prefix="lawreports-bench-"))
    results: list[RunResult] = []
    try:
        for n in args.n:
            work_dir = root / f"n{n}"
            work_dir.mkdir()
            synth_seconds = synthesize(n, work_dir, args.seed)
            results.append(convert_once(n, work_dir, cpu, 1, "1 core", synth_seconds))
            if not args.no_parallel and jobs > 1:
                results.append(convert_once(n, work_dir, None, jobs, f"{jobs} jobs", out_name="out-jobs"))
                results.append(convert_once(n, work_dir, None, jobs, "again", out_name="out-jobs"))
    finally:
        if args.keep:
            print(f"kept: {root}  (n<N>/raw = reports, n<N>/out and out-jobs = converter output, n<N>/*.log)")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print_report(results, cpu)
    return 0 if all(result.exit_code == 0 for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
