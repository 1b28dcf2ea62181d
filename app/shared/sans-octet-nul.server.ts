/**
 * The stream a page's HTML goes out through. React 18's server renderer (writeStringChunk) sends its whole
 * 2048-byte buffer when a multi-byte character does not fit at its end, unfilled bytes included: NUL characters in
 * the page (« V\0érifiez »), a few per long French page. A page never holds a NUL of its own (every input refuses
 * it, and UTF-8 never uses the byte 0 inside a character), so they are dropped on the way out.
 */
import { Transform } from "node:stream";

export function sansOctetsNuls(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, chunk.indexOf(0) === -1 ? chunk : Buffer.from(chunk.filter((octet) => octet !== 0)));
    },
  });
}
