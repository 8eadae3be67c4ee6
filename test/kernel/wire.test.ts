import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { child, decode, encode, signer, WireError, type Message } from '../../kernel/wire';

const header = (msg_type: string) => ({
  msg_id: 'm1',
  session: 's1',
  username: 'u',
  date: '2026-01-01T00:00:00Z',
  msg_type,
  version: '5.3',
});

function frames(key: string, content: object, identities = [Buffer.from('client-1')]): Buffer[] {
  const parts = [header('execute_request'), {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
  const sig = key ? createHmac('sha256', key).update(Buffer.concat(parts)).digest('hex') : '';
  return [...identities, Buffer.from('<IDS|MSG>'), Buffer.from(sig), ...parts];
}

describe('wire', () => {
  it('decodes a signed message with its routing identities and content', () => {
    const m = decode(signer('secret'), frames('secret', { code: 'x = 1' }));
    expect(m.identities.map(String)).toEqual(['client-1']);
    expect(m.header.msg_type).toBe('execute_request');
    expect(m.content).toEqual({ code: 'x = 1' });
  });

  it('rejects a message signed with another key, or with its content changed', () => {
    expect(() => decode(signer('secret'), frames('other', { code: 'x = 1' }))).toThrow(WireError);
    const tampered = frames('secret', { code: 'x = 1' });
    tampered[tampered.length - 1] = Buffer.from(JSON.stringify({ code: 'x = 666' }));
    try {
      decode(signer('secret'), tampered);
      expect.unreachable();
    } catch (e) {
      expect((e as WireError).kind).toBe('signature');
    }
  });

  it('with an empty key, signs nothing and checks nothing (the spec), instead of stalling', () => {
    const s = signer('');
    expect(s.sign([Buffer.from('x')])).toBe('');
    expect(decode(s, frames('', { code: '1' })).content).toEqual({ code: '1' });
  });

  it('rejects malformed frames as format errors', () => {
    expect(() => decode(signer('k'), [Buffer.from('no delimiter')])).toThrow(/delimiter/);
    const f = frames('', { a: 1 });
    f[f.length - 1] = Buffer.from('{not json');
    expect(() => decode(signer(''), f)).toThrow(/invalid JSON/);
  });

  it('encodes replies that decode again, keeping session and routing, with the parent header set', () => {
    const s = signer('secret');
    const req = decode(s, frames('secret', { code: 'x' }));
    const rep: Message = child(req, 'execute_reply', { status: 'ok', execution_count: 1 });
    expect(rep.header).toMatchObject({ session: 's1', username: 'u', msg_type: 'execute_reply', version: '5.3' });
    expect(rep.parent_header).toEqual(req.header);
    const back = decode(s, encode(s, rep));
    expect(back.content).toEqual({ status: 'ok', execution_count: 1 });
    expect(back.identities.map(String)).toEqual(['client-1']);
    expect(back.parent_header).toEqual(req.header);
  });

  it('signs with the digest the connection file names', () => {
    const parts = [Buffer.from('a'), Buffer.from('b')];
    expect(signer('k', 'hmac-sha512').sign(parts)).toBe(createHmac('sha512', 'k').update('ab').digest('hex'));
  });
});
