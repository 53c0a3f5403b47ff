"""The typed options of the `sms-handbook` plugin in mkdocs.yml.

`concurrency`, as Material's own plugins (privacy, social, optimize) have it: how many
processes may work on a build at once, the build's own included. `1` runs everything in
the build's own process. Above 1, where a fork is safe (on Linux, in `mkdocs build`, not
`serve`, with no other thread alive), the plugin's later stage (revision tables, the
generated pages' tables, exports, archives) runs in one worker process beside the page
rendering, and once the pages are written a helper shares the archives with it: two
processes at most, so any value above 2 acts as 2. Elsewhere everything runs in the
build's own process. The site is the same, byte for byte, whatever the value. Default:
the number of CPUs (Material counts the threads beside MkDocs' own, one fewer than the
CPUs; this counts the build's own process too, so the total is the same). See
ARCHITECTURE.md, "Process model".
"""

from __future__ import annotations

import os
from datetime import date

from ..compat import unsupported_mkdocs

try:
    from mkdocs.config import base
    from mkdocs.config import config_options as c
except ImportError as exc:  # MkDocs 2 has none of these
    raise ImportError(unsupported_mkdocs() or str(exc)) from None

from ..core.model import CLASSIFICATIONS


class SmsHandbookConfig(base.Config):
    """Options of the `sms-handbook` plugin in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off, e.g. `enabled: !ENV [SMS_HANDBOOK, true]`."""
    concurrency = c.Type(int, default=os.cpu_count() or 1)
    """How many processes may work on a build at once, the build's own included (see the
    module's docstring): `1` runs everything in the build's own process. Default: the
    number of CPUs."""
    data_dir = c.Dir(exists=True, default="data")
    """Folder holding organization.yml, phases.yml and the registers, relative to mkdocs.yml."""
    templates_dir = c.Optional(c.Dir(exists=True))
    """The organization's own policy templates (`*.yml`, relative to mkdocs.yml); they add
    to the built-in Annex C templates, or replace one with the same id."""
    phases_dir = c.Type(str, default="phases")
    """Where the phase pages go in the site: `phases/` and `phases/<id>/`."""
    compliance_page = c.Type(str, default="compliance")
    """Where the compliance (gap) matrix goes: `compliance/`."""
    documents_dir = c.Type(str, default="documents")
    """Where the document index and generated document pages go: `documents/`."""
    reviews_page = c.Type(str, default="reviews")
    """Where the review schedule goes: `reviews/`."""
    project_page = c.Type(str, default="project")
    """Where the implementation project goes, when data/project.yml exists: `project/`."""
    improvement_page = c.Type(str, default="improvement")
    """Where nonconformities and actions go, when either file exists: `improvement/`."""
    risks_page = c.Type(str, default="risks")
    """Where the risk register goes, when data/risks.yml exists: `risks/`."""
    management_review_page = c.Type(str, default="management-review")
    """Where the management reviews go, when data/management-reviews.yml exists:
    `management-review/`."""
    records_page = c.Type(str, default="records")
    """Where the records register goes (retention and disposal schedule, disposal log):
    `records/`."""
    control_page = c.Type(str, default="documents/control")
    """Where the change-control page goes: every revision's approval evidence, exceptions
    first: `documents/control/`."""
    in_force_page = c.Type(str, default="documents/in-force")
    """Where the register as in force on a date goes: `documents/in-force/`."""
    templates_page = c.Type(str, default="policies/templates")
    """Where the policy templates and their guidance go: `policies/templates/`."""
    publish_max_classification = c.Choice(CLASSIFICATIONS, default="internal")
    """Documents classified above this are not published: no text on any page, in search
    or in the exports; the index lists them by id, title and owner."""
    history = c.Type(bool, default=True)
    """Read revision history from Git. Without a repository the build warns (so `--strict`
    fails); set false to build without history on purpose."""
    commit_url = c.Optional(c.Type(str))
    """Link commits in revision tables, e.g. `https://git.example.org/sms/-/commit/{sha}`.
    Default: derived from `repo_url`."""
    pull_request_url = c.Optional(c.Type(str))
    """Link pull requests, e.g. `https://git.example.org/sms/-/merge_requests/{number}`.
    Default: derived from `repo_url`."""
    show_emails = c.Type(bool, default=False)
    """Publish authors' e-mail addresses in revision tables (off: names only)."""
    archives = c.Type(bool, default=True)
    """Publish every approved version as it was approved, at `documents/<id>/<version>/`,
    with the changes from the version before."""
    pdf = c.Type(bool, default=False)
    """A controlled copy (PDF) of every published approved version, beside its archive,
    and of a draft's current text marked NOT APPROVED; needs `pip install
    sms-handbook[pdf]` (WeasyPrint)."""
    cache = c.Type(bool, default=True)
    """Keep the archives' HTML and each page version's front matter (an approved
    version, like any past version, never changes) between builds, in `cache_dir`."""
    control_since = c.Optional(c.Type((str, date)))
    """Where change control begins: a date (`2026-06-01`) or a commit on the main line
    (quoted: `"3f2a9c1"`). Revisions before it stay in the revision tables, marked as
    before change control, but are not judged."""
    strict_change_control = c.Type(bool, default=False)
    """Every change-control exception after `control_since` is a build warning, so
    `mkdocs build --strict` fails on it."""
    cache_dir = c.Type(str, default=".cache/plugin/sms-handbook")
    """Where they are kept, relative to mkdocs.yml (keep `.cache/` out of Git)."""
