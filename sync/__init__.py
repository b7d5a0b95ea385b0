"""Moving data between Google Sheets/Drive, the history store and the workbook; the `khet` command."""
