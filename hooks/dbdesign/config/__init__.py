"""Load and validate `.dbdesign.yaml`, `[tool.dbdesign]` in pyproject.toml, or
`--config FILE`, into a frozen Config. Every error names the file, the line
where known, and the key path. `config` is the public name; the parts live in:

- model.py: `Config`, `Replay`, `ConfigError`, the defaults and the paths;
- values.py: one key's value checked (`validate`), `Where` a key's line is;
- mapping.py: `KEYS` and `from_mapping`: the settings as a whole;
- formats.py: one file read safely, YAML or TOML within the nesting bound;
- files.py: `load`: which file is the config, and notes on how it resolved."""

from __future__ import annotations

from dbdesign.config.files import load as load
from dbdesign.config.mapping import KEYS as KEYS
from dbdesign.config.mapping import STANDARD_DOCUMENTS as STANDARD_DOCUMENTS
from dbdesign.config.mapping import from_mapping as from_mapping
from dbdesign.config.model import CHECKLIST as CHECKLIST
from dbdesign.config.model import DEFAULT_ARTIFACT_PHASES as DEFAULT_ARTIFACT_PHASES
from dbdesign.config.model import (
    DEFAULT_ARTIFACT_SECTIONS as DEFAULT_ARTIFACT_SECTIONS,
)
from dbdesign.config.model import DEFAULT_PATHS as DEFAULT_PATHS
from dbdesign.config.model import DIALECTS as DIALECTS
from dbdesign.config.model import FRAMEWORK_FILES as FRAMEWORK_FILES
from dbdesign.config.model import MAX_CONFIG_BYTES as MAX_CONFIG_BYTES
from dbdesign.config.model import NAMING_SCHEMES as NAMING_SCHEMES
from dbdesign.config.model import PHASE_COUNT as PHASE_COUNT
from dbdesign.config.model import POSTGRES_VERSIONS as POSTGRES_VERSIONS
from dbdesign.config.model import REPLAY_MODES as REPLAY_MODES
from dbdesign.config.model import Config as Config
from dbdesign.config.model import ConfigError as ConfigError
from dbdesign.config.model import Replay as Replay
from dbdesign.config.values import NAMING_CONVENTIONS as NAMING_CONVENTIONS
