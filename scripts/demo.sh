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
section() { printf '\n\033[1m== %s ==\033[0m\n' "$1"; }

section "1. A software company: single mode (one account, one shared pool)"
wsb workspace create "Acme Software" --mode single --test-clock --clock-start 2026-01-01
export WSB_WORKSPACE="Acme Software"
for team in Sales Engineering Marketing; do quiet org create "$team"; done
wsb account create "Acme Software Inc." --currency USD --country US --email billing@acme.test
wsb org list

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
wsb account list
wsb org list
printf '\n(a child cannot have its own account:)'
wsb account create "Sales only" --currency USD --org "USA Operations/Sales Team" || true

section "3. A franchise: pooled mode (three franchisees feed one pool)"
wsb workspace create "Franchise Co" --mode pooled --test-clock --clock-start 2026-01-01
export WSB_WORKSPACE="Franchise Co"
for location in "Location 1 - Downtown" "Location 2 - Airport" "Location 3 - Mall"; do quiet org create "$location"; done
for franchisee in "Franchisee A" "Franchisee B" "Franchisee C"; do quiet account create "$franchisee" --currency USD --country US; done
wsb account list
wsb org limit set "Location 2 - Airport" users=30
wsb org list

section "Everything that happened in the franchise, from the event log"
wsb events

unset WSB_WORKSPACE
section "All workspaces (database: .demo/wsb-demo.sqlite)"
wsb workspace list
