"""The trusted core: what a check is, how its outcome crosses from learner code, how it is judged.

  catalog, course      the course's exercises and every path of the course folder
  checks, suites       `@check` probes, graded suites, the registry of checks
  observations, wire   what a probe returns, and the protocol (requests, frames, outcomes)
  references           reference outcomes: from the solutions, or from recorded goldens
  compare, factors,    trusted comparison, diagnoses of known mistakes,
  diagnose, scoring    and the one place a run's status is decided
  plan, session        which runs to make (the skip policy), and grading them through an executor
  results, state       the results model; the learner's state file
  determinism, stubs   the same numbers on both sides; stubs from solutions
"""
