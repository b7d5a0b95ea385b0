"""Reporting upward: the district's annual report (.docx), the e-MES and eMENSCR exports (.xlsx) and the school
report cards — all drawn from :mod:`sync.reporting.figures`, the one place the numbers come from."""
