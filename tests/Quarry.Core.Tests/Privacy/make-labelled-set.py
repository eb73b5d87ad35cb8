#!/usr/bin/env python3
"""Writes pii-labelled.jsonl: sentences with the PII values they contain (positives) and hard negatives (numbers
shaped like PII that are not: versions, dates, prices, ISBNs, bad checksums). Fixed seed; rerun to regenerate."""
import json, random, string

rng = random.Random(20261203)
FIRST = ["anna", "john", "li", "maria", "omar", "sven", "yuki", "priya", "lucas", "chloe", "ahmed", "eva", "noah", "zoe"]
LAST = ["smith", "garcia", "chen", "mueller", "dubois", "rossi", "kowalski", "tanaka", "okafor", "silva", "nguyen"]
DOMAINS = ["example.com", "mail.example.org", "corp.example.co.uk", "example.de", "uni-example.edu", "example.io"]

def email():
    f, l = rng.choice(FIRST), rng.choice(LAST)
    local = rng.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}{rng.randint(1, 99)}", f"{f}+billing", f"{l}.{f}"])
    return f"{local}@{rng.choice(DOMAINS)}"

def digits(n):
    return "".join(rng.choice(string.digits) for _ in range(n))

def phone():
    a, b = str(rng.randint(2, 9)) + digits(2), str(rng.randint(2, 9)) + digits(2)
    c = digits(4)
    return rng.choice([
        f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"+1-{a}-{b}-{c}",
        f"+44 20 {digits(4)} {digits(4)}", f"020 {digits(4)} {digits(4)}", f"07{digits(3)} {digits(6)}",
        f"+49 30 {digits(8)}", f"030 {digits(8)}", f"+33 1 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
        f"01 {digits(2)} {digits(2)} {digits(2)} {digits(2)}", f"+61 2 {digits(4)} {digits(4)}", f"+91 9{digits(4)} {digits(5)}",
        f"+81 3-{digits(4)}-{digits(4)}", f"+34 91 {digits(3)} {digits(2)} {digits(2)}",
    ])

