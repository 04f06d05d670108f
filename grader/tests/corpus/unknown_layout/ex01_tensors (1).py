"""Misnamed copies of an exercise: none of them is an exercise file name, so none is graded."""
raise NotImplementedError
