import sys

from collab_api.cli import main

sys.exit(main())
