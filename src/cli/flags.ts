// Flag shapes shared by several commands.
import { Flags } from '@oclif/core'
import { intervals } from '../core/store/schema/prices.js'
import { billingModes } from '../core/store/schema/workspaces.js'

export const modeFlag = (summary: string) => Flags.string({ summary, options: [...billingModes] })

/** An ISO 8601 time; without an offset it is read as UTC. */
export const timeFlag = (summary: string) => Flags.string({ summary, helpValue: 'TIME' })

export const intervalFlag = (summary: string, required = false) =>
  required ? Flags.string({ summary, options: [...intervals], required: true }) : Flags.string({ summary, options: [...intervals] })

export const itemFlag = (summary: string) => Flags.string({ summary, multiple: true, helpValue: 'PRODUCT=QTY' })
