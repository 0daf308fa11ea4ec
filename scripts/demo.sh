#!/usr/bin/env bash
# npm run demo: builds a fresh database with the three examples of the product
# documents (seeds/000) from the files in examples/, then drives them through
# time with the wsb command line: trial, renewals, invoices, failover, dunning.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# WSB_DEMO_DB builds it elsewhere (the db copy test builds it in a temp folder).
export WSB_DB="${WSB_DEMO_DB:-$root/.demo/wsb-demo.sqlite}"
demo_dir="$(dirname "$WSB_DB")"
mkdir -p "$demo_dir"
rm -f "$WSB_DB" "$WSB_DB-wal" "$WSB_DB-shm"

# Dim and bold on a terminal only; piped, plain text.
if [ -t 1 ]; then dim=$'\033[2m' bold=$'\033[1m' plain=$'\033[0m'; else dim='' bold='' plain=''; fi
# The command as it would be typed: an argument with spaces or shell characters in double quotes.
shown() {
  local out='' arg
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=" $arg"
    else arg=${arg//\\/\\\\}; arg=${arg//\"/\\\"}; arg=${arg//\$/\\\$}; arg=${arg//\`/\\\`}; out+=" \"$arg\""; fi
  done
  printf '%s' "${out# }"
}
wsb() {
  printf '\n%s$ wsb %s%s\n' "$dim" "$(shown "$@")" "$plain"
  node "$root/bin/run.cjs" "$@"
}
# Reads one field of the JSON a command prints: field invoices.0.id ("last" for an array's last)
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=k==="last"?v[v.length-1]:v[k];console.log(v)})' "$1"; }
section() { printf '\n%s== %s ==%s\n' "$bold" "$1" "$plain"; }
say() { printf '\n(%s)' "$1"; }

section "1. A software company: single mode (one account, one shared pool)"
wsb apply -f "$root/examples/software-single.yaml"
export WSB_WORKSPACE="Acme Software"
say "who issues the invoices (the platform Acme Software subscribes to): printed on every invoice from now on, frozen into each at issue"
wsb workspace seller set --legal-name "Cloudplane Inc." --address "500 Market Street" --address "San Francisco, CA 94105" \
  --country US --tax-id "EIN 12-3456789" --email billing@cloudplane.example --terms-days 14 --footer "Questions? billing@cloudplane.example"
wsb usage report
say "the pool is full: one more user is refused"
wsb usage record --org Marketing --product users --delta 1 || true
wsb usage report --by org
say "the test clock runs through the trial end and two renewals; each invoice is charged to the card"
wsb clock advance --by 14d
wsb clock advance --by 2mo
wsb invoice list
first=$(node "$root/bin/run.cjs" invoice list --json | field invoices.0.id)
wsb invoice show "$first"
wsb invoice pdf "$first" -o "$demo_dir/acme-invoice-0001.pdf"
say "the customer switches to SEPA Direct Debit: the next invoice is processing for 5 days, then paid"
wsb pm add "Acme Software Inc." pm_sepaDebit_success
sepa=$(node "$root/bin/run.cjs" pm list "Acme Software Inc." --json | field paymentMethods.1.id)
wsb pm default "Acme Software Inc." "$sepa"
wsb clock advance --by 1mo
wsb invoice list
wsb clock advance --by 5d
wsb pm list "Acme Software Inc."
wsb invoice list

section "2. A global corporation: assigned mode (USA/USD, Germany/EUR, Japan/JPY silos)"
wsb apply -f "$root/examples/global-assigned.yaml"
export WSB_WORKSPACE="Global Corp"
say "the platform invoices Global Corp's silos from its European company"
wsb workspace seller set --legal-name "Cloudplane B.V." --address "Herengracht 100" --address "1015 BS Amsterdam" \
  --country NL --tax-id NL123456789B01 --email ar@cloudplane.example --terms-days 30
