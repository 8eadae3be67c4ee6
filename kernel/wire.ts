import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Jupyter's wire format (messaging spec v5, "The Wire Protocol"): routing identities, the `<IDS|MSG>`
 * delimiter, an HMAC signature, then header, parent header, metadata and content as JSON, then buffers.
 *
 * tslab's ZmqMessage does this too but is not exported, stalls on an empty key (the spec says: no key means
 * no signature, and no checking), and throws from an un-awaited promise on a bad signature, which ends a
 * Node process on its unhandled rejection. Here a bad message is an exception the server catches and logs.
 */
export const PROTOCOL_VERSION = '5.3';
const DELIM = Buffer.from('<IDS|MSG>');

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
  /** The HMAC signature it arrived with (decode sets it; '' with an empty key). */
  signature?: string;
}

export class WireError extends Error {
  constructor(
    message: string,
    readonly kind: 'signature' | 'format',
  ) {
    super(message);
  }
}

export interface Signer {
  sign(parts: readonly (string | Buffer)[]): string;
  verify(signature: string, parts: readonly (string | Buffer)[]): boolean;
}

/** `signature_scheme` is "hmac-<digest>" (hmac-sha256 in every client we know). */
export function signer(key: string, scheme = 'hmac-sha256'): Signer {
  if (!key) return { sign: () => '', verify: () => true };
  const digest = scheme.startsWith('hmac-') ? scheme.slice(5) : 'sha256';
  const sign = (parts: readonly (string | Buffer)[]) => {
    const h = createHmac(digest, key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  };
  return {
    sign,
    verify(signature, parts) {
      const want = Buffer.from(sign(parts));
      const got = Buffer.from(signature);
      return got.length === want.length && timingSafeEqual(got, want);
    },
  };
}

export function decode(s: Signer, frames: readonly Buffer[]): Message {
  const at = frames.findIndex((f) => f.equals(DELIM));
  if (at < 0) throw new WireError('message without the <IDS|MSG> delimiter', 'format');
  const parts = frames.slice(at + 2);
  if (parts.length < 4) throw new WireError(`message with ${parts.length} of its 4 JSON parts`, 'format');
  const signature = frames[at + 1].toString();
  if (!s.verify(signature, parts.slice(0, 4))) throw new WireError('invalid HMAC signature', 'signature');
  let json: unknown[];
  try {
    json = parts.slice(0, 4).map((p) => JSON.parse(p.toString('utf8')));
  } catch (e) {
    throw new WireError(`message with invalid JSON: ${(e as Error).message}`, 'format');
  }
  const [header, parent_header, metadata, content] = json as [
    Header,
    Header,
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  if (!header || typeof header.msg_type !== 'string') throw new WireError('message header without msg_type', 'format');
  return {
    identities: frames.slice(0, at),
    header,
    parent_header: parent_header ?? {},
    metadata: metadata ?? {},
    content: content ?? {},
    buffers: parts.slice(4),
    signature,
  };
}

/**
 * The signatures of the last `limit` messages, as ipykernel's Session keeps (`digest_history`): a signed
 * message seen again is a replay (someone who saw it on the wire sends it anew) and is not run twice. Every
 * message carries a fresh msg_id and date, so an honest client never repeats a signature. With an empty key
 * there are no signatures to remember, and nothing is checked (the spec).
 */
export class ReplayGuard {
  private readonly order: string[] = [];
  private readonly seen = new Set<string>();
  private next = 0;

  constructor(private readonly limit = 1024) {}

  /** True when this signature was seen among the last `limit` (the message is a replay); records it otherwise. */
  repeated(signature: string | undefined): boolean {
    if (!signature) return false;
    if (this.seen.has(signature)) return true;
    if (this.order.length < this.limit) this.order.push(signature);
    else {
      this.seen.delete(this.order[this.next]);
      this.order[this.next] = signature;
      this.next = (this.next + 1) % this.limit;
    }
    this.seen.add(signature);
    return false;
  }
}

export function encode(s: Signer, m: Message): Buffer[] {
  const parts = [m.header, m.parent_header, m.metadata, m.content].map((p) => Buffer.from(JSON.stringify(p), 'utf8'));
  return [...m.identities, DELIM, Buffer.from(s.sign(parts)), ...parts, ...m.buffers];
}

/** A message in reply to (or published on behalf of) `parent`: same session and routing. */
export function child(
  parent: Message,
  msgType: string,
  content: Record<string, unknown>,
  identities = parent.identities,
): Message {
  return {
    identities,
    header: {
      msg_id: randomUUID(),
      session: parent.header.session,
      username: parent.header.username,
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: parent.header,
    metadata: {},
    content,
    buffers: [],
  };
}
