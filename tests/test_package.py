"""The installed package: layering, package data, and the catalogues it ships."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

import sms_handbook
from conftest import PROJECT
from sms_handbook.core import policy_templates, standards
from sms_handbook.core.data import schemas

CORE = PROJECT / "plugin" / "sms_handbook" / "core"


def test_core_never_imports_mkdocs_in_source() -> None:
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "mkdocs" for n in names), (
                f"{path.name} imports {names}"
            )


def test_core_loads_without_mkdocs_at_runtime() -> None:
    code = (
        "import sys, sms_handbook.core.data.loader, sms_handbook.core.data.validate;"
        "print(any(m.split('.')[0] == 'mkdocs' for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tests_run_against_an_installed_package() -> None:
    # scripts/test installs the project non-editably: package data must come from the wheel.
    installed = Path(sms_handbook.__file__).resolve()
    if PROJECT / "plugin" in installed.parents:
        pytest.skip("running against an editable install")
    assert "site-packages" in installed.parts


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_shipped_schemas_are_valid_json_schema(name: str) -> None:
    text = (files("sms_handbook") / "schemas" / f"{name}.schema.json").read_text()
    Draft202012Validator.check_schema(json.loads(text))


@pytest.mark.parametrize("edition", standards.EDITIONS)
def test_catalogue_is_ordered_unique_and_complete(edition: str) -> None:
    catalogue = standards.standard(edition)
    numbers = [c.number for c in catalogue.clauses]
    assert len(numbers) == len(set(numbers))
    key = [tuple(int(p) for p in n.split(".")) for n in numbers]
    assert key == sorted(key)
    for clause in catalogue.clauses:
        assert clause.title.strip()
        assert clause.parent is None or clause.parent in catalogue, clause.number


def test_2018_catalogue_has_the_operation_clauses() -> None:
    catalogue = standards.standard("iso20000-1:2018")
    for number in ("8.5.1.1", "8.7.3.1", "8.3.4.2", "7.5.3", "9.4", "10.2"):
        assert number in catalogue
    assert catalogue.by_number["8.5.1"].title == "Change management"


def test_crosswalk_numbers_exist_in_their_editions() -> None:
    for topic in standards.crosswalk():
        for edition, numbers in topic.clauses.items():
            for number in numbers:
                assert number in standards.standard(edition), (topic.topic, edition, number)
    assert "8.5.1" in standards.equivalents("9.2", "iso20000-1:2011", "iso20000-1:2018")


def test_policy_templates() -> None:
    templates = policy_templates.builtin()
    assert {"service-management", "change-management", "information-security"} <= set(templates)
    assert len(templates) >= 9
    headings = [
        "Purpose", "Scope", "Policy statements", "Roles and responsibilities",
        "Compliance and exceptions", "Review and approval", "Related documents",
    ]  # fmt: skip
    for template in templates.values():
        assert [s.heading for s in template.sections] == headings, template.id
        assert all(s.guidance.strip() and s.skeleton.strip() for s in template.sections)
        for edition, numbers in template.clauses.items():
            assert all(n in standards.standard(edition) for n in numbers), template.id


def test_package_data_files_are_utf8_yaml() -> None:
    root = files("sms_handbook")
    for folder in ("standards", "templates/policies"):
        directory = root.joinpath(*folder.split("/"))
        for entry in directory.iterdir():
            if entry.name.endswith(".yml"):
                assert isinstance(yaml.safe_load(entry.read_text(encoding="utf-8")), dict)
