import { deflateSync } from 'node:zlib';

/**
 * The kernelspec's logo, a ∇ (a downward triangle outline), drawn at install time: a 4×4-supersampled
 * rasteriser and a minimal PNG encoder (RGBA, no filtering) are smaller than committing binary files and keep
 * the logo's colour in one place.
 */
const COLOR = [0x5b, 0x4b, 0xd7]; // indigo

export function logoPng(size: number): Buffer {
  const rgba = Buffer.alloc(size * size * 4);
  const inset = size * 0.1;
  const stroke = Math.max(1.5, size * 0.11);
  // outer triangle: top edge across, apex at the bottom
  const outer: Pt[] = [
    [inset, inset * 1.4],
    [size - inset, inset * 1.4],
    [size / 2, size - inset],
  ];
  const inner = shrink(outer, stroke);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const p: Pt = [x + (sx + 0.5) / S, y + (sy + 0.5) / S];
          if (inside(p, outer) && !inside(p, inner)) hits++;
        }
      }
      const o = (y * size + x) * 4;
      rgba[o] = COLOR[0];
      rgba[o + 1] = COLOR[1];
      rgba[o + 2] = COLOR[2];
      rgba[o + 3] = Math.round((255 * hits) / (S * S));
    }
  }
  return encodePng(size, size, rgba);
}

type Pt = [number, number];

function inside(p: Pt, tri: Pt[]): boolean {
  const s = (a: Pt, b: Pt) => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
  const d1 = s(tri[0], tri[1]);
  const d2 = s(tri[1], tri[2]);
  const d3 = s(tri[2], tri[0]);
  return (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
}

/** The triangle whose edges lie `d` inside the given one's (the incircle scales about the incentre). */
function shrink(tri: Pt[], d: number): Pt[] {
  const len = (a: Pt, b: Pt) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const [a, b, c] = tri;
  const la = len(b, c);
  const lb = len(c, a);
  const lc = len(a, b);
  const per = la + lb + lc;
  const inc: Pt = [(la * a[0] + lb * b[0] + lc * c[0]) / per, (la * a[1] + lb * b[1] + lc * c[1]) / per];
  const area = Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2;
  const r = (2 * area) / per;
  const k = Math.max(0, (r - d) / r);
  return tri.map((p) => [inc[0] + (p[0] - inc[0]) * k, inc[1] + (p[1] - inc[1]) * k] as Pt);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
