// Stands in for `wsl-utils` inside dist/oclif.cjs (scripts/build.mjs): oclif's
// Config.load asks it whether this is WSL on every run, and the package loads
// child_process and its PowerShell helpers to answer that. `isWsl` is the same
// answer (the is-wsl package it re-exports); the rest loads on first use.
export { default as isWsl } from 'is-wsl'

const full = () => import('../../node_modules/wsl-utils/index.js')
export const powerShellPath = async (...args) => (await full()).powerShellPath(...args)
