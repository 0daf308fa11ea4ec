// vitest globalSetup: prints the run's property-test seed once (vitest.config.ts
// chose it, or WSB_PROPERTY_SEED gave it), before any test output.
export default function setup(): void {
  if (process.env.WSB_PROPERTY_SEED_SHOWN) return
  process.env.WSB_PROPERTY_SEED_SHOWN = '1'
  console.log(`property tests: seed ${process.env.WSB_PROPERTY_SEED} (replay a failure with WSB_PROPERTY_SEED=${process.env.WSB_PROPERTY_SEED})`)
}
