#!/usr/bin/env -S node --import tsx --no-warnings
// Runs wsb straight from src/ without building (development only).
process.env.NODE_ENV = 'development'
const { main } = await import('../src/main.ts')

await main(import.meta.url, { development: true })
