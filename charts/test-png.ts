import { createCanvas, loadImage } from '@napi-rs/canvas';

/** Test helper: decodes a PNG and counts pixels close to a colour (for "was this line drawn?" checks). */
export async function decodePng(png: Buffer) {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  return {
    width: image.width,
    height: image.height,
    pixel(x: number, y: number): string {
      const i = (y * image.width + x) * 4;
      return `#${[data[i]!, data[i + 1]!, data[i + 2]!].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    },
    /** Pixels within `tolerance` of a colour, in rows [fromY, toY) (default: every row). */
    count(hex: string, tolerance = 12, fromY = 0, toY = image.height): number {
      const r = Number.parseInt(hex.slice(1, 3), 16);
      const g = Number.parseInt(hex.slice(3, 5), 16);
      const b = Number.parseInt(hex.slice(5, 7), 16);
      let n = 0;
      for (let i = fromY * image.width * 4; i < Math.min(data.length, toY * image.width * 4); i += 4) {
        if (
          Math.abs(data[i]! - r) <= tolerance &&
          Math.abs(data[i + 1]! - g) <= tolerance &&
          Math.abs(data[i + 2]! - b) <= tolerance
        ) {
          n++;
        }
      }
      return n;
    },
  };
}
