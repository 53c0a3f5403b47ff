"""Benchmark: the same generated handbook built with the plugin and with plain Material.

    python benchmarks/run.py [--documents 1000] [--commits 5000] [--runs 2]
                             [--corpus DIR] [--compare-git-plugins] [--rendered]
                             [--small | --small-only] [--scaling] [--per-folder N]
                             [--against REV]

Each run builds the site with each configuration in turn (alternating plugin and plain),
each in fresh processes: a full build as `mkdocs build` does it, and a serve rebuild:
the site built as `mkdocs serve` starts, then built again after one page changes, as
serve does on every change (the plugin's caches warm; only the rebuild is timed). It
prints medians and their ratios, the median of each run's ratio to the plain build
beside it (steadier on a noisy machine), times `sms-handbook check` and history
extraction alone, and reports each configuration's peak memory.
`--compare-git-plugins` adds git-revision-date-localized and git-authors (installed
with pip) to plain Material; `--rendered` adds plain Material building the folder
`sms-handbook render` writes (the same pages, written out: what the plugin costs beyond
its pages); `--small` adds a small handbook with a long history (20 documents, 2,000
commits), built with the plugin, with `cache: false` (every archive made anew), with
`archives: false` and without the plugin (`--small-only`: that handbook alone);
`--scaling` times history extraction on larger corpora, beside the `git log` it runs
alone (their pages in subfolders of about N with `--per-folder N`). `--against REV`
pairs this working tree's plugin with the plugin as commit REV has it (each with its own
cache folder), to decide whether a change pays: "plugin" is this tree, "against" REV.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600"}
#: The plugin the builds import: this working tree's, or REV's with --against.
ENVS = {"plugin": {**ENV, "PYTHONPATH": str(HERE.parent / "plugin")}}

#: Run in a child process. `build`: one full build, as `mkdocs build` does. `serve`: a
#: first build, then a rebuild after one page changes, as `mkdocs serve` does (plugins
#: that define on_startup persist across its rebuilds, with their caches).
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

command, config_file, site_dir, page = sys.argv[1:5]
def load():
    config = load_config(config_file, site_dir=site_dir)
    config.plugins.on_startup(command=command, dirty=False)
    return config
start = time.perf_counter()
config = load()
build(config)
seconds = time.perf_counter() - start
archives = len(list(Path(site_dir).glob("documents/*/*/index.html")))  # approved versions
if command == "serve":
    path = Path(page)
    path.write_text(path.read_text() + "\nOne more sentence.\n")
    start = time.perf_counter()
    config = load()  # serve reloads mkdocs.yml on every change
    build(config, serve_url=None)
    seconds = time.perf_counter() - start
config.plugins.on_shutdown()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "archives": archives}))
"""

CONFIGS = {
    "plain": "  - search\n",
    "plugin": "  - search\n  - sms-handbook\n",
    "revision-date": "  - search\n  - git-revision-date-localized\n",
    "git-authors": "  - search\n  - git-authors\n",
    "no-archives": "  - search\n  - sms-handbook:\n      archives: false\n",
    # Every archive made anew, as in a build's first run or after the cache is removed.
    "no-cache": "  - search\n  - sms-handbook:\n      cache: false\n",
    # The plugin as another commit has it (--against), with its own cache.
    "against": "  - search\n  - sms-handbook:\n      cache_dir: .cache/against\n",
}


def checkout(rev: str, scratch: Path) -> None:
    """The plugin as commit `rev` has it, for the "against" configuration."""
    out = scratch / "against"
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", "--format=tar", rev, "plugin"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    out.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(out)], check=True)
    ENVS["against"] = {**ENV, "PYTHONPATH": str(out / "plugin")}


def write_configs(corpus: Path, names: list[str]) -> dict[str, Path]:
    base = (corpus / "mkdocs.yml").read_text()
    head = base.split("plugins:")[0]
    paths = {}
    for name in names:
        if name == "rendered":  # the plugin's pages, written out by `render`
            out = corpus.parent / f"{corpus.name}-rendered"
            shutil.rmtree(out, ignore_errors=True)
            command = [str(Path(sys.executable).parent / "sms-handbook"), "render",
                       "-f", str(paths["plugin"]), "--out", str(out)]  # fmt: skip
            subprocess.run(command, cwd=corpus, env=ENV, capture_output=True, check=True)
            paths[name] = out / "mkdocs.yml"
            continue
        path = corpus / f"mkdocs-{name}.yml"
        path.write_text(f"{head}plugins:\n{CONFIGS[name]}")
        paths[name] = path
    return paths


