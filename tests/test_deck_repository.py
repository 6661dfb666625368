"""Deck repositories: `studypack init`, the pre-commit hooks, and the GitHub Action run step by step."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from exporter.cli import main

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent  # where the test environment's `studypack` script lives
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def shell_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return {**env, **GIT_ENV, "PATH": f"{BIN}{os.pathsep}{env['PATH']}", **extra}


def sh(folder: Path, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=folder, capture_output=True, text=True, env=shell_env(**extra),
                          check=check)


def init_repo(folder: Path, topic: str = "Spanish verbs: ser & estar") -> Path:
    result = CliRunner().invoke(main, ["init", str(folder), "--topic", topic])
    assert result.exit_code == 0, result.output
    sh(folder, "git", "init", "-q", "-b", "main")
    sh(folder, "git", "add", "-A")
    sh(folder, "git", "commit", "-qm", "init")
    return folder


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- studypack init ---


def test_init_makes_a_repository_that_builds_with_no_argument(tmp_path: Path):
    repo = init_repo(tmp_path / "deck")
    assert sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file() and ".git/" not in
                  str(p)) == [".github/workflows/studypack.yml", ".gitignore", ".pre-commit-config.yaml",
                              "README.md", "content/media/example.png", "content/questions.lock",
                              "content/questions.yaml"]
    source = (repo / "content" / "questions.yaml").read_text(encoding="utf-8")
    assert 'title: "Spanish verbs: ser & estar"' in source and "id: spanish-verbs-ser-estar" in source
    assert "AI" not in source  # a template on the user's topic, not the shipped deck
    assert sh(repo, "studypack", "validate", "--strict").returncode == 0
    built = sh(repo, "studypack", "build")
    assert "spanish-verbs-ser-estar.apkg" in built.stdout
    assert sorted(p.name for p in (repo / "build").iterdir()) == [
        "media", "spanish-verbs-ser-estar-cheatsheet.pdf", "spanish-verbs-ser-estar-flashcards.pdf",
        "spanish-verbs-ser-estar-handbook.md", "spanish-verbs-ser-estar.apkg"]
    assert sh(repo, "git", "status", "--porcelain").stdout == ""  # build/ ignored, ledger committed
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "# Spanish verbs: ser & estar" in readme
    assert all(way in readme for way in ("In Anki", "On paper", "As a handbook"))


def test_init_refuses_to_overwrite(tmp_path: Path):
    (tmp_path / "deck").mkdir()
    (tmp_path / "deck" / "README.md").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "deck")])
    assert result.exit_code == 1
    assert "README.md already exists" in result.stderr and "nothing was written" in result.stderr
    assert [p.name for p in (tmp_path / "deck").iterdir()] == ["README.md"]
    assert (tmp_path / "deck" / "README.md").read_text(encoding="utf-8") == "mine\n"


def test_build_commit_check_and_a_shallow_clone_in_an_init_repository(tmp_path: Path):
    repo = init_repo(tmp_path / "deck")
    assert sh(repo, "studypack", "build").returncode == 0
    sh(repo, "git", "commit", "-q", "--allow-empty", "-m", "nothing changed")
    assert sh(repo, "studypack", "build", "--check").returncode == 0
    sh(tmp_path, "git", "clone", "-q", "--depth", "1", f"file://{repo}", "clone")
    assert sh(tmp_path / "clone", "studypack", "build", "--locked").returncode == 0
    assert digests(tmp_path / "clone" / "build") == digests(repo / "build")


# --- pre-commit ---


@pytest.fixture
def hooked_repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "deck")
    sh(repo, "pre-commit", "install", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    return repo


def commit(repo: Path, message: str) -> subprocess.CompletedProcess:
    return sh(repo, "git", "commit", "-qm", message, check=False,
              PRE_COMMIT_HOME=str(repo.parent / "pre-commit-home"))


def test_pre_commit_blocks_removing_an_image_the_deck_uses(hooked_repo: Path):
    sh(hooked_repo, "git", "rm", "-q", "content/media/example.png")
    blocked = commit(hooked_repo, "remove the image")
    assert blocked.returncode != 0
    assert "media/example.png" in blocked.stdout + blocked.stderr
    assert sh(hooked_repo, "git", "log", "--format=%s").stdout.splitlines() == ["init"]


def test_pre_commit_blocks_an_image_left_untracked(hooked_repo: Path):
    sh(hooked_repo, "git", "rm", "-q", "--cached", "content/media/example.png")
    blocked = commit(hooked_repo, "untrack the image")
    assert blocked.returncode != 0
    assert "content/media/example.png: error: not tracked by git" in blocked.stdout + blocked.stderr
    sh(hooked_repo, "git", "add", "content/media/example.png")
    (hooked_repo / "notes.txt").write_text("unrelated\n", encoding="utf-8")
    sh(hooked_repo, "git", "add", "notes.txt")
    assert commit(hooked_repo, "an unrelated change").returncode == 0


def test_shared_hooks_run_on_every_commit():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"studypack-validate", "studypack-tracked"}
    assert all(h["always_run"] and not h["pass_filenames"] for h in hooks)


def test_readme_pre_commit_rev_is_a_commit_of_this_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    revs = re.findall(r"^\s+rev: (\S+)", readme, flags=re.MULTILINE)
    assert revs and all(re.fullmatch(r"[0-9a-f]{40}", rev) for rev in revs), revs
    shallow = sh(ROOT, "git", "rev-parse", "--is-shallow-repository", check=False).stdout.strip()
    if shallow == "false":  # a source archive or a shallow clone has no history to look in
        for rev in revs:
            found = sh(ROOT, "git", "cat-file", "-t", rev, check=False).stdout.strip()
            assert found == "commit", (
                f"README names {rev}, which is not a commit of this repository (history rewritten?): "
                "name a commit that has action.yml and .pre-commit-hooks.yaml")


# --- the action and the workflows ---


def workflow_files(tmp_path: Path) -> list[Path]:
    repo = tmp_path / "deck"
    CliRunner().invoke(main, ["init", str(repo), "--action", "someone/studypack@" + "0" * 40])
    return [*sorted((ROOT / ".github" / "workflows").glob("*.yml")),
            repo / ".github" / "workflows" / "studypack.yml"]


def test_action_and_workflows_pass_githubs_schemas(tmp_path: Path):
    checks = [("vendor.github-actions", [ROOT / "action.yml"]),
              ("vendor.github-workflows", workflow_files(tmp_path)),
              ("custom.github-workflows-require-timeout", workflow_files(tmp_path / "again"))]
    for schema, files in checks:
        done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                               *map(str, files)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def _uses(document: object) -> list[str]:
    if isinstance(document, dict):
        return [*([document["uses"]] if "uses" in document else []),
                *(u for v in document.values() for u in _uses(v))]
    if isinstance(document, list):
        return [u for v in document for u in _uses(v)]
    return []


def test_every_action_is_pinned_to_a_commit_with_its_version(tmp_path: Path):
    for path in [ROOT / "action.yml", *workflow_files(tmp_path)]:
        lines = path.read_text(encoding="utf-8").splitlines()
        uses = [line.split("uses:", 1)[1].strip() for line in lines
                if line.strip().startswith(("uses:", "- uses:"))]
        assert uses
        for use in uses:
            if use == "./" or use.startswith("someone/studypack@"):
                continue
            assert PINNED.match(use), f"{path.name}: {use}"


def test_only_the_publishing_job_may_write_and_only_on_the_default_branch(tmp_path: Path):
    for path in workflow_files(tmp_path):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow["permissions"] == {"contents": "read"}
        assert workflow["concurrency"]["group"]
        writers = {name for name, job in workflow["jobs"].items() if "write" in
                   (job.get("permissions") or {}).values()}
        assert writers == {"publish"}, path
        condition = workflow["jobs"]["publish"]["if"]
        assert "github.event_name == 'push'" in condition and "default_branch" in condition
    ours = yaml.safe_load((ROOT / ".github" / "workflows" / "studypack.yml").read_text(encoding="utf-8"))
    assert "./" in _uses(ours)


def test_the_action_installs_studypack_from_its_own_checkout():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    install = next(s for s in action["runs"]["steps"] if s.get("name", "").startswith("Install"))
    assert 'pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"' in install["run"]


# Running the composite action's `run:` scripts as the runner would: bash -eo pipefail, the
# inputs' expressions substituted, GITHUB_OUTPUT and the other files set. The install step
# (pip from PyPI) is replaced by this environment's studypack on PATH; `gh` (the release) is a
# recorder on PATH, since nothing here may reach GitHub.

EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
CONDITION = re.compile(r"inputs\.([\w-]+) (==|!=) '([^']*)'")


def run_action(repo: Path, tmp_path: Path, **inputs: str) -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values |= {k.replace("_", "-"): v for k, v in inputs.items()}
    runner = tmp_path / "runner"
    shutil.rmtree(runner, ignore_errors=True)
    (runner / "temp").mkdir(parents=True)
    fake_bin = runner / "bin"
    fake_bin.mkdir()
    gh = fake_bin / "gh"
    gh.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {runner}/gh-calls\n', encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    files = {name: runner / name for name in ("summary.md", "path", "env")}
    for file in files.values():
        file.touch()
    steps: dict[str, dict[str, str]] = {}
    log = {"stdout": "", "stderr": "", "failed": None, "steps": steps, "runner": runner}

    def expand(text: str) -> str:
        def value(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("inputs."):
                return values[name[len("inputs."):]]
            if name.startswith("steps."):
                step, _, key = name[len("steps."):].split(".", 2)
                return steps.get(step, {}).get(key, "")
            return {"github.token": "token", "runner.temp": str(runner / "temp")}[name]
        return EXPRESSION.sub(value, text)

    for step in action["runs"]["steps"]:
        if "run" not in step or step.get("name", "").startswith("Install"):
            continue
        condition = step.get("if")
        if condition and not any(_holds(term, values) for term in condition.split("||")):
            continue
        output = runner / f"output-{len(steps)}"
        output.touch()
        env = shell_env(GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(files["summary.md"]),
                        GITHUB_PATH=str(files["path"]), GITHUB_ENV=str(files["env"]),
                        RUNNER_TEMP=str(runner / "temp"), GITHUB_ACTION_PATH=str(ROOT),
                        GITHUB_WORKSPACE=str(repo), GITHUB_SHA="0" * 40, GITHUB_ACTIONS="true",
                        **{k: expand(str(v)) for k, v in step.get("env", {}).items()})
        env["PATH"] = f"{fake_bin}{os.pathsep}{env['PATH']}"
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               expand(step["run"])], cwd=repo, env=env, capture_output=True, text=True)
        log["stdout"] += done.stdout
        log["stderr"] += done.stderr
        steps[step.get("id", f"step{len(steps)}")] = dict(
            line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line)
        if done.returncode != 0:
            log["failed"] = step.get("name", step.get("id"))
            break
    log["summary"] = files["summary.md"].read_text(encoding="utf-8")
    return log


def _holds(term: str, values: dict[str, str]) -> bool:
    match = CONDITION.fullmatch(term.strip())
    assert match, f"the test cannot read the condition {term!r}"
    name, operator, literal = match.groups()
    return (values[name] == literal) == (operator == "==")


def test_the_action_validates_builds_and_reports_its_outputs(tmp_path: Path):
    repo = init_repo(tmp_path / "deck")
    log = run_action(repo, tmp_path, release="latest", pages="true")
    assert log["failed"] is None, log["stderr"]
    build = log["steps"]["build"]
    assert build["output-dir"] == "build"
    assert build["apkg"] == "build/spanish-verbs-ser-estar.apkg"
    assert build["handbook"] == "build/spanish-verbs-ser-estar-handbook.md"
    assert build["cheatsheet"].endswith("-cheatsheet.pdf") and build["flashcards"].endswith("-flashcards.pdf")
    assert all((repo / path).is_file() for key, path in build.items() if key != "output-dir")
    assert "| `spanish-verbs-ser-estar.apkg` |" in log["summary"]
    # The release gets files only: the images travel as media.zip, to unpack beside the handbook.
    (call,) = (log["runner"] / "gh-calls").read_text(encoding="utf-8").splitlines()[1:]
    assets = [Path(a) for a in call.split() if a.startswith(str(log["runner"]))]
    assert sorted(a.name for a in assets) == [
        "media.zip", "spanish-verbs-ser-estar-cheatsheet.pdf", "spanish-verbs-ser-estar-flashcards.pdf",
        "spanish-verbs-ser-estar-handbook.md", "spanish-verbs-ser-estar.apkg"]
    assert all(a.is_file() for a in assets)
    import zipfile

    assert zipfile.ZipFile(next(a for a in assets if a.name == "media.zip")).namelist() == [
        "media/", "media/example.png"]
    site = Path(log["steps"]["site"]["dir"])
    index = (site / "index.md").read_text(encoding="utf-8")
    assert index.startswith("---\n---\n{% raw %}\n# Spanish verbs") and index.endswith("{% endraw %}\n")
    assert index.count("](media/example.png)") == 1
    assert (site / "media" / "example.png").is_file()


def test_the_action_annotates_validation_problems(tmp_path: Path):
    repo = init_repo(tmp_path / "deck")
    source = repo / "content" / "questions.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("difficulty: easy", "dificulty: easy"),
                      encoding="utf-8")
    log = run_action(repo, tmp_path)
    assert log["failed"].startswith("Validate")
    annotation = (r"^::error file=content/questions\.yaml,line=\d+,col=5(,title=[^:]*)?"
                  r"::unknown key 'dificulty'")
    assert re.search(annotation,
                     log["stdout"], flags=re.MULTILINE), log["stdout"]


def test_the_action_annotates_an_uncommitted_ledger(tmp_path: Path):
    repo = init_repo(tmp_path / "deck")
    source = repo / "content" / "questions.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("Replace this with", "Put here"),
                      encoding="utf-8")
    log = run_action(repo, tmp_path)
    assert log["failed"] == "Build every output"
    assert re.search(r"^::error file=content/questions\.lock::out of date \(question 'first-question' "
                     r"changed\)", log["stdout"], flags=re.MULTILINE), log["stdout"]


def test_the_shipped_deck_builds_with_its_committed_ledger(tmp_path: Path):
    """What this repository's workflow runs (`--locked`): the ledger must be committed with any
    change to content/ or to the Anki templates."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "content" / "questions.yaml"), "-o",
                                       str(tmp_path / "out"), "--locked", "--only", "handbook"])
    assert result.exit_code == 0, (
        f"{result.stderr}\nrun `studypack build` and commit content/questions.lock")
