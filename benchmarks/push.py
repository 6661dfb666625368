"""Time `studypack push` of a synthetic deck: into an empty collection, then with nothing to do.

    python benchmarks/push.py [--size 10000]

Anki is the tests' AnkiConnect-compatible server (tests/ankiconnect_server.py) over a real
`anki` collection, in this process; each push is a whole `studypack` process, as a user
runs it. The server does what the add-on does with the same collection calls, so the
time inside Anki is comparable; the add-on's HTTP loop (polled from Qt's timer) is not.
The CPU column counts the studypack process only; "inside Anki" is the time the server
spent answering (this process).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests"), str(REPO)]
from generate import deck_path  # noqa: E402
from run import child_env  # noqa: E402


def timed(*argv: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the studypack process, and its last line of output."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "exporter", *argv],
                          cwd=REPO, env=child_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, _children_cpu() - cpu, (done.stdout + done.stderr).strip().splitlines()[-1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    args = parser.parse_args()

    from anki_client import open_collection
    from ankiconnect_server import AnkiConnectServer

    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        source = Path(tmp) / "questions.yaml"
        shutil.copy(deck_path(args.size), source)  # a fresh folder: no record of an earlier push
        col = open_collection(Path(tmp) / "anki")
        server = AnkiConnectServer(col).start()
        try:
            push = ("push", str(source), "--url", server.url)
            rows = [("build --only anki (the same rendering, for reference)",
                     *timed("build", str(source), "--only", "anki", "-o", str(Path(tmp) / "out")), 0.0)]
            for name, extra in (("first push", ()), ("no-change push", ()),
                                ("no-change push --dry-run", ("--dry-run",))):
                busy = server.busy_seconds
                rows.append((name, *timed(*push, *extra), server.busy_seconds - busy))
                if name == "first push":
                    requests_first = len(server.requests)
            notes = len(col.find_notes(""))
        finally:
            server.stop()
            col.close()
    print(f"{args.size} questions -> {notes} notes; first push took {requests_first} HTTP requests")
    print("| command | wall s | studypack CPU s | inside Anki s | last line |")
    print("|---|---:|---:|---:|---|")
    for name, seconds, cpu, line, anki in rows:
        print(f"| {name} | {seconds:.2f} | {cpu:.2f} | {anki:.2f} | {line} |")


if __name__ == "__main__":
    main()
