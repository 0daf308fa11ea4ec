// The derived PostgreSQL tables (./derive.ts), made on first use: a command
// that runs only hand-written SQL (org list, usage record) never derives them.
import * as sqlite from '../schema/index.js'
import { derivePostgresTables } from './derive.js'

const derive = () => derivePostgresTables(sqlite)
let derived: ReturnType<typeof derive> | undefined

export const postgresTables = (): ReturnType<typeof derive> => (derived ??= derive())
