"""`dbdesign status [ROOT]`: the checklist's progress per phase."""

from __future__ import annotations

import argparse
import sys

from dbdesign.progress import load, render_json, render_text
from dbdesign.project import locate


def main(args: argparse.Namespace) -> int:
    status = load(*locate(args.root, args.config))
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(status))
    return 0
