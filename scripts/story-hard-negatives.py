#!/usr/bin/env python3
"""The story hard-negative development set: how its candidates are drawn from
Reuters-21578 and the event labels given to them by hand.

Standard library only; a development tool, never a dependency of vigie.

    scripts/story-hard-negatives.py candidates [--shared DIR] [--families N]
        prints the first N candidate company families (title, date, first words of the
        body) in the order they were reviewed.
    scripts/story-hard-negatives.py write [--shared DIR] [--out FILE]
        writes the selection (data/eval/stories/hard-negatives.tsv): half, family,
        story label and Reuters NEWID of every labelled article. The articles themselves
        are never copied: `vigie eval clusters --gold FILE --shared DIR` reads them from
        the shared corpus.

Candidates. A company family is the run of Reuters stories whose title carries the same
ticker (`<SLB>`) with at most 3 days between consecutive stories (2 to 6 stories), i.e.
articles that share their main entity and fall inside the story window. Families are
reviewed in the order of sha1(ticker + first NEWID), which is arbitrary but fixed; the
first 100 were reviewed. A country window is the 5-day run with the most stories whose
only place tag is that country and whose title names no ticker (`ctry` below).

Labels (one annotator, from the title and body of each story). Two stories share a label
when they report the same development: the same announcement, result, decision, deal
step or incident, whether a re-issue, a correction of the same item, a second write-up
of the same release, both sides of one deal, or a results table and the company's
comment on those results the same day. A distinct announcement or action is a
distinct label even on the same day and about the same company or country: another
deal step or another bidder, a rating agency's action, a dividend declared beside the
results, another period's figures, a follow-up statement days later. Where attaching a
story was a judgement call (analysts' commentary on a deal, a reaction to a downgrade,
two figures from one official report), the story was left out ('-'), or the whole
family ('x') when most of it was.

Halves. Families are sorted by sha1(family id) and dealt alternately to `tune` and
`held`; the stories were tuned on `tune` only.
"""

import argparse
import datetime
import glob
import hashlib
import html
import os
import re
import sys

# ticker, first NEWID of the family, one label per story in date order
COMPANY = """
SWK 1568 ab
CX 8420 ab
CAX 8944 x
CMS 3752 ab
ECL 20529 aa
FDS 2083 ab
CHRS 8736 ab
FBC 21095 ab
TEX 17676 x
FOOD.O 20583 aa
SOCS.O 17518 aa
HTP 5579 ab
UVR 7670 x
RCMT 9428 ab
BLY 4750 ab
VMLPZ 7955 aa
MCRY 539 aa
AUS 5346 ab
EGA 2162 ab
GATS 64 aa
TIER 12035 ab
AC 7069 aab
CFIX 9566 aa
AMSWA 2079 ab
ONE 20334 ab
BAGS 6517 x
STATA 15295 x
KITS 1805 abc
STVTF 8562 aa
PGAI 7398 aa
NCBM.O 16633 ab
PRM 20165 ab
VLANS 11933 aa
LNC 4344 aa
HPR 3336 ab
FBT 6154 aab-
SLB 5643 x
AMKG 14715 ab
SGP 3700 aa
MDT 1820 aab
ALK 1769 abc
QLTV 15343 ab
AS 19183 aa
TEK 18727 ab
HRP 15597 aa
EFH 12156 ab
HINS 15029 ab
GS 18660 a-bc
U 7791 abcd
NWA 1469 ab
IBM 6289 ab
BSN 5582 aa
HCA 17435 aabc
PNP 10037 ab
PUL 6458 abab
JEFG 7094 ab
CPC 8974 x
GAMI 6244 ab
BAB 17721 ab
ITT 852 ab
SSMC 2559 abb
UAL 11464 ab
C 19127 x
TWA 5322 abbcd
NOLD 670 ab
RPSY.O 19365 ab
BP 11872 abc
ITT 11577 ab
TNL 8868 ab
GRL 15094 ab
HRE 6147 aab
UCL 18795 ab
TX 10981 ab
KREN 8291 aa
LKS 2385 ab
WAG 15197 abc
ENDO 7848 x
CB 11396 aa
NRD 11309 aa
ICX 21382 ab
MER 7210 a-bcd
SHON 6088 aab
GOEDF 7629 aa
SVB 1146 ab
VIA 9878 ab
ABSB 14998 ab
STVTF 15152 x
NSC 1282 ab
LNER 11725 aa
NL 6002 ab
EMP 3633 aab
DRCH 15657 ab
AIVJ.J 4562 aa
MEL 20226 aa
P 18738 ab
BNR 11055 ab
ALBN 6662 aa
OMCM 1138 aba
HNZ 3859 abb
HPC 8834 ab
"""

