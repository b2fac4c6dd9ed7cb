"""Reporting: what reads across the domain apps without changing them. The programme overview (figures that can
rank or judge nobody) and the subject-access export (everything Alongside holds about one person)."""
