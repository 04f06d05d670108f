import sys

from grader.commands import main

sys.exit(main())
