"""Where generated pages live in the site, and the URLs between pages.

URLs follow MkDocs' own rules, so generated pages can link with plain relative URLs
(raw HTML is not rewritten by MkDocs) under `use_directory_urls` true or false.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model import Document, Phase
from ..policy_templates import PolicyTemplate


@dataclass(frozen=True)
class Layout:
    phases_dir: str = "phases"
    compliance_page: str = "compliance"
    documents_dir: str = "documents"
    reviews_page: str = "reviews"
    templates_page: str = "policies/templates"
    control_page: str = "documents/control"
    in_force_page: str = "documents/in-force"
    records_page: str = "records"
    project_page: str = "project"
    improvement_page: str = "improvement"
    risks_page: str = "risks"
    management_review_page: str = "management-review"
    use_directory_urls: bool = True
    unpublished: frozenset[str] = frozenset()  # ids of documents withheld from the site
    commit_url: str | None = None  # e.g. https://git.example.org/sms/-/commit/{sha}
    pull_request_url: str | None = (
        None  # e.g. https://git.example.org/sms/-/merge_requests/{number}
    )
    show_emails: bool = False  # link authors to their e-mail addresses
    archives: bool = True  # publish approved versions at documents/<id>/<version>/
    pdfs: bool = False  # a PDF of each (the `pdf` option; the pipeline sets it)

    @property
    def phases_index(self) -> str:
        return f"{self.phases_dir}/index.md"

    def phase(self, phase: Phase) -> str:
        return f"{self.phases_dir}/{phase.slug}.md"

    @property
    def compliance(self) -> str:
        return f"{self.compliance_page}.md"

    @property
    def documents_index(self) -> str:
        return f"{self.documents_dir}/index.md"

    @property
    def reviews(self) -> str:
        return f"{self.reviews_page}.md"

    def document(self, document: Document) -> str:
        """The page of a document: its source page, or a generated page.

        Documents kept elsewhere, and unpublished ones whose source is not a page (a PDF,
        say), get a generated plain HTML page at `documents/<id>/index.html`.
        """
        source = document.source
        if source is not None and (source.endswith(".md") or document.id not in self.unpublished):
            return source
        return f"{self.documents_dir}/{document.slug}/index.html"

    @property
    def project(self) -> str:
        """The implementation project: business case, team, gates, scope changes, RACI."""
        return f"{self.project_page}.md"

    @property
    def improvement(self) -> str:
        """Nonconformities and actions: what needs attention first, then the closed."""
        return f"{self.improvement_page}.md"

    @property
    def risks(self) -> str:
        """The risk register: ratings, appetite, the heat maps."""
        return f"{self.risks_page}.md"

    @property
    def management_review(self) -> str:
        """Management reviews: topics covered and not, decisions, actions, the next due."""
        return f"{self.management_review_page}.md"

    @property
    def records(self) -> str:
        """The records register: retention and disposal schedule, disposal log."""
        return f"{self.records_page}.md"

    @property
    def control(self) -> str:
        """The change-control page: every revision's approval evidence, exceptions first."""
        return f"{self.control_page}.md"

    @property
    def in_force(self) -> str:
        """The register as in force on a date the reader picks."""
        return f"{self.in_force_page}.md"

    @property
    def templates_index(self) -> str:
        return f"{self.templates_page}/index.md"

    def template(self, template: PolicyTemplate) -> str:
        return f"{self.templates_page}/{template.id}.md"

    def archive(self, document: Document, version: str) -> str:
        """The as-approved copy of one version of a document (a plain HTML file)."""
        return f"{self.documents_dir}/{document.slug}/{version_slug(version)}/index.html"

    def pdf(self, document: Document, version: str) -> str:
        """The controlled copy (PDF) of one approved version, beside its archive."""
        slug = version_slug(version)
        return f"{self.documents_dir}/{document.slug}/{slug}/{document.id}-{slug}.pdf"

    def draft_pdf(self, document: Document) -> str:
        """The PDF of a draft's (or a document in review's) current text, marked not
        approved: `documents/<id>/<ID>-<version>-draft.pdf`."""
        version = f"-{version_slug(document.version)}" if document.version else ""
        return f"{self.documents_dir}/{document.slug}/{document.id}{version}-draft.pdf"

    def url(self, src_uri: str) -> str:
        """The site URL of a file, as MkDocs computes it (`""` for the home page)."""
        return _url(src_uri, self.use_directory_urls)

    def link(self, from_src: str, to_src: str, anchor: str = "") -> str:
        """A relative URL from the page `from_src` to the file `to_src`."""
        relative = _relative(self.url(from_src), self.url(to_src))
        return relative + (f"#{anchor}" if anchor else "")


@lru_cache(maxsize=1 << 16)
def _url(src_uri: str, use_directory_urls: bool) -> str:
    if not src_uri.endswith(".md"):
        return src_uri
    folder, name = posixpath.split(src_uri[:-3])
    if name in ("index", "README"):
        target = posixpath.join(folder, "index.html")
    elif use_directory_urls:
        target = posixpath.join(folder, name, "index.html")
    else:
        target = posixpath.join(folder, name + ".html")
    if use_directory_urls and target.endswith("index.html"):
        return target[: -len("index.html")]
    return target


@lru_cache(maxsize=1 << 16)
def _relative(here: str, there: str) -> str:
    """The relative URL from the page at URL `here` to `there` (pages link to the same
    few pages many times over: each pair is worked out once)."""
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    relative = posixpath.relpath(there or ".", base or ".")
    if (there.endswith("/") or not there) and relative != ".":
        relative += "/"
    if relative == ".":
        relative = "./"
    return relative


def version_slug(version: str) -> str:
    """A version as a URL segment: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", version).strip(".-") or "version"


def repo_links(repo_url: str | None) -> tuple[str | None, str | None]:
    """Commit and pull-request URL templates for a repository's web address."""
    if not repo_url:
        return None, None
    base = repo_url.rstrip("/")
    if "gitlab" in base:
        return f"{base}/-/commit/{{sha}}", f"{base}/-/merge_requests/{{number}}"
    if "bitbucket" in base:
        return f"{base}/commits/{{sha}}", f"{base}/pull-requests/{{number}}"
    if "github" in base:
        return f"{base}/commit/{{sha}}", f"{base}/pull/{{number}}"
    return f"{base}/commit/{{sha}}", f"{base}/pulls/{{number}}"  # Gitea, Forgejo


def layout_for(
    options: Mapping[str, Any], *, repo_url: str | None, use_directory_urls: bool
) -> Layout:
    """Where the handbook's pages go and how they link out, from the plugin's options
    (as mkdocs.yml gives them, with their defaults)."""
    commit_url, pull_request_url = repo_links(repo_url)
    return Layout(
        phases_dir=options["phases_dir"].strip("/"),
        compliance_page=options["compliance_page"].strip("/"),
        documents_dir=options["documents_dir"].strip("/"),
        reviews_page=options["reviews_page"].strip("/"),
        templates_page=options["templates_page"].strip("/"),
        control_page=options["control_page"].strip("/"),
        in_force_page=options["in_force_page"].strip("/"),
        records_page=options["records_page"].strip("/"),
        project_page=options["project_page"].strip("/"),
        improvement_page=options["improvement_page"].strip("/"),
        risks_page=options["risks_page"].strip("/"),
        management_review_page=options["management_review_page"].strip("/"),
        use_directory_urls=use_directory_urls,
        commit_url=options.get("commit_url") or commit_url,
        pull_request_url=options.get("pull_request_url") or pull_request_url,
        show_emails=options["show_emails"],
        archives=options["archives"],
    )