say "the VAT table for German buyers (an account's own rate, as the GmbH's below, overrides it)"
wsb tax rate set --country DE --rate 19 --name VAT
wsb org list
wsb account list
say "each silo is its own pool, in its own currency"
wsb usage report
say "a child organization cannot have its own account"
wsb account create "Sales only" --currency USD --org "USA Operations/Sales Team" || true
say "Brazil opens next quarter: its organization and account are ready, with no subscription or usage yet"
wsb org create "Brazil Operations"
wsb org create "São Paulo" --parent "Brazil Operations"
wsb account create "Global Corp Brasil" --currency BRL --country BR --org "Brazil Operations"
say "why can the US sales team not add 6 users? its own limit of 25 binds before the pool"
wsb usage report --by org --org "USA Operations/Sales Team"
wsb usage record --org "USA Operations/Sales Team" --product users --delta 6 || true
say "what would 5 more German users cost? the preview writes nothing"
gmbh=$(node "$root/bin/run.cjs" sub list --account "Global Corp GmbH" --json | field subscriptions.0.id)
wsb clock advance --by 3mo
wsb invoice preview "Global Corp GmbH" --change "$gmbh:users=30"
say "the Japan silo's latest invoice, its names in Japanese"
kk=$(node "$root/bin/run.cjs" invoice list "グローバル株式会社" --json | field invoices.last.id)
wsb invoice pdf "$kk" -o "$demo_dir/global-japan-invoice.pdf"

section "3. A franchise: pooled mode (three franchisees feed one pool)"
wsb apply -f "$root/examples/franchise-pooled.yaml"
export WSB_WORKSPACE="Franchise Co"
wsb workspace seller set --legal-name "Cloudplane Inc." --address "500 Market Street" --address "San Francisco, CA 94105" \
  --country US --tax-id "EIN 12-3456789" --email billing@cloudplane.example --terms-days 7
say "200 users and 100 locations in one pool, each franchisee billed for its own share"
wsb usage report
say "Franchisee B's default card is declined and its backup pays; Franchisee C's only card is declined"
wsb invoice list
wsb sub list
say "an alert when the shared users reach 80% and 100% of the pool"
wsb alert set --pool "Franchise Co" --product users --at 80%,100%
say "retries 3, 5 and 7 days after the first failure, then unpaid: Franchisee C stops feeding the pool"
wsb clock advance --by 8d
wsb notifications
wsb usage report
say "the airport's own limit binds before the shared pool does"
wsb usage record --org "Location 2 - Airport" --product users --delta 5 || true

section "Declarative and repeatable"
say "applying the same file again changes nothing"
wsb apply -f "$root/examples/franchise-pooled.yaml"
say "export writes the workspace back as a file that apply accepts"
wsb export
wsb events --limit 12

unset WSB_WORKSPACE
section "All workspaces (database: .demo/wsb-demo.sqlite)"
wsb workspace list

section "4. Reporting usage over HTTP: wsb serve"
export WSB_WORKSPACE="Franchise Co"
say "an API key for the point-of-sale terminals: printed once, only its hash is kept"
key=$(node "$root/bin/run.cjs" apikey create pos-terminals --scope usage:write --json | field key)
wsb apikey list
serve_log="$demo_dir/serve.log"
printf '\n%s$ wsb serve --listen 127.0.0.1:0 &%s\n' "$dim" "$plain"
node "$root/bin/run.cjs" serve --listen 127.0.0.1:0 > "$serve_log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do grep -q 'listening' "$serve_log" && break; sleep 0.1; done
cat "$serve_log"
url=$(sed -n 's/.*address=\(http:[^ ]*\).*/\1/p' "$serve_log" | head -n 1)
# POSTs a report as the curl example of docs/api.md does (with node's fetch where curl is missing).
report() {
  printf '\n%s$ curl -s %s/v1/usage -H "Authorization: Bearer wsbk_…" -d %s%s\n' "$dim" "$url" "'$1'" "$plain"
  if command -v curl >/dev/null; then
    curl -s "$url/v1/usage" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$1"
  else
    node -e 'fetch(process.argv[1], { method: "POST", headers: { authorization: `Bearer ${process.argv[2]}` }, body: process.argv[3] }).then((r) => r.text()).then((t) => process.stdout.write(t))' "$url/v1/usage" "$key" "$1"
  fi
  echo
}
say "a new user at Downtown: accepted, committed before the answer"
report '{"org": "Location 1 - Downtown", "product": "users", "delta": 1, "key": "pos-downtown-1"}'
say "five more at the airport: refused (200, accepted: false), its own limit binds"
report '{"org": "Location 2 - Airport", "product": "users", "delta": 5, "key": "pos-airport-1"}'
say "SIGTERM: the server answers what is queued, then exits 0"
kill -TERM "$server"
wait "$server"
trap - EXIT
echo
tail -n 2 "$serve_log"
