"""Member-state questionnaires: a workbook out, the filled workbook back, nothing lost.

workbook.py is the file format (no database); services.py reads the database, builds and
checks the workbook, and writes the answers through the follow-up services.
"""
