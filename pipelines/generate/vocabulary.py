"""Word lists the sample people, companies and sales material are drawn from.

Small, fixed and ordered, so that the same seed always picks the same words.
"""

from __future__ import annotations

# (display name, ASCII spelling used in email addresses)
FIRST_NAMES = (
    ("Jane", "jane"), ("John", "john"), ("Maria", "maria"), ("David", "david"),
    ("Sarah", "sarah"), ("Michael", "michael"), ("Emma", "emma"), ("James", "james"),
    ("Olivia", "olivia"), ("Robert", "robert"), ("Sophie", "sophie"), ("Thomas", "thomas"),
    ("Laura", "laura"), ("Daniel", "daniel"), ("Anna", "anna"), ("Lukas", "lukas"),
    ("Chloé", "chloe"), ("Pierre", "pierre"), ("Léa", "lea"), ("Hannah", "hannah"),
    ("Jonas", "jonas"), ("Priya", "priya"), ("Rahul", "rahul"), ("Aisha", "aisha"),
    ("Wei", "wei"), ("Mei", "mei"), ("Hiroshi", "hiroshi"), ("Yuki", "yuki"),
    ("Carlos", "carlos"), ("Lucía", "lucia"), ("José", "jose"), ("Ana", "ana"),
    ("Lars", "lars"), ("Ingrid", "ingrid"), ("Sven", "sven"), ("Astrid", "astrid"),
    ("Liam", "liam"), ("Noah", "noah"), ("Ava", "ava"), ("Mia", "mia"),
    ("Ethan", "ethan"), ("Isabella", "isabella"), ("Lucas", "lucas"), ("Amelia", "amelia"),
    ("Oliver", "oliver"), ("Charlotte", "charlotte"), ("Mateo", "mateo"), ("Zoe", "zoe"),
    ("Fatima", "fatima"), ("Omar", "omar"), ("Ravi", "ravi"), ("Ananya", "ananya"),
    ("Kevin", "kevin"), ("Rachel", "rachel"), ("Brian", "brian"), ("Megan", "megan"),
    ("Patrick", "patrick"), ("Siobhan", "siobhan"), ("Niamh", "niamh"), ("Sean", "sean"),
)
LAST_NAMES = (
    ("Doe", "doe"), ("Smith", "smith"), ("Johnson", "johnson"), ("Williams", "williams"),
    ("Brown", "brown"), ("Garcia", "garcia"), ("Miller", "miller"), ("Davis", "davis"),
    ("Martinez", "martinez"), ("Wilson", "wilson"), ("Anderson", "anderson"),
    ("Taylor", "taylor"), ("Thomas", "thomas"), ("Moore", "moore"), ("Martin", "martin"),
    ("Lee", "lee"), ("Walker", "walker"), ("Hall", "hall"), ("Young", "young"),
    ("King", "king"), ("Müller", "mueller"), ("Schmidt", "schmidt"), ("Schneider", "schneider"),
    ("Fischer", "fischer"), ("Weber", "weber"), ("Dubois", "dubois"), ("Lefèvre", "lefevre"),
    ("Moreau", "moreau"), ("Laurent", "laurent"), ("Rossi", "rossi"), ("Bianchi", "bianchi"),
    ("Fernández", "fernandez"), ("López", "lopez"), ("González", "gonzalez"),
    ("Sánchez", "sanchez"), ("Silva", "silva"), ("Santos", "santos"), ("Costa", "costa"),
    ("Andersson", "andersson"), ("Johansson", "johansson"), ("Nilsson", "nilsson"),
    ("Jansen", "jansen"), ("de Vries", "devries"), ("van Dijk", "vandijk"), ("Bakker", "bakker"),
    ("O'Brien", "obrien"), ("Murphy", "murphy"), ("Kelly", "kelly"), ("Byrne", "byrne"),
    ("Patel", "patel"), ("Sharma", "sharma"), ("Gupta", "gupta"), ("Singh", "singh"),
    ("Khan", "khan"), ("Chen", "chen"), ("Wang", "wang"), ("Li", "li"), ("Zhang", "zhang"),
    ("Tanaka", "tanaka"), ("Suzuki", "suzuki"), ("Sato", "sato"), ("Kim", "kim"),
    ("Park", "park"), ("Nguyen", "nguyen"), ("Tran", "tran"), ("Cohen", "cohen"),
    ("Levi", "levi"), ("Novak", "novak"), ("Kowalski", "kowalski"), ("Nowak", "nowak"),
)

