"""The VBA side of the staff workbook: a compound-file writer, MS-OVBA project streams and the macro source.

Excel keeps macros in `xl/vbaProject.bin`, an OLE compound file. We assemble it ourselves from the
xlwings standalone project (so the VBA carries the exact pinned xlwings version) plus our own modules,
written as source only: with no performance cache Excel compiles the source when the file opens.
"""
