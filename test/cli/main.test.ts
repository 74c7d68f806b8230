import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'

const root = join(import.meta.dirname, '..', '..')
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }

/** The CLI as people run it: a process, its exit status and what it printed. */
async function policykit(...args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['src/cli/main.ts', ...args], {
      cwd: root,
      // Nothing here needs a database: a directory that does not exist proves none is opened.
      env: { ...process.env, POLICYKIT_DATA_DIR: join(root, 'data-none') },
    })
    return { stdout, code: 0 }
  } catch (e) {
    const failed = e as { stdout: string; code: number }
    return { stdout: failed.stdout, code: failed.code }
  }
}

describe('policykit --version and --help', () => {
  it('prints its version', async () => {
    assert.deepEqual(await policykit('--version'), { stdout: `policykit ${version}\n`, code: 0 })
    assert.equal((await policykit('-v')).stdout, `policykit ${version}\n`)
  })

  it('explains each command with --help, or help COMMAND, without running it', async () => {
    for (const [args, expected] of [
      [['migrate', '--help'], /^usage: policykit migrate\n\nApplies the database migrations/],
      [['help', 'sandbox'], /^usage: policykit sandbox FILE…/],
      [['kits', '-h'], /^usage: policykit kits\n/],
      [['start', '--help'], /^usage: policykit start\n/],
      [['slack', '--help'], /^usage: policykit slack manifest\n/],
      [['community', 'create', '--help'], /policykit community create --name NAME/],
      [['policy', 'import', '--help'], /policykit policy import --community ID/],
      [['--help'], /policykit <command> --help tells more/],
    ] as const) {
      const { stdout, code } = await policykit(...args)
      assert.equal(code, 0, args.join(' '))
      assert.match(stdout, expected, args.join(' '))
    }
  })
})
