"""`sms-handbook render`: the handbook as a plain folder, built without the plugin by
MkDocs, ProperDocs and Zensical (each from its own environment), carrying the same
facts as the plugin's build."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import EPOCH_2026_11_27, HandbookDir, committed, copy_exemplar, run
from test_platforms import _environment

ENV = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_27}
WITHHELD = "content/plans/service-continuity-plan.md"  # confidential: never published


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[HandbookDir, Path]:
    handbook = committed(copy_exemplar(tmp_path_factory.mktemp("render") / "exemplar"))
    out = handbook.root.parent / "plain"
    done = handbook.cli("render", "--out", str(out), env=ENV)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return handbook, out


@pytest.fixture(scope="module")
def sites(rendered: tuple[HandbookDir, Path]) -> dict[str, Path]:
    """The rendered folder built by each generator, none of which runs our plugin."""
    _, out = rendered
    built = {}
    commands = {
        "mkdocs": ["mkdocs", "build", "--strict", "-d", "site-mkdocs"],
        "properdocs": [
            str(_environment(".venv-properdocs") / "properdocs"), "build", "--strict",
            "-d", "site-properdocs",
        ],
        "zensical": [str(_environment(".venv-zensical") / "zensical"), "build", "--clean"],
    }  # fmt: skip
    for name, command in commands.items():
        done = run(*command, cwd=out, env=ENV)
        assert done.returncode == 0, f"{name}: {done.stderr}"
        site = out / ("site" if name == "zensical" else f"site-{name}")
        if name == "zensical":
            assert "Error" not in done.stderr, done.stderr
            shutil.move(site, out / "site-zensical")
            site = out / "site-zensical"
        built[name] = site
    return built


def _secret_lines(handbook: HandbookDir) -> list[str]:
    body = handbook.read(WITHHELD).split("\n---\n", 1)[1]
    lines = [line.strip() for line in body.splitlines() if len(line.strip()) > 50]
    assert len(lines) >= 3
    return lines


def test_the_folder_holds_every_page_with_its_blocks_and_no_plugin(rendered) -> None:
    handbook, out = rendered
    docs = out / "docs"
    policy = (docs / "policies/change-management.md").read_text("utf-8")
    assert 'data-smsh-document="POL-002"' in policy and "smsh-history" in policy
    assert policy.index("smsh-docmeta") < policy.index("## Revision history")
    for page in ("phases/index.md", "phases/p1.md", "compliance.md", "documents/index.md",
                 "reviews.md", "policies/templates/index.md"):  # fmt: skip
        text = (docs / page).read_text("utf-8")
        assert "smsh-fragment" not in text, page  # every block is in
    assert "<table" in (docs / "documents/index.md").read_text("utf-8")
    assets = ("assets/sms-handbook/sms-handbook.css", "assets/sms-handbook/sms-handbook.js")
    for name in ("documents.json", "documents.csv", "reviews.ics", *assets):
        assert (docs / name).is_file(), name
    assert list(docs.glob("documents/pol-002/*/index.html"))  # archives
    # Our macros are expanded in the copies (no plugin will be there to expand them).
    source = handbook.read("content/policies/information-security.md")
    assert '{{ document("' in source
    copy = (docs / "policies/information-security.md").read_text("utf-8")
    assert '{{ document("' not in copy and 'class="smsh-docref"' in copy
    for page in docs.rglob("*.md"):
        text = page.read_text("utf-8")
        assert "{% raw %}" not in text and "sms-handbook:dashboard" not in text, page
    config = yaml.safe_load((out / "mkdocs.yml").read_text("utf-8"))
    assert config["docs_dir"] == "docs"
    names = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert "sms-handbook" not in names and "macros" not in names and "search" in names
    assert config["theme"]["custom_dir"] == "overrides"  # copied: the folder travels
    copyright = "partials/copyright.html"
    assert (out / "overrides" / copyright).read_bytes() == handbook.path("overrides").joinpath(
        copyright
    ).read_bytes()
    assert "assets/sms-handbook/sms-handbook.css" in config["extra_css"]


def test_restricted_text_appears_nowhere(rendered, sites) -> None:
    handbook, out = rendered
    secrets = _secret_lines(handbook)
    for path in out.rglob("*"):
        if path.is_file() and ".cache" not in path.parts:
            text = path.read_bytes().decode("utf-8", "replace")
            for line in secrets:
                assert line not in text, (path, line)
    stub = (out / "docs/plans/service-continuity-plan.md").read_text("utf-8")
    assert "not published" in stub.lower()


@pytest.mark.parametrize("generator", ["mkdocs", "properdocs", "zensical"])
def test_each_generator_builds_the_same_facts(rendered, sites, generator) -> None:
    handbook, _ = rendered
    site = sites[generator]
    policy = (site / "policies/change-management.html").read_text("utf-8")
    assert 'data-smsh-document="POL-002"' in policy
    assert "POL-002 · Change management policy · version 1.1 · approved" in policy
    assert "smsh-history" in policy and "Revision history" in policy
    # The footer's dates from Git, as the plugin's build shows them.
    assert 'title="Last update"' in policy and 'title="Created"' in policy
    generated = ("phases/index", "phases/p2", "compliance", "documents/index", "reviews")
    for page in (*(f"{g}.html" for g in generated), "policies/templates/index.html"):
        assert (site / page).is_file(), page
    assert "POL-002" in (site / "documents/index.html").read_text("utf-8")
    home = (site / "index.html").read_text("utf-8")
    assert "smsh-dashboard" in home

    # The same register as the plugin's own build: ids, versions, statuses, revisions.
    built = handbook.build(env=ENV)
    assert built.returncode == 0, built.stderr
    plugin = json.loads(handbook.read("site/documents.json"))
    plain = json.loads((site / "documents.json").read_text("utf-8"))
    facts = ("id", "version", "status", "owner", "approver", "approved_on", "review_state")

    def summary(payload):
        return [
            ({k: d[k] for k in facts}, [r["commit"] for r in d["revisions"]])
            for d in payload["documents"]
        ]

    assert summary(plain) == summary(plugin)
    assert _broken_links(site) == {}
    assert _broken_links(handbook.path("site")) == {}  # the plugin's own build


def _broken_links(site: Path) -> dict[str, list[str]]:
    """Relative links of the site's pages (archives too) whose target is not in it."""
    broken: dict[str, list[str]] = {}
    for page in site.rglob("*.html"):
        rel = page.relative_to(site).as_posix()
        if rel == "404.html":  # links from the site's root, wherever it is served
            continue
        for url in re.findall(r'(?:href|src)="([^"]+)"', page.read_text("utf-8")):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path or url.startswith("#"):
                continue
            path = posixpath.join(posixpath.dirname(rel), unquote(parts.path))
            target = site / posixpath.normpath(path)
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.setdefault(rel, []).append(url)
    return broken


