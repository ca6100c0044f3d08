"""What loading the Japanese catalogue costs at start-up: our .po reader against gettext's .mo.

Usage: uv run python bench/messages_speed.py [--runs N]

Each measurement runs in a fresh interpreter that has already imported what `grade` imports
anyway (N times, default 15, interleaved), timed inside it; medians of: importing
`grader.messages` and looking up one key in English (no file read), the same in Japanese
(the .po file read and checked), and gettext's `GNUTranslations` reading a .mo file compiled
from the same catalogue (the alternative, which needs a build step). Then whole
`grade solutions/` runs in English and Japanese.
"""

from __future__ import annotations

import argparse
import array
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import po  # noqa: E402 - after the path set-up above


def _write_mo(entries: list[po.PoEntry], path: Path) -> None:
    """Compile entries into a GNU .mo file (msgctxt joined to msgid by EOT, as msgfmt does)."""
    pairs = sorted(
        ((f"{e.context}\x04{e.msgid}".encode(), e.msgstr.encode()) for e in entries if e.msgstr),
        key=lambda kv: kv[0],
    )
    pairs.insert(0, (b"", b"Content-Type: text/plain; charset=UTF-8\n"))
    ids = b"".join(k + b"\0" for k, _ in pairs)
    strs = b"".join(v + b"\0" for _, v in pairs)
    start = 7 * 4 + 16 * len(pairs)
    offsets: list[int] = []
    pos = 0
    for key, _ in pairs:
        offsets += [len(key), start + pos]
        pos += len(key) + 1
    pos2 = 0
    for _, value in pairs:
        offsets += [len(value), start + len(ids) + pos2]
        pos2 += len(value) + 1
    header = array.array("I", [0x950412DE, 0, len(pairs), 28, 28 + 8 * len(pairs), 0, 0])
    path.write_bytes(header.tobytes() + array.array("I", offsets).tobytes() + ids + strs)


#: what `grade` has imported anyway before it reads the catalogue
_PRELUDE = "import dataclasses, pathlib, threading, typing, re, string, time\n"


def _time(code: str) -> float:
    """Seconds ``code`` takes in a fresh interpreter, after the prelude, measured inside it."""
    script = f"{_PRELUDE}t0 = time.perf_counter()\n{code}\nprint(time.perf_counter() - t0)"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return float(out.stdout.split()[-1])


def _grade(lang: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "grader", "solutions/", "--lang", lang],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mo = Path(tmp) / "grader.mo"
        _write_mo(po.read_po(po.catalogue_path("ja")), mo)
        commands = {
            "messages, English": "from grader import messages as m; m.t('total')",
            "messages, Japanese (.po)": (
                "from grader import messages as m; m.set_language('ja'); m.t('total')"
            ),
            "gettext, Japanese (.mo)": (
                "import gettext\n"
                f"with open({str(mo)!r}, 'rb') as f: tr = gettext.GNUTranslations(f)\n"
                "tr.pgettext('total', 'total')"
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        grades: dict[str, list[float]] = {"en": [], "ja": []}
        for lang in grades:
            _grade(lang)
        for _ in range(args.runs):
            for name, code in commands.items():
                times[name].append(_time(code))
            for lang, values in grades.items():
                values.append(_grade(lang))
    for name, values in times.items():
        print(f"{name:<26} median {statistics.median(values) * 1000:6.2f} ms  (n={args.runs})")
    en, ja = (statistics.median(grades[k]) for k in ("en", "ja"))
    print(f"grade solutions/ --lang en median {en * 1000:6.1f} ms  (n={args.runs})")
    print(f"grade solutions/ --lang ja median {ja * 1000:6.1f} ms  (ratio ja/en {ja / en:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
