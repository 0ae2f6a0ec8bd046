"""Chinese dates as Chinese ops teams write them: 2026年12月4日, 12月4日, 2026年11月.

Django's own module writes the month of MONTH_DAY_FORMAT with a leading zero
(「01月4日」); the rest of what is not set here falls through to it.
"""

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y年n月j日"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
FULL_DATE_FORMAT = "Y年n月j日 l"
FIRST_DAY_OF_WEEK = 1
