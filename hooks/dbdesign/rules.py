"""The rule registry: the one source for `dbdesign rules`, the README's rule
table, SARIF's ``rules[]`` and severity defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


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
        "(no .claude/database/ folder)",
        ".claude/database/ with database-prompt.md, database-template.md "
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
        ".claude/database/ without database-checklist.md",
        ".claude/database/database-checklist.md present",
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
        "database-prompt.md is empty (0 bytes)",
        "database-prompt.md states the design principles in UTF-8 text",
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
        "## Phase 0: ...\n## Phase 2: ...",
        "## Phase 0: ...\n## Phase 1: ...\n## Phase 2: ...",
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
        "(no backup-recovery-plan.md)",
        "backup-recovery-plan.md with the RPO, RTO and restore procedure",
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
        "produces it has started (config `artifact_phases`), so a fresh "
        "scaffold commits cleanly.",
        "## Phase 5 ...\n- [x] Agree the RPO\n\n"
        "(backup-recovery-plan.md)\n# Backup and recovery plan\n\nTODO",
        "# Backup and recovery plan\n\nNightly base backups with WAL "
        "archiving; restores are rehearsed monthly.",
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
        "migration-scripts/V1__init.sql\nmigration-scripts/add_users.sql",
        "migration-scripts/V1__init.sql\nmigration-scripts/V2__add_users.sql",
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
    ),
    Rule(
        "MG003",
        "migration-out-of-order",
        "migrations",
        ERROR,
        False,
        "A migration added by the change is not newer than every existing migration.",
        "Databases already migrated past that version would never run it.",
        "existing V1..V9; the change adds V5__fix.sql",
        "existing V1..V9; the change adds V10__fix.sql",
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
        "the change edits V3__add_index.sql",
        "the change adds V10__change_index.sql",
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
        "0002_orders.up.sql (no 0002_orders.down.sql)",
        "0002_orders.up.sql and 0002_orders.down.sql",
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
        "dbdesign.sum lists V3 with a hash its file no longer has",
        "dbdesign.sum rewritten by `dbdesign migrations hash`",
    ),
    Rule(
        "MG010",
        "destructive-statement",
        "safety",
        WARNING,
        False,
        "A migration drops or truncates data.",
        "DROP TABLE, DROP COLUMN, TRUNCATE and DROP SCHEMA lose data for "
        "good; make sure it is intended and backed up.",
        "ALTER TABLE users DROP COLUMN email;",
        "-- dbdesign: ignore[MG010] column unused since 2024, backed up\n"
        "ALTER TABLE users DROP COLUMN email;",
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
    ),
    Rule(
        "MG013",
        "type-change-or-rename",
        "safety",
        WARNING,
        False,
        "A column's type is changed, or a table or column is renamed.",
        "Running application code still uses the old name or type; type "
        "changes may rewrite the table under a lock.",
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
        "ALTER TABLE users ADD COLUMN full_name text; -- then backfill, "
        "then switch readers",
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
    ),
    Rule(
        "SQ003",
        "dangling-foreign-key",
        "schema",
        ERROR,
        False,
        "A foreign key references a table or column that does not exist.",
        "The schema will not load.",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES usr (id));",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));",
    ),
    Rule(
        "SQ004",
        "unindexed-foreign-key",
        "schema",
        WARNING,
        False,
        "Foreign-key columns have no index whose leading columns cover them.",
        "Deletes on the parent and joins from it scan the whole child table.",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));",
        "... CREATE INDEX orders_user_id_idx ON orders (user_id);",
    ),
    Rule(
        "SQ005",
        "redundant-index",
        "schema",
        WARNING,
        False,
        "An index duplicates another index or key, or is a prefix of one.",
        "Every index slows writes and takes space; a redundant one buys nothing.",
        "CREATE INDEX a ON orders (user_id);\n"
        "CREATE INDEX b ON orders (user_id, created_at);",
        "CREATE INDEX b ON orders (user_id, created_at);",
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
        "CREATE TABLE user_phones (user_id int REFERENCES users, phone "
        "text, PRIMARY KEY (user_id, phone));",
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
        "schema: users.email text NOT NULL; migrations: users.email text",
        "a migration that sets users.email NOT NULL",
    ),
    Rule(
        "SQ008",
        "naming-convention",
        "schema",
        WARNING,
        False,
        "An identifier breaks the naming convention (default snake_case).",
        "Mixed conventions force quoting and make queries error-prone.",
        'CREATE TABLE "OrderItems" (...);',
        "CREATE TABLE order_items (...);",
    ),
    Rule(
        "SQ009",
        "not-checked",
        "schema",
        WARNING,
        False,
        "A file was not fully checked (templated SQL, a size or time bound).",
        "Nothing is skipped silently: this says what was not checked and why.",
        "INSERT INTO t VALUES ({{ .Value }});",
        "plain SQL, or an ignore for the templated file",
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
    ),
    Rule(
        "ER002",
        "erd-parse-error",
        "erd",
        ERROR,
        False,
        "The erDiagram does not parse.",
        "GitHub shows a parse error instead of the diagram.",
        "erDiagram\n  users ||--o{ : places",
        "erDiagram\n  users ||--o{ orders : places",
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
        "schema has invoices; the ERD does not",
        "the ERD has an invoices entity",
    ),
    Rule(
        "ER004",
        "erd-relationship-mismatch",
        "erd",
        WARNING,
        False,
        "A foreign key has no ERD relationship, or a relationship has no foreign key.",
        "Relationships are the point of an ERD.",
        "orders.user_id REFERENCES users; no users--orders line",
        "users ||--o{ orders : places",
    ),
    Rule(
        "ER005",
        "erd-attribute-mismatch",
        "erd",
        WARNING,
        False,
        "ERD attributes or cardinality disagree with the table's columns.",
        "Listed attributes are read as the truth.",
        "users { int id PK  string mail }  (the column is email)",
        "users { int id PK  string email }",
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
        "a commit that adds V8__orders.sql only",
        "a commit that adds V8__orders.sql and a CHANGELOG.md line about it",
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
    ),
    Rule(
        "CH003",
        "changelog-migration-unnamed",
        "changelog",
        WARNING,
        False,
        "A migration added by the change is not named in the changelog's added lines.",
        "Naming the migration links the history to the script that made it.",
        "+ - Added orders",
        "+ - Added orders (V8__orders.sql)",
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
        "-- dbdesign: ignore",
        "-- dbdesign: ignore[SQ002]",
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