def luhn_complete(prefix, length):
    body = prefix + digits(length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9: d -= 9
        total += d
    return body + str((10 - total % 10) % 10)

def luhn_ok(number):
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9: d -= 9
        total += d
    return total % 10 == 0

def card():
    prefix, length = rng.choice([("4", 16), ("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("3530", 16)])
    n = luhn_complete(prefix, length)
    style = rng.choice(["space", "dash", "plain"])
    if length == 15:
        groups = [n[:4], n[4:10], n[10:]]
    else:
        groups = [n[i:i + 4] for i in range(0, length, 4)]
    return n if style == "plain" else (" " if style == "space" else "-").join(groups)

IBAN = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "BE": 16, "CH": 21, "AT": 20, "PL": 28}

def iban_check(country, bban):
    rearranged = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in rearranged)
    return "%02d" % (98 - int(num) % 97)

def iban(valid=True):
    country = rng.choice(list(IBAN))
    length = IBAN[country]
    if country == "GB":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + digits(length - 8)
    elif country == "NL":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + digits(length - 8)
    else:
        bban = digits(length - 4)
    check = iban_check(country, bban)
    if not valid:
        check = "%02d" % ((int(check) + rng.randint(1, 90)) % 97 + 2)
        if check == iban_check(country, bban): check = "%02d" % ((int(check) + 1) % 97 + 2)
    compact = country + check + bban
    return compact if rng.random() < 0.4 else " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))

def ssn():
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"

def nino():
    first = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    while first + second in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
        second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    d = digits(6)
    suffix = rng.choice("ABCD")
    return rng.choice([f"{first}{second}{d}{suffix}", f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {suffix}"])

def ipv4():
    return rng.choice([f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"])

def ipv6():
    groups = ["%x" % rng.randint(0, 0xffff) for _ in range(8)]
    return rng.choice(["2001:db8::" + ":".join(groups[:3]), "fe80::" + ":".join(groups[:4]), ":".join(groups)])

def order():
    return "ORD-" + digits(8)

TEMPLATES = {
    "Email": ["Contact {} for refunds.", "Send the signed form to {} before Friday.", "Reply-To: {}", "The account owner is {}, per the ticket."],
    "Phone": ["Call the help desk on {} during office hours.", "Mobile: {}", "For urgent issues ring {} and ask for the on-call engineer.", "Her number is {}."],
    "PaymentCard": ["The customer paid with card {} on 3 March.", "Card number: {}", "Charge {} for the renewal."],
    "Iban": ["Transfer the deposit to IBAN {} by the 5th.", "Bank account: {}", "Refunds go to {} (savings)."],
    "NationalId": ["Employee SSN {} is on file with payroll.", "National Insurance number: {}", "Verify identity with {} before disclosing."],
    "IpAddress": ["The login came from {} at 02:14 UTC.", "Blocked host {} after repeated failures.", "Client address: {}"],
    "Custom": ["Order {} shipped yesterday.", "Please quote {} in any correspondence.", "Refund for {} approved."],
}
MAKERS = {"Email": email, "Phone": phone, "PaymentCard": card, "Iban": iban, "NationalId": lambda: rng.choice([ssn, nino])(),
          "IpAddress": lambda: rng.choice([ipv4, ipv4, ipv6])(), "Custom": order}

NEGATIVES = [
    lambda: f"Upgrade to version {rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 200)} before the deadline.",
    lambda: f"Requires Python {rng.randint(2, 3)}.{rng.randint(6, 13)}.{rng.randint(0, 12)} or later.",
    lambda: f"Build v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}.{rng.randint(0, 255)} fixes the crash.",
    lambda: f"The meeting is on {rng.randint(2019, 2027)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}.",
    lambda: f"Invoices dated {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2019, 2027)} are overdue.",
    lambda: f"Due {rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2019, 2027)} at the latest.",
    lambda: f"The plan costs ${rng.randint(1, 9)},{rng.randint(100, 999)}.{rng.randint(10, 99)} per year.",
    lambda: f"Total: EUR {rng.randint(1, 99)} {rng.randint(100, 999)},{rng.randint(10, 99)}",
    lambda: f"See ISBN 978-{rng.randint(0, 1)}-{digits(3)}-{digits(5)}-{rng.randint(0, 9)} for details.",
    lambda: f"ISBN {rng.choice(['978', '979'])}{digits(10)} is out of print.",
    lambda: f"ISBN-10 {rng.randint(0, 1)}-{digits(3)}-{digits(5)}-{rng.randint(0, 9)}",
    lambda: (lambda n: f"Reference {n} was rejected.")(next(x for x in iter(lambda: "4" + digits(15), None) if not luhn_ok(x))),
    lambda: (lambda n: f"Card {n[:4]} {n[4:8]} {n[8:12]} {n[12:]} is invalid.")(next(x for x in iter(lambda: "5" + str(rng.randint(1, 5)) + digits(14), None) if not luhn_ok(x))),
    lambda: f"Tracking number 1Z{digits(3)}AA{digits(10)} is in transit.",
    lambda: f"Request id {''.join(rng.choice('0123456789abcdef') for _ in range(8))}-{''.join(rng.choice('0123456789abcdef') for _ in range(4))}-4{''.join(rng.choice('0123456789abcdef') for _ in range(3))}-a{''.join(rng.choice('0123456789abcdef') for _ in range(3))}-{''.join(rng.choice('0123456789abcdef') for _ in range(12))}",
    lambda: f"Commit {''.join(rng.choice('0123456789abcdef') for _ in range(40))} introduced it.",
    lambda: f"The office is at {rng.uniform(-80, 80):.4f}, {rng.uniform(-170, 170):.4f}.",
    lambda: f"Population grew to {rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)} in {rng.randint(1990, 2024)}.",
    lambda: f"The server listens on localhost:{rng.randint(1024, 65535)}.",
    lambda: f"See RFC {rng.randint(1000, 9999)} and ISO {rng.randint(1000, 29999)}.",
    lambda: f"IBAN {iban(valid=False)} failed validation.",
    lambda: f"Invalid SSN {rng.choice(['000', '666', '9' + digits(2)])}-{digits(2)}-{digits(4)} was rejected.",
    lambda: f"Address {rng.randint(256, 999)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)} is not routable.",
    lambda: f"Set the timeout to {rng.randint(1, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.",
    lambda: f"The file is {rng.randint(1, 9)},{rng.randint(100, 999)},{rng.randint(100, 999)} bytes.",
    lambda: f"SKU {rng.randint(10000, 99999)}-{rng.randint(100, 999)} is back in stock.",
    lambda: f"Batch {digits(6)} contains {rng.randint(10, 500)} items.",
    lambda: f"Pi is roughly {rng.choice(['3.14159', '3.1415926535'])} and e is 2.71828.",
    lambda: f"Use @{rng.choice(FIRST)} in the channel, or the @app.get decorator.",
    lambda: f"Order ORD-{digits(5)} is a legacy number.",
    lambda: f"Room {rng.randint(100, 999)}, floor {rng.randint(1, 30)}, building {rng.randint(1, 9)}.",
    lambda: f"Chapter {rng.randint(1, 30)}.{rng.randint(1, 30)}.{rng.randint(1, 30)} covers it.",
    lambda: rng.choice(["Run uvicorn main:app --host 0.0.0.0 --port 80.", "Open http://127.0.0.1:8000/docs in a browser.", "Bind to ::1 for local tests.", "The netmask is 255.255.255.255 here."]),
]

rows = []
for kind, templates in TEMPLATES.items():
    count = 60 if kind != "Custom" else 30
    for _ in range(count):
        value = MAKERS[kind]()
        rows.append({"text": rng.choice(templates).format(value), "entities": [{"kind": kind, "value": value}]})
for _ in range(30):
    a, b = email(), phone()
    rows.append({"text": f"Write to {a} or call {b}.", "entities": [{"kind": "Email", "value": a}, {"kind": "Phone", "value": b}]})
for i in range(400):
    rows.append({"text": NEGATIVES[i % len(NEGATIVES)](), "entities": []})
rng.shuffle(rows)
with open("pii-labelled.jsonl", "w") as f:
    for row in rows:
        f.write(json.dumps(row) + "\n")
print(len(rows), "rows,", sum(len(r["entities"]) for r in rows), "entities,", sum(1 for r in rows if not r["entities"]), "negatives")
