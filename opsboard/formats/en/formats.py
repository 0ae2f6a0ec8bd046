"""English dates in one style: "Dec 4, 2026", "Dec 4", "Dec 4, 2026, 14:30".

Django's own English formats mix "Dec. 4, 2026" (DATE_FORMAT) with "12/04/2026"
(SHORT_DATE_FORMAT), which read as two products on one page. What is not set
here falls through to Django's own module (input formats, number grouping).
"""

DATE_FORMAT = "M j, Y"
SHORT_DATE_FORMAT = "M j, Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "M j, Y, H:i"
SHORT_DATETIME_FORMAT = "M j, Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "M j"
# The whole date, where a heading or a subject names one day.
FULL_DATE_FORMAT = "l, F j, Y"
# Weeks start on Monday everywhere in Opsboard (standups, digests, throughput).
FIRST_DAY_OF_WEEK = 1