def build_once(corpus: Path, config: Path, page: Path) -> dict:
    """A full build and a serve rebuild, each in a fresh process."""
    if config.parent != corpus:  # a rendered folder: its copy of the page
        page = config.parent / "docs" / page.relative_to(corpus / "content")
    original = page.read_text()
    env = ENVS.get(config.stem.removeprefix("mkdocs-"), ENV)
    result = {}
    for command, key in (("build", "full"), ("serve", "rebuild")):
        with tempfile.TemporaryDirectory() as site:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, command, str(config), site, str(page)],
                cwd=corpus, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
        page.write_text(original)
        if done.returncode != 0:
            raise SystemExit(f"build with {config.name} failed:\n{done.stderr[-3000:]}")
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        result[key] = measured["seconds"]
        result.setdefault("archives", measured["archives"])  # the full build's
        result["peak_mib"] = max(result.get("peak_mib", 0), measured["peak_mib"])
    return result


def timed(command: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


HISTORY = r"""
import resource, statistics, sys, time
from pathlib import Path
from sms_handbook.core.git.cache import handbook_file
from sms_handbook.core.site.site_data import prepare
from sms_handbook.core.git.history import read_history, repo_info
from sms_handbook.core.site.layout import Layout
from sms_handbook.core.data.loader import HandbookLoader

root = Path(sys.argv[1])
handbook = HandbookLoader(root, root / "data", root / "content").load().handbook
times = []
for _ in range(3):
    start = time.perf_counter()
    history = read_history(repo_info(root), contents=handbook_file)
    prepare(handbook, Layout(), root, root / "content", history=history)
    times.append(time.perf_counter() - start)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(statistics.median(times), peak)
"""


def history_seconds(corpus: Path) -> tuple[float, float]:
    """History extraction's median time and the process's peak memory (MiB)."""
    done = subprocess.run(
        [sys.executable, "-c", HISTORY, str(corpus)],
        env=ENV, capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak)


def generate(out: Path, documents: int, commits: int, per_folder: int = 0) -> None:
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(out), "--documents", str(documents),
         "--commits", str(commits), "--per-folder", str(per_folder)],
        check=True, capture_output=True,
    )  # fmt: skip


def git_log_seconds(corpus: Path) -> float:
    """The history's `git log` pass alone, output discarded (median of 3)."""
    from sms_handbook.core.git.history import _LOG  # the very command the plugin runs

    return timed(["git", *_LOG], corpus, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=2, help="0: no builds")
    parser.add_argument("--corpus", type=Path, help="reuse (or create) the handbook here")
    parser.add_argument("--compare-git-plugins", action="store_true")
    parser.add_argument("--rendered", action="store_true")
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--small-only", action="store_true", help="the small handbook alone")
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--per-folder", type=int, default=0, help="scaling corpora's layout")
    parser.add_argument("--against", metavar="REV", help="pair this tree's plugin with REV's")
    args = parser.parse_args()

    # Sites are built in the temporary folder (TMPDIR): on some machines creating files
    # there is much slower than in a project's own folder, which charges every file the
    # plugin adds (an archive is a folder and a file); the output says where it built.
    print(f"sites built in {tempfile.gettempdir()}")
    with tempfile.TemporaryDirectory() as scratch:
        if args.against:
            checkout(args.against, Path(scratch))
        if args.small_only:
            small_handbook(Path(scratch) / "small", max(args.runs, 1), args.against)
            return
        corpus = args.corpus or Path(scratch) / "handbook"
        if not (corpus / "mkdocs.yml").exists():
            generate(corpus, args.documents, args.commits)
        print(f"corpus: {args.documents} documents, {args.commits} commits ({corpus})")
        names = ["plugin", "plain"] + (["against"] if args.against else [])
        if args.compare_git_plugins:
            names += ["revision-date", "git-authors"]
        if args.rendered:
            names.append("rendered")
        configs = write_configs(corpus, names)
        page = next(iter(sorted((corpus / "content" / "procedures").glob("*.md"))))
        results: dict[str, list[dict]] = {name: [] for name in names}
        if args.runs > 0:
            builds(args.runs, names, configs, page, corpus, results)
        check = timed([str(Path(sys.executable).parent / "sms-handbook"), "check"], corpus, 3)
        print(f"\nsms-handbook check: {check:.2f} s")
        seconds, peak = history_seconds(corpus)
        print(f"history extraction (git log, past versions, revisions of every document): "
              f"{seconds:.2f} s, peak {peak:.0f} MiB")  # fmt: skip
        if args.small:
            small_handbook(Path(scratch) / "small", max(args.runs, 1), args.against)
        if args.scaling:
            layout = f"{args.per_folder} pages a folder" if args.per_folder else "flat"
            print(
                f"\nhistory extraction by corpus size ({layout}):\n"
                "  documents  commits  git log alone  history extraction  per commit  peak"
            )
            for documents, commits in ((1000, 5000), (2000, 20000), (5000, 50000), (10000, 100000)):
                where = Path(scratch) / f"scale-{documents}-{commits}"
                generate(where, documents, commits, args.per_folder)
                log = git_log_seconds(where)
                seconds, peak = history_seconds(where)
                print(f"  {documents:9} {commits:8} {log:12.2f} s {seconds:17.2f} s "
                      f"{seconds / commits * 1000:8.3f} ms {peak:5.0f} MiB")  # fmt: skip
                shutil.rmtree(where)


