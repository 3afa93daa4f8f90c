"""Migration naming schemes (SPEC 4), their detection per folder, and
version ordering. `naming` is the public name; the parts live in:

- versions.py: `Version`, how versions compare, the next free one;
- schemes.py: the schemes, the kinds of migration file, `classify()`;
- detect.py: which scheme a folder follows (`migration_naming: auto`);
- folder.py: `scan()` of a migrations folder into a `Folder`, what is
  ignored, and which forward migrations have no down."""

from __future__ import annotations

from dbdesign.naming.detect import detect as detect
from dbdesign.naming.folder import SUM_FILE as SUM_FILE
from dbdesign.naming.folder import Folder as Folder
from dbdesign.naming.folder import is_ignored as is_ignored
from dbdesign.naming.folder import join as join
from dbdesign.naming.folder import list_files as list_files
from dbdesign.naming.folder import pair_key as pair_key
from dbdesign.naming.folder import scan as scan
from dbdesign.naming.folder import without_down as without_down
from dbdesign.naming.schemes import BASELINE as BASELINE
from dbdesign.naming.schemes import DOWN as DOWN
from dbdesign.naming.schemes import EXTENSIONS as EXTENSIONS
from dbdesign.naming.schemes import FORWARD as FORWARD
from dbdesign.naming.schemes import META as META
from dbdesign.naming.schemes import REPEATABLE as REPEATABLE
from dbdesign.naming.schemes import SCHEMES as SCHEMES
from dbdesign.naming.schemes import SHAPES as SHAPES
from dbdesign.naming.schemes import UNDO as UNDO
from dbdesign.naming.schemes import UNVERSIONED as UNVERSIONED
from dbdesign.naming.schemes import UP as UP
from dbdesign.naming.schemes import Migration as Migration
from dbdesign.naming.schemes import classify as classify
from dbdesign.naming.schemes import sort_key as sort_key
from dbdesign.naming.versions import Version as Version
from dbdesign.naming.versions import next_version as next_version
from dbdesign.naming.versions import parse_version as parse_version
