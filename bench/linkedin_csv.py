"""A LinkedIn Connections.csv of N rows, for import benchmarks: python bench/linkedin_csv.py N FILE.

LinkedIn's layout: a Notes preamble, then First Name, Last Name, URL, Email
Address, Company, Position, Connected On. Deterministic; names do not collide
with the people of bench/generate.py.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta

FIRST = ["Aiko", "Bram", "Cleo", "Dario", "Elif", "Femi", "Gus", "Hana", "Ivo", "Jade", "Kofi", "Lena"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Reyes", "Brandt"]


def main(rows: int, out: str) -> None:
    rng = random.Random(14)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        handle.write("Notes:\n")
        handle.write(
            '"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
        )
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        for i in range(rows):
            first, last = rng.choice(FIRST), f"{rng.choice(LAST)} {i}"
            day = date(2015, 1, 1) + timedelta(days=rng.randrange(3800))
            slug = f"{first}-{last}".lower().replace(" ", "-")
            email = f"{slug}@example.net" if rng.random() < 0.3 else ""
            writer.writerow(
                [
                    first,
                    last,
                    f"https://www.linkedin.com/in/{slug}",
                    email,
                    "Northwind",
                    "Engineer",
                    day.strftime("%d %b %Y"),
                ]
            )


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
