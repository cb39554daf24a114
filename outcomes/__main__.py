import sys

from outcomes.cli import main

sys.exit(main())
