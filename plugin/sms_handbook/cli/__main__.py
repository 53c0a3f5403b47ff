"""`python -m sms_handbook.cli`: the same as `sms-handbook`."""

import sys

from . import main

sys.exit(main())
