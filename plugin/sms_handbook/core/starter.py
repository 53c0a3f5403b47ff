"""A new handbook: the files `sms-handbook init` writes, and what goes in them.

The files are templates in `templates/init/` (real files, so they read as what they
make); a few `<<name>>` placeholders take the organization's name, the phases' dates
and the command that installs sms-handbook in CI.
"""

from __future__ import annotations

import html
import json
import re
import shlex
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.resources import files

import yaml

from .people import FORGES

#: Each template (under templates/init/) and where it goes in the new handbook.
COMMON = (
    ("mkdocs.yml", "mkdocs.yml"),
    ("data/organization.yml", "data/organization.yml"),
    ("data/phases.yml", "data/phases.yml"),
    ("data/policies.yml", "data/policies.yml"),
    ("data/documents.yml", "data/documents.yml"),
    ("content/index.md", "content/index.md"),
    ("gitignore", ".gitignore"),
)
CI = {
    "github": (("github/workflows/handbook.yml", ".github/workflows/handbook.yml"),),
    "gitlab": (("gitlab-ci.yml", ".gitlab-ci.yml"),),
}
#: Files whose presence means the folder already holds a handbook (MkDocs reads either).
CONFIG_FILES = ("mkdocs.yml", "mkdocs.yaml")
#: What the placeholder person of organization.yml is called.
PLACEHOLDER_PERSON = "sms-manager"
#: What CI installs with pip unless `init --requirement` says otherwise.
REQUIREMENT = "sms-handbook"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!])")
_PLACEHOLDER = re.compile(r"<<([a-z0-9_]+)>>")


@dataclass(frozen=True)
class StarterFile:
    path: str  # POSIX, relative to the new handbook's folder
    text: str


def organization_name(folder_name: str) -> str:
    """A placeholder organization name from the handbook folder's name."""
    name = " ".join(_CONTROL.sub(" ", folder_name).split())
    return name or "Example organization"


def phase_dates(start: date) -> dict[str, str]:
    """Three consecutive phases from `start` (about 4, 6 and 6 months), each with the due
    date of its one planned activity."""
    p1_end = start + timedelta(days=119)
    p2_start = p1_end + timedelta(days=1)
    p2_end = p2_start + timedelta(days=181)
    p3_start = p2_end + timedelta(days=1)
    p3_end = p3_start + timedelta(days=181)
    dates = {
        "p1_start": start, "p1_end": p1_end, "p1_due": start + timedelta(days=42),
        "p2_start": p2_start, "p2_end": p2_end, "p2_due": p2_end - timedelta(days=30),
        "p3_start": p3_start, "p3_end": p3_end, "p3_due": p3_end - timedelta(days=30),
    }  # fmt: skip
    return {key: value.isoformat() for key, value in dates.items()}


def starter_files(
    forge: str, *, name: str, today: date, requirement: str = REQUIREMENT
) -> list[StarterFile]:
    """The files of a new handbook for `forge`, in the order they are written; CI
    installs `requirement` with pip (ValueError when it is not one)."""
    if forge not in CI:
        raise ValueError(f"unknown forge {forge!r}; expected one of {', '.join(FORGES)}")
    site_name = f"{name} — SMS handbook"
    values = {
        "organization": _yaml_string(name),
        "site_name": _yaml_string(site_name),
        "title": _markdown_text(site_name),
        "install": _yaml_scalar(f"pip install {shlex.quote(checked_requirement(requirement))}"),
        **phase_dates(today),
    }
    folder = files("sms_handbook") / "templates" / "init"
    made = []
    for template, path in (*COMMON, *CI[forge]):
        text = folder.joinpath(*template.split("/")).read_text(encoding="utf-8")
        made.append(StarterFile(path, _fill(text, values, template)))
    return made


def checked_requirement(requirement: str) -> str:
    """What pip is to install (a requirement, a wheel's URL, `git+https://...@TAG`),
    stripped; ValueError when it is empty, an option or spans lines."""
    spec = requirement.strip()
    if not spec or _CONTROL.search(spec):
        raise ValueError(f"--requirement {requirement!r}: give one requirement, URL or path")
    if spec.startswith("-"):
        raise ValueError(f"--requirement '{spec}': a requirement, URL or path, not a pip option")
    return spec


def _fill(text: str, values: dict[str, str], template: str) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise KeyError(f"templates/init/{template}: no value for <<{match.group(1)}>>")
        return values[match.group(1)]

    return _PLACEHOLDER.sub(value, text)


def _yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar: plain when YAML reads it back as it is, else quoted."""
    try:
        if yaml.safe_load(text) == text:
            return text
    except yaml.YAMLError:
        pass
    return _yaml_string(text)


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _markdown_text(text: str) -> str:
    """Text that Markdown shows as it is: its punctuation escaped, HTML's as entities."""
    return html.escape(_MARKDOWN.sub(r"\\\1", text), quote=False)
