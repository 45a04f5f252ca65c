"""Bringing a fund's old books in from an Excel workbook: the template's sheets and columns
(template), reading a workbook into plain values with every error (reader), and creating the rows
and posting the money through the journal (apply)."""
