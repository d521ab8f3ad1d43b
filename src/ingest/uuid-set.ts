/**
 * A set of uuids at 16 bytes each (plus the table's slack), for sets that grow with the input: a
 * `Set<string>` of canonical uuid text costs about 100 bytes per entry (the string, its hash-table
 * slot), which on a multi-gigabyte log is hundreds of megabytes. Canonical lower-case hyphenated uuid
 * text (what event decoding produces) is stored as its 128 bits in an open-addressed table; any other
 * string (hand-built events in tests, explain's synthetic ids) goes to an ordinary set beside it.
 */
export class UuidSet {
  /** Four 32-bit words per slot: the uuid's bits. */
  private words = new Uint32Array(4 * INITIAL_SLOTS);
  /** 1 where a slot holds a uuid (the nil uuid is a valid entry, so all-zero words cannot mean empty). */
  private filled = new Uint8Array(INITIAL_SLOTS);
  /** A few bits the owner keeps with each uuid (see {@link add}); one byte a slot. */
  private marks = new Uint8Array(INITIAL_SLOTS);
  private packed = 0;
  private readonly others = new Map<string, number>();
  /** Scratch words of the uuid being looked up (no allocation per call). */
  private readonly key = new Uint32Array(4);

  get size(): number {
    return this.packed + this.others.size;
  }

  /** Adds `uuid`, with `mark` (8 bits) or-ed into the bits it already carries. */
  add(uuid: string, mark = 0): void {
    // Room first (at most three quarters full): growing reuses `key`, so it comes before the packing.
    if ((this.packed + 1) * 4 > this.filled.length * 3) this.grow();
    if (!this.pack(uuid)) {
      this.others.set(uuid, (this.others.get(uuid) ?? 0) | mark);
      return;
    }
    const at = this.slotOf();
    if (at >= 0) {
      this.marks[at] |= mark;
      return;
    }
    this.marks[this.insert()] = mark;
    this.packed++;
  }

  has(uuid: string): boolean {
    return this.pack(uuid) ? this.slotOf() >= 0 : this.others.has(uuid);
  }

  /** The bits added with `uuid` (0 when it is absent, or was added without any). */
  marksOf(uuid: string): number {
    if (!this.pack(uuid)) return this.others.get(uuid) ?? 0;
    const at = this.slotOf();
    return at >= 0 ? this.marks[at] : 0;
  }

  /** Reads canonical uuid text into `key`; false for any other string. */
  private pack(uuid: string): boolean {
    if (uuid.length !== 36) return false;
    let word = 0;
    let nibbles = 0;
    for (let i = 0; i < 36; i++) {
      const c = uuid.charCodeAt(i);
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (c !== 45 /* - */) return false;
        continue;
      }
      const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (v < 0) return false; // upper case is not canonical: kept as text, so that no two spellings meet
      word = (word << 4) | v;
      if (++nibbles % 8 === 0) {
        this.key[nibbles / 8 - 1] = word;
        word = 0;
      }
    }
    return true;
  }

  /** The first slot to probe for `key`. */
  private home(): number {
    const k = this.key;
    // UUIDv7's first word is a clock: every word is mixed in, the random last ones included.
    let h = Math.imul(k[0] ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ k[1] ^ (h >>> 15), 0xc2b2ae35);
    h = Math.imul(h ^ k[2] ^ (h >>> 13), 0x27d4eb2f);
    h = Math.imul(h ^ k[3] ^ (h >>> 16), 0x165667b1);
    return (h ^ (h >>> 15)) & (this.filled.length - 1);
  }

  /** The slot holding `key`, or -1. */
  private slotOf(): number {
    const mask = this.filled.length - 1;
    const k = this.key;
    for (let s = this.home(); this.filled[s] === 1; s = (s + 1) & mask) {
      const w = s * 4;
      if (this.words[w] === k[0] && this.words[w + 1] === k[1] && this.words[w + 2] === k[2] && this.words[w + 3] === k[3]) return s;
    }
    return -1;
  }

  /** Puts `key` in its first free slot (it is known to be absent); returns the slot. */
  private insert(): number {
    const mask = this.filled.length - 1;
    let s = this.home();
    while (this.filled[s] === 1) s = (s + 1) & mask;
    this.filled[s] = 1;
    this.words.set(this.key, s * 4);
    return s;
  }

  /** Doubles the table (through `key`). */
  private grow(): void {
    const { words, filled, marks } = this;
    this.words = new Uint32Array(words.length * 2);
    this.filled = new Uint8Array(filled.length * 2);
    this.marks = new Uint8Array(marks.length * 2);
    for (let s = 0; s < filled.length; s++) {
      if (filled[s] !== 1) continue;
      this.key.set(words.subarray(s * 4, s * 4 + 4));
      this.marks[this.insert()] = marks[s];
    }
  }
}

/** A power of two (slots are found by masking). */
const INITIAL_SLOTS = 1024;
