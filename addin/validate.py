"""The validation API under the name the sheet-definition contract gives it (`addin.validate`); the
implementation lives in the `addin.validation` package."""

from addin.validation import (  # noqa: F401
    Finding,
    ValidationResult,
    WorkbookTab,
    read_workbook,
    validate_table,
    validate_workbook,
)
