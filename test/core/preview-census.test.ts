// Not a check: with WSB_PROPERTY_CENSUS=1, counts how many of the generated
// histories (WSB_PROPERTY_RUNS, default 1,000; seed WSB_PROPERTY_SEED, default
// 42) find each bug of issue 12, checking only that bug's rules, so one bug
// does not hide another. Run it against older code to see what the property
// would have found there (git checkout <commit> -- src).
import fc from 'fast-check'
import { it } from 'vitest'
import { newDb } from '../builders.js'
import { play, RuleBroken, sequence, unchecked } from './preview-sequences.js'

const every: RuleBroken['rule'][] = ['zero-proration', 'model', 'preview-missed', 'preview-early', 'preview-first', 'preview-all']
const bugs: Record<string, RuleBroken['rule'][]> = {
  'a 0 proration line, or the coupon its final invoice used up': ['zero-proration', 'model'],
  'NO_UPCOMING_INVOICE before a later renewal': ['preview-missed'],
  'the wrong one of two same-instant renewals previewed': ['preview-first'],
}

it.runIf(process.env.WSB_PROPERTY_CENSUS === '1')('census of the histories that find each bug', { timeout: 60 * 60_000 }, async () => {
  const runs = Number(process.env.WSB_PROPERTY_RUNS ?? 1_000)
  const seed = Number(process.env.WSB_PROPERTY_SEED ?? 42)
  const histories = fc.sample(sequence, { numRuns: runs, seed })
  for (const [bug, rules] of Object.entries(bugs)) {
    unchecked.clear()
    for (const rule of every) if (!rules.includes(rule)) unchecked.add(rule)
    const db = newDb({ memory: true })
    const found: number[] = []
    let example = ''
    for (const [i, history] of histories.entries()) {
      try {
        await play(db, `W${i}`, history)
      } catch (error) {
        found.push(i + 1)
        example ||= `${error instanceof RuleBroken ? '' : '(unexpected) '}${(error as Error).message.slice(0, 300)}\n  ${JSON.stringify(history)}`
      }
    }
    db.close()
    console.log(`${bug}: ${found.length} of ${runs} histories (seed ${seed}), first at ${found[0] ?? '—'}${example ? `\n  ${example}` : ''}`)
  }
  unchecked.clear()
})
