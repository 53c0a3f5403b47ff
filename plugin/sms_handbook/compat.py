"""Which MkDocs can run the plugin: MkDocs 1.6, or ProperDocs 1.6 (its drop-in fork).

MkDocs 2 has no plugin system (and refuses `mkdocs.yml`), so the plugin and the
command refuse it with a message that says what to install instead.
"""

from __future__ import annotations

INSTALL = "install `mkdocs>=1.6,<2` (pip install 'mkdocs<2') or ProperDocs (pip install properdocs)"


def unsupported_mkdocs() -> str | None:
    """Why the installed MkDocs cannot run sms-handbook, or None when it can."""
    try:
        import mkdocs
    except ImportError:
        return (
            f"sms-handbook needs MkDocs 1.6 or ProperDocs 1.6, and neither is installed: {INSTALL}"
        )
    version = str(getattr(mkdocs, "__version__", ""))
    major = version.split(".")[0]
    if major.isdigit() and int(major) >= 2:
        return (
            f"sms-handbook needs MkDocs 1.6 or ProperDocs 1.6, but MkDocs {version} is "
            f"installed, which has no plugin system: {INSTALL}"
        )
    return None
