"""The patient report: a Jinja2 template, its assembly, and an atomic write of the output folder."""

from outcomes.report.build import ReportInputs, build_report, write_report_atomically

__all__ = ["ReportInputs", "build_report", "write_report_atomically"]
