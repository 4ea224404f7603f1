#!/usr/bin/env node
import { installCrashGuard } from './crash-guard.js'
import { main } from './main.js'
import { wantsJson } from './output/failure.js'
import { processIo } from './output/io.js'

const argv = process.argv.slice(2)
const io = processIo()
installCrashGuard(io, wantsJson(argv))
process.exitCode = await main(argv, io)
