// A vitest reporter for .ci/run: writes to $WSB_CI_REPORT every test's outcome
// with its project, file and full name ("describe > title"), so CI can count
// passed, failed and skipped tests and check each skip against
// test/expected-skips.json (a skip nobody expected fails the run).
import { writeFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'

export type Outcome = { project: string; file: string; test: string; state: 'passed' | 'failed' | 'skipped' | 'pending'; note?: string }

export default class CiReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const out = process.env.WSB_CI_REPORT
    if (!out) return
    const outcomes: Outcome[] = []
    for (const module of modules) {
      const file = relative(module.project.config.root, module.moduleId)
      for (const test of module.children.allTests()) {
        const result = test.result()
        outcomes.push({
          project: module.project.name,
          file,
          test: test.fullName,
          state: result.state,
          ...(result.state === 'skipped' && result.note ? { note: result.note } : {}),
        })
      }
      // A file that failed to load has no tests: it counts as one failure.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) outcomes.push({ project: module.project.name, file, test: '(the file failed to load)', state: 'failed' })
    }
    writeFileSync(out, `${JSON.stringify(outcomes, null, 1)}\n`)
  }
}
