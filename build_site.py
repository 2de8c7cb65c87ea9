#!/usr/bin/env python3
"""Entry point: convert the raw reports in seeds/ and build the site. See `python build_site.py --help`."""

import sys

from lawreports.cli import main

if __name__ == "__main__":
    sys.exit(main())
