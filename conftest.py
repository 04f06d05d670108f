# Every graded suite under tests/ is collected through torchdrill's pytest plugin.
pytest_plugins = ["grader.learner.plugin"]
