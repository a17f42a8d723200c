/**
 * `wabridge demo` as a user runs it: a real process that starts the gateway with both simulators,
 * sends a campaign, prints CleverTap's funnel and the console link, and with `--exit` says by its
 * exit code whether every message was read.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './test-support.js';

describe('wabridge demo', () => {
  it('--messages 50 --exit: every message read, the funnel and the console link printed, exit 0', async () => {
    const run = await runCli(['demo', '--messages', '50', '--exit'], {}, 120_000);
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toMatch(/^\s+accepted\s+50\b/m);
    expect(run.stdout).toMatch(/^\s+sent\s+50\b/m);
    expect(run.stdout).toMatch(/^\s+delivered\s+50\b/m);
    expect(run.stdout).toMatch(/^\s+read\s+50\b/m);
    expect(run.stdout).toMatch(/^\s+failed\s+0\b/m);
    // The sandbox's generated admin token opens the console.
    expect(run.stdout).toMatch(/^Console: http:\/\/127\.0\.0\.1:\d+\/#token=wbadm_\S+$/m);
    // Not a terminal: plain progress lines, no control characters.
    expect(run.stdout).toMatch(/^sending: 50\/50 \(100%\)/m);
    expect(run.stdout).not.toContain('\r');
  }, 150_000);

  it('--json: the outcome as one JSON document on stdout, progress on stderr', async () => {
    const run = await runCli(['demo', '--messages', '5', '--exit', '--json'], {}, 120_000);
    expect(run.code, run.output).toBe(0);
    const outcome = JSON.parse(run.stdout);
    expect(outcome).toMatchObject({ complete: true, campaign: { messages: 5, accepted: 5 }, funnel: { read: 5, failed: { total: 0 } } });
    expect(outcome.console).toMatch(/#token=/);
    expect(run.stderr).toMatch(/^reports: 5\/5/m);
  }, 150_000);

  it('a usage error exits 2 and names the option', async () => {
    const run = await runCli(['demo', '--messages', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--messages <n>' argument 'many' is invalid");
  }, 30_000);
});
