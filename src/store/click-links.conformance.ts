/**
 * @module store/click-links.conformance
 * The one suite every ClickLinkStore adapter passes, run from `test/conformance/storages.test.ts`.
 * Links are written as effects of the acceptance of the message that carries them.
 */
import { expect } from 'vitest';
import type { ClickLink } from './click-links.js';
import { sampleMessage } from './message-store.conformance.js';
import { conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';

export function runClickLinkStoreConformance(fixture: StorageFixture): void {
  conformanceSuite('ClickLinkStore', fixture, (test) => {
    const under = storageFor(fixture);

    const linkOf = (message: { id: string; accountId: string; msgId: string }, code: string, url: string): ClickLink => ({
      code,
      accountId: message.accountId,
      messageId: message.id,
      msgId: message.msgId,
      url,
      createdAt: 1_700_000_000_123,
    });

    test('finds the links a message was accepted with, intact', async () => {
      const { messages, clickLinks } = under.storage;
      const message = sampleMessage();
      const links = [
        linkOf(message, 'Ab3dE6gH9k', 'https://shop.example/p?id=42&utm_source=wa#top'),
        linkOf(message, 'Zz9yX8wV7u', 'https://shop.example/ünïcode/路径'),
      ];
      await messages.acceptMessages([{ message, effects: { clickLinks: links } }]);
      expect(await clickLinks.get('Ab3dE6gH9k')).toEqual(links[0]);
      expect(await clickLinks.get('Zz9yX8wV7u')).toEqual(links[1]);
      expect(typeof (await clickLinks.get('Ab3dE6gH9k'))!.createdAt).toBe('number');
    });

    test('knows nothing of a code it was never given', async () => {
      const { clickLinks } = under.storage;
      expect(await clickLinks.get('nosuchcode')).toBeUndefined();
      expect(await clickLinks.get('')).toBeUndefined();
    });

    test('tells codes apart by case', async () => {
      const { messages, clickLinks } = under.storage;
      const message = sampleMessage();
      const lower = linkOf(message, 'abcdef1234', 'https://shop.example/lower');
      const upper = linkOf(message, 'ABCDEF1234', 'https://shop.example/upper');
      await messages.acceptMessages([{ message, effects: { clickLinks: [lower, upper] } }]);
      expect(await clickLinks.get('abcdef1234')).toEqual(lower);
      expect(await clickLinks.get('ABCDEF1234')).toEqual(upper);
      expect(await clickLinks.get('AbCdEf1234')).toBeUndefined();
    });

    test('links survive a restart', async () => {
      const message = sampleMessage();
      const link = linkOf(message, 'keepMe0001', 'https://shop.example/kept');
      await under.storage.messages.acceptMessages([{ message, effects: { clickLinks: [link] } }]);
      const storage = await under.restart();
      expect(await storage.clickLinks.get('keepMe0001')).toEqual(link);
    });
  });
}
