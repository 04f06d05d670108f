"""torchdrill's grader: probes, trusted comparison, executors, results.

Suites import what they need to declare checks from here:

    from grader import check, capture, Raised, on_device

The package is laid out by audience (docs/architecture.md): `core` (what a check
is and how it is judged), `run` (where learner code runs), `learner`, `classroom`,
`authoring`, and `commands` (one module per `python -m grader` command).
"""

__version__ = "0.1.0"

from grader.core.checks import check  # noqa: E402
from grader.core.observations import Raised, capture  # noqa: E402
from grader.core.placement import on_device  # noqa: E402

__all__ = ["Raised", "__version__", "capture", "check", "on_device"]
