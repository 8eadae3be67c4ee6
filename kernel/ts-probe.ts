/** Imported by worker-boot.mjs to learn whether this thread can already load TypeScript. */
export const typescript: true = true;
