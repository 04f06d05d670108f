"""Grading a class of untrusted submissions: staging, the sandbox, workers, the class run and its views."""
