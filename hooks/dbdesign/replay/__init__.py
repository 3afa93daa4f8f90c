"""The real-database tier (SPEC 8): the migrations and the schema file run on
a real PostgreSQL server (an ephemeral one, or a throwaway database on a
server named by URL) or in SQLite's in-memory engine.

- binaries.py: finding the server programs, a program's major version;
- server.py: the ephemeral server, the throwaway database, signals;
- plan.py: what runs, in which order, and how each tool runs it;
- run.py: running a file (in one round trip, or statement by statement
  where a failure or a trace needs positions);
- introspect.py / compare.py: the catalogs read and compared (RP003, RP004);
- locks.py: what each statement locked and rewrote (RP005);
- sqlite.py: the same for SQLite;
- history.py, dump.py: the tools' history tables; --write-schema;
- engine.py: one replay per run, its results cached on the Project.

`dbdesign replay` is commands/replay.py; the check is checks/replay.py.

psycopg is imported only inside these modules' functions: a hook that does
not replay never loads it (SPEC 7)."""
