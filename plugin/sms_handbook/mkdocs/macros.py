"""mkdocs-macros integration: registers the handbook's macros and `sms` variables
(`sms_handbook.core.site.macros`) when the macros plugin is enabled, before or after
`sms-handbook` in mkdocs.yml."""

from __future__ import annotations

from typing import Any

from ..core.site.macros import MacroContext


def register(context: MacroContext, macros: Any) -> None:
    """Register the handbook's macros and variables with the mkdocs-macros plugin."""
    macros.register_macros(context.macros())
    macros.register_variables(context.variables())
