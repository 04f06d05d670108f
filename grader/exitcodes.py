"""Exit codes of `python -m grader`, stable for scripts and CI.

  0  every selected check passed (or the command succeeded)
  1  grading ran, and some check did not pass (or `generate --check` found stale stubs)
  2  usage error: unknown exercise or option, missing folder, nothing to grade
  3  internal error of the grader
"""

EXIT_OK, EXIT_NOT_PASSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
