import sys

from rebond_audit.cli import main

sys.exit(main())
