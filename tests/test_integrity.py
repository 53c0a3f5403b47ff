"""What the handbook reads, and what its commands print, stays inside the lines.

Nothing is read from outside the repository (a symbolic link leading out of it is a
located error, and what it leads to is never read nor quoted), nothing that is not a
regular file is opened (a FIFO would hang the build), values are read within bounds
(so `check` and the build agree), a message quotes only an excerpt of a value, and no
command prints a control character as it is. The one-case-a-rule checks of the same
codes are in tests/bad_inputs.py; these are the scenarios around them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, FIXTURES, GitRepo, HandbookDir, run

PHASES, POLICY = "data/phases.yml", "content/policies/change.md"
OUTSIDE = (
    "is a symbolic link that leads outside the repository; it is not read: copy the file into "
    "the repository instead"
)
#: Material's notice about MkDocs 2 is in colour: off, so that ours is what is checked.
QUIET = {"NO_MKDOCS_2_WARNING": "1"}
#: 2027-01-20 12:00 UTC: POL-001 (approved 2026-02-16, reviewed yearly) is due soon,
#: REC-001 (approved 2026-03-01) not yet.
DUE_SOON = {"SOURCE_DATE_EPOCH": "1800446400"}


def _said(done: subprocess.CompletedProcess) -> str:
    """Everything a command printed (never a traceback)."""
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    return output


def _secret_lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if len(line.strip()) > 3]


# --- symbolic links and special files ------------------------------------------------


@pytest.mark.skipif(not Path("/etc/passwd").is_file(), reason="no /etc/passwd here")
def test_a_data_file_linked_to_etc_passwd_is_refused_unread(minimal: HandbookDir) -> None:
    minimal.path(PHASES).unlink()
    os.symlink("/etc/passwd", minimal.path(PHASES))
    where = f"{PHASES}:1: error: outside-repository: phases.yml {OUTSIDE}"
    check = minimal.cli("check")
    assert check.returncode == 1
    assert where in check.stdout.splitlines()
    build = minimal.build()
    assert build.returncode == 1
    assert where in build.stderr.splitlines()
    for done in (check, build):
        said = _said(done)
        assert not [line for line in _secret_lines(Path("/etc/passwd")) if line in said]


def test_a_page_linked_outside_the_repository_is_not_published(
    minimal: HandbookDir, tmp_path: Path
) -> None:
    secret = tmp_path / "salaries.md"
    secret.write_text("# Salaries\n\nThe director earns 1,000,000 a year.\n", "utf-8")
    os.symlink(secret, minimal.path("content/leak.md"))
    where = f"content/leak.md:1: error: outside-repository: leak.md {OUTSIDE}"
    check = minimal.cli("check")
    assert check.returncode == 1
    assert check.stdout.splitlines() == [where]
    build = minimal.build()
    assert build.returncode == 1
    assert where in build.stderr.splitlines()
    assert "Aborted with a BuildError!" in _said(build)
    assert not minimal.path("site/leak").exists()
    for done in (check, build):
        assert "1,000,000" not in _said(done)
    site = minimal.path("site")
    if site.exists():
        assert not any("1,000,000" in p.read_text("utf-8", "replace") for p in site.rglob("*.*"))


def _nested(tmp_path: Path) -> tuple[Path, HandbookDir]:
    """A repository whose handbook is in a subfolder, with a page and a data file that
    are links to files elsewhere in the repository, outside the handbook's folder."""
    top = tmp_path / "repo"
    handbook = HandbookDir(top / "handbook")
    shutil.copytree(FIXTURES / "minimal", handbook.root)
    shared = top / "shared"
    shared.mkdir()
    (shared / "notes.md").write_text("# Shared notes\n\nKept beside the handbook.\n", "utf-8")
    shutil.move(handbook.path(PHASES), shared / "phases.yml")
    os.symlink("../../shared/phases.yml", handbook.path(PHASES))
    os.symlink("../../shared/notes.md", handbook.path("content/notes.md"))
    return top, handbook


