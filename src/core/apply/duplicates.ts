// Two entries of an apply file that resolve to one object: each would be applied
// in turn on every run, the last winning, so the file would never converge (a
// re-run flips limits, currency, quantities back and forth with new events).
// Such a file is refused, naming both places. Entries are matched as apply
// matches them: names (workspace, accounts, organizations, coupons, alert pools)
// case-insensitively as names.ts compares them, organizations by path among
// their siblings, subscriptions by label exactly (as `sub add --label` tells
// labels apart), alert orgs by path part by part. YAML aliases are expanded
// before this runs, so an alias of an entry is that entry again. (Credits are
// not checked: grants sharing a note are granted together once, and converge.)
import type { ApplyFile, OrgInput, Place } from './schema.js'
import { placeName } from './schema.js'

type Problems = string[]

/** Names as names.ts compares them (sameName): trimmed, case-insensitive beyond ASCII. */
const folded = (name: string) => name.trim().toLowerCase()

/** An org path (Parent/Child) folded part by part. */
const foldedPath = (path: string) => path.split('/').map(folded).join('/')

/** Records the first place of each key and reports every later one. */
function firstPlaces(problems: Problems) {
  const seen = new Map<string, string>()
  return (key: string, place: string, what: string, hint: string) => {
    const first = seen.get(key)
    if (first === undefined) seen.set(key, place)
    else problems.push(`${place}: ${what} is already stated by ${first}; ${hint}`)
  }
}

export function refuseDuplicates(file: Partial<ApplyFile>, problems: Problems): void {
  organizations(file.organizations ?? [], problems)
  const product = firstPlaces(problems)
  for (const [i, spec] of (file.products ?? []).entries()) {
    product(spec.key, `products[${i}]`, `product ${spec.key}`, 'state each product once')
    const price = firstPlaces(problems)
    for (const [j, p] of (spec.prices ?? []).entries())
      price(`${p.currency.trim().toUpperCase()}/${p.interval}`, `products[${i}].prices[${j}]`, `the ${p.currency.trim().toUpperCase()}/${p.interval} price`, 'give one price per currency and interval')
  }
  const coupon = firstPlaces(problems)
  for (const [i, spec] of (file.coupons ?? []).entries()) coupon(folded(spec.code), `coupons[${i}]`, `coupon ${spec.code}`, 'codes are compared case-insensitively; state each coupon once')
  const rate = firstPlaces(problems)
  for (const [i, spec] of (file.taxRates ?? []).entries()) {
    const label = spec.region ? `${spec.country}-${spec.region}` : spec.country
    rate(label, `taxRates[${i}]`, `the tax rate of ${label}`, 'give one rate per country and region')
  }
  accounts(file.accounts ?? [], problems)
  alerts(file.alerts ?? [], problems)
}

/** Siblings with one name are one organization (its path); children are compared among themselves, at any depth. */
function organizations(roots: OrgInput[], problems: Problems): void {
  const stack: { siblings: OrgInput[]; parent: Place | undefined }[] = [{ siblings: roots, parent: undefined }]
  for (let next = stack.pop(); next; next = stack.pop()) {
    const seen = new Map<string, Place>()
    for (const [index, org] of next.siblings.entries()) {
      if (!org) continue
      const place: Place = { parent: next.parent, index }
      const first = seen.get(folded(org.name))
      if (first === undefined) seen.set(folded(org.name), place)
      else
        problems.push(
          `${placeName(place)}: organization "${org.name}" is already stated by ${placeName(first)} (names are compared case-insensitively); state each organization once, with all its limits, usage and children`,
        )
      if (org.children?.length) stack.push({ siblings: org.children, parent: place })
    }
  }
}

function accounts(specs: NonNullable<ApplyFile['accounts']>, problems: Problems): void {
  const account = firstPlaces(problems)
  for (const [i, spec] of specs.entries()) {
    const at = `accounts[${i}]`
    account(folded(spec.name), at, `account "${spec.name}"`, 'names are compared case-insensitively; state each account once')
    const label = firstPlaces(problems)
    for (const [j, sub] of (spec.subscriptions ?? []).entries()) label(sub.label, `${at}.subscriptions[${j}]`, `subscription "${sub.label}"`, 'state each subscription once')
    const method = firstPlaces(problems)
    for (const [j, source] of (spec.paymentMethods ?? []).entries()) method(source, `${at}.paymentMethods[${j}]`, 'this payment method', 'list each payment method once')
  }
}

/** Each entry states its scope's thresholds whole, so a second entry for one scope and product would silently win. */
function alerts(specs: NonNullable<ApplyFile['alerts']>, problems: Problems): void {
  const alert = firstPlaces(problems)
  for (const [i, a] of specs.entries()) {
    const scope = a.pool !== undefined ? `pool ${a.pool}` : `org ${a.org}`
    const key = `${a.pool !== undefined ? `pool ${folded(a.pool)}` : `org ${foldedPath(a.org ?? '')}`}\u0000${a.product}`
    alert(key, `alerts[${i}]`, `${scope}, product ${a.product}`, 'give its thresholds in one entry')
  }
}
