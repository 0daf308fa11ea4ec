// Positional arguments. oclif would read a missing argument from a piped stdin;
// wsb never does (stdin carries NDJSON for usage import), so every argument
// ignores stdin.
import { Args } from '@oclif/core'

export const requiredArg = (description: string) => Args.string({ description, required: true, ignoreStdin: true })

export const optionalArg = (description: string) => Args.string({ description, ignoreStdin: true })
