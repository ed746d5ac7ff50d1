// Which <tr> of a long page's window shows which record (VirtualTable.tsx).

/**
 * The <tr> slots of a long page's window: a record that stays in view keeps its slot, a record
 * coming into view takes the slot of one that left. Scrolling then updates the text of a few rows
 * instead of unmounting and mounting them (less work and far less garbage per frame, so no
 * collector pause lands in a frame). `previous` maps record keys to slots and is replaced.
 */
export function assignSlots(keys: string[], previous: Map<string, number>): Map<string, number> {
  const next = new Map<string, number>();
  const taken = new Set<number>();
  for (const key of keys) {
    const slot = previous.get(key);
    if (slot !== undefined && !taken.has(slot)) { next.set(key, slot); taken.add(slot); }
  }
  let free = 0;
  for (const key of keys) {
    if (next.has(key)) continue;
    while (taken.has(free)) free++;
    next.set(key, free);
    taken.add(free);
  }
  return next;
}
