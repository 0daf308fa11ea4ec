#!/usr/bin/env bash
# npm run demo: builds a fresh database with the three examples of the product
# documents (seeds/000) and prints them, using only the wsb command line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$root/.demo"
export WSB_DB="$root/.demo/wsb-demo.sqlite"
rm -f "$WSB_DB" "$WSB_DB-wal" "$WSB_DB-shm"

wsb() {
  printf '\n\033[2m$ wsb %s\033[0m\n' "$*"
  node "$root/bin/run.js" "$@"
}
quiet() { node "$root/bin/run.js" "$@" >/dev/null; }
# Reads one field of the JSON a command prints: field .invoices.0.id
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v[k];console.log(v)})' "$1"; }
section() { printf '\n\033[1m== %s ==\033[0m\n' "$1"; }

section "1. A software company: single mode (one account, one shared pool)"
wsb workspace create "Acme Software" --mode single --test-clock --clock-start 2026-01-01
export WSB_WORKSPACE="Acme Software"
for team in Sales Engineering Marketing; do quiet org create "$team"; done
wsb account create "Acme Software Inc." --currency USD --country US --email billing@acme.test
wsb pm add "Acme Software Inc." pm_card_visa
printf '\n(the first subscription of a workspace with one account starts a 14-day trial:)'
wsb sub add "Acme Software Inc." --item users=100 --item locations=50
printf '\n(usage as in the seed diagram, streamed as NDJSON:)'
wsb usage import - <<'NDJSON'
{"org":"Sales","product":"users","set":45,"key":"demo-sales-users"}
{"org":"Sales","product":"locations","set":20,"key":"demo-sales-locations"}
{"org":"Engineering","product":"users","set":30,"key":"demo-eng-users"}
{"org":"Engineering","product":"locations","set":15,"key":"demo-eng-locations"}
{"org":"Marketing","product":"users","set":25,"key":"demo-mkt-users"}
{"org":"Marketing","product":"locations","set":15,"key":"demo-mkt-locations"}
NDJSON
wsb usage report
printf '\n(the pool is full: one more user is refused)'
wsb usage record --org Marketing --product users --delta 1 || true
wsb usage report --by org
printf '\n(the test clock runs through the trial end and two renewals; each invoice is charged to the card:)'
wsb clock advance --by 14d
wsb clock advance --by 2mo
wsb invoice list
first=$(node "$root/bin/run.js" invoice list --json | field invoices.0.id)
wsb invoice show "$first"
wsb invoice pdf "$first" -o "$root/.demo/acme-invoice-0001.pdf"

section "2. A global corporation: assigned mode (USA/USD, Germany/EUR, Japan/JPY silos)"
wsb workspace create "Global Corp" --mode assigned --test-clock --clock-start 2026-01-01
export WSB_WORKSPACE="Global Corp"
quiet org create "USA Operations"
quiet org create "Sales Team" --parent "USA Operations"
quiet org create "Engineering Team" --parent "USA Operations"
quiet org create "Germany Operations"
quiet org create "Vertriebsteam" --parent "Germany Operations"
quiet org create "Japan Operations"
quiet org create "製品部" --parent "Japan Operations"
quiet account create "Global Corp USA" --currency USD --country US --org "USA Operations"
quiet account create "Global Corp GmbH" --currency EUR --country DE --tax-rate 19 --org "Germany Operations"
quiet account create "Global Corp KK" --currency JPY --country JP --tax-rate 10 --org "Japan Operations"
quiet sub add "Global Corp USA" --item users=60 --item locations=20
quiet sub add "Global Corp GmbH" --item users=25 --item locations=8 --interval year
wsb sub add "Global Corp KK" --item users=15 --item locations=5
wsb account list
printf '\n(each silo is its own pool, in its own currency:)'
wsb usage report
wsb org list
printf '\n(a child cannot have its own account:)'
wsb account create "Sales only" --currency USD --org "USA Operations/Sales Team" || true

section "3. A franchise: pooled mode (three franchisees feed one pool)"
wsb workspace create "Franchise Co" --mode pooled --test-clock --clock-start 2026-01-01
export WSB_WORKSPACE="Franchise Co"
for location in "Location 1 - Downtown" "Location 2 - Airport" "Location 3 - Mall"; do quiet org create "$location"; done
for franchisee in "Franchisee A" "Franchisee B" "Franchisee C"; do quiet account create "$franchisee" --currency USD --country US; done
quiet pm add "Franchisee A" pm_card_visa
quiet pm add "Franchisee B" pm_card_chargeDeclinedInsufficientFunds
quiet pm add "Franchisee B" pm_card_mastercard
quiet pm add "Franchisee C" pm_card_chargeDeclined
quiet sub add "Franchisee A" --item users=80 --item locations=40
quiet sub add "Franchisee B" --item users=70 --item locations=35
quiet sub add "Franchisee C" --item users=50 --item locations=25
printf '\n(200 users and 100 locations in one pool, each franchisee billed for its own share:)'
wsb usage report
printf '\n(Franchisee B'"'"'s default card is declined and its backup pays; Franchisee C'"'"'s only card is declined:)'
wsb invoice list
wsb sub list
printf '\n(retries 3, 5 and 7 days after the first failure, then unpaid: C stops contributing to the pool)'
wsb clock advance --by 8d
wsb notifications
wsb usage report
wsb org limit set "Location 2 - Airport" users=30
wsb usage record --org "Location 2 - Airport" --product users --delta 28
printf '\n(the airport limit binds before the shared pool does:)'
wsb usage record --org "Location 2 - Airport" --product users --delta 5 || true
wsb usage report --by org --org "Location 2 - Airport"

section "Everything that happened in the franchise, from the event log"
wsb events

unset WSB_WORKSPACE
section "All workspaces (database: .demo/wsb-demo.sqlite)"
wsb workspace list
