"""Running learner code: executors, the child side, forking, devices, forbidden calls, leftovers."""
