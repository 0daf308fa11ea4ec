// Flag shapes shared by several commands.
import { Flags } from '@oclif/core'
import { billingModes } from '../core/store/schema/workspaces.js'

export const modeFlag = (summary: string) => Flags.string({ summary, options: [...billingModes] })

/** An ISO 8601 time; without an offset it is read as UTC. */
export const timeFlag = (summary: string) => Flags.string({ summary, helpValue: 'TIME' })
