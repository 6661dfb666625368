"""Time studypack against the raw-library baseline, whole process per run, and check the issue's targets.

    python benchmarks/run.py [--sizes 30,1000,10000,50000] [--runs N]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import CACHE, deck_path  # noqa: E402

PY = sys.executable  # the interpreter itself: a pyenv shim would add its own ~50 ms
OUTPUTS = ("anki", "pdf", "flashcards", "handbook")
DEFAULT_SIZES = (30, 1000, 10000, 50000)
MiB = 2**20


def child_env() -> dict[str, str]:
    """Bytecode caching on, as users have it, but kept in .cache/ rather than the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    return env


def default_runs(size: int) -> int:
    """Fewer runs where one costs minutes, so a 50 000-question run fits in ~15 minutes."""
    return 7 if size <= 1000 else 3 if size <= 10000 else 1


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)  # bytes, the peak of the largest process
    # user + system seconds of the process and its reaped children: steadier than the
    # wall clock when other work shares the machine, but it grows with parallelism.
    cpu: list[float] = field(default_factory=list)
    failure: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds and not self.failure else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu and not self.failure else None

    @property
    def peak(self) -> int | None:
        return max(self.rss) if self.rss and not self.failure else None


@dataclass
class Row:
    measure: str
    size: int | None
    studypack: Sample
    raw: Sample


def run_once(argv: list[str], sample: Sample) -> None:
    """One whole process: wall clock from spawn to reaping, peak RSS from wait4's rusage."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, open(Path(tmp) / "err", "w+b") as err:
        argv = [a.replace("{out}", str(Path(tmp) / "out")) for a in argv]
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=REPO, env=child_env(), stdout=subprocess.DEVNULL, stderr=err)
        # wait4 reports this child's own rusage; RUSAGE_CHILDREN would mix every run.
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            sample.failure = f"exit {child.returncode}: {tail[0][:160]}"
            return
    sample.seconds.append(elapsed)
    sample.cpu.append(usage.ru_utime + usage.ru_stime)
    sample.rss.append(usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024))


def cases(sizes: list[int], outputs: tuple[str, ...]) -> list[tuple[str, int | None, list[str], list[str]]]:
    """(measure, size, studypack argv, raw argv) for every row of the table."""
    studypack, raw = [PY, "-m", "exporter"], [PY, str(HERE / "raw_baseline.py")]
    rows = [("studypack --help", None, [*studypack, "--help"], [PY, "-c", "pass"])]
    for size in sizes:
        deck = str(deck_path(size))
        rows.append(("validate", size, [*studypack, "validate", deck], [*raw, deck, "--only", "load"]))
        for name in outputs:
            rows.append((f"build --only {name}", size,
                         [*studypack, "build", deck, "-o", "{out}", "--only", name],
                         [*raw, deck, "-o", "{out}", "--only", name]))
        rows.append(("build (all outputs)", size, [*studypack, "build", deck, "-o", "{out}"],
                     [*raw, deck, "-o", "{out}"]))
    return rows


def measure(sizes: list[int], runs: int | None, outputs: tuple[str, ...], log) -> list[Row]:
    rows = []
    for measure_name, size, ours, theirs in cases(sizes, outputs):
        row = Row(measure_name, size, Sample(), Sample())
        count = runs or default_runs(size or 0)
        if (size or 0) <= 1000:  # big decks: a warm-up would cost minutes and change nothing
            run_once(ours, Sample())  # warm the page cache and the .pyc files; not counted
        for _ in range(count):
            # Alternate the two so drift in machine load hits both sides alike.
            run_once(ours, row.studypack)
            run_once(theirs, row.raw)
            if row.studypack.failure and row.raw.failure:
                break
        log(format_row(row))
        rows.append(row)
    return rows


# --- the report ---


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def mib(value: int | None) -> str:
    return "—" if value is None else f"{value / MiB:.0f} MiB"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


TABLE_HEAD = ("| measure | questions | studypack | raw | studypack / raw | CPU studypack / raw "
              "| studypack peak RSS | raw peak RSS | runs |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")


def format_row(row: Row) -> str:
    s, r = row.studypack, row.raw
    ours = f"FAIL ({s.failure})" if s.failure else seconds(s.median)
    return (f"| {row.measure} | {row.size if row.size is not None else '—'} | {ours} | {seconds(r.median)} | "
            f"{ratio(s.median, r.median)} | {seconds(s.cpu_median)} / {seconds(r.cpu_median)} | "
            f"{mib(s.peak)} | {mib(r.peak)} | {len(s.seconds)} |")


def find(rows: list[Row], measure_name: str, size: int | None) -> Row | None:
    return next((r for r in rows if r.measure == measure_name and r.size == size), None)


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "pass" if ok else "**FAIL**"


def targets(rows: list[Row]) -> list[str]:
    """The issue's targets next to what was measured."""
    def median(name, size, side="studypack"):
        row = find(rows, name, size)
        return getattr(row, side).median if row else None

    full = "build (all outputs)"
    help_s, build30 = median("studypack --help", None), median(full, 30)
    validate10k = median("validate", 10000)
    ours10k, raw10k = median(full, 10000), median(full, 10000, "raw")
    ours50k, raw50k = median(full, 50000), median(full, 50000, "raw")
    peaks = [r.studypack.peak for r in rows if r.size == 50000 and r.studypack.peak]
    peak50k = max(peaks) if peaks else None
    rel10k = ours10k / raw10k if ours10k and raw10k else None
    raw30 = median(full, 30, "raw")
    rel30 = build30 / raw30 if build30 and raw30 else None
    cpu30 = find(rows, full, 30)
    cpu_rel30 = (cpu30.studypack.cpu_median / cpu30.raw.cpu_median
                 if cpu30 and cpu30.studypack.cpu_median and cpu30.raw.cpu_median else None)
    scale = ours50k / ours10k if ours50k and ours10k else None

    def check(value, limit):
        return None if value is None else value <= limit

    lines = [
        "| target | limit | measured | raw baseline | verdict |",
        "|---|---|---:|---:|---|",
        f"| `studypack --help` | ≤ 80 ms | {seconds(help_s)} | "
        f"{seconds(median('studypack --help', None, 'raw'))} (python -c pass) | "
        f"{verdict(check(help_s, 0.080))} |",
        f"| full build, 30 questions | ≤ 0.5 s | {seconds(build30)} | {seconds(median(full, 30, 'raw'))} | "
        f"{verdict(check(build30, 0.5))} |",
        f"| full build, 30 questions (issue 19) | ≤ 1.25 × raw | {seconds(build30)} = "
        f"{'—' if rel30 is None else f'{rel30:.2f}×'}"
        f"{'' if cpu_rel30 is None else f' (CPU {cpu_rel30:.2f}×)'} | {seconds(raw30)} | "
        f"{verdict(check(rel30, 1.25))} |",
        f"| `validate`, 10 000 questions | ≤ 1.5 s | {seconds(validate10k)} | "
        f"{seconds(median('validate', 10000, 'raw'))} (yaml load) | {verdict(check(validate10k, 1.5))} |",
        f"| full build, 10 000 questions | ≤ 1.5 × raw (aim ≤ 1.0 ×) | {seconds(ours10k)} = "
        f"{'—' if rel10k is None else f'{rel10k:.2f}×'} | {seconds(raw10k)} | {verdict(check(rel10k, 1.5))}"
        f"{'' if rel10k is None or rel10k > 1.5 else ' (aim met)' if rel10k <= 1.0 else ' (aim not met)'} |",
        f"| scaling 10 000 → 50 000 | ≤ 5.5 × | {'—' if scale is None else f'{scale:.2f}×'} | "
        f"{ratio(raw50k, raw10k)} | {verdict(check(scale, 5.5))} |",
        f"| peak RSS, 50 000 questions | ≤ 800 MiB | {mib(peak50k)} | "
        f"{mib(max((r.raw.peak for r in rows if r.size == 50000 and r.raw.peak), default=None))} | "
        f"{verdict(check(peak50k, 800 * MiB))} |",
    ]
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def libraries() -> str:
    code = ("import importlib.metadata as m, yaml\n"
            "names = ['reportlab', 'genanki', 'markdown-it-py', 'nh3', 'pyyaml', 'rl_accel']\n"
            "def v(n):\n"
            "    try: return m.version(n)\n"
            "    except m.PackageNotFoundError: return 'absent'\n"
            "print(', '.join(f'{n} {v(n)}' for n in names) + f', libyaml {yaml.__with_libyaml__}')")
    return subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=REPO).stdout.strip()


