// Draws media/icon.png (128×128 RGBA): bars of shrinking height, a gradient magnitude fading layer by
// layer, under a magnifying lens. Plain Node + zlib so the icon can be regenerated anywhere:
// `node .build/icon.mjs`.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = 128;
const px = new Uint8Array(N * N * 4);
const blend = (x, y, [r, g, b], a) => {
  if (x < 0 || y < 0 || x >= N || y >= N || a <= 0) return;
  const i = (y * N + x) * 4;
  const k = Math.min(1, a);
  px[i] = px[i] * (1 - k) + r * k;
  px[i + 1] = px[i + 1] * (1 - k) + g * k;
  px[i + 2] = px[i + 2] * (1 - k) + b * k;
  px[i + 3] = Math.max(px[i + 3], 255 * k);
};
// Rounded dark tile.
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  const dx = Math.max(0, Math.abs(x + 0.5 - 64) - 46), dy = Math.max(0, Math.abs(y + 0.5 - 64) - 46);
  blend(x, y, [24, 32, 48], 18.5 - Math.hypot(dx, dy));
}
// Seven bars (layers), gradient magnitude shrinking from output (right) to input (left).
const colors = [[239, 83, 80], [244, 140, 66], [250, 190, 60], [160, 210, 90], [80, 200, 160], [70, 170, 230], [120, 140, 255]];
for (let b = 0; b < 7; b++) {
  const h = Math.round(10 + 68 * Math.pow(0.72, 6 - b));
  const x0 = 18 + b * 13;
  for (let y = 104 - h; y < 104; y++) for (let x = x0; x < x0 + 9; x++) blend(x, y, colors[6 - b], 1);
}
// Lens over the smallest bars: a ring and a handle.
const cx = 40, cy = 70, r = 22;
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
  blend(x, y, [235, 240, 250], 3.2 - Math.abs(d - r));
  if (d < r - 2) blend(x, y, [255, 255, 255], 0.12);
  const t = ((x - cx) + (y - cy)) / 2, off = Math.abs((x - cx) - (y - cy)) / Math.SQRT2;
  if (t > r * 0.72 && t < r * 0.72 + 18) blend(x, y, [235, 240, 250], 4.5 - off);
}

const crc = (buf) => {
  let c, crc = 0xffffffff;
  for (const byte of buf) {
    c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6;
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) Buffer.from(px.buffer, y * N * 4, N * 4).copy(raw, y * (N * 4 + 1) + 1);
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
