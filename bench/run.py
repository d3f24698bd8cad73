"""`make bench`: run every benchmark module of this folder and print its table.

A benchmark is any ``bench/<name>.py`` exposing ``run()`` (printing its table and returning its rows,
a list of dicts), and optionally ``targets_met(rows) -> bool``. Modules run in name order;
``python bench/run.py vote importer`` runs only those. Exit status 1 when a benchmark fails, misses
its targets (``targets_met``) or reports a non-exact result (a row whose "exact" is not "oui").
"""
from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def discover(names: list[str] | None = None) -> list[Path]:
    modules = sorted(p for p in HERE.glob("*.py") if p.stem not in {"run", "__init__"} and not p.stem.startswith("_"))
    if names:
        wanted = set(names)
        unknown = wanted - {p.stem for p in modules}
        if unknown:
            raise SystemExit(f"Benchmark inconnu : {', '.join(sorted(unknown))}")
        modules = [p for p in modules if p.stem in wanted]
    return modules


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    failed = []
    for path in discover(argv):
        module = load(path)
        if not callable(getattr(module, "run", None)):
            continue
        print(f"\n== {path.stem} ==", flush=True)
        started = time.perf_counter()
        try:
            rows = module.run() or []
        except Exception:  # noqa: BLE001 - one failing benchmark must not hide the others
            traceback.print_exc()
            failed.append(path.stem)
            continue
        targets_met = getattr(module, "targets_met", None)
        if any(isinstance(r, dict) and "exact" in r and r["exact"] != "oui" for r in rows) or (
                callable(targets_met) and not targets_met(rows)):
            failed.append(path.stem)
        print(f"({path.stem} : {time.perf_counter() - started:.1f} s)", flush=True)
    if failed:
        print(f"\nÉchec : {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
