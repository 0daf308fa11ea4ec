/** scripts/oclif/compare-ids.cjs: localeCompare's order for command ids, without ICU. */
declare function compareIds(a: string, b: string): number
export = compareIds
