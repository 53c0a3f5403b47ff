"""`sms-handbook check`: exit status, one problem a line, never a traceback."""

from __future__ import annotations

import os
import re
import stat

from conftest import HandbookDir

LINE = re.compile(r"^[^:\s]+:\d+: (error|warning): [a-z0-9-]+: .+$")


def test_clean_handbook_exits_0(minimal: HandbookDir) -> None:
    done = minimal.cli("check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""
    assert "ok: Testing Services Ltd: 2 phases, 3 activities, 3 documents" in done.stderr


def test_problems_exit_1_one_a_line(minimal: HandbookDir) -> None:
    minimal.replace("data/phases.yml", "owner: mkhan", "owner: mkahn")
    minimal.replace("data/organization.yml", "Europe/London", "Mars/Olympus")
    done = minimal.cli("check")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    assert all(LINE.match(line) for line in lines), lines
    assert lines[0].startswith("data/organization.yml:4: error: invalid-timezone: ")
    owner_line = minimal.line_of("data/phases.yml", "owner: mkahn")
    assert lines[1].startswith(f"data/phases.yml:{owner_line}: error: unknown-person: ")
    assert "2 error(s), 0 warning(s)" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_warnings_alone_exit_1(minimal: HandbookDir) -> None:
    minimal.replace("data/documents.yml", "    retention: 3 years\n", "")
    done = minimal.cli("check")
    assert done.returncode == 1
    assert ": warning: missing-retention: " in done.stdout


def test_config_file_option(minimal: HandbookDir, tmp_path) -> None:
    done = minimal.cli("check", "-f", str(minimal.path("mkdocs.yml")))
    assert done.returncode == 0
    elsewhere = HandbookDir(tmp_path)
    assert elsewhere.cli("check", "-f", str(minimal.path("mkdocs.yml"))).returncode == 0


def test_no_handbook_exits_2(tmp_path) -> None:
    done = HandbookDir(tmp_path).cli("check")
    assert done.returncode == 2
    assert "no handbook found: mkdocs.yml does not exist" in done.stderr
    assert "Traceback" not in done.stderr


def test_site_without_the_plugin_exits_2(minimal: HandbookDir) -> None:
    minimal.replace("mkdocs.yml", "  - sms-handbook\n", "")
    done = minimal.cli("check")
    assert done.returncode == 2
    assert "does not enable the sms-handbook plugin" in done.stderr


def test_bad_plugin_option_exits_2(minimal: HandbookDir) -> None:
    minimal.replace("mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook:\n      data_dir: nope\n")
    done = minimal.cli("check")
    assert done.returncode == 2
    assert "data_dir" in done.stderr and "nope" in done.stderr
    assert "Traceback" not in done.stderr


def test_data_dir_option_is_read_from_mkdocs_yml(minimal: HandbookDir) -> None:
    minimal.path("data").rename(minimal.path("registers"))
    minimal.replace(
        "mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook:\n      data_dir: registers\n"
    )
    done = minimal.cli("check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_invalid_mkdocs_yml_exits_2(minimal: HandbookDir) -> None:
    minimal.write("mkdocs.yml", "site_name: [broken\n")
    done = minimal.cli("check")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_usage_error_exits_2(minimal: HandbookDir) -> None:
    assert minimal.cli("frobnicate").returncode == 2
    assert minimal.cli().returncode == 2


def test_written_files_are_whole_and_replaced_only_with_force(minimal: HandbookDir) -> None:
    """`new` and `export` write through a temporary file and never replace without --force."""
    umask = os.umask(0)
    os.umask(umask)
    created = minimal.cli("new", "procedure", "--id", "PRC-9", "--title", "Backups")
    assert created.returncode == 0, created.stderr
    page = minimal.path("content/procedures/backups.md")
    assert stat.S_IMODE(page.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600

    user_file = minimal.write("notes.txt", "the user's own notes\n")
    link = minimal.path("register.json")
    link.symlink_to(user_file)
    refused = minimal.cli("export", "--format", "json", "-o", "register.json")
    assert refused.returncode == 1 and "not overwriting" in refused.stderr
    forced = minimal.cli("export", "--format", "json", "-o", "register.json", "--force")
    assert forced.returncode == 0, forced.stderr
    assert not link.is_symlink() and '"documents"' in link.read_text()
    assert user_file.read_text() == "the user's own notes\n"  # the link went, not its target

    minimal.path("folder.json").mkdir()
    into_folder = minimal.cli("export", "--format", "json", "-o", "folder.json", "--force")
    assert into_folder.returncode == 1
    assert "cannot write folder.json" in into_folder.stderr
    assert "Traceback" not in into_folder.stderr
    leftovers = [p.name for p in minimal.root.rglob("*.tmp")]
    assert leftovers == []


def test_export_help_lists_every_choice_of_what(minimal: HandbookDir) -> None:
    from sms_handbook.cli import _parser

    commands = next(a for a in _parser()._actions if a.dest == "command")
    export = commands.choices["export"]
    choices = next(a for a in export._actions if a.dest == "what").choices
    assert {"register", "compliance", "disposals"} <= set(choices)
    done = minimal.cli("export", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    help_line = text[text.index("--what {") :].split("}", 1)[1]  # after the usage's choices
    for choice in choices:
        assert f"{choice} (" in help_line, choice
    assert "compliance matrix" in " ".join(minimal.cli("--help").stdout.split())


def test_an_empty_list_of_phases_is_accepted(minimal: HandbookDir) -> None:
    minimal.write("data/phases.yml", "phases: []\n")
    for name in ("data/documents.yml", "data/policies.yml"):  # no phase to refer to
        minimal.write(name, minimal.read(name).replace("    phase: P1\n", ""))
    done = minimal.cli("check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok: Testing Services Ltd: 0 phases, 0 activities, 3 documents" in done.stderr
    built = minimal.build()
    assert built.returncode == 0, built.stderr
    phases = minimal.read("site/phases/index.html")
    assert "Implementation phases" in phases and "smsh-" in minimal.read(
        "site/compliance/index.html"
    )
