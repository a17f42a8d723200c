import { afterEach, describe, expect, it } from 'vitest';
import { runClevertapSimulatorCli } from './cli.js';
import { startClevertapSimulator, type ClevertapSimulator } from './index.js';
import { postJson, startStandIn, type StandIn } from './test-support.js';

let standIn: StandIn | undefined;
let sim: ClevertapSimulator | undefined;
afterEach(async () => {
  await standIn?.close();
  await sim?.close();
  standIn = sim = undefined;
});

describe('wabridge sim clevertap', () => {
  it('serve starts the receiver and prints its callback URLs', async () => {
    const lines: string[] = [];
    const outcome = await runClevertapSimulatorCli(['serve', '--port', '0'], { out: (l) => lines.push(l), handleSignals: false });
    if (outcome.command !== 'serve') throw new Error('expected serve');
    sim = outcome.simulator;
    expect(lines.join('\n')).toContain(`${sim.url}/dlr`);
    const res = await postJson(sim.deliveryReportUrl(), { payloadVersion: '0.1', statuses: [{ msgId: '1|2|3|1', status: 'sent', timestamp: '1647441774' }] });
    expect(res.status).toBe(200);
  });

  it('campaign sends, prints the answers and the funnel read from a running receiver', async () => {
    sim = await startClevertapSimulator();
    const dlrUrl = sim.deliveryReportUrl();
    // A gateway stand-in that reports every send delivered, and acknowledges it once the report is
    // in: when the campaign's last send is answered, the funnel is complete, however busy the machine.
    standIn = await startStandIn((body) => {
      const statuses = [
        { msgId: body.msgId, status: 'sent', timestamp: '1647441774' },
        { msgId: body.msgId, status: 'delivered', timestamp: '1647441775' },
      ];
      return { status: 200, body: '{"status":"success"}', after: postJson(dlrUrl, { payloadVersion: '0.1', statuses }) };
    });
    const lines: string[] = [];
    const outcome = await runClevertapSimulatorCli(
      ['campaign', '--endpoint', standIn.url, '--token', 't', '--count', '12', '--concurrency', '4', '--campaign-id', '777',
        '--mix', 'template-text-header=1', '--sim-url', sim.url, '--settle-ms', '600'],
      { out: (l) => lines.push(l), handleSignals: false },
    );
    if (outcome.command !== 'campaign') throw new Error('expected campaign');
    expect(outcome.result.sent).toBe(12);
    expect(outcome.funnel).toMatchObject({ sent: 12, delivered: 12 });
    const printed = lines.join('\n');
    expect(printed).toContain('sent (200 success):  12');
    expect(printed).toMatch(/delivered\s+12\s+100\.0%/);
    expect(standIn.requests[0]?.headers.authorization).toBe('Bearer t');
  });

  it('prints usage and refuses unknown commands', async () => {
    const lines: string[] = [];
    expect(await runClevertapSimulatorCli(['--help'], { out: (l) => lines.push(l) })).toEqual({ command: 'help' });
    expect(lines[0]).toContain('serve');
    await expect(runClevertapSimulatorCli(['launch'], { out: () => undefined })).rejects.toThrow(/unknown command "launch"/);
    await expect(runClevertapSimulatorCli(['campaign'], { out: () => undefined })).rejects.toThrow(/--endpoint is required/);
  });
});
