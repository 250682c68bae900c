"""`python -m server.cli` runs the `ecg-render` command line."""

import sys

from server.cli import main

sys.exit(main())