_COMPANY_FIRST = (
    "Northwind", "Blue Harbor", "Granite", "Silverline", "Redwood", "Bright Path", "Ironclad",
    "Summit", "Clearwater", "Evergreen", "Lumen", "Vertex", "Cobalt", "Orbit", "Pioneer",
    "Keystone", "Tidewater", "Helix", "Quantum", "Maple", "Atlas", "Nimbus", "Sterling",
    "Falcon", "Beacon", "Crescent", "Driftwood", "Elm Street", "Fjord", "Harbor Point",
)
_COMPANY_SECOND = (
    "Logistics", "Analytics", "Software", "Health", "Robotics", "Payments", "Foods",
    "Energy", "Labs", "Insurance", "Retail", "Systems", "Media", "Manufacturing", "Cloud",
)
_COMPANY_FORM = ("", "", "", " Inc.", " GmbH", " Ltd", " SAS", " BV", " AB", " LLC")
_DOMAIN_TLDS = (".com", ".com", ".com", ".io", ".de", ".co.uk", ".fr", ".nl", ".se", ".com")


def _companies() -> tuple[tuple[str, str], ...]:
    """(company name, email domain) pairs: every first word with every second word."""
    pairs = []
    for i, first in enumerate(_COMPANY_FIRST):
        for j, second in enumerate(_COMPANY_SECOND):
            form_index = (i * 7 + j * 3) % len(_COMPANY_FORM)
            name = f"{first} {second}{_COMPANY_FORM[form_index]}"
            slug = f"{first}{second}".lower().replace(" ", "")
            pairs.append((name, f"{slug}{_DOMAIN_TLDS[form_index]}"))
    return tuple(pairs)


COMPANIES = _companies()
PERSONAL_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com")

# (job title, weight)
JOB_TITLES = (
    ("Marketing Manager", 10), ("Head of Marketing", 6), ("VP Marketing", 3), ("CMO", 2),
    ("Demand Generation Manager", 6), ("Marketing Operations Manager", 6),
    ("Growth Marketer", 4), ("Content Marketing Manager", 3), ("Sales Manager", 6),
    ("VP Sales", 3), ("Head of Sales", 3), ("Account Executive", 4),
    ("Sales Development Representative", 3), ("RevOps Analyst", 5), ("Head of RevOps", 3),
    ("Data Analyst", 8), ("Analytics Engineer", 5), ("Head of Data", 3), ("CTO", 2),
    ("CEO", 3), ("Founder", 2), ("Business Intelligence Lead", 3), ("Product Manager", 3),
    ("Consultant", 2), ("Student", 1),
)

# (country, weight, phone country code, phone area prefix)
COUNTRIES = (
    ("United States", 34, "+1", "415"), ("United Kingdom", 12, "+44", "20"),
    ("Germany", 10, "+49", "30"), ("France", 7, "+33", "1"), ("Canada", 6, "+1", "416"),
    ("Netherlands", 5, "+31", "20"), ("India", 5, "+91", "80"), ("Australia", 4, "+61", "2"),
    ("Ireland", 3, "+353", "1"), ("Spain", 3, "+34", "91"), ("Sweden", 3, "+46", "8"),
    ("Brazil", 3, "+55", "11"), ("Japan", 2, "+81", "3"), ("Singapore", 2, "+65", "6"),
    ("Poland", 1, "+48", "22"),
)

# Sales reps; ids look like CRM user ids.
OWNER_IDS = (
    "71200431", "71200458", "71200502", "71200517", "71200563",
    "71200589", "71200611", "71200647", "71200690", "71200712",
)

# Sales content prospects open from emails and proposals: (content_id, weight).
DOCUMENTS = (
    ("case-study-northwind-logistics", 5), ("case-study-helix-health", 4),
    ("case-study-summit-retail", 3), ("pricing-sheet-2026", 6),
    ("security-whitepaper", 4), ("roi-calculator", 3), ("product-overview-deck", 5),
    ("implementation-guide", 2), ("dpa-gdpr-addendum", 1),
)

LOST_REASONS = ("price", "competitor", "no_decision", "timing", "no_budget", "missing_feature")
CURRENCIES = (("USD", 70), ("EUR", 20), ("GBP", 10))
