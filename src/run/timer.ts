import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { execute, goEnv, inBackground, type Plan, type Platform } from '../process/index.js'

// Timing UPX's unpacking without a container start per run: a small static program, run as the entrypoint of one
// sandbox container, starts the packed and the plain binary in turns and prints how long each run took. The binaries
// still run only in the sandbox; ten container starts (about 4 s) become one.

/** Runs of each binary the start-up time is the median of: at most, and at least (the least is taken past the budget). */
export const STARTUP_RUNS = { most: 11, least: 3 }
/** Rounds start until this much time has gone: a binary that takes 200 ms to unpack gets its three, one of 2 ms eleven. */
export const STARTUP_BUDGET_MS = 400

/**
 * The timer: `timer MOST LEAST BUDGET_MS PACKED PLAIN -- ARGS…` starts PACKED then PLAIN with ARGS, their output
 * discarded, round after round: MOST rounds, or fewer once BUDGET_MS has gone by and LEAST are done. It prints one
 * line per round: the two wall times in nanoseconds. Any run that fails ends it (exit 3).
 */
export const TIMER_SOURCE = `package main

import (
	"os"
	"strconv"
	"syscall"
	"time"
)

func run(binary string, args []string, null uintptr) int64 {
	started := time.Now()
	argv := append([]string{binary}, args...)
	pid, err := syscall.ForkExec(binary, argv, &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{null, null, null}})
	if err != nil {
		os.Stderr.WriteString("start " + binary + ": " + err.Error() + "\\n")
		os.Exit(3)
	}
	var status syscall.WaitStatus
	for {
		if _, err := syscall.Wait4(pid, &status, 0, nil); err != syscall.EINTR {
			break
		}
	}
	elapsed := time.Since(started).Nanoseconds()
	if !status.Exited() || status.ExitStatus() != 0 {
		os.Stderr.WriteString(binary + " did not exit 0\\n")
		os.Exit(3)
	}
	return elapsed
}

func number(text string) int {
	n, err := strconv.Atoi(text)
	if err != nil || n < 0 {
		os.Stderr.WriteString("not a count: " + text + "\\n")
		os.Exit(2)
	}
	return n
}

func main() {
	if len(os.Args) < 7 || os.Args[6] != "--" {
		os.Stderr.WriteString("usage: timer MOST LEAST BUDGET_MS PACKED PLAIN -- ARGS...\\n")
		os.Exit(2)
	}
	most, least, budget := number(os.Args[1]), number(os.Args[2]), time.Duration(number(os.Args[3]))*time.Millisecond
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		os.Exit(2)
	}
	args := os.Args[7:]
	started := time.Now()
	for i := 0; i < most && (i < least || time.Since(started) < budget); i++ {
		packed := run(os.Args[4], args, null.Fd())
		plain := run(os.Args[5], args, null.Fd())
		os.Stdout.WriteString(strconv.FormatInt(packed, 10) + " " + strconv.FormatInt(plain, 10) + "\\n")
	}
}
`

/**
 * Builds the timer for the platform the smoke test runs on, as a static binary, at low priority. Outside any module,
 * with GOFLAGS of its own (an empty one would let the user's `go env -w` flags in); its standard packages are the
 * ones the shipped build compiled, so it only links.
 */
export function timerPlan(source: string, output: string, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['build', '-trimpath', '-ldflags=-s -w', '-o', output, source],
    env: { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOWORK: 'off', GO111MODULE: 'on', ...goEnv(platform) },
    cwd: path.dirname(source)
  }
}

/** Writes and builds the timer in `dir`; resolves with its path. */
export async function buildTimer(dir: string, platform: Platform): Promise<string> {
  const source = path.join(dir, 'startup-timer.go')
  const output = path.join(dir, 'startup-timer')
  await writeFile(source, TIMER_SOURCE)
  await execute(await inBackground(timerPlan(source, output, platform)), { quiet: true })
  return output
}

/** The timer's lines: per round, the packed and the plain binary's wall time, in milliseconds. */
export function parseRounds(stdout: string): Array<{ packed: number; plain: number }> {
  return stdout
    .trim()
    .split('\n')
    .filter(line => /^\d+ \d+$/.test(line))
    .map(line => {
      const [packed, plain] = line.split(' ').map(Number)
      return { packed: packed / 1e6, plain: plain / 1e6 }
    })
}
