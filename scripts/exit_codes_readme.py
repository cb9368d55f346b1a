"""README.md's section "Exit codes", written from serpaudit/night/outcome.py (the one place that decides them).

    python scripts/exit_codes_readme.py          rewrite the section in README.md
    python scripts/exit_codes_readme.py --check  exit 1 if README.md differs from the module

tests/serpaudit/night/test_outcome.py runs the check, so a code or meaning changed in one place only fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

from serpaudit.night.outcome import EXIT_TABLES

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- exit codes: written by scripts/exit_codes_readme.py from serpaudit/night/outcome.py; edit there -->"
END = "<!-- end of exit codes -->"
INTROS = {
    "run, crawl, harvest, audit": "`run`, `crawl`, `harvest` and `audit`:",
    "demo": "`demo` (findings are the point of a demo, not an error):",
    "worker": "`worker`:",
}


def section() -> str:
    """The text between the markers, markers included."""
    lines = [BEGIN]
    for name, table in EXIT_TABLES.items():
        lines += ["", INTROS[name], "", "| code | meaning |", "|---|---|"]
        lines += [f"| {s.code} | {s.meaning} |" for s in table]
    return "\n".join([*lines, "", END])


def with_section(readme: str) -> str:
    """``readme`` with its exit-code section replaced by :func:`section`."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{README}: the markers of the exit-code section are missing ({BEGIN!r} ... {END!r})")
    return readme[:start] + section() + readme[end + len(END):]


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    wanted = with_section(text)
    if "--check" in argv:
        if wanted != text:
            print(f"{README}: the exit codes differ from serpaudit/night/outcome.py; run {Path(__file__).name}",
                  file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
