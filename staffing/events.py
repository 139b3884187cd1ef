"""Domain events the staffing app announces (sent inside the service's transaction).

`week_published`: kwargs `week` (the WeekSchedule just published; its store and week_start).
Connections tells subscribed back offices (payroll, a staff app).
"""

from django.dispatch import Signal

week_published = Signal()
