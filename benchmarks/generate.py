"""Generate a realistic SMS handbook of N documents with M commits of history.

    python benchmarks/generate.py OUT [--documents 1000] [--commits 5000] [--seed 7]
                                      [--per-folder N]

Most documents are Markdown pages with document-control front matter (policies follow
the built-in templates); a fifth are records kept outside the repository, declared in
data/documents.yml. Pages sit in one folder per document type, or in subfolders of
about N pages with `--per-folder N`. The history is written with `git fast-import` (seconds, not
minutes): most commits edit text, some raise a version and record an approval, and
about one in five lands as a merged pull request whose branch commit carries a
`Reviewed-by:` trailer. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

WORDS = tuple(
    " ".join(
        (
            "service change incident request customer supplier capacity availability continuity",
            "release deployment configuration record review approval owner process procedure plan",
            "policy control risk security access backup restore monitoring escalation priority",
            "target report measure improvement audit evidence agreement catalogue team manager",
            "desk hosting network storage database platform schedule window impact assessment",
            "register",
        )
    ).split()
)
TEMPLATES = (
    "service-management", "change-management", "information-security", "continual-improvement",
    "release-deployment", "service-continuity-availability", "supplier-management",
    "budgeting-accounting", "document-control",
)  # fmt: skip
HEADINGS = (
    "Purpose", "Scope", "Policy statements", "Roles and responsibilities",
    "Compliance and exceptions", "Review and approval", "Related documents",
)  # fmt: skip
CLAUSES = ("4.1", "5.2", "6.2", "7.5.3", "8.2.6", "8.3.3", "8.5.1", "8.6.1", "8.7.3", "9.2", "10.2")
PEOPLE = [f"p{i:02d}" for i in range(20)]
START = date(2024, 1, 8)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


class Document:
    def __init__(self, number: int, rng: random.Random, per_folder: int = 0) -> None:
        kind = ("policy", "procedure", "procedure", "plan", "agreement")[number % 5]
        self.kind = kind
        self.id = f"{kind[:3].upper()}-{number:04d}"
        folder = f"{kind.replace('y', 'ie')}s"
        if per_folder:  # subfolders of about per_folder pages each
            folder += f"/{number // (per_folder * 5):03d}"
        self.path = f"{folder}/{self.id.lower()}.md"
        self.title = f"{kind.capitalize()} {number}: {rng.choice(WORDS)} {rng.choice(WORDS)}"
        self.template = TEMPLATES[number % len(TEMPLATES)] if kind == "policy" else None
        self.owner, self.approver = rng.sample(PEOPLE, 2)
        self.major, self.minor = 1, 0
        self.approved_on = START
        self.clauses = sorted(rng.sample(CLAUSES, 2))
        headings = HEADINGS if kind == "policy" else ("Purpose", "Scope", "Steps", "Records")
        self.sections = {h: [paragraph(rng) for _ in range(rng.randint(1, 3))] for h in headings}

    def text(self) -> str:
        meta = [
            "---", f"title: \"{self.title}\"", "document:", f"  id: {self.id}",
            f"  type: {self.kind}", f"  version: \"{self.major}.{self.minor}\"",
            "  status: approved", f"  owner: {self.owner}", f"  approver: {self.approver}",
            f"  approved_on: {self.approved_on.isoformat()}",
            f"  clauses: [{', '.join(repr(c).replace(chr(39), chr(34)) for c in self.clauses)}]",
        ]  # fmt: skip
        if self.template:
            meta.append(f"  template: {self.template}")
        body = [f"# {self.title}", ""]
        for heading, paragraphs in self.sections.items():
            body += [f"## {heading}", ""] + [p + "\n" for p in paragraphs]
        return "\n".join([*meta, "---", "", *body])


def data_files(documents: list[Document], records: int, rng: random.Random) -> dict[str, str]:
    people = "\n".join(
        f"  {p}: {{name: Person {p.upper()}, role: Role {i}}}" for i, p in enumerate(PEOPLE)
    )
    organization = (
        "name: Benchmark Services\nstandard: iso20000-1:2018\ntimezone: Europe/London\n"
        f"people:\n{people}\n"
    )
    phases = ["phases:"]
    per_phase = len(documents) // 3 + 1
    for n in range(3):
        phases += [
            f"  - id: P{n + 1}", f"    title: Phase {n + 1}",
            f"    start: {(START + timedelta(days=200 * n)).isoformat()}",
            f"    end: {(START + timedelta(days=200 * n + 199)).isoformat()}", "    activities:",
        ]  # fmt: skip
        chunk = documents[n * per_phase : (n + 1) * per_phase]
        for a in range(0, len(chunk), 10):
            ids = ", ".join(d.id for d in chunk[a : a + 10])
            phases += [
                f"      - id: P{n + 1}.{a // 10 + 1:03d}", f"        title: Activity {a}",
                f"        clauses: [\"{rng.choice(CLAUSES)}\"]",
                f"        owner: {rng.choice(PEOPLE)}",
                "        status: done", f"        deliverables: [{ids}]",
            ]  # fmt: skip
    register = ["documents:"]
    for n in range(records):
        owner, approver = rng.choice(PEOPLE), rng.choice(PEOPLE)
        if approver == owner:  # nobody approves their own record; the same draws as before
            approver = PEOPLE[(PEOPLE.index(owner) + 1) % len(PEOPLE)]
        register += [
            f"  - id: REC-{n:04d}", f"    title: Record set {n}", "    type: record",
            f"    location: ITSM tool, module {n % 12}", f"    owner: {owner}",
            f"    approver: {approver}", "    version: \"1.0\"", "    status: approved",
            f"    approved_on: {START.isoformat()}", "    retention: 6 years",
            f"    clauses: [\"{rng.choice(CLAUSES)}\"]",
        ]  # fmt: skip
    return {
        "data/organization.yml": organization,
        "data/phases.yml": "\n".join(phases) + "\n",
        "data/documents.yml": "\n".join(register) + "\n",
    }


MKDOCS = """\
site_name: Benchmark handbook
docs_dir: content
theme:
  name: material
  font: false
