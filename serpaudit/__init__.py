"""serpaudit: find fake customer-service numbers at the top of search results.

This package is the spine: the CLI, the settings and the pipeline that wires
the stages (``crawler``, ``audits``, ``reports``) together.
"""

__version__ = "0.1.0"
