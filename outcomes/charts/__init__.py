"""Charts: one file per chart, ``plot_x(data, ax=None) -> Axes``. Charts compute no statistics.

Every figure names its time frame and evidence version and says that it supports, not replaces,
clinical judgement (``common.stamp``).
"""
