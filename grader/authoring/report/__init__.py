"""Reports of a graded class: HTML pages, CSV gradebooks (LMS imports too), per-learner JSON.

Every part reads a class results folder (written by `python -m grader class`)
and nothing else: no learner code is imported and nothing is re-graded, so a
report can be rebuilt, or built on another machine, from the files alone.

  loading    the results folder -> `ClassResults`
  stats      aggregation: score matrix, histogram, pass rates, diagnoses, incidents
  plots      matplotlib figures as inline SVG
  gradebook  the CSV gradebook
  roster     the roster: learner folders -> LMS identifiers
  lms        Canvas, Moodle and Blackboard imports
  html       the jinja2 pages (templates/): the instructor's and the learners' (`Audience`)
  build      writes every output of `python -m grader report`
"""
