/**
 * explain's listing read back into blocks: one per rule applied, the forward line (two spaces in) and the
 * notes and rules under it (four spaces in). The stepper tests compare each step with its block.
 */
export interface ListingBlock {
  head: string;
  lines: string[];
}

export function listingBlocks(listing: string): ListingBlock[] {
  const blocks: ListingBlock[] = [];
  for (const line of listing.split('\n')) {
    if (/^ {4}\S/.test(line)) blocks[blocks.length - 1]?.lines.push(line.slice(4));
    else if (/^ {2}\S/.test(line)) blocks.push({ head: line.slice(2), lines: [] });
  }
  return blocks;
}

/** A step of the stepper written as its listing block would be. */
export function stepAsBlock(step: {
  head: string;
  notes: string[];
  rules: { text: string; value: string }[];
}): ListingBlock {
  return { head: step.head, lines: [...step.notes, ...step.rules.map((r) => `${r.text}  →  ${r.value}`)] };
}
