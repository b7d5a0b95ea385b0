"""Validation of sheet data: raw cells from Excel, openpyxl or the Sheets API → typed rows and findings.

Public API (see README "Validation"): `validate_table`, `validate_workbook`, `read_workbook`, `Finding`,
`ValidationResult`.
"""

from addin.validation.engine import Finding, ValidationResult, validate_table
from addin.validation.files import WorkbookTab, read_workbook, validate_workbook

__all__ = ["Finding", "ValidationResult", "WorkbookTab", "read_workbook", "validate_table", "validate_workbook"]
