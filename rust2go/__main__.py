import sys

from rust2go.cli import main

sys.exit(main())
