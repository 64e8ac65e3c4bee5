#!/usr/bin/env python3
"""Re-verify rows of `secrets audit export` outside claude-hooks-secrets.

Python 3 standard library only; the encoding it recomputes is documented in
docs/audit.md ("The canonical row encoding") and mirrors src/audit/chain.ts.

    secrets audit export > audit.jsonl
    secrets audit chain-keys --out chain-keys.json      # mode 0600, keep it apart
    python3 scripts/verify-audit-export.py --keys chain-keys.json audit.jsonl

For every row:  chain == HMAC-SHA256(K[chain_key_id], bytes.fromhex(prev_chain) || canonical(row))
Between rows with consecutive ids: the row's prev_chain is the previous row's chain.
Row 1's prev_chain is 64 zeros. A filtered export (--secret, --since) has gaps
between ids: each row still verifies on its own. --complete says the export
is not filtered: then a missing id is an error too.

--links-only checks the linkage alone, without the keys: it catches a row
edited, removed or reordered inside a copy only when whoever did it did not
also fix the chain values, so it proves much less than a check with the keys.

Exit status: 0 every row verified, 1 a row failed (named on stdout), 2 usage.
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys

GENESIS = "0" * 64


def js_json(value):
    """JSON as JavaScript's JSON.stringify writes it: no spaces, non-ASCII as is,
    control characters escaped, lone surrogates as \\uXXXX."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "".join("\\u%04x" % ord(c) if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def canonical(row):
    """The canonical bytes of a row's chained fields (docs/audit.md)."""
    v1 = [row["id"], row["secret_name"], row["action"], row["accessor"], row["reason"], row["outcome"], row["at"], row["chain_key_id"]]
    label, token_id, address = row.get("label"), row.get("token_id"), row.get("client_address")
    version, digest = row.get("version"), row.get("ciphertext_sha256")
    if version is not None or digest is not None:
        fields = [4] + v1 + [label, token_id, address, version, digest]
    elif token_id is not None or address is not None:
        fields = [3] + v1 + [label, token_id, address]
    elif label is not None:
        fields = [2] + v1 + [label]
    else:
        fields = [1] + v1
    return js_json(fields).encode("utf-8")


def link(key, prev_chain, row):
    return hmac.new(key, bytes.fromhex(prev_chain) + canonical(row), hashlib.sha256).hexdigest()


def main(argv):
    parser = argparse.ArgumentParser(description="Re-verify rows of `secrets audit export`.")
    parser.add_argument("export", nargs="?", help="the JSON lines (default: standard input)")
    parser.add_argument("--keys", help='the file `secrets audit chain-keys --out FILE` wrote: {"chain_keys": {ID: base64}}')
    parser.add_argument("--links-only", action="store_true", help="check the linkage alone, without the keys (weaker)")
    parser.add_argument("--complete", action="store_true", help="the export is unfiltered: ids start at 1 and none is missing")
    args = parser.parse_args(argv)
    if (args.keys is None) == (not args.links_only):
        parser.error("give --keys FILE, or --links-only")

    keys = {}
    if args.keys is not None:
        with open(args.keys, encoding="utf-8") as f:
            keys = {kid: base64.b64decode(b64, validate=True) for kid, b64 in json.load(f)["chain_keys"].items()}

    source = open(args.export, encoding="utf-8") if args.export else sys.stdin
    rows = runs = 0
    previous = None
    with source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                print(f"broken: line {number}: not JSON ({e})")
                return 1
            rid = row.get("id")
            problem = None
            if not isinstance(rid, int) or rid < 1:
                problem = "no id of 1 or more"
            elif args.complete and rid != (previous["id"] + 1 if previous else 1):
                problem = f"is not row {previous['id'] + 1 if previous else 1}: rows are missing from a complete export"
            elif previous is not None and rid <= previous["id"]:
                problem = f"comes after row {previous['id']}: rows must be in id order"
            elif not isinstance(row.get("chain"), str) or not isinstance(row.get("prev_chain"), str):
                problem = "has no chain or prev_chain value"
            elif rid == 1 and row["prev_chain"] != GENESIS:
                problem = "is the first row, but its prev_chain is not 64 zeros"
            elif previous is not None and rid == previous["id"] + 1 and not hmac.compare_digest(row["prev_chain"], previous["chain"]):
                problem = f"does not link to row {previous['id']} (prev_chain differs from its chain)"
            elif not args.links_only:
                key = keys.get(row.get("chain_key_id"))
                if key is None:
                    problem = f"is chained under chain key {row.get('chain_key_id')}, which the keys file does not hold"
                elif not hmac.compare_digest(link(key, row["prev_chain"], row), row["chain"]):
                    problem = "does not match its chain value (a field or the chain was edited)"
            if problem is not None:
                print(f"broken: row {rid}: {problem} ({rows} rows verified before it)")
                return 1
            if previous is None or rid != previous["id"] + 1:
                runs += 1
            previous = row
            rows += 1
    what = "linked" if args.links_only else "verified"
    last = f", last row {previous['id']} {previous['chain']}" if previous else ""
    print(f"ok: {rows} rows {what} in {runs} run(s) of consecutive ids{last}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
