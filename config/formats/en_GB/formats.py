# Dates as the NHS.UK style guide writes them: 26 November 2026, 2:30pm is left to templates that need times.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j F Y"
