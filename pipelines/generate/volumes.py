"""How much happens on an average day at scale 1.0; every volume is multiplied by the scale.

Tuned so that a day holds about 2,000 web events, ~300 visitors, ~25 new contacts, ~3 new
opportunities and ~150 sales interactions once the pipeline has filled (the first week of a
sample has fewer deals and touches, as nothing was in flight before it started).
"""

VISITORS_PER_DAY = 300
RETURNING_VISITOR_SHARE = 0.3
SECOND_SESSION_SHARE = 0.3  # visitors who come back later the same day

NEW_CONTACTS_PER_DAY = 25
SALES_CREATED_SHARE = 0.2  # created by a rep: owner set, never on the website
IMPORTED_SHARE = 0.1  # list imports (events, webinars) whose first visit comes later
INCOMPLETE_SHARE = 0.15
DUPLICATE_EMAIL_SHARE = 0.08  # of sales-created contacts: a second record of a known person

ORPHAN_OPPORTUNITIES_PER_DAY = 0.1  # deals whose contact lives in another system
ORPHAN_INTERACTIONS_PER_DAY = 1.5