def test_render_never_replaces_a_folder_it_did_not_write(rendered, tmp_path) -> None:
    handbook, out = rendered
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    refused = handbook.cli("render", "--out", str(mine), env=ENV)
    assert refused.returncode == 1
    assert "was not written by `sms-handbook render`" in refused.stderr
    assert (mine / "notes.txt").read_text() == "keep me" and len(list(mine.iterdir())) == 1
    inside = handbook.cli("render", "--out", "content/plain", env=ENV)
    assert inside.returncode == 1 and "inside docs_dir" in inside.stderr
    assert not handbook.path("content/plain").exists()
    again = handbook.cli("render", "--out", str(out), env=ENV)  # its own folder: replaced
    assert again.returncode == 0, again.stderr


def test_a_macro_that_cannot_be_expanded_is_a_located_error(minimal: HandbookDir) -> None:
    minimal.replace("mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook\n  - macros\n")
    page = "# Notes\n\nSee {{ document('POL-001') }}.\n\n{{ shout() }}\n"
    minimal.write("content/notes.md", page)
    done = minimal.cli("render", "--out", str(minimal.root.parent / "plain"))
    assert done.returncode == 1
    assert "content/notes.md:5: error: macro: UndefinedError: 'shout' is undefined" in done.stdout
    assert "Traceback" not in done.stderr
    minimal.write("content/notes.md", "# Notes\n\nSee {{ document('POL-001') }}.\n")
    done = minimal.cli("render", "--out", str(minimal.root.parent / "plain"))
    assert done.returncode == 0, done.stdout + done.stderr
    notes = (minimal.root.parent / "plain/docs/notes.md").read_text("utf-8")
    assert "POL-001" in notes and "{{" not in notes


# --- the folder travels ---------------------------------------------------------------


class _Tags(yaml.SafeLoader):
    """A config's YAML, each tagged value read as its tag (`!!python/name:...`)."""


_Tags.add_multi_constructor("", lambda loader, suffix, node: node.tag)


def _elsewhere(out: Path, root: Path) -> Path:
    """A copy of the rendered folder (without its built sites) where no path of the
    project can be reached from it."""
    moved = root / "moved" / "plain"
    shutil.copytree(out, moved, ignore=shutil.ignore_patterns("site", "site-*"))
    return moved


