"""Real `mkdocs build` runs: bad data fails the build clearly; warnings count under --strict."""

from __future__ import annotations

import pytest

from conftest import GitRepo, HandbookDir, run


def test_minimal_builds_strict(minimal: HandbookDir) -> None:
    done = minimal.build()
    assert done.returncode == 0, done.stderr
    assert (minimal.path("site/policies/change/index.html")).is_file()


def test_bad_data_fails_the_build_naming_file_and_line(minimal: HandbookDir) -> None:
    minimal.replace("data/phases.yml", "status: planned", "status: planed")
    done = minimal.build()
    assert done.returncode != 0
    line = minimal.line_of("data/phases.yml", "status: planed")
    assert f"data/phases.yml:{line}: error: invalid-value: status: 'planed'" in done.stderr
    assert "did you mean 'planned'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not minimal.path("site/index.html").exists()


def test_yaml_syntax_error_fails_the_build(minimal: HandbookDir) -> None:
    minimal.write("data/organization.yml", "name: [unclosed\n")
    done = minimal.build()
    assert done.returncode != 0
    assert "data/organization.yml:2: error: yaml-syntax" in done.stderr
    assert "Traceback" not in done.stderr


def test_warning_fails_only_under_strict(minimal: HandbookDir) -> None:
    minimal.replace("data/documents.yml", "    retention: 3 years\n", "")
    strict = minimal.build()
    assert strict.returncode != 0
    assert "WARNING -  sms_handbook: data/documents.yml:4: warning: missing-retention" in (
        strict.stderr
    )
    lenient = run("mkdocs", "build", cwd=minimal.root)
    assert lenient.returncode == 0, lenient.stderr


def test_disabled_plugin_skips_validation(minimal: HandbookDir) -> None:
    minimal.replace("mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook:\n      enabled: false\n")
    minimal.replace("data/phases.yml", "status: planned", "status: planed")
    assert minimal.build().returncode == 0


def test_builds_from_a_fresh_clone_of_a_real_repository(
    git_handbook: tuple[HandbookDir, GitRepo], tmp_path
) -> None:
    handbook, repo = git_handbook
    log = repo.git("log", "--format=%H %cI %s", "--first-parent")
    assert log.splitlines()[0].endswith("Merge pull request #12 from jdoe/policy-v1.1")
    assert "2026-02-01T23:30:00+00:00 Clarify purpose" in log
    clone = tmp_path / "clone"
    assert run("git", "clone", "-q", handbook.root, clone, cwd=tmp_path).returncode == 0
    built = HandbookDir(clone).build()
    assert built.returncode == 0, built.stderr
    html = (clone / "site/procedures/incident-management/index.html").read_text()
    assert "Incident procedure" in html


def test_serve_rebuilds_reuse_the_plugin_and_its_cache(minimal: HandbookDir) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = str(minimal.path("site"))
    config = load_config(str(minimal.path("mkdocs.yml")), site_dir=site)
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    plugin = config.plugins["sms-handbook"]
    loader = plugin.pipeline.loader
    cached = dict(loader._cache)
    # `mkdocs serve` reloads mkdocs.yml for every rebuild.
    again = load_config(str(minimal.path("mkdocs.yml")), site_dir=site)
    build(again)
    assert again.plugins["sms-handbook"] is plugin
    assert plugin.pipeline.loader is loader
    assert all(loader._cache[k][1] is v[1] for k, v in cached.items())
    config.plugins.on_shutdown()


def test_serve_rebuilds_redo_only_what_an_edit_changes(minimal: HandbookDir, caplog) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    site = str(minimal.path("site"))

    def rebuild():
        config = load_config(str(minimal.path("mkdocs.yml")), site_dir=site)
        config.plugins.on_startup(command="serve", dirty=False)
        build(config)
        return config.plugins["sms-handbook"]

    plugin = rebuild()
    result, pages, kept = plugin.pipeline.loader._last[2], plugin.build.pages, plugin.pipeline.kept
    policy = "content/policies/change.md"
    minimal.replace(policy, "Why we control changes.", "Why we control every change.")
    assert rebuild() is plugin
    # A text edit: the same validation, generated pages and background work.
    assert plugin.pipeline.loader._last[2] is result
    assert plugin.build.pages is pages
    assert plugin.pipeline.kept.files is kept.files  # not rendered again
    assert "every change" in minimal.read("site/policies/change/index.html")
    # MkDocs cleaned the site: the kept files are written again (while pages are built).
    assert "Why we control changes." in minimal.read("site/documents/pol-001/1.0/index.html")
    assert '"POL-001"' in minimal.read("site/documents.json")

    minimal.replace(policy, "## Scope", "## Range")  # breaks the template's headings
    with pytest.raises(Abort):
        rebuild()
    assert "missing-heading: missing heading 'Scope'" in caplog.text
    minimal.replace(policy, "## Range", "## Scope")
    minimal.replace(policy, 'version: "1.0"', 'version: "1.1"')  # front matter: redone
    rebuild()
    assert plugin.pipeline.loader._last[2] is not result
    assert plugin.pipeline.kept.files is not kept.files
    assert '"version": "1.1"' in minimal.read("site/documents.json")
    # Redone in process, with the past versions freed after the first build: the
    # approved 1.0 is read again and archived with its own text.
    assert "Why we control changes." in minimal.read("site/documents/pol-001/1.0/index.html")
