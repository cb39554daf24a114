"""The patient report: a Jinja2 template and its assembly (written atomically by ``outcomes.atomic``)."""

from outcomes.report.build import ReportInputs, build_report

__all__ = ["ReportInputs", "build_report"]
