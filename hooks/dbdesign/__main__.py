import sys

from dbdesign.cli import main

sys.exit(main())