def test_links_inside_the_repository_stay_allowed(tmp_path: Path) -> None:
    top, handbook = _nested(tmp_path)
    GitRepo.init(top).commit("Handbook in a subfolder", "2026-01-10T09:00:00+00:00")
    check = handbook.cli("check")
    assert check.returncode == 0, _said(check)
    assert "2 phases, 3 activities" in check.stderr
    build = handbook.build()
    assert build.returncode == 0, _said(build)
    notes = handbook.path("site/notes/index.html").read_text("utf-8")
    assert "Kept beside the handbook." in notes


def test_without_a_repository_the_project_folder_is_the_bound(tmp_path: Path) -> None:
    _, handbook = _nested(tmp_path)  # no `git init`: nothing above mkdocs.yml's folder
    check = handbook.cli("check", env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert check.returncode == 1
    lines = check.stdout.splitlines()
    assert f"content/notes.md:1: error: outside-repository: notes.md {OUTSIDE}" in lines
    assert f"{PHASES}:1: error: outside-repository: phases.yml {OUTSIDE}" in lines
    assert "Kept beside" not in _said(check)


def test_fifos_are_never_opened(minimal: HandbookDir) -> None:
    """A FIFO as a data file, as a page and as a register's source of an approved
    document (whose placeholders would be looked for): refused at once, not waited on."""
    minimal.path(PHASES).unlink()
    os.mkfifo(minimal.path(PHASES))
    os.mkfifo(minimal.path("content/pipe.md"))
    extra = (
        "  - id: DOC-9\n    title: Extra\n    type: plan\n    owner: jdoe\n    approver: mkhan\n"
        '    version: "1.0"\n    status: approved\n    approved_on: 2026-01-02\n'
        "    source: pipe.md\n"
    )
    minimal.write("data/documents.yml", minimal.read("data/documents.yml") + extra)
    source = minimal.line_of("data/documents.yml", "source: pipe.md")
    done = subprocess.run(
        [str(BIN / "sms-handbook"), "check"],
        cwd=minimal.root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    fifo = "is a FIFO (named pipe), not a regular file; it is not read"
    assert f"{PHASES}:1: error: not-a-file: phases.yml {fifo}" in lines
    assert f"content/pipe.md:1: error: not-a-file: pipe.md {fifo}" in lines
    assert (
        f"data/documents.yml:{source}: error: not-a-file: source 'pipe.md' is a FIFO "
        "(named pipe), not a page"
    ) in lines
    _said(done)


def test_a_device_linked_from_the_repository_is_refused(minimal: HandbookDir) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    minimal.path(PHASES).unlink()
    os.symlink("/dev/zero", minimal.path(PHASES))
    done = minimal.cli("check")
    assert done.returncode == 1
    assert f"{PHASES}:1: error: outside-repository: phases.yml {OUTSIDE}" in done.stdout


# --- values within bounds, quoted in excerpts ------------------------------------------


def test_check_and_the_build_agree_on_dates_far_off(minimal: HandbookDir) -> None:
    """The first and last dates accepted build (the timeline spans them); the day after
    the last is a located error in both."""
    minimal.replace(PHASES, "due: 2026-02-15", "due: 2999-12-31")
    minimal.replace(PHASES, "end: 2026-10-30", "end: 2999-12-31")
    minimal.replace(PHASES, "start: 2026-01-05", "start: 1900-01-01")
    minimal.replace("data/documents.yml", "approved_on: 2026-03-01", "approved_on: 1900-01-01")
    documents = minimal.read("data/documents.yml")
    minimal.write("data/documents.yml", documents + "    next_review: 2999-12-31\n")
    check = minimal.cli("check", env=DUE_SOON)
    assert check.returncode == 0, _said(check)
    build = minimal.build(env=DUE_SOON)
    assert build.returncode == 0, _said(build)
    minimal.replace(PHASES, "due: 2999-12-31", "due: 3000-01-01")
    line = minimal.line_of(PHASES, "due: 3000-01-01")
    where = (
        f"{PHASES}:{line}: error: invalid-date: due: 3000-01-01 is out of range; dates run "
        "from 1900-01-01 to 2999-12-31"
    )
    check = minimal.cli("check", env=DUE_SOON)
    assert check.returncode == 1 and check.stdout.splitlines() == [where]
    build = minimal.build(env=DUE_SOON)
    assert build.returncode == 1 and where in _said(build).splitlines()


def test_huge_numbers_are_located_errors(minimal: HandbookDir) -> None:
    """Hexadecimal has no limit in Python: 9,000 digits would be read, then fail when
    printed; any number longer than 64 characters is refused where it is read."""
    disposal = (
        "disposals:\n  - record: REC-001\n    date: 2026-02-01\n    what: 0x" + "f" * 9000 + "\n"
        "    method: destroy\n    authorised_by: mkhan\n"
    )
    minimal.write("data/disposals.yml", disposal)
    done = minimal.cli("check")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "data/disposals.yml:4: error: invalid-value: a number of 9,002 characters "
        "('0xfffffffffffffffff…'); numbers here are at most 64 characters long"
    ]
    assert "f" * 100 not in _said(done)


def test_a_message_quotes_an_excerpt_never_a_whole_value(minimal: HandbookDir) -> None:
    long_text = "secret " * 2000
    minimal.write(PHASES, long_text + "\n")  # one line of text, not a mapping
    minimal.replace(POLICY, "status: approved", f'status: "{long_text}"')
    done = minimal.cli("check")
    assert done.returncode == 1
    said = _said(done)
    assert "secret " * 20 not in said
    lines = done.stdout.splitlines()
    shape = "the file must be a mapping of keys to values, not the text"
    assert f"{PHASES}:1: error: wrong-shape: {shape} '{long_text[:79]}…'" in lines
    assert all(len(line) < 600 for line in lines), max(map(len, lines))


# --- control characters ----------------------------------------------------------------


def test_no_command_prints_a_control_character(minimal: HandbookDir) -> None:
    pwned = 'title: "\\e]0;pwned\\a\\e[31mChange"'
    minimal.replace(POLICY, "title: Change management policy", pwned)
    minimal.replace(PHASES, "title: Foundations", 'title: "Found\\x1b[2Jations"')
    check, build = minimal.cli("check"), minimal.build(env=QUIET)
    assert check.returncode == 1 and build.returncode == 1
    title = minimal.line_of(PHASES, 'title: "Found')
    expected = [
        f"{POLICY}:2: error: control-character: title holds the control character \\x1b "
        "(U+001B); delete it",
        f"{PHASES}:{title}: error: control-character: title holds the control character "
        "\\x1b (U+001B); delete it",
    ]
    assert check.stdout.splitlines() == expected
    for done in (check, build):
        said = _said(done)
        assert "\x1b" not in said and "\x07" not in said
        assert all(line in said.splitlines() for line in expected)


def test_reviews_escapes_what_would_break_its_columns(minimal: HandbookDir) -> None:
    """A tab is allowed in a title; `reviews` writes it escaped, so each line keeps its
    six tab-separated fields."""
    tabbed = 'title: "Change\\tmanagement"'
    minimal.replace("data/policies.yml", "title: Change management policy", tabbed)
    done = minimal.cli("reviews", env=DUE_SOON)
    assert done.returncode == 0, _said(done)
    assert done.stdout.splitlines() == [
        "2027-02-16\tdue-soon\tPOL-001\tChange\\tmanagement\tJane Doe\tjane.doe@example.org"
    ]


# --- the commands' own edges -----------------------------------------------------------


def test_render_refuses_an_earlier_output_whose_docs_is_a_link(
    minimal: HandbookDir, tmp_path: Path
) -> None:
    out, elsewhere = tmp_path / "plain", tmp_path / "elsewhere"
    assert minimal.cli("render", "--out", str(out)).returncode == 0
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep me", "utf-8")
    shutil.rmtree(out / "docs")
    os.symlink(elsewhere, out / "docs")
    done = minimal.cli("render", "--out", str(out))
    assert done.returncode == 1
    assert _said(done).splitlines() == [
        f"sms-handbook: refused: {out}/docs is a symbolic link; render replaces only what it "
        "wrote itself: remove the link, or render to another folder"
    ]
    assert [p.name for p in elsewhere.iterdir()] == ["keep.txt"]
    assert (out / "docs").is_symlink()


def test_record_approvals_wants_a_commit_and_an_answer(minimal: HandbookDir) -> None:
    done = minimal.cli("record-approvals", "--commit", "HEAD", "--from", os.devnull)
    assert done.returncode == 2
    assert _said(done).splitlines() == [
        f"sms-handbook: error: {os.devnull}: holds no JSON value; the forge answers [] when "
        "there is nothing to record, so an empty file means its answer was not saved"
    ]
    # The commit is checked first: before the handbook, before the forge's answer.
    phases = minimal.read(PHASES)
    minimal.write(PHASES, "phases: [\n")
    done = minimal.cli("record-approvals", "--commit", "nope", "--from", "missing.json")
    assert done.returncode == 2
    assert _said(done).splitlines() == [
        "sms-handbook: error: 'nope' does not name a commit in this repository"
    ]
    minimal.write(PHASES, phases)
    minimal.write("none.json", "[]\n")
    done = minimal.cli("record-approvals", "--commit", "HEAD", "--from", "none.json")
    assert done.returncode == 0, _said(done)
    assert "no approval to record: the forge reports none" in done.stderr


def test_a_closed_pipe_ends_a_command_quietly(minimal: HandbookDir) -> None:
    """`sms-handbook check | head -1`: the reader goes away after one line of many."""
    activities = "".join(
        f"      - {{id: A{i}, title: Task, owner: nobody{i}, status: planned}}\n"
        for i in range(3000)
    )
    minimal.write(
        PHASES,
        "phases:\n  - id: P1\n    title: One\n    start: 2026-01-05\n    end: 2026-04-30\n"
        "    activities:\n" + activities,
    )
    command = [str(BIN / "sms-handbook"), "check"]
    with subprocess.Popen(
        command, cwd=minimal.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        first = child.stdout.readline()
        child.stdout.close()  # as `head -1` does
        stderr = child.stderr.read().decode("utf-8", "replace")
        status = child.wait(timeout=120)
    assert first.startswith(b"data/phases.yml:7: error: unknown-person: ")
    assert status == 141  # as a shell reports a command that SIGPIPE ended
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    # The same through a shell's pipe.
    shell = run("sh", "-c", "sms-handbook check | head -1", cwd=minimal.root)
    assert shell.stdout.startswith("data/phases.yml:7: error: unknown-person: ")
    assert "Traceback" not in shell.stderr and "BrokenPipe" not in shell.stderr


def test_an_asset_linked_outside_the_repository_is_not_published(minimal, tmp_path) -> None:
    """Not only pages: an image or any other file of docs_dir that leads outside the
    repository is refused by check, the build and render, and never copied."""
    secret = tmp_path / "outside.txt"
    secret.write_text("the DC2 door code is 4711\n")
    link = minimal.path("content/assets/notes.txt")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    expected = "content/assets/notes.txt:1: error: outside-repository: notes.txt is a symbolic link"
    done = minimal.cli("check")
    assert done.returncode == 1 and expected in done.stdout
    built = minimal.build()
    assert built.returncode == 1 and expected in built.stderr
    site = minimal.path("site")
    assert not any("4711" in p.read_text(errors="replace") for p in site.rglob("*.txt"))
    rendered = minimal.cli("render", "--out", str(tmp_path / "plain"))
    assert rendered.returncode == 1 and expected in rendered.stdout + rendered.stderr
