"""torchdrill's grader: probes, trusted comparison, executors, results.

Suites import what they need to declare checks from here:

    from grader import check, capture
"""

__version__ = "0.1.0"

from grader.checks import check  # noqa: E402
from grader.observations import capture  # noqa: E402

__all__ = ["__version__", "capture", "check"]