def commit() -> str:
    argv = ["git", "describe", "--always", "--dirty"]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
    except OSError:  # no git
        return "unknown"
    return result.stdout.strip() or "unknown"


def scaling(rows: list[Row], sizes: list[int]) -> list[str]:
    if 10000 not in sizes or 50000 not in sizes:
        return []
    lines = ["", "| scaling 10 000 → 50 000 | studypack | raw |", "|---|---:|---:|"]
    for row in rows:
        if row.size == 50000:
            small = find(rows, row.measure, 10000)
            lines.append(f"| {row.measure} | {ratio(row.studypack.median, small.studypack.median)} | "
                         f"{ratio(row.raw.median, small.raw.median)} |")
    return lines


def report(rows: list[Row], sizes: list[int], started: datetime.datetime, elapsed: float) -> str:
    return "\n".join([
        f"Date: {started:%Y-%m-%d %H:%M} UTC · commit {commit()} · benchmark took {elapsed / 60:.1f} min",
        f"Machine: {machine()}",
        f"Libraries: {libraries()}",
        "",
        TABLE_HEAD,
        *(format_row(r) for r in rows),
        *scaling(rows, sizes),
        "",
        *targets(rows),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated deck sizes (default: %(default)s)")
    parser.add_argument("--runs", type=int,
                        help="runs per measure (default: 7 up to 1000, 3 at 10000, 1 above)")
    parser.add_argument("--outputs", default=",".join(OUTPUTS),
                        help="outputs timed alone (default: %(default)s); 'all together' is always timed")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    outputs = tuple(o for o in args.outputs.split(",") if o)
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.perf_counter()
    for size in sizes:
        print(f"deck: {deck_path(size)}", file=sys.stderr)
    print(TABLE_HEAD, file=sys.stderr)
    rows = measure(sizes, args.runs, outputs, lambda line: print(line, file=sys.stderr, flush=True))
    text = report(rows, sizes, started, time.perf_counter() - clock)
    print("\n" + text)
    out = args.json or CACHE / f"results-{started:%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")
    print(f"\nsamples: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
