#!/usr/bin/env node
// The fedagg executable: hands the command line to main() and exits with its status.
import { main } from './main.ts'

process.exitCode = await main(process.argv.slice(2))