# country, then NEWID:label for the stories kept of its window
COUNTRY = """
ecuador 2973:a 3048:a 4037:b 4126:b 4129:c 5137:d
brazil 8110:b 8192:b 8312:c 8729:d 8763:d 8950:e 9096:f 9248:f 9464:i 9654:j 9683:k 9919:l 9969:m 9996:m
philippines 5186:a 5226:b 5233:c 5263:d 5265:e 6336:f 6390:f 6340:g 6368:h 6970:i 7029:i 7550:j 7594:j 7551:k 7595:k
argentina 3901:a 3981:c 4022:b 4436:d 4971:e 5036:e 5227:g
south-africa 8757:a 8901:b 8990:b 10339:c 10372:d 10378:e
china 2975:a 2995:b 3003:c 3442:d 3445:e 3485:f 3488:g 3521:h 3568:i 4040:j 4041:k 4125:k 4044:l 4200:l 4084:n 4630:o 4637:p
taiwan 5175:a 5187:b 5785:d 5817:c 5836:e 5841:f 5933:g 6968:h 7531:i
"""

TICKER = re.compile(r"<([A-Z.]{1,6})>")


def sha1(s):
    return hashlib.sha1(s.encode()).hexdigest()


def reuters(shared):
    files = sorted(glob.glob(os.path.join(shared, "corpus", "reuters21578", "reut2-*.sgm")))
    if not files:
        sys.exit(f"story-hard-negatives: no reut2-*.sgm under {shared}/corpus/reuters21578")
    out = []
    for f in files:
        text = open(f, encoding="cp1252", errors="replace").read()
        for s in text.split("<REUTERS")[1:]:
            def el(name):
                m = re.search(r"<%s>(.*?)</%s>" % (name, name), s, re.S)
                return html.unescape(m.group(1)) if m else None
            body = el("BODY")
            if not body:
                continue
            try:
                date = datetime.datetime.strptime(el("DATE").strip().split(".")[0], "%d-%b-%Y %H:%M:%S")
            except ValueError:
                continue  # a few stamps are malformed ("31-MAR-1987 605:12:19"); none is a candidate
            places = re.findall(r"<D>(.*?)</D>", el("PLACES") or "")
            out.append({
                "id": int(re.search(r'NEWID="(\d+)"', s).group(1)),
                "date": date,
                "title": el("TITLE") or "",
                "body": body,
                "places": places,
            })
    return out


def company_families(stories):
    by = {}
    for x in stories:
        m = TICKER.search(x["title"])
        if m:
            by.setdefault(m.group(1), []).append(x)
    fams = []
    for t, xs in by.items():
        xs.sort(key=lambda x: (x["date"], x["id"]))
        cur = [xs[0]]
        for x in xs[1:]:
            if (x["date"] - cur[-1]["date"]).total_seconds() <= 3 * 86400:
                cur.append(x)
            else:
                fams.append((t, cur))
                cur = [x]
        fams.append((t, cur))
    fams = [f for f in fams if 2 <= len(f[1]) <= 6]
    fams.sort(key=lambda f: sha1(f[0] + str(f[1][0]["id"])))
    return fams


def selection(stories):
    """(family, label, newid) of every labelled story."""
    fams = {(t, c[0]["id"]): c for t, c in company_families(stories)}
    rows = []
    for line in COMPANY.strip().splitlines():
        t, first, labels = line.split()
        if labels == "x":
            continue
        members = fams.get((t, int(first)))
        if members is None or len(members) != len(labels):
            sys.exit(f"story-hard-negatives: family {t} {first} not drawn as reviewed")
        fam = f"{t.lower()}-{first}"
        rows += [(fam, f"{fam}-{lab}", x["id"]) for x, lab in zip(members, labels) if lab != "-"]
    for line in COUNTRY.strip().splitlines():
        country, *items = line.split()
        for it in items:
            newid, lab = it.split(":")
            rows.append((country, f"{country}-{lab}", int(newid)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["candidates", "write"])
    ap.add_argument("--shared", default="../shared/data")
    ap.add_argument("--families", type=int, default=100)
    ap.add_argument("--out", default="data/eval/stories/hard-negatives.tsv")
    a = ap.parse_args()
    stories = reuters(a.shared)
    if a.command == "candidates":
        for t, c in company_families(stories)[: a.families]:
            print("==", t, c[0]["id"])
            for x in c:
                print("  %6d %s %s" % (x["id"], x["date"].isoformat(), x["title"]))
                print("         ", re.sub(r"\s+", " ", x["body"])[:200])
        return
    rows = selection(stories)
    families = sorted({f for f, _, _ in rows}, key=sha1)
    half = {f: ("tune", "held")[i % 2] for i, f in enumerate(families)}
    with open(a.out, "w") as w:
        w.write("# Story hard negatives: Reuters-21578 stories that share their main entity, with event labels.\n")
        w.write("# Written by scripts/story-hard-negatives.py (see its header and data/README.md); the articles\n")
        w.write("# are read from ../shared/data/corpus/reuters21578 by `vigie eval clusters --gold THIS`.\n")
        w.write("half\tfamily\tstory\tref\n")
        for f, lab, newid in sorted(rows, key=lambda r: (half[r[0]], families.index(r[0]), r[2])):
            w.write(f"{half[f]}\t{f}\t{lab}\treuters:{newid}\n")
    n = {h: sum(1 for f, _, _ in rows if half[f] == h) for h in ("tune", "held")}
    print(f"{a.out}: {len(rows)} stories in {len(families)} families (tune {n['tune']}, held {n['held']})")


if __name__ == "__main__":
    main()
