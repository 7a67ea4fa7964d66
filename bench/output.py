"""What a benchmark prints and writes when it is done: the Markdown table to stdout, and the
results as JSON (`--json`) and the table (`--markdown`) where its options say."""

import json
from pathlib import Path


def emit(table: str, results: dict, args) -> None:
    print(table)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if args.markdown:
        Path(args.markdown).write_text(table)
