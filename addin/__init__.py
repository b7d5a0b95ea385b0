"""Khet's rules (Thai calendar, dates, working days, timing phrases, statuses, validation) and the Excel binding.

Everything here is a plain function over values or DataFrames; the Excel layer (xlwings) is a thin adapter.
"""
