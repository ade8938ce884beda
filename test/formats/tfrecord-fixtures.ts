/** Records for the TFRecord tests: one short, one empty, one longer than a header. */
export const records = [Buffer.from('first'), new Uint8Array(0), Uint8Array.from({ length: 1000 }, (_, i) => i % 256)];
