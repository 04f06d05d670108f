"""The learner's doors: the pytest plugin, `run`/`list`/`watch`, hints, terminal views, notebooks."""