def small_handbook(small: Path, runs: int, against: str | None = None) -> None:
    """A small handbook with a long history: with the plugin (its archives kept between
    builds, as after the first), with every archive made anew, without archives, and
    without the plugin; with `against`, the plugin, REV's plugin and plain alone."""
    generate(small, 20, 2000)
    print("\nsmall handbook: 20 documents, 2000 commits")
    names = ["plugin", "no-cache", "no-archives", "plain"]
    if against:
        names = ["plugin", "against", "plain"]
    configs = write_configs(small, names)
    page = next(iter(sorted((small / "content" / "procedures").glob("*.md"))))
    results: dict[str, list[dict]] = {n: [] for n in names}
    builds(runs, names, configs, page, small, results)
    if against:
        return
    # The targets for a small handbook: what the plugin costs beyond its archives (the
    # fixed cost), and each archive, kept between builds and made anew.
    archives = results["plugin"][0]["archives"]

    def paired(name: str, base: str) -> float:
        pairs = zip(results[name], results[base], strict=True)
        return statistics.median(r["full"] - b["full"] for r, b in pairs)

    print(f"\nfixed cost (no-archives - plain, median of the runs' pairs): "
          f"{paired('no-archives', 'plain'):.2f} s")  # fmt: skip
    if archives:
        print(f"per archive, {archives} archived versions (minus no-archives): kept "
              f"{paired('plugin', 'no-archives') / archives * 1000:.1f} ms, made anew "
              f"{paired('no-cache', 'no-archives') / archives * 1000:.1f} ms")  # fmt: skip


def builds(
    runs: int,
    names: list[str],
    configs: dict[str, Path],
    page: Path,
    corpus: Path,
    results: dict[str, list[dict]],
) -> None:
    """Alternate the configurations' builds; print each run, then medians and ratios.
    With "against", each configuration is built once first, untimed: both start warm."""
    if "against" in names:
        for name in names:
            build_once(corpus, configs[name], page)
    for run in range(runs):
        # Alternating, each run starting one configuration further on, so a machine
        # that speeds up or slows down during the call favours none of them.
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            result = build_once(corpus, configs[name], page)
            results[name].append(result)
            print(
                f"  run {run + 1} {name:14} full {result['full']:6.2f} s   "
                f"rebuild {result['rebuild']:6.2f} s   peak {result['peak_mib']:5.0f} MiB"
            )

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    plain_full, plain_rebuild = median("plain", "full"), median("plain", "rebuild")
    print("\nmedians (seconds)          full build   serve rebuild   peak memory")
    for name in names:
        full, rebuild = median(name, "full"), median(name, "rebuild")
        peak = max(r["peak_mib"] for r in results[name])
        print(f"  {name:24} {full:8.2f} ({full / plain_full:.2f}x)   "
              f"{rebuild:6.2f} ({rebuild / plain_rebuild:.2f}x)   {peak:6.0f} MiB")  # fmt: skip
    # Each run's build against the plain build next to it: a drift of the machine's
    # speed between runs moves these less than the ratio of the medians.
    print("\nmedian of each run's ratio to plain   full build   serve rebuild")
    for name in names:
        if name != "plain":
            pairs = list(zip(results[name], results["plain"], strict=True))
            full, rebuild = (
                statistics.median(r[key] / p[key] for r, p in pairs) for key in ("full", "rebuild")
            )
            print(f"  {name:36} {full:.2f}x        {rebuild:.2f}x")
    if "against" in names:  # what this tree's changes do, pair by pair
        pairs = list(zip(results["plugin"], results["against"], strict=True))
        full, rebuild = (
            statistics.median(r[key] / a[key] for r, a in pairs) for key in ("full", "rebuild")
        )
        print(f"\nthis tree against REV (median of the pairs' ratios): full build {full:.3f}x, "
              f"serve rebuild {rebuild:.3f}x")  # fmt: skip


if __name__ == "__main__":
    main()
