// Text wsb may store, the same on both engines: no U+0000 (PostgreSQL refuses it
// in text and would fail a whole import as UNEXPECTED) and no unpaired surrogate
// (UTF-8 cannot hold one: PostgreSQL would store U+FFFD while wsb looks the raw
// string up, so a re-run could never find what it stored). Refused at every input
// edge as invalid input, before anything reaches a store; JSON lines and apply
// files are where they can come from, as argv and the environment hold neither.
import * as z from 'zod/mini'
import { containsCardNumber } from './card-number.js'

const NUL = /\u0000/
const UNPAIRED = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** What is wrong with `text` as stored text, in words (never quoting it), or undefined. */
export function textProblem(text: string): string | undefined {
  if (NUL.test(text)) return 'must not contain U+0000 (a NUL character)'
  const lone = UNPAIRED.exec(text)?.[0]
  if (lone) return `must not contain an unpaired surrogate (U+${lone.charCodeAt(0).toString(16).toUpperCase()}); a character outside the BMP is written with both halves of its pair`
  return undefined
}

/** The zod check of textProblem for a string field named `what`. */
export const storableText = (what: string) =>
  z.superRefine((value: string, ctx) => {
    const problem = textProblem(value)
    if (problem) ctx.addIssue({ code: 'custom', message: `${what}: ${problem}`, input: value })
  })

/** What may hide a problem: U+0000, anything beyond ASCII (surrogates, full-width digits), or 12 digits in a row. */
const SUSPECT = /[\u0000\u0080-\uffff]|(?:\d[ -]?){11}\d/

/**
 * The problem of one stored field of a hot path (an import line): textProblem,
 * or a card number (R-PM-2), after one quick test that ordinary text passes.
 */
export function fieldProblem(what: string, value: string | undefined): string | undefined {
  if (value === undefined || !SUSPECT.test(value)) return undefined
  const problem = textProblem(value)
  if (problem) return `${what}: ${problem}`
  if (containsCardNumber(value)) return `${what}: looks like a card number; wsb never accepts card data (RAW_CARD_REFUSED)`
  return undefined
}
