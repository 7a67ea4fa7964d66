"""Report rendering benchmark: one game export rendered as HTML, PDF, CSV and XLSX.

Not a test: prints the median wall and CPU time of each format over `--runs` renders, after
one warm-up render (imports, fonts, matplotlib's font cache). The goal (issue 9) for a
4-round game: PDF under 5 s, HTML under 1 s.

    .venv/bin/python manage.py simulate coalition-2022 --seed 3 --export /tmp/coalition-3.json
    .venv/bin/python bench/report_render.py /tmp/coalition-3.json --runs 5
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabletop.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", help="A redlines.game/1 JSON export.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="html,pdf,csv,xlsx")
    args = parser.parse_args()

    import django

    django.setup()
    from game.reports.files import document_report_file

    document = json.loads(Path(args.export).read_text(encoding="utf-8"))
    rounds = sum(1 for e in document["events"] if e["kind"] == "round_scored")
    print(f"game {document['game']['code']}: {rounds} rounds, {len(document['events'])} events")
    for fmt in args.formats.split(","):
        began = time.perf_counter()
        size = len(document_report_file(document=document, fmt=fmt).content)
        cold = time.perf_counter() - began
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            document_report_file(document=document, fmt=fmt)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(
            f"{fmt:5} {size:>9,} bytes  first {cold:5.2f} s  median wall "
            f"{statistics.median(walls):5.2f} s  cpu {statistics.median(cpus):5.2f} s"
        )


if __name__ == "__main__":
    main()
