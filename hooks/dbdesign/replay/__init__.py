"""The real-database tier (SPEC 8): the migrations and the schema file run on
a real PostgreSQL server (an ephemeral one, or a throwaway database on a
server named by URL) or in SQLite's in-memory engine.

- server.py: finding the binaries, the ephemeral server, the throwaway
  database, signals;
- run.py: running files statement by statement with each tool's
  transaction semantics;
- introspect.py / compare.py: the catalogs read and compared (RP003, RP004);
- locks.py: what each statement locked and rewrote (RP005);
- sqlite.py: the same for SQLite;
- engine.py: one replay per run, its results cached on the Project.

psycopg is imported only inside these modules' functions: a hook that does
not replay never loads it (SPEC 7)."""
