"""Notebooks: one Jupyter notebook per exercise, graded as a module made of its tagged cells.

  build    a notebook from an exercise's stub (`python -m grader notebooks`)
  stage    a notebook file back to a module, without a kernel (`run x.ipynb`, class grading)
  kernel   the notebook's `setup` and `check` cells: grading inside Jupyter
"""

from grader.learner.notebooks.kernel import check, setup

__all__ = ["check", "setup"]