def _no_way_back(moved: Path, project: Path) -> None:
    text = (moved / "mkdocs.yml").read_text("utf-8")
    assert "../" not in text and str(project) not in text and str(project.resolve()) not in text
    config = yaml.load(text, Loader=_Tags)
    paths = [config["docs_dir"], config["theme"].get("custom_dir", "."), *config.get("hooks", [])]
    assert all(not p.startswith("..") and not Path(p).is_absolute() for p in paths), paths
    assert "watch" not in config and "site_dir" not in config and "INHERIT" not in config


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_the_folder_builds_after_it_is_moved(rendered, tmp_path, generator) -> None:
    handbook, out = rendered
    moved = _elsewhere(out, tmp_path)
    _no_way_back(moved, handbook.root)
    if generator == "mkdocs":
        command = ["mkdocs", "build", "--strict"]
    else:
        command = [str(_environment(".venv-zensical") / "zensical"), "build", "--clean"]
    done = run(*command, cwd=moved, env=ENV)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "does not exist" not in done.stderr
    home = (moved / "site/index.html").read_text("utf-8")
    assert "Printed copies are uncontrolled." in home  # the theme's override, carried


def _travelling(handbook: HandbookDir) -> None:
    """The minimal handbook with everything a config can point at in the project: an
    inherited config, the theme's custom_dir (a partial linked to a file elsewhere in
    the repository), a hook, `watch`, snippets from `!relative $config_dir/...`, and
    `!!python/name` tags."""
    handbook.write("base.yml", "theme:\n  name: material\n  font: false\n  custom_dir: theme\n")
    handbook.replace("mkdocs.yml", "theme:\n  name: material\n  font: false\n", "")
    handbook.replace("mkdocs.yml", "site_name:", "INHERIT: base.yml\nsite_name:")
    handbook.write("shared/copyright.html", "<div>The carried footer.</div>\n")
    handbook.path("theme/partials").mkdir(parents=True)
    handbook.path("theme/partials/copyright.html").symlink_to("../../shared/copyright.html")
    hook = "def on_page_markdown(markdown, **kwargs):\n    return markdown + '\\n\\nHooked page.'\n"
    handbook.write("hooks/stamp.py", hook)
    handbook.write("snippets/note.md", "A carried snippet.\n")
    handbook.replace("content/index.md", "\n", '\n\n--8<-- "note.md"\n\n')
    handbook.write(
        "mkdocs.yml",
        handbook.read("mkdocs.yml")
        + "hooks:\n  - hooks/stamp.py\nwatch:\n  - data\nmarkdown_extensions:\n"
        "  - pymdownx.snippets:\n      base_path: [!relative $config_dir/snippets]\n"
        "      check_paths: true\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n",
    )


def test_what_the_config_points_at_travels_with_the_folder(minimal, tmp_path) -> None:
    _travelling(minimal)
    assert minimal.build().returncode == 0  # the project itself builds
    out = tmp_path / "plain"
    done = minimal.cli("render", "--out", str(out))
    assert done.returncode == 0, done.stderr
    config = yaml.load((out / "mkdocs.yml").read_text("utf-8"), Loader=_Tags)
    assert config["theme"]["custom_dir"] == "theme" and config["hooks"] == ["hooks/stamp.py"]
    assert not (out / "theme/partials/copyright.html").is_symlink()  # a copy, not a link
    moved = _elsewhere(out, tmp_path)
    _no_way_back(moved, minimal.root)
    built = run("mkdocs", "build", "--strict", cwd=moved)
    assert built.returncode == 0, built.stderr
    home = (moved / "site/index.html").read_text("utf-8")
    for text in ("The carried footer.", "Hooked page.", "A carried snippet."):
        assert text in home, text
    again = minimal.cli("render", "--out", str(out))  # the copies are replaced
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("where", ["custom_dir", "link"])
def test_nothing_from_outside_the_repository_is_copied(minimal, tmp_path, where) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.html").write_text("secret theme\n", "utf-8")
    if where == "custom_dir":
        minimal.replace(
            "mkdocs.yml", "  font: false\n", "  font: false\n  custom_dir: ../outside\n"
        )
        message = "theme.custom_dir '../outside' is outside the repository"
    else:
        minimal.path("theme").mkdir()
        minimal.path("theme/main.html").symlink_to(outside / "main.html")
        minimal.replace("mkdocs.yml", "  font: false\n", "  font: false\n  custom_dir: theme\n")
        message = "is a symbolic link to " + str((outside / "main.html").resolve())
    out = tmp_path / "plain"
    done = minimal.cli("render", "--out", str(out))
    assert done.returncode == 1
    assert message in done.stderr and "refused" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()  # refused before anything was written
