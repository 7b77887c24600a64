"""``python -m ministn COMMAND``: see ministn/cli/."""
import sys

from ministn.cli import main

if __name__ == "__main__":
    sys.exit(main())