plugins:
  - search
  - sms-handbook
"""


class FastImport:
    """Writes commits to `git fast-import` on the main branch and short PR branches."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            ["git", "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE
        )
        self.mark = 0
        self.main_head: int | None = None

    def _write(self, text: str | bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() if isinstance(text, str) else text)

    def commit(
        self, branch: str, when: int, author: str, message: str, files: dict[str, str],
        parents: list[int],
    ) -> int:  # fmt: skip
        self.mark += 1
        data = message.encode()
        self._write(f"commit refs/heads/{branch}\nmark :{self.mark}\n")
        self._write(
            f"author {author} <{author.lower().replace(' ', '.')}@example.org> {when} +0000\n"
        )
        self._write(f"committer Merge Bot <bot@example.org> {when} +0000\n")
        self._write(f"data {len(data)}\n".encode() + data + b"\n")
        for index, parent in enumerate(parents):
            self._write(f"{'from' if index == 0 else 'merge'} :{parent}\n")
        for path, content in files.items():
            blob = content.encode()
            self._write(f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n")
        self._write("\n")
        return self.mark

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        if self.process.wait() != 0:
            raise SystemExit("git fast-import failed")


def generate(out: Path, documents: int, commits: int, seed: int, per_folder: int = 0) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=False)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=out, check=True)
    pages = [Document(n, rng, per_folder) for n in range(documents - documents // 5)]
    files = {"mkdocs.yml": MKDOCS, "content/index.md": "# Benchmark handbook\n"}
    files |= data_files(pages, documents // 5, rng)
    files |= {f"content/{d.path}": d.text() for d in pages}
    importer = FastImport(out)
    when = 1_704_700_000  # early January 2024
    head = importer.commit("main", when, "Initial Author", "Initial handbook", files, [])
    made, pr = 1, 0
    while made < commits:
        when += rng.randint(600, 20_000)
        doc = rng.choice(pages)
        roll = rng.random()
        if roll < 0.12:  # a new version, approved
            doc.minor += 1
            doc.approved_on = datetime.fromtimestamp(when, timezone.utc).date()
            approver = f"Person {doc.approver.upper()}"
            message = f"{doc.id}: version {doc.major}.{doc.minor}\n\nApproved-by: {approver}"
        else:
            section = rng.choice(list(doc.sections))
            doc.sections[section].append(paragraph(rng))
            message = f"{doc.id}: revise {section.lower()}"
        author = f"Person {doc.owner.upper()}"
        change = {f"content/{doc.path}": doc.text()}
        if roll > 0.8 and made + 2 <= commits:  # a pull request: branch commit + merge
            pr += 1
            branch = importer.commit(
                f"pr/{pr}", when - 300, author,
                f"{message}\n\nReviewed-by: Person {doc.approver.upper()}", change, [head],
            )  # fmt: skip
            head = importer.commit(
                "main", when, "Merge Bot",
                f"Merge pull request #{pr} from team/pr-{pr}\n\n{message.splitlines()[0]}",
                change, [head, branch],
            )  # fmt: skip
            made += 2
        else:
            head = importer.commit("main", when, author, message, change, [head])
            made += 1
    importer.close()
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out, check=True)
    branches = subprocess.run(
        ["git", "for-each-ref", "--format=delete %(refname)", "refs/heads/pr/"],
        cwd=out, check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["git", "update-ref", "--stdin"], cwd=out, input=branches, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--per-folder", type=int, default=0,
        help="pages per folder (default: one folder per document type)",
    )  # fmt: skip
    args = parser.parse_args()
    generate(args.out, args.documents, args.commits, args.seed, args.per_folder)
    print(f"{args.out}: {args.documents} documents, {args.commits} commits")


if __name__ == "__main__":
    main()
