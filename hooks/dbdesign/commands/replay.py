"""`dbdesign replay [ROOT] [--database-url URL] [--write-schema]`: the
real-database tier on demand (SPEC 8). It is the pipeline with the replay
check alone, replay switched on whatever `replay.mode` says; without a
server it exits 2 saying how to provide one."""

from __future__ import annotations

import argparse


def main(args: argparse.Namespace) -> int:
    from dbdesign import pipeline

    request = pipeline.Request(
        root=args.root,
        config=args.config,
        base=args.base,
        format=args.format,
        strict=args.strict,
        replay="on",
        database_url=args.database_url,
        write_schema=args.write_schema,
        all=args.all,
    )
    return pipeline.run(request, ("replay",))
