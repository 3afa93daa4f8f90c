"""The rule registry: the one source for `dbdesign rules`, the README's rule
table, SARIF's ``rules[]`` and severity defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
EMPTY = "(an empty file)"  # how the docs show an example whose text is nothing


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    check: str
    severity: str
    fixable: bool
    summary: str
    why: str
    bad: str
    good: str
    # squawk's rules that cover the same ground, for people who know squawk
    squawk: tuple[str, ...] = ()
    # Where the examples go, so that the tests can run them: the file of a
    # project that `bad` or `good` is the whole text of, or a folder (ending
    # in `/`) whose files they list, one a line. None where no one file can
    # show the example (a missing file, a change in git): then the examples
    # describe it in words.
    example_path: str | None = None

    @property
    def example_place(self) -> str:
        """Where the examples go, as `dbdesign rules CODE` says it."""
        if self.example_path is None:
            return ""
        if self.example_path.endswith("/"):
            return f" (the files in {self.example_path})"
        return f" ({self.example_path})"


RULES: tuple[Rule, ...] = (
    # -- framework -----------------------------------------------------------
    Rule(
        "FW001",
        "framework-folder-missing",
        "framework",
        ERROR,
        False,
        "The framework folder (`.claude/database/`) is missing.",
        "Without the prompt, template and checklist the team has no shared "
        "process to follow; `dbdesign init` scaffolds them.",
        "the project has no .claude/database/ folder (the framework_dir)",
        ".claude/database/ holds database-prompt.md, database-template.md "
        "and database-checklist.md",
    ),
    Rule(
        "FW002",
        "framework-file-missing",
        "framework",
        ERROR,
        False,
        "A framework file is missing.",
        "Each of the three framework files has a job: the prompt states the "
        "principles, the template the documentation structure, the checklist "
        "the progress.",
        ".claude/database/ holds database-prompt.md and "
        "database-template.md, but no database-checklist.md",
        ".claude/database/ holds database-prompt.md, database-template.md "
        "and database-checklist.md",
    ),
    Rule(
        "FW003",
        "framework-file-unreadable",
        "framework",
        ERROR,
        False,
        "A framework file is empty, not UTF-8, or not a regular file.",
        "An empty or unreadable framework file is as good as a missing one, "
        "and a symbolic link out of the repository may leak a runner's files.",
        "",
        "# Database prompt\n\nDesign for correctness first: every table has "
        "a key, every foreign key an index.",
        example_path=".claude/database/database-prompt.md",
    ),
    # -- checklist -----------------------------------------------------------
    Rule(
        "CL001",
        "malformed-marker",
        "checklist",
        ERROR,
        True,
        "A checklist task has a malformed progress marker.",
        "Only `[ ]`, `[~]`, `[x]` and `[!]` are understood; anything else "
        "makes progress unreadable to people and tools. `[X]`, `[]` and "
        "`[  ]` are fixed with `--fix`.",
        "- [X] Identify entities\n- [v] Define keys",
        "- [x] Identify entities\n- [ ] Define keys",
        example_path=".claude/database/database-checklist.md",
    ),
    Rule(
        "CL002",
        "phase-headings",
        "checklist",
        ERROR,
        False,
        "Phase headings are missing, duplicated or out of order.",
        "The framework's eight phases (0 to 7) are done in order; a missing "
        "or shuffled phase hides work that was skipped.",
        "## Phase 0: Data Requirements & Analysis\n"
        "## Phase 2: Schema Implementation & Migration",
        "## Phase 0: Data Requirements & Analysis\n"
        "## Phase 1: Database Design & Modeling\n"
        "## Phase 2: Schema Implementation & Migration\n"
        "## Phase 3: Performance Optimization & Indexing\n"
        "## Phase 4: Security & Access Control\n"
        "## Phase 5: Backup & Recovery Planning\n"
        "## Phase 6: Monitoring & Maintenance\n"
        "## Phase 7: Scaling & Evolution Planning",
        example_path=".claude/database/database-checklist.md",
    ),
    Rule(
        "CL003",
        "blocked-without-reason",
        "checklist",
        ERROR,
        False,
        "A blocked `[!]` task gives no reason.",
        "A blocker nobody can name is a blocker nobody can remove: say "
        "`blocked by`, `waiting for`, `because` or `reason:`.",
        "- [!] Choose the partitioning key",
        "- [!] Choose the partitioning key, blocked by the traffic estimate",
        example_path=".claude/database/database-checklist.md",
    ),
    Rule(
        "CL004",
        "phase-order",
        "checklist",
        ERROR,
        False,
        "A later phase progresses while Phase 0 (or, with `phase_order: "
        "strict`, an earlier phase) still has open tasks.",
        "Phase 0, data requirements, is mandatory first: a schema designed "
        "before the requirements are known is designed twice. A `[!]` task "
        "that gives its reason holds nothing back.",
        "## Phase 0 ...\n- [ ] Interview stakeholders\n## Phase 1 ...\n"
        "- [x] Draw the ERD",
        "## Phase 0 ...\n- [x] Interview stakeholders\n## Phase 1 ...\n"
        "- [x] Draw the ERD",
        example_path=".claude/database/database-checklist.md",
    ),
    Rule(
        "CL005",
        "empty-phase",
        "checklist",
        WARNING,
        False,
        "A phase has no tasks.",
        "A phase without tasks cannot be tracked; list what it takes, even "
        "if it is one line.",
        "## Phase 5: Backup & Recovery Planning\n\n## Phase 6: ...",
        "## Phase 5: Backup & Recovery Planning\n- [ ] Set RPO and RTO",
        example_path=".claude/database/database-checklist.md",
    ),
    # -- artifacts -----------------------------------------------------------
    Rule(
        "AR001",
        "artifact-missing",
        "artifacts",
        ERROR,
        False,
        "A required design artifact is missing.",
        "The framework's artifacts (schema, ERD, migrations, four design "
        "documents, changelog) are what reviewers read; `dbdesign init` "
        "creates skeletons.",
        "the project has no backup-recovery-plan.md (in the artifacts_dir)",
        "backup-recovery-plan.md states the RPO, the RTO and the restore procedure",
    ),
    Rule(
        "AR002",
        "artifact-stub",
        "artifacts",
        ERROR,
        False,
        "A design artifact is a stub: empty, or only headings and placeholders.",
        "A document of headings and TODOs passes a presence check and tells "
        "the reader nothing. It is judged once the checklist phase that "
        "produces it has started (here Phase 5; config `artifact_phases`), "
        "so a fresh scaffold commits cleanly.",
        "# Backup and recovery plan\n\nTODO",
        "# Backup and recovery plan\n\nNightly base backups with WAL "
        "archiving; restores are rehearsed monthly.",
        example_path="backup-recovery-plan.md",
    ),
    Rule(
        "AR003",
        "artifact-section-missing",
        "artifacts",
        WARNING,
        False,
        "A design document lacks a required section.",
        "Some facts are the reason a document exists: a backup plan without "
        "RPO and RTO cannot be tested against.",
        "# Backup plan\n## Schedule\nNightly.",
        "# Backup plan\n## RPO\n15 minutes.\n## RTO\n1 hour.",
        example_path="backup-recovery-plan.md",
    ),
    # -- migrations ----------------------------------------------------------
    Rule(
        "MG001",
        "migration-name",
        "migrations",
        ERROR,
        False,
        "A file in the migrations folder does not follow its naming scheme.",
        "A migration tool skips or rejects a file it cannot name; the file "
        "then never runs.",
        "V1__init.sql\nadd_users.sql",
        "V1__init.sql\nV2__add_users.sql",
        example_path="migration-scripts/",
    ),
    Rule(
        "MG002",
        "duplicate-version",
        "migrations",
        ERROR,
        False,
        "Two migrations have the same version.",
        "Migration tools refuse duplicate versions, or run one and silently "
        "skip the other.",
        "V7__add_orders.sql\nV7__add_invoices.sql",
        "V7__add_orders.sql\nV8__add_invoices.sql",
        example_path="migration-scripts/",
    ),
    Rule(
        "MG003",
        "migration-out-of-order",
        "migrations",
        ERROR,
        False,
        "A migration added by the change is not newer than every existing migration.",
        "Databases already migrated past that version would never run it.",
        "V1__init.sql to V9__audit.sql are committed; the change adds V5__fix.sql",
        "V1__init.sql to V9__audit.sql are committed; the change adds V10__fix.sql",
    ),
    Rule(
        "MG004",
        "migration-modified",
        "migrations",
        ERROR,
        False,
        "The change edits, renames or deletes a migration that already existed.",
        "Applied migrations are history: databases that ran the old text "
        "never see the new one. Add a new migration instead.",
        "V3__add_index.sql is committed; the change edits it",
        "V3__add_index.sql is committed; the change leaves it as it is and "
        "adds V10__change_index.sql",
    ),
    Rule(
        "MG005",
        "version-gap",
        "migrations",
        WARNING,
        False,
        "Sequential migration numbers have a gap.",
        "A gap usually means a migration was lost in a merge or never committed.",
        "001_init.sql\n003_orders.sql",
        "001_init.sql\n002_orders.sql",
        example_path="migration-scripts/",
    ),
    Rule(
        "MG006",
        "missing-down",
        "migrations",
        WARNING,
        False,
        "An up migration has no down or undo migration.",
        "Without a down migration a bad deploy cannot be rolled back by the "
        "tool. It fires where the folder has downs for other migrations (a "
        "folder with none follows an up-only convention), and for every up "
        "migration with `require_down: true`, as an error.",
        "0001_users.up.sql\n0001_users.down.sql\n0002_orders.up.sql",
        "0001_users.up.sql\n0001_users.down.sql\n0002_orders.up.sql\n"
        "0002_orders.down.sql",
        example_path="migration-scripts/",
    ),
    Rule(
        "MG007",
        "integrity-mismatch",
        "migrations",
        ERROR,
        False,
        "The migration integrity file does not match the migrations.",
        "The integrity file pins every migration's content and makes two "
        "branches that both add migrations conflict in git, as Atlas's "
        "atlas.sum does; `dbdesign migrations hash` rewrites it.",
        # Written before V1__books.sql was added: it lists no migration.
        "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "h1:zjw10FOg+wvYkUVMfiYXvu9jLvranth1xfFXJQwThto=\n"
        "V1__books.sql h1:7nVdFkNmKUSLJoz7Zwwv9fo8beMf+2dwAefWBfiDZAs=",
        example_path="migration-scripts/dbdesign.sum",
    ),
    Rule(
        "MG010",
        "destructive-statement",
        "safety",
        WARNING,
        False,
        "A migration drops or truncates data.",
        "DROP TABLE, DROP COLUMN, TRUNCATE and DROP SCHEMA lose data for "
        "good; make sure it is intended and backed up. A `DROP ... IF EXISTS` "
        "of a table the replay of the migrations knows is not there loses "
        "nothing and is not reported.",
        "ALTER TABLE users DROP COLUMN email;",
        "-- dbdesign: ignore[MG010] column unused since 2024, backed up\n"
        "ALTER TABLE users DROP COLUMN email;",
        squawk=("ban-drop-table", "ban-drop-column", "ban-truncate-cascade"),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG011",
        "not-null-without-default",
        "safety",
        ERROR,
        False,
        "ADD COLUMN ... NOT NULL without DEFAULT on an existing table.",
        "The statement fails on any table that has rows.",
        "ALTER TABLE users ADD COLUMN plan text NOT NULL;",
        "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
        squawk=("adding-required-field",),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG012",
        "index-not-concurrent",
        "safety",
        WARNING,
        False,
        "CREATE INDEX without CONCURRENTLY on an existing table (postgres).",
        "A plain CREATE INDEX blocks writes to the table until it finishes.",
        "CREATE INDEX orders_customer_idx ON orders (customer_id);",
        "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
        squawk=("require-concurrent-index-creation",),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG013",
        "type-change-or-rename",
        "safety",
        WARNING,
        False,
        "A column's type is changed, or a table or column is renamed.",
        "Running application code still uses the old name or type, and a "
        "type change rewrites the table under an ACCESS EXCLUSIVE lock that "
        "blocks reads and writes. On PostgreSQL the changes it makes without "
        "a rewrite (`varchar(n)` to a longer `varchar` or to `text`, a wider "
        "`numeric` precision at the same scale, `numeric(p,s)` to `numeric`, "
        "`cidr` to `inet`) are not reported.",
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
        "ALTER TABLE users ADD COLUMN full_name text; -- then backfill, "
        "then switch readers",
        squawk=("changing-column-type", "renaming-column", "renaming-table"),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG014",
        "volatile-default",
        "safety",
        WARNING,
        False,
        "ADD COLUMN with a volatile DEFAULT on an existing table, or any "
        "DEFAULT before PostgreSQL 11 (postgres).",
        "PostgreSQL 11 and later store a constant or stable default without "
        "touching the rows, but a volatile one (`gen_random_uuid()`, "
        "`clock_timestamp()`, `random()`, a serial or identity column, a "
        "stored generated column) is computed for every row: the table is "
        "rewritten under an ACCESS EXCLUSIVE lock that blocks reads and "
        "writes. `postgres_version` below 11 makes every DEFAULT a rewrite.",
        "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
        "ALTER TABLE users ADD COLUMN token uuid;\n"
        "-- backfill in batches, then:\n"
        "ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();",
        squawk=("adding-field-with-default",),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG015",
        "set-not-null",
        "safety",
        WARNING,
        False,
        "SET NOT NULL on a column of an existing table (postgres).",
        "PostgreSQL scans the whole table to prove no row is NULL while it "
        "holds an ACCESS EXCLUSIVE lock that blocks reads and writes. From "
        "PostgreSQL 12 on, a valid `CHECK (col IS NOT NULL)` constraint "
        "spares the scan: add it `NOT VALID`, `VALIDATE CONSTRAINT` it (a "
        "lock that lets reads and writes go on), then SET NOT NULL.",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT "
        "NULL) NOT VALID;\n-- next migration:\nALTER TABLE users VALIDATE "
        "CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET "
        "NOT NULL;",
        squawk=("adding-not-nullable-field",),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG016",
        "constraint-not-valid",
        "safety",
        WARNING,
        False,
        "ADD FOREIGN KEY or CHECK on an existing table without NOT VALID (postgres).",
        "The new constraint is checked against every row while a lock is "
        "held: SHARE ROW EXCLUSIVE on both tables of a foreign key (writes "
        "blocked), ACCESS EXCLUSIVE for a CHECK (reads and writes blocked). "
        "`NOT VALID` makes the ADD instant; `VALIDATE CONSTRAINT` in a later "
        "migration checks the rows under a lock that lets reads and writes "
        "go on.",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY "
        "(user_id) REFERENCES users (id);",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY "
        "(user_id) REFERENCES users (id) NOT VALID;\n-- next migration:\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
        squawk=("adding-foreign-key-constraint", "constraint-missing-not-valid"),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG017",
        "unique-without-index",
        "safety",
        WARNING,
        False,
        "ADD UNIQUE or PRIMARY KEY on an existing table without USING INDEX "
        "(postgres).",
        "The constraint's index is built while an ACCESS EXCLUSIVE lock "
        "blocks reads and writes. Build the index first with `CREATE UNIQUE "
        "INDEX CONCURRENTLY`, then attach it: `ADD CONSTRAINT ... UNIQUE "
        "USING INDEX` takes the lock only for a moment.",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n"
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX "
        "users_email_key;",
        squawk=("disallowed-unique-constraint", "adding-serial-primary-key-field"),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG018",
        "drop-index-not-concurrent",
        "safety",
        WARNING,
        False,
        "DROP INDEX without CONCURRENTLY on an existing table (postgres).",
        "A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's "
        "table, blocking reads and writes until every query using the table "
        "is done; `DROP INDEX CONCURRENTLY` waits for them without blocking "
        "new ones.",
        "DROP INDEX users_name_idx;",
        "DROP INDEX CONCURRENTLY users_name_idx;",
        squawk=("require-concurrent-index-deletion",),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG019",
        "concurrently-in-transaction",
        "safety",
        ERROR,
        False,
        "CONCURRENTLY where the migration runs in a transaction, as its tool "
        "runs it (postgres).",
        "PostgreSQL refuses `CREATE INDEX CONCURRENTLY`, `DROP INDEX "
        "CONCURRENTLY`, `REINDEX ... CONCURRENTLY` and `DETACH PARTITION ... "
        "CONCURRENTLY` inside a transaction block (SQLSTATE 25001), so the "
        "deploy fails. How each tool runs a migration, and how to opt out: "
        "Flyway runs each migration in a transaction unless every statement "
        "in it is non-transactional (give the statement a migration of its "
        "own, or `executeInTransaction=false` in `V<n>__<name>.sql.conf`); "
        "golang-migrate and Prisma send the file as one multi-statement "
        "string, which PostgreSQL runs as one implicit transaction (one "
        "statement in the file; golang-migrate also takes "
        "`x-multi-statement=true`); diesel runs up.sql in a transaction "
        "unless its metadata.toml says `run_in_transaction = false`; goose "
        "unless the file has `-- +goose NO TRANSACTION`; dbmate unless the "
        "up marker says `-- migrate:up transaction:false`; Liquibase runs "
        "each changeset in a transaction unless its `--changeset` line has "
        "`runInTransaction:false`; sqitch and plain SQL files are in a "
        "transaction only after an explicit `BEGIN`.",
        "ALTER TABLE users ADD COLUMN nickname text;\n"
        "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
        "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"
        "-- (Flyway runs a file of only such statements outside a transaction;\n"
        "-- goose: `-- +goose NO TRANSACTION`, diesel: run_in_transaction = false)",
        squawk=("ban-concurrent-index-creation-in-transaction",),
        example_path="migration-scripts/V2__change.sql",
    ),
    Rule(
        "MG020",
        "missing-lock-timeout",
        "safety",
        WARNING,
        False,
        "A statement takes ACCESS EXCLUSIVE on an existing table with no "
        "`lock_timeout` set before it (postgres; `require_lock_timeout: true`).",
        "While the statement waits for its lock behind a long query, every "
        "query that arrives after it waits too: a brief DDL becomes an "
        "outage. `SET lock_timeout` makes it fail fast instead, to be "
        "retried.",
        "ALTER TABLE users ADD COLUMN plan text;",
        "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN plan text;",
        squawk=("require-lock-timeout",),
        example_path="migration-scripts/V2__change.sql",
    ),
    # -- schema --------------------------------------------------------------
    Rule(
        "SQ001",
        "parse-error",
        "schema",
        ERROR,
        False,
        "SQL that does not parse in the configured dialect.",
        "A file that does not parse will not run, and no other rule can check it.",
        "CREATE TABLE users (id int PRIMARY KEY,);",
        "CREATE TABLE users (id int PRIMARY KEY);",
        example_path="database-schema.sql",
    ),
    Rule(
        "SQ002",
        "missing-primary-key",
        "schema",
        ERROR,
        False,
        "A table has no primary key.",
        "Rows without a key cannot be addressed, deduplicated or replicated logically.",
        "CREATE TABLE tags (name text);",
        "CREATE TABLE tags (id bigint PRIMARY KEY, name text);",
        example_path="database-schema.sql",
    ),
    Rule(
        "SQ003",
        "dangling-foreign-key",
        "schema",
        ERROR,
        False,
        "A foreign key references a table or column that does not exist.",
        "The schema will not load.",
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES usr (id));",
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));",
        example_path="database-schema.sql",
    ),
    Rule(
        "SQ004",
        "unindexed-foreign-key",
        "schema",
        WARNING,
        False,
        "Foreign-key columns have no index whose leading columns cover them.",
        "Deletes on the parent and joins from it scan the whole child table.",
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));",
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));\n"
        "CREATE INDEX orders_user_id_idx ON orders (user_id);",
        example_path="database-schema.sql",
    ),
    Rule(
        "SQ005",
        "redundant-index",
        "schema",
        WARNING,
        False,
        "An index duplicates another index or key, or is a prefix of one.",
        "Every index slows writes and takes space; a redundant one buys nothing.",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int, created_at "
        "timestamptz);\n"
        "CREATE INDEX a ON orders (user_id);\n"
        "CREATE INDEX b ON orders (user_id, created_at);",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int, created_at "
        "timestamptz);\n"
        "CREATE INDEX b ON orders (user_id, created_at);",
        example_path="database-schema.sql",
    ),
    Rule(
        "SQ006",
        "normalisation-smell",
        "schema",
        WARNING,
        False,
        "A normalisation smell: repeating groups or list-valued columns.",
        "`phone1`, `phone2` or a `tag_ids` text column belong in a child table.",
        "CREATE TABLE users (id int PRIMARY KEY, phone1 text, phone2 text);",
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE user_phones (user_id int REFERENCES users, phone "
        "text, PRIMARY KEY (user_id, phone));",
        example_path="database-schema.sql",
    ),
    Rule(
        "SQ007",
        "schema-drift",
        "schema",
        ERROR,
        False,
        "Replaying the migrations does not give the schema file.",
        "The schema file is the design of record; if migrations and schema "
        "disagree, one of them is wrong.",
        "-- The migrations create users (id int PRIMARY KEY, email text).\n"
        "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);",
        "-- The migrations create users (id int PRIMARY KEY, email text).\n"
        "CREATE TABLE users (id int PRIMARY KEY, email text);",
        example_path="database-schema.sql",
    ),
    Rule(
        "SQ008",
        "naming-convention",
        "schema",
        WARNING,
        False,
        "An identifier breaks the naming convention (default snake_case).",
        "Mixed conventions force quoting and make queries error-prone.",
        'CREATE TABLE "OrderItems" (id int PRIMARY KEY);',
        "CREATE TABLE order_items (id int PRIMARY KEY);",
        example_path="database-schema.sql",
    ),
    Rule(
        "SQ009",
        "not-checked",
        "schema",
        WARNING,
        False,
        "A file was not fully checked (templated SQL, a size or time bound).",
        "Nothing is skipped silently: this says what was not checked and why.",
        "INSERT INTO settings VALUES ('currency', '{{ .Currency }}');",
        "-- dbdesign: ignore-file[SQ009] the deploy tool renders it first\n"
        "INSERT INTO settings VALUES ('currency', '{{ .Currency }}');",
        example_path="migration-scripts/V2__settings.sql",
    ),
    # -- ERD -----------------------------------------------------------------
    Rule(
        "ER001",
        "erd-missing-diagram",
        "erd",
        ERROR,
        True,
        "The ERD file has no ```mermaid block with an erDiagram.",
        "Without a diagram there is nothing to keep in sync; "
        "`dbdesign erd --write` generates one.",
        "# ERD\n\n(see the whiteboard photo)",
        "# ERD\n\n```mermaid\nerDiagram\n  users ||--o{ orders : places\n```",
        example_path="entity-relationship-diagram.md",
    ),
    Rule(
        "ER002",
        "erd-parse-error",
        "erd",
        ERROR,
        False,
        "The erDiagram does not parse.",
        "GitHub shows a parse error instead of the diagram.",
        "# ERD\n\n```mermaid\nerDiagram\n  users ||--o{ : places\n```",
        "# ERD\n\n```mermaid\nerDiagram\n  users ||--o{ orders : places\n```",
        example_path="entity-relationship-diagram.md",
    ),
    Rule(
        "ER003",
        "erd-entity-mismatch",
        "erd",
        ERROR,
        False,
        "A schema table is missing from the ERD, or an ERD entity is not a table.",
        "A diagram that omits tables, or shows ones that do not exist, "
        "misleads every reader.",
        "# ERD\n\n```mermaid\nerDiagram\n"
        "  %% the schema has the tables users and orders\n"
        "  users\n  invoices\n```",
        "# ERD\n\n```mermaid\nerDiagram\n"
        "  %% the schema has the tables users and orders\n"
        "  users ||--o{ orders : places\n```",
        example_path="entity-relationship-diagram.md",
    ),
    Rule(
        "ER004",
        "erd-relationship-mismatch",
        "erd",
        WARNING,
        False,
        "A foreign key has no ERD relationship, or a relationship has no foreign key.",
        "Relationships are the point of an ERD.",
        "# ERD\n\n```mermaid\nerDiagram\n"
        "  %% orders.user_id references users\n"
        "  users\n  orders\n```",
        "# ERD\n\n```mermaid\nerDiagram\n"
        "  %% orders.user_id references users\n"
        "  users ||--o{ orders : places\n```",
        example_path="entity-relationship-diagram.md",
    ),
    Rule(
        "ER005",
        "erd-attribute-mismatch",
        "erd",
        WARNING,
        False,
        "ERD attributes or cardinality disagree with the table's columns.",
        "Listed attributes are read as the truth.",
        "# ERD\n\n```mermaid\nerDiagram\n"
        "  %% the column is users.email\n"
        "  users ||--o{ orders : places\n"
        "  users {\n    int id PK\n    string mail\n  }\n```",
        "# ERD\n\n```mermaid\nerDiagram\n"
        "  %% the column is users.email\n"
        "  users ||--o{ orders : places\n"
        "  users {\n    int id PK\n    string email\n  }\n```",
        example_path="entity-relationship-diagram.md",
    ),
    # -- changelog -----------------------------------------------------------
    Rule(
        "CH001",
        "changelog-not-updated",
        "changelog",
        ERROR,
        False,
        "The change touches the schema or migrations but not the changelog.",
        "CHANGELOG.md is the design's history; every schema change belongs "
        "in it. `--allow-no-changelog` opts out explicitly.",
        "the change adds migration-scripts/V8__orders.sql and leaves "
        "CHANGELOG.md as it is",
        "the change adds migration-scripts/V8__orders.sql and the line "
        "`- orders table (V8__orders.sql)` to CHANGELOG.md",
    ),
    Rule(
        "CH002",
        "changelog-format",
        "changelog",
        WARNING,
        False,
        "The changelog does not follow Keep a Changelog.",
        "A predictable layout (`## [Unreleased]` first, then dated versions) "
        "lets people and tools find the latest change.",
        "# Changes\n- added orders",
        "# Changelog\n\n## [Unreleased]\n### Added\n- orders table",
        example_path="CHANGELOG.md",
    ),
    Rule(
        "CH003",
        "changelog-migration-unnamed",
        "changelog",
        WARNING,
        False,
        "A migration added by the change is not named in the changelog's added lines.",
        "Naming the migration links the history to the script that made it.",
        "the change adds V8__orders.sql and the CHANGELOG.md line `- Added orders`",
        "the change adds V8__orders.sql and the CHANGELOG.md line "
        "`- Added orders (V8__orders.sql)`",
    ),
    # -- replay (the real database) -----------------------------------------
    Rule(
        "RP001",
        "migration-fails",
        "replay",
        ERROR,
        False,
        "A migration fails on a real database.",
        "Only the server knows every rule of its SQL (types, names, what a "
        "transaction allows); a migration that fails here fails on deploy.",
        "ALTER TABLE book ADD CONSTRAINT book_price_positive CHECK (prize > 0);\n",
        "ALTER TABLE book ADD CONSTRAINT book_price_positive CHECK (price > 0);\n",
        example_path="migration-scripts/V2__price_check.sql",
    ),
    Rule(
        "RP002",
        "schema-fails",
        "replay",
        ERROR,
        False,
        "The schema file fails to load on an empty database.",
        "The schema file is the design of record; one that does not load "
        "cannot be compared or used to build a database.",
        "CREATE TABLE book (\n    id integer PRIMARY KEY,\n"
        "    author_id integer REFERENCES author (id)\n);\n"
        "CREATE TABLE author (id integer PRIMARY KEY);\n",
        "CREATE TABLE author (id integer PRIMARY KEY);\n"
        "CREATE TABLE book (\n    id integer PRIMARY KEY,\n"
        "    author_id integer REFERENCES author (id)\n);\n",
        example_path="database-schema.sql",
    ),
    Rule(
        "RP003",
        "replayed-drift",
        "replay",
        ERROR,
        False,
        "The database the migrations build differs from the one the schema "
        "file builds (compared through the system catalogs).",
        "The catalogs are the truth the server keeps: a CHECK expression, a "
        "default, a partial index's predicate or an enum value that differs "
        "is drift no model of the SQL can be sure of; `dbdesign replay "
        "--write-schema` rewrites the schema file from the migrations.",
        "CREATE TABLE book (\n    id integer PRIMARY KEY,\n"
        "    price numeric CHECK (price >= 0)\n);\n"
        "CREATE INDEX book_price_idx ON book (price);\n",
        "CREATE TABLE book (\n    id integer PRIMARY KEY,\n"
        "    price numeric CHECK (price > 0)\n);\n"
        "CREATE INDEX book_price_idx ON book (price);\n",
        example_path="database-schema.sql",
    ),
    Rule(
        "RP004",
        "down-not-reversible",
        "replay",
        ERROR,
        False,
        "A down or undo migration fails, or does not give back the schema "
        "that existed before its up migration.",
        "A rollback is run in an emergency; that is no time to learn that it "
        "fails or leaves a table behind.",
        "DROP INDEX book_price_idx;\n",
        "DROP TABLE book;\n",
        example_path="migration-scripts/U1__books.sql",
    ),
    Rule(
        "RP005",
        "observed-lock",
        "replay",
        WARNING,
        False,
        "A statement was seen to rewrite, or to scan under a lock that blocks "
        "writes, a table that existed before the migration.",
        "The server shows what no static rule can be sure of: the lock each "
        "statement takes, and whether it copies or reads the whole table "
        "while it holds it, which on a large table is an outage.",
        "ALTER TABLE book ADD COLUMN token uuid DEFAULT gen_random_uuid();\n",
        "ALTER TABLE book ADD COLUMN token uuid;  -- then backfill in batches\n",
        example_path="migration-scripts/V2__token.sql",
    ),
    Rule(
        "RP006",
        "server-version",
        "replay",
        WARNING,
        False,
        "The replay server's major version is not `postgres_version`.",
        "Locks, rewrites and syntax differ between major versions: a replay "
        "on another version proves less about the one the project targets.",
        "postgres_version: 13, replayed on PostgreSQL 15",
        "replay.postgres_bin pointing at PostgreSQL 13, or postgres_version: 15",
    ),
    # -- suppressions --------------------------------------------------------
    Rule(
        "DB001",
        "bad-suppression",
        "suppression",
        WARNING,
        False,
        "A suppression comment has no codes, an unknown code, or suppresses nothing.",
        "A bare or stale ignore silently hides future problems; a typo "
        "never silences everything.",
        "-- dbdesign: ignore\nCREATE TABLE tags (name text);",
        "-- dbdesign: ignore[SQ002] tags are looked up by name only\n"
        "CREATE TABLE tags (name text);",
        example_path="database-schema.sql",
    ),
    Rule(
        "DB002",
        "stale-baseline-entry",
        "baseline",
        WARNING,
        False,
        "A findings baseline entry matches no finding any more.",
        "The baseline lists problems a team accepted when it adopted "
        "dbdesign; once one is fixed its entry would silently accept the "
        "same problem again. `dbdesign baseline` rewrites the file without it.",
        '{"version": 1, "findings": [{"code": "SQ002", "path": '
        '"database-schema.sql", "fingerprint": "0123456789abcdef", "count": 1}]}',
        '{"version": 1, "findings": []}',
        example_path=".dbdesign-baseline.json",
    ),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
FAMILIES: frozenset[str] = frozenset(rule.code[:2] for rule in RULES)


def get(code: str) -> Rule | None:
    return BY_CODE.get(code)


def matches(code: str, patterns: Sequence[str]) -> bool:
    """True when CODE equals one of PATTERNS or starts with one (a prefix)."""
    return any(code.startswith(pattern) for pattern in patterns)


def is_known_pattern(pattern: str) -> bool:
    """A selector is known when it is a prefix of one of our codes, or looks
    like a sqlfluff code (LT01, CP, ...) which we cannot list without
    importing sqlfluff."""
    if any(code.startswith(pattern) for code in BY_CODE):
        return True
    family = pattern[:2]
    return family not in FAMILIES and _looks_like_code(pattern)


def is_known_code(code: str) -> bool:
    """An exact code (not a prefix): one of ours, or one of sqlfluff's."""
    if code in BY_CODE:
        return True
    letters = len(code) - len(code.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return (
        code[:2] not in FAMILIES
        and _looks_like_code(code)
        and (letters == 3 or (code[letters:].isdigit() and letters < len(code)))
    )


def _looks_like_code(text: str) -> bool:
    """sqlfluff's families and codes (LT, LT01, PRS); a typo such as ZZ999
    is refused rather than silently selecting nothing."""
    letters = len(text) - len(text.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if text in SQLFLUFF_PREFIXES:
        return True
    return (
        text[:letters] in SQLFLUFF_PREFIXES
        and text[letters:].isdigit()
        and len(text) <= 6
    )


# sqlfluff's rule families and its codes without digits (unparsable,
# templating, lexing), so that `--ignore LT` or `ignore: [PRS]` work.
SQLFLUFF_PREFIXES = frozenset(
    {
        "AL",
        "AM",
        "CP",
        "CV",
        "JJ",
        "LT",
        "OR",
        "PG",
        "RF",
        "ST",
        "TQ",
        "PRS",
        "TMP",
        "LXR",
    }
)

# sqlfluff's rule families and the bundle (documentation page) each is in.
SQLFLUFF_BUNDLES = {
    "AL": "aliasing",
    "AM": "ambiguous",
    "CP": "capitalisation",
    "CV": "convention",
    "JJ": "jinja",
    "LT": "layout",
    "OR": "oracle",
    "PG": "postgres",
    "RF": "references",
    "ST": "structure",
    "TQ": "tsql",
}
README_URL = "https://github.com/dbdesign/dbdesign"
SQLFLUFF_DOCS = "https://docs.sqlfluff.com/en/stable/"


def help_uri(code: str) -> str:
    """Where a rule is documented: our README's rules table (an anchor per
    code), or sqlfluff's rule reference for its codes."""
    if code in BY_CODE:
        return f"{README_URL}#{code.lower()}"
    bundle = SQLFLUFF_BUNDLES.get(code[:2])
    if bundle is not None and code[2:].isdigit():
        return f"{SQLFLUFF_DOCS}reference/rules/{bundle}#rule-{code}"
    return f"{SQLFLUFF_DOCS}reference/rules/"
