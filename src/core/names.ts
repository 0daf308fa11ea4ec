// Names (workspaces, accounts, coupon codes, organizations) are unique and found
// case-insensitively (docs/rules.md "Names, text and numbers"). SQLite's lower() folds only A-Z: "ÉCOLE" and
// "École" stay different there while JavaScript's toLowerCase() makes them equal,
// so a lookup that lowers one side in SQL and the other in JavaScript misses
// exact names and lets the unique indexes fail as an unexpected error. Queries
// keep SQLite's lower() on both sides (fast, indexed, exact for ASCII); names
// with other letters are then compared here.

/** Whether two names are the same name: trimmed, case-insensitive beyond ASCII. */
export const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase()

/** True when SQLite's lower() folds `name` as JavaScript does (only ASCII letters). */
export const asciiOnly = (name: string): boolean => !/[^\u0000-\u007f]/.test(name)
